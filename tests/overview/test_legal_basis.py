"""Every law paragraph an overview cites resolves in Lovdata's own format.

The fixture (tests/fixtures/lovdata/nl/) holds the cited laws as Lovdata's consolidated-law XML: the
real bundle's structure, headings and § numbers, paragraph text in our own words. It is packed into a
tar.bz2 here and read by the real lovdata adapter. The real 2025 Lovtidend bundle in ../shared/data
checks that the ids and § addresses are Lovdata's (skipped when the shared data is absent).
"""

from __future__ import annotations

import asyncio
import re
import tarfile
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from eti.overview import load_rules, paragraph_key
from ingest.adapters import get_adapter
from ingest.adapters.lovdata import read_archive
from ingest.sources import Source

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
LOVDATA_ARCHIVE = ROOT.parent / "shared" / "data" / "lovdata" / "lovtidend-avd1-2025.tar.bz2"  # as tests/conftest.py
RULES = load_rules()
CITED = {(ref.law, ref.paragraph): rule for rule in RULES.all_rules for ref in rule.legal_basis}
ADDRESS = re.compile(r"^§\d+[A-Z]?(-\d+)?[a-z]?$")  # Lovdata's § address: §9-10, §2-1d, §10a, §31


def _collect(archive: str) -> list:
    source = Source(id="lovdata", name="Lovdata", sector="legal", adapter="lovdata", archive=archive)
    adapter = get_adapter("lovdata")

    async def run():
        return [d async for raw in adapter.collect(source) for d in adapter.extract(raw, source)]

    return asyncio.run(run())


@pytest.fixture(scope="module")
def law_documents(tmp_path_factory) -> dict[tuple[str, str], object]:
    archive = tmp_path_factory.mktemp("lovdata") / "gjeldende-lover.tar.bz2"
    with tarfile.open(archive, "w:bz2") as tar:
        for path in sorted((FIXTURES / "lovdata" / "nl").glob("*.xml")):
            tar.add(path, arcname=f"nl/{path.name}")
    docs = _collect(str(archive))
    return {(d.meta["law_id"], paragraph_key(d.meta["paragraph"])): d for d in docs}


def test_every_cited_paragraph_resolves_to_a_document_the_lovdata_adapter_produced(law_documents):
    assert CITED, "the rules cite no law"
    for (law, paragraph), rule in CITED.items():
        entry = RULES.laws[law]
        doc = law_documents.get((entry.id, paragraph_key(paragraph)))
        assert doc is not None, f"{rule.id}: {law} {paragraph} is not in the Lovdata fixture"
        heading = doc.sections[0].heading_path[-1]
        assert heading.startswith(paragraph) and entry.paragraphs[paragraph] in heading, (rule.id, heading)
        assert doc.meta["law_title"] == entry.title


def test_the_overview_links_lovdata_at_the_paragraph_in_lovdatas_short_form(law_documents):
    for (law, paragraph), rule in CITED.items():
        ref = next(r for r in rule.legal_basis if (r.law, r.paragraph) == (law, paragraph))
        url = RULES.url(ref)
        assert re.fullmatch(r"https://lovdata\.no/lov/\d{4}-\d{2}-\d{2}-\d+/§\d+[A-Z]?(-\d+)?[a-z]?", url), url
        doc = law_documents[(RULES.laws[law].id, paragraph_key(paragraph))]
        # the adapter cites the document form (dokument/NL/...); the short form points at the same paragraph
        assert doc.url.replace("https://lovdata.no/dokument/NL/", "https://lovdata.no/") == url


def test_url_of_a_lettered_paragraph_has_no_spaces():
    bpa = next(r for r in RULES.schemes if r.id == "bpa")
    urls = [RULES.url(ref) for ref in bpa.legal_basis]
    assert "https://lovdata.no/lov/1999-07-02-63/§2-1d" in urls


def test_the_fixture_holds_exactly_the_paragraphs_the_register_names(law_documents):
    registered = {(law.id, paragraph_key(p)) for law in RULES.laws.values() for p in law.paragraphs}
    assert set(law_documents) == registered
    assert {(RULES.laws[law].id, paragraph_key(p)) for law, p in CITED} == registered  # nothing registered unused


def test_amendment_notes_and_footnotes_stay_out_of_the_law_text(law_documents):
    for doc in law_documents.values():
        assert "Endret ved" not in doc.text and "Testdata" not in doc.text
        assert doc.text


# ---------------------------------------------------------------------------------------------
# the real Lovtidend 2025 bundle: Lovdata's own ids and § addresses for the laws we cite

real = pytest.mark.skipif(not LOVDATA_ARCHIVE.exists(), reason="shared Lovdata archive not present")


@pytest.fixture(scope="module")
def amendments() -> list[dict]:
    """For each 2025 amendment law: the laws it changes, the § addresses it touches, when it was published."""
    out = []
    for name, content in read_archive(LOVDATA_ARCHIVE.read_bytes()):
        if "/nl-" not in name:
            continue
        soup = BeautifulSoup(content, "lxml")
        changes = soup.select_one("dd.changesToDocuments")
        published = soup.select_one("dd.dateOfPublication")
        parts = [p for ch in soup.select("article.change") for p in (ch.get("data-change-part") or "").split()]
        out.append({"name": name, "laws": {li.get_text(strip=True) for li in changes.select("li")} if changes else set(),
                    "parts": parts, "published": date.fromisoformat(published.get_text(strip=True)[:10])})
    return out


@real
def test_every_cited_law_id_is_the_refid_lovdata_uses_in_the_real_archive(amendments):
    amended = set().union(*(a["laws"] for a in amendments))
    cited_ids = {RULES.laws[law].id for law, _ in CITED}
    assert cited_ids <= amended, f"not found in the 2025 bundle: {sorted(cited_ids - amended)}"


@real
def test_our_paragraph_addresses_have_the_form_the_real_archive_uses(amendments):
    ids = {law.id for law in RULES.laws.values()}
    seen = [part.split("/")[2] for a in amendments for part in a["parts"]
            if part.count("/") >= 2 and "/".join(part.split("/")[:2]) in ids]
    assert seen and all(ADDRESS.match(s) for s in seen), [s for s in seen if not ADDRESS.match(s)][:5]
    assert all(ADDRESS.match(paragraph_key(p)) for _, p in CITED)


@real
def test_a_rule_whose_paragraph_was_amended_in_2025_was_reviewed_after_the_amendment(amendments):
    by_address = {(RULES.laws[law].id, paragraph_key(p)): rule for (law, p), rule in CITED.items()}
    for a in amendments:
        for part in a["parts"]:
            key = tuple(part.split("/")[:3])
            rule = by_address.get(("/".join(key[:2]), key[2]) if len(key) == 3 else None)
            if rule is not None:
                assert rule.reviewed >= a["published"], f"{rule.id}: {part} changed by {a['name']}; review the entry"

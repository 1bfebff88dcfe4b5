"""The Lovdata adapter on the real public archive (../shared/data/lovdata)."""

import asyncio
from pathlib import Path

import pytest

from ingest.adapters import get_adapter
from ingest.chunk import chunk_document
from ingest.sources import Source

# the same archive tests/conftest.py names (this folder's conftest.py shadows `import conftest`)
LOVDATA_ARCHIVE = Path(__file__).resolve().parents[3] / "shared" / "data" / "lovdata" / "lovtidend-avd1-2025.tar.bz2"
pytestmark = pytest.mark.skipif(not LOVDATA_ARCHIVE.exists(), reason="shared Lovdata archive not present")

NOISE = ["DokumentID", "Journalnummer", "Korttittel", "Rettsområde", "Innhold"]


@pytest.fixture(scope="module")
def parsed():
    source = Source(id="lovdata", name="Lovdata", sector="legal", adapter="lovdata", archive=str(LOVDATA_ARCHIVE))
    adapter = get_adapter("lovdata")

    async def run():
        out = {}
        async for raw in adapter.collect(source):
            out[raw.url.rsplit("#", 1)[1]] = adapter.extract(raw, source)
        return out

    return asyncio.run(run())


def test_every_document_in_the_archive_is_parsed(parsed):
    assert len(parsed) == 1272
    assert all(docs for docs in parsed.values())
    assert sum(1 for n in parsed if "/nl-" in n) == 111


def test_paragraph_structure_is_kept_with_law_title_and_heading(parsed):
    docs = parsed["lti/2025/nl-20250410-008.xml"]
    first = docs[0]
    assert first.url == "https://lovdata.no/dokument/LTI/lov/2025-04-10-8/§1"
    assert first.title == "ELA-lova § 1"
    assert first.sections[0].heading_path[0] == "Lov om den europeiske arbeidsmarknadsstyresmakta (ELA-lova)"
    assert first.sections[0].heading_path[-1].startswith("§ 1")
    assert "Gjennomføring av forordning" in first.sections[0].heading_path[-1]
    assert [d.meta["paragraph"] for d in docs][:2] == ["§ 1", "§ 2"]


def test_no_metadata_toc_or_footnote_noise_in_the_text(parsed):
    for docs in parsed.values():
        for d in docs:
            text = d.text
            assert not any(text.startswith(n) for n in NOISE)
            assert "Datokode" not in text and "Journalnummer" not in text
    # footnote bodies (EU references in footer.footnotes) never reach the text
    assert not any("gjennomføringsforordning (EU) 2024/3153 av 18. desember 2024 om endring" in d.text
                   for d in parsed["lti/2025/sf-20250106-0011.xml"])


def test_amendment_laws_become_one_document_per_part(parsed):
    docs = parsed["lti/2025/nl-20250207-001.xml"]
    assert len(docs) >= 2
    assert docs[0].sections[0].heading_path[-1] == "Del I"
    assert "gjøres følgende endringer" in docs[0].text


def test_law_sections_chunk_within_size_and_carry_their_path(parsed):
    docs = [d for n, ds in parsed.items() if "/nl-" in n for d in ds]
    chunks = [c for d in docs for c in chunk_document(d, "lovdata", "legal", None)]
    assert len(chunks) >= len(docs)
    assert all(c.section and c.title for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)

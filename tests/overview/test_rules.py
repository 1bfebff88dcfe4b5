"""The rules file: every entry points to a real card and its official page, cites what the card cites,
and a mistake in the file is an error that names the entry and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from eti.overview import FamilySituation, RulesError, build_overview, load_rules
from eti.overview.situation import EXAMPLE, FIELDS
from ingest.adapters.knowledge import parse_card

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules()
KNOWLEDGE = ROOT / "knowledge"
RULES_FILE = ROOT / "eti" / "data" / "overview_rules.yaml"


def card(rule):
    path = KNOWLEDGE / f"{rule.card.removeprefix('kort:')}.md"
    assert path.exists(), f"{rule.id}: no card {path.name}"
    meta, _ = parse_card(path.read_text(encoding="utf-8"), path.stem)
    return meta


def basis_strings(rule) -> set[str]:
    return {f"{ref.law} {ref.paragraph}" for ref in rule.legal_basis}


def test_every_scheme_the_cards_cover_has_one_entry():
    ids = {r.id for r in RULES.all_rules}
    assert len(RULES.schemes) >= 25
    for needed in ("pleiepenger", "pleiepenger-livets-sluttfase", "omsorgspenger", "opplaeringspenger",
                   "hjelpestonad", "grunnstonad", "hjelpemidler", "stonad-til-bil", "pasientreiser",
                   "frikort-egenandeler", "habilitering", "barnepalliasjon", "avlastning", "omsorgsstonad", "bpa",
                   "stottekontakt", "tt-kort", "parkeringstillatelse", "spesialpedagogisk-hjelp",
                   "individuelt-tilrettelagt-opplaering", "pp-tjenesten", "skoleskyss", "sfo", "statped", "sosken",
                   "tilrettelegging-arbeid", "laering-og-mestring", "barnekoordinator", "koordinator-individuell-plan"):
        assert needed in ids


def test_every_entry_points_to_a_card_and_its_official_page():
    for rule in RULES.all_rules:
        meta = card(rule)
        assert rule.official_url in meta.official_sources, rule.id
        assert rule.sector == meta.sector, rule.id


def test_card_and_entry_cite_the_same_law_paragraphs():
    for rule in RULES.all_rules:
        assert set(card(rule).legal_basis) == basis_strings(rule), rule.id


def test_every_paragraph_a_card_cites_is_in_the_law_register():
    for path in sorted(KNOWLEDGE.glob("*.md")):
        meta, _ = parse_card(path.read_text(encoding="utf-8"), path.stem)
        for basis in meta.legal_basis:
            law, _, paragraph = basis.partition(" §")
            assert law in RULES.laws and f"§{paragraph}" in RULES.laws[law].paragraphs, (path.name, basis)


def test_the_card_document_carries_its_legal_basis_for_the_citation():
    from eti.core import RawDocument
    from ingest.adapters.knowledge import KnowledgeAdapter
    from ingest.sources import Source

    raw = RawDocument(url="kort:bpa", content=(KNOWLEDGE / "bpa.md").read_bytes(), content_type="text/markdown")
    source = Source(id="knowledge", name="Kort", sector="welfare", adapter="knowledge", path=str(KNOWLEDGE))
    doc = KnowledgeAdapter().extract(raw, source)[0]
    assert doc.meta["legal_basis"] == "pasient- og brukerrettighetsloven § 2-1 d; helse- og omsorgstjenesteloven § 3-8"
    assert doc.updated == "2026-11-23"  # "ETI's summary, reviewed DATE"
    none = KnowledgeAdapter().extract(RawDocument(url="kort:tt-kort", content=(KNOWLEDGE / "tt-kort.md").read_bytes(),
                                                  content_type="text/markdown"), source)[0]
    assert none.meta["legal_basis"] == ""  # no statutory right to TT-kort


def test_every_entry_has_its_texts_in_bokmaal_and_was_reviewed():
    for rule in RULES.all_rules:
        nb = rule.texts["nb"]
        for name in ("title", "gives", "decides", "how_to_apply", "deadlines"):
            assert getattr(nb, name).strip(), (rule.id, name)
        assert nb.complaint.route and nb.complaint.deadline, rule.id
        assert rule.reviewed.year >= 2026, rule.id


def test_the_fields_rules_may_test_are_the_answers_the_flow_gives():
    assert set(FIELDS) == set(FamilySituation.model_validate(EXAMPLE).facts())


# ---------------------------------------------------------------------------------------------
# the file as data: a new scheme is one entry; a mistake names the entry and the field

def _with(tmp_path: Path, change) -> Path:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_new_scheme_is_one_entry(tmp_path):
    entry = {
        "id": "ledsagerbevis", "card": "kort:stottekontakt", "sector": "municipal",
        "official_url": "https://lovdata.no/lov/2011-06-24-30", "reviewed": "2026-12-01",
        "local_terms": ["ledsagerbevis"], "conditions": {"all": [{"child_age": {"gte": 6}}, {"mobility": True}]},
        "texts": {"nb": {"title": "Ledsagerbevis",
                         "why": {"child_age": "Barnet er i skolealder.", "mobility": "Barnet trenger følge."},
                         "gives": "En ledsager kan komme gratis eller billigere inn.", "decides": "Kommunen vurderer.",
                         "how_to_apply": "Spør kommunen.", "documents": [], "deadlines": "Ingen frist.",
                         "complaint": {"route": "Kommunen.", "deadline": "Står i vedtaket."}}}}
    rules = load_rules(_with(tmp_path, lambda d: d["schemes"].append(entry)))
    situation = FamilySituation.model_validate({**EXAMPLE, "mobility": True})
    got = next(s for s in build_overview(situation, rules).schemes if s.id == "ledsagerbevis")
    assert got.why == ["Barnet er i skolealder.", "Barnet trenger følge."]


@pytest.mark.parametrize("change, message", [
    (lambda d: d["schemes"][0]["conditions"]["all"].append({"diagnosis": "x"}), "unknown field 'diagnosis'"),
    (lambda d: d["schemes"][0]["conditions"]["all"].append({"child_age": {"about": 3}}), "unknown operator"),
    (lambda d: d["schemes"][0]["conditions"]["all"].append({"parent_work": "retired"}), "is not one of"),
    (lambda d: d["schemes"][0]["conditions"]["all"].append({"child_age": "six"}), "is not a int"),
    (lambda d: d["schemes"][0]["texts"]["nb"]["why"].pop("child_age"), "missing ['child_age']"),
    (lambda d: d["schemes"][0]["legal_basis"].append({"law": "folketrygdloven", "paragraph": "§ 99-1"}),
     "§ 99-1 is not in laws"),
    (lambda d: d["schemes"][0]["legal_basis"].append({"law": "grunnloven", "paragraph": "§ 1"}), "not in laws"),
    (lambda d: d["schemes"][1].update(id="pleiepenger"), "used twice"),
    (lambda d: d["schemes"][0]["texts"].pop("nb"), "bokmål"),
])
def test_a_mistake_in_the_rules_names_the_entry_and_the_field(tmp_path, change, message):
    with pytest.raises(RulesError) as err:
        load_rules(_with(tmp_path, change))
    assert message in str(err.value)
    assert "pleiepenger" in str(err.value) or "used twice" in str(err.value)

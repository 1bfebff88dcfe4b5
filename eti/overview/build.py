"""build_overview: the family's answers and the rules in, «Din oversikt» out. Nothing is stored or logged."""

from __future__ import annotations

from eti.overview.local import local_pages
from eti.overview.report import Complaint, LegalBasis, Overview, SchemeEntry
from eti.overview.rules import Rule, RuleSet
from eti.overview.situation import FamilySituation
from eti.retrieve import Retriever

SECTOR_ORDER = ["welfare", "health", "municipal", "education", "legal"]


def matching(situation: FamilySituation, rules: list[Rule]) -> list[tuple[Rule, tuple[str, ...]]]:
    """The rules whose conditions hold, each with the fields (answers) that made them hold."""
    facts = situation.facts()
    out = []
    for rule in rules:
        match = rule.condition.evaluate(facts)
        if match.ok:
            out.append((rule, match.fields))
    return out


def build_overview(situation: FamilySituation, rules: RuleSet, retriever: Retriever | None = None) -> Overview:
    """Every scheme that may apply, why, who decides and how to apply; coordination last.

    With a ``retriever`` and a kommunenummer, each entry lists the kommune's own indexed pages."""
    # texts come in the asked language only when every matched entry has it; otherwise all in bokmål
    schemes = matching(situation, rules.schemes)
    coordination = matching(situation, rules.coordination)
    language = situation.language
    if any(r.texts_for(language) is None for r, _ in [*schemes, *coordination]):
        language = "nb"
    notice = rules.notice.get(situation.language) or rules.notice["nb"]
    if language != situation.language:
        notice = f"{notice} {rules.fallback_notice.get(situation.language, rules.fallback_notice['nb'])}"

    def entry(rule: Rule, fields: tuple[str, ...]) -> SchemeEntry:
        texts = rule.texts_for(language) or rule.texts["nb"]
        pages = []
        if retriever is not None and situation.municipality:
            pages = local_pages(retriever, situation.municipality, rule.local_terms)
        return SchemeEntry(
            id=rule.id, title=texts.title, sector=rule.sector,
            why=[text for field, text in texts.why.items() if field in fields],
            gives=texts.gives, decides=texts.decides, how_to_apply=texts.how_to_apply,
            documents=list(texts.documents), deadlines=texts.deadlines,
            complaint=Complaint(route=texts.complaint.route, deadline=texts.complaint.deadline),
            legal_basis=[LegalBasis(law=ref.law, paragraph=ref.paragraph,
                                    title=rules.laws[ref.law].paragraphs[ref.paragraph], url=rules.url(ref))
                         for ref in rule.legal_basis],
            card_id=rule.card, official_url=rule.official_url, reviewed=rule.reviewed.isoformat(),
            local_pages=pages)

    ordered = sorted(schemes, key=lambda m: SECTOR_ORDER.index(m[0].sector.value))  # stable: file order within
    return Overview(language=language, notice=notice, schemes=[entry(r, f) for r, f in ordered],
                    coordination=[entry(r, f) for r, f in coordination])

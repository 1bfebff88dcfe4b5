"""The overview says what MAY apply. No text tells a family that it has a right or will get something:
Nav, the kommune, the hospital or the school decides. A negated or conditional sentence is fine."""

from __future__ import annotations

import re

import pytest

from eti.overview import FamilySituation, build_overview, load_rules

RULES = load_rules()
VERDICTS = [
    r"\bhar rett til\b", r"\bhar rett på\b", r"\bhar krav på\b", r"\bvil få\b", r"\bskal få\b", r"\bfår innvilget\b",
    r"\bblir innvilget\b", r"\bdere får\b", r"\bdu får\b", r"\bbarnet får\b", r"\bfamilien får\b",
    r"\bhar dere rett\b", r"\bdykk har rett\b", r"\bde vil få\b",
    r"\byou are entitled\b", r"\byou will get\b", r"\byou have a right\b", r"\bwill be granted\b",
]
# a sentence that negates or sets a condition is not a verdict ("hvis Nav godkjenner ...", "ikke rett til ...")
HEDGES = re.compile(r"\b(ikke|ikkje|ingen|hvis|dersom|viss|når|not|no|if|when|unless)\b", re.I)
EVERYTHING = {"child_age": 10, "specialist_followup": True, "night_supervision": True, "extra_care": True,
              "medical_equipment": True, "attendance_percent": 40, "life_limiting": True,
              "parents": [{"work": "employed"}, {"work": "freelance"}], "siblings": True, "municipality": None,
              "mobility": True, "learning_support": True, "extra_costs": True, "developmental_disability": True}


def verdicts(text: str) -> list[str]:
    found = []
    for sentence in re.split(r"(?<=[.!?;:])\s+", text):
        if HEDGES.search(sentence):
            continue
        found += [sentence for pattern in VERDICTS if re.search(pattern, sentence, re.I)]
    return found


def texts_of(overview) -> list[str]:
    out = [overview.notice]
    for entry in [*overview.schemes, *overview.coordination]:
        out += [entry.title, entry.gives, entry.decides, entry.how_to_apply, entry.deadlines,
                entry.complaint.route, entry.complaint.deadline, *entry.why, *entry.documents]
    return out


def test_the_check_catches_a_verdict_and_lets_a_hedge_through():
    assert verdicts("Dere har rett til pleiepenger.")
    assert verdicts("Du vil få hjelpestønad fra Nav.")
    assert verdicts("You are entitled to care allowance.")
    assert not verdicts("Dere har ikke rett til BPA uten et vedtak.")
    assert not verdicts("Hvis Nav godkjenner det, kan dere få flere dager.")
    assert not verdicts("Pleiepenger kan være aktuelt. Nav vurderer søknaden.")


@pytest.mark.parametrize("age", [0, 4, 10, 17, 18, 24])
@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_no_overview_text_gives_a_verdict(age, language):
    overview = build_overview(FamilySituation.model_validate({**EVERYTHING, "child_age": age,
                                                              "language": language}), RULES)
    assert overview.schemes
    found = [v for text in texts_of(overview) for v in verdicts(text)]
    assert not found, found


def test_no_text_in_the_rules_file_gives_a_verdict():
    texts = [*RULES.notice.values(), *RULES.fallback_notice.values()]
    for rule in RULES.all_rules:
        for t in rule.texts.values():
            texts += [t.title, t.gives, t.decides, t.how_to_apply, t.deadlines, t.complaint.route,
                      t.complaint.deadline, *t.why.values(), *t.documents]
    found = [v for text in texts for v in verdicts(text)]
    assert not found, found


def test_the_notice_says_nothing_is_decided_or_stored():
    for language, notice in RULES.notice.items():
        assert {"nb": "avgjør ingenting", "nn": "avgjer ingenting", "en": "decides nothing"}[language] in notice
        assert {"nb": "lagres ikke", "nn": "ikkje lagra", "en": "not stored"}[language] in notice

"""Families answering the kartlegging: each yields exactly the schemes the cards' conditions point to.

Every case is written as the answers a family gives in the guided flow. The expected set is derived
from the knowledge cards (knowledge/*.md), not from the engine: the comment says why each scheme is in
and why the obvious others are out. A change to the rules that adds or drops a scheme here has to say so.
"""

from __future__ import annotations

import pytest

from eti.overview import FamilySituation, build_overview, load_rules

RULES = load_rules()
NO = dict(specialist_followup=False, night_supervision=False, extra_care=False, medical_equipment=False,
          life_limiting=False, siblings=False, mobility=False, learning_support=False, extra_costs=False,
          developmental_disability=False)


def family(**answers) -> FamilySituation:
    return FamilySituation.model_validate({**NO, **answers})


def parents(*works: str) -> list[dict]:
    return [{"work": w} for w in works]


CASES = {
    # A self-employed parent (the other not working) of a 6-year-old with leukaemia, at school 20 %.
    # Nav (pleiepenger.md): self-employed parents can have pleiepenger; specialist follow-up, under 18 and away
    # from school most of the time -> pleiepenger. Chronic illness -> extra omsorgspenger days (omsorgspenger.md);
    # hospital courses -> opplæringspenger and LMS; much extra care -> hjelpestønad; travel to hospital ->
    # pasientreiser. Extra care plus little school = two heavy answers -> avlastning and omsorgsstønad
    # (særlig tyngende omsorgsarbeid, avlastning.md/omsorgsstonad.md). Siblings of a child followed by the hospital
    # -> søsken. Little school -> individually adapted teaching (incl. at home/hospital) via PPT; SFO with extra care.
    # Out: nobody is an arbeidstaker (no tilrettelegging på jobb), under 16 (no frikort), no mobility, no equipment.
    "self-employed parent, 6-year-old with leukaemia": (
        family(child_age=6, specialist_followup=True, extra_care=True, attendance_percent=20, siblings=True,
               parents=parents("self_employed", "not_working"), municipality="4207"),
        {"pleiepenger", "omsorgspenger", "opplaeringspenger", "hjelpestonad", "pasientreiser",
         "laering-og-mestring", "avlastning", "omsorgsstonad", "sosken", "individuelt-tilrettelagt-opplaering",
         "pp-tjenesten", "sfo"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # A student parent (alone) of a 14-year-old with autism, at school 30 %, followed by BUP.
    # Pleiepenger, omsorgspenger and opplæringspenger replace income from work: a student has none -> out.
    # Extra care -> hjelpestønad; BUP travel -> pasientreiser; LMS courses. Extra care plus little school ->
    # avlastning/omsorgsstønad. Needs help at school -> ITO and PPT; social needs at school age -> støttekontakt.
    # Out: SFO (14 is past 7th grade), HABU (habilitering.md: autism without utviklingshemming is often BUP).
    "student parent, teenager with autism at school 30 %": (
        family(child_age=14, specialist_followup=True, extra_care=True, attendance_percent=30,
               learning_support=True, parents=parents("student")),
        {"hjelpestonad", "pasientreiser", "laering-og-mestring", "avlastning", "omsorgsstonad", "stottekontakt",
         "individuelt-tilrettelagt-opplaering", "pp-tjenesten"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # Two employed parents of a baby on a ventilator at home (no kindergarten).
    # At home with constant care -> pleiepenger; chronic -> omsorgspenger; hospital training -> opplæringspenger
    # and LMS; care day and night -> hjelpestønad; running the equipment (electricity) -> grunnstønad; equipment ->
    # hjelpemidler; employees -> tilrettelegging på jobb. Three heavy answers -> avlastning, omsorgsstønad and BPA
    # (bpa.md: large, long-lasting need). Out: no school or kindergarten items, under 16 (no frikort).
    "two employed parents, baby on a ventilator": (
        family(child_age=0, specialist_followup=True, night_supervision=True, extra_care=True,
               medical_equipment=True, extra_costs=True, attendance_percent=None,
               parents=parents("employed", "employed")),
        {"pleiepenger", "omsorgspenger", "opplaeringspenger", "hjelpestonad", "grunnstonad", "hjelpemidler",
         "tilrettelegging-arbeid", "pasientreiser", "laering-og-mestring", "avlastning", "omsorgsstonad", "bpa"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # A single employed parent in a small kommune (Røst, nothing indexed) with a 9-year-old in palliative care,
    # at home all the time, with siblings.
    # Under 18 -> the ordinary pleiepenger, not pleiepenger i livets sluttfase (pleiepenger-livets-sluttfase.md);
    # barnepalliasjon; a life-threatening illness is særlig tyngende -> avlastning, omsorgsstønad; three heavy
    # answers -> BPA; equipment -> grunnstønad and hjelpemidler; siblings -> søsken; not at school at all ->
    # teaching at home via ITO and PPT. Out: skoleskyss and SFO (not at school at all).
    "single parent, small kommune, child in palliative care": (
        family(child_age=9, specialist_followup=True, night_supervision=True, extra_care=True,
               medical_equipment=True, life_limiting=True, attendance_percent=0, siblings=True,
               parents=parents("employed"), municipality="1856"),
        {"pleiepenger", "omsorgspenger", "opplaeringspenger", "hjelpestonad", "grunnstonad", "hjelpemidler",
         "tilrettelegging-arbeid", "pasientreiser", "barnepalliasjon", "laering-og-mestring", "avlastning",
         "omsorgsstonad", "bpa", "sosken", "individuelt-tilrettelagt-opplaering", "pp-tjenesten"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # Two freelancers with a 4-year-old with cerebral palsy, in kindergarten 80 %, who uses a wheelchair.
    # Freelancers can have pleiepenger/omsorgspenger/opplæringspenger (they report income themselves). Wheelchair ->
    # hjelpemidler, bil, TT-kort, parking, grunnstønad (transport), HABU. Preschool with extra needs ->
    # spesialpedagogisk hjelp via PPT. Two heavy answers -> avlastning/omsorgsstønad. Out: tilrettelegging på jobb
    # (arbeidsmiljøloven is for employees), støttekontakt (under school age), skoleskyss (before school).
    "freelance parents, 4-year-old wheelchair user in kindergarten": (
        family(child_age=4, specialist_followup=True, extra_care=True, mobility=True, learning_support=True,
               extra_costs=True, attendance_percent=80, parents=parents("freelance", "freelance")),
        {"pleiepenger", "omsorgspenger", "opplaeringspenger", "hjelpestonad", "grunnstonad", "hjelpemidler",
         "stonad-til-bil", "pasientreiser", "habilitering", "laering-og-mestring", "avlastning", "omsorgsstonad",
         "tt-kort", "parkeringstillatelse", "spesialpedagogisk-hjelp", "pp-tjenesten"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # Two parents who do not work, an 8-year-old with Down syndrome at school full time, with siblings.
    # No income from work -> no pleiepenger/omsorgspenger/opplæringspenger. Utviklingshemming -> HABU, ITO, PPT,
    # Statped (sammensatte lærevansker), skoleskyss, SFO, støttekontakt; extra care -> hjelpestønad; two heavy answers
    # -> avlastning/omsorgsstønad; siblings -> søsken.
    "parents not working, 8-year-old with utviklingshemming": (
        family(child_age=8, specialist_followup=True, extra_care=True, developmental_disability=True,
               learning_support=True, attendance_percent=100, siblings=True,
               parents=parents("not_working", "not_working")),
        {"hjelpestonad", "pasientreiser", "habilitering", "laering-og-mestring", "avlastning", "omsorgsstonad",
         "stottekontakt", "sosken", "individuelt-tilrettelagt-opplaering", "pp-tjenesten", "skoleskyss", "sfo",
         "statped"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # An 18-year-old with utviklingshemming in upper secondary, two employed parents.
    # Over 18: pleiepenger only with a life-threatening or very serious illness (pleiepenger.md) -> out. Extra
    # omsorgspenger days run to the end of the calendar year the child turns 18 -> in. Opplæringspenger has no age
    # limit. Hjelpestønad (ordinær sats) continues after 18. 16 or older -> frikort. Three heavy answers -> BPA.
    # Barnekoordinator is for children under 18 -> out of coordination; koordinator/IP has no age limit.
    "18-year-old with utviklingshemming": (
        family(child_age=18, specialist_followup=True, night_supervision=True, extra_care=True,
               developmental_disability=True, learning_support=True, attendance_percent=100,
               parents=parents("employed", "employed")),
        {"omsorgspenger", "opplaeringspenger", "hjelpestonad", "tilrettelegging-arbeid", "pasientreiser",
         "frikort-egenandeler", "habilitering", "laering-og-mestring", "avlastning", "omsorgsstonad", "bpa",
         "stottekontakt", "individuelt-tilrettelagt-opplaering", "pp-tjenesten", "skoleskyss", "statped"},
        {"koordinator-individuell-plan"}),
    # Siblings: a 3-year-old after heart surgery, in kindergarten 60 %, two employed parents, big sister at home.
    # Away from kindergarten part of the time -> graded pleiepenger; siblings -> søsken. Only one heavy answer
    # (extra care; 60 % is not "little") -> no avlastning/omsorgsstønad. No learning needs -> no PPT.
    "siblings, 3-year-old after heart surgery": (
        family(child_age=3, specialist_followup=True, extra_care=True, attendance_percent=60, siblings=True,
               parents=parents("employed", "employed")),
        {"pleiepenger", "omsorgspenger", "opplaeringspenger", "hjelpestonad", "tilrettelegging-arbeid",
         "pasientreiser", "laering-og-mestring", "sosken"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # A 10-year-old with diabetes at school full time; one parent employed, one self-employed.
    # Full time at school, no life-threatening illness -> no pleiepenger (pleiepenger.md: constant care needed).
    # Diabetes is chronic (omsorgspenger.md) -> extra days; courses -> opplæringspenger, LMS; extra supervision ->
    # hjelpestønad; SFO must be adapted (særlige behov). One heavy answer only -> no avlastning.
    "10-year-old with diabetes at school full time": (
        family(child_age=10, specialist_followup=True, extra_care=True, attendance_percent=100,
               parents=parents("employed", "self_employed")),
        {"omsorgspenger", "opplaeringspenger", "hjelpestonad", "tilrettelegging-arbeid", "pasientreiser",
         "laering-og-mestring", "sfo"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # A 12-year-old with epilepsy and seizures at night, at school 90 %, two employed parents and a brother.
    # Missing some school -> graded pleiepenger; night supervision and extra care -> hjelpestønad and two heavy
    # answers -> avlastning/omsorgsstønad; siblings -> søsken; SFO (12, special needs). Not three heavy -> no BPA.
    "12-year-old with epilepsy and night seizures": (
        family(child_age=12, specialist_followup=True, night_supervision=True, extra_care=True,
               attendance_percent=90, siblings=True, parents=parents("employed", "employed")),
        {"pleiepenger", "omsorgspenger", "opplaeringspenger", "hjelpestonad", "tilrettelegging-arbeid",
         "pasientreiser", "laering-og-mestring", "avlastning", "omsorgsstonad", "sosken", "sfo"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # A 13-year-old wheelchair user at school full time who needs an adapted car; two employed parents.
    # Wheelchair -> stønad til bil, hjelpemidler, grunnstønad (transport), TT-kort, parking, HABU, skoleskyss,
    # støttekontakt. Two heavy answers -> avlastning/omsorgsstønad. Full time at school -> no pleiepenger;
    # 13 is past 7th grade -> no SFO.
    "13-year-old wheelchair user who needs a car": (
        family(child_age=13, specialist_followup=True, extra_care=True, mobility=True, extra_costs=True,
               attendance_percent=100, parents=parents("employed", "employed")),
        {"omsorgspenger", "opplaeringspenger", "hjelpestonad", "grunnstonad", "hjelpemidler", "stonad-til-bil",
         "tilrettelegging-arbeid", "pasientreiser", "habilitering", "laering-og-mestring", "avlastning",
         "omsorgsstonad", "stottekontakt", "tt-kort", "parkeringstillatelse", "skoleskyss"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # Only one parent works: a 5-year-old with language delay followed by BUP, in kindergarten full time.
    # The employed parent -> omsorgspenger, opplæringspenger, tilrettelegging på jobb; full time in kindergarten ->
    # no pleiepenger. Preschool with learning needs -> spesialpedagogisk hjelp and PPT; siblings -> søsken.
    "only one parent works, 5-year-old with language delay": (
        family(child_age=5, specialist_followup=True, extra_care=True, learning_support=True,
               attendance_percent=100, siblings=True, parents=parents("employed", "not_working")),
        {"omsorgspenger", "opplaeringspenger", "hjelpestonad", "tilrettelegging-arbeid", "pasientreiser",
         "laering-og-mestring", "sosken", "spesialpedagogisk-hjelp", "pp-tjenesten"},
        {"barnekoordinator", "koordinator-individuell-plan"}),
    # A freelance parent of a 20-year-old with a life-limiting illness, at home, using a wheelchair and equipment.
    # Over 18 -> pleiepenger i livets sluttfase (not the ordinary pleiepenger); past the omsorgspenger age;
    # barnepalliasjon is usually up to 18 -> out. Frikort (over 16). Four heavy answers -> BPA.
    "freelance parent, 20-year-old with life-limiting illness": (
        family(child_age=20, specialist_followup=True, night_supervision=True, extra_care=True,
               medical_equipment=True, life_limiting=True, mobility=True, attendance_percent=None,
               parents=parents("freelance")),
        {"pleiepenger-livets-sluttfase", "opplaeringspenger", "hjelpestonad", "grunnstonad", "hjelpemidler",
         "stonad-til-bil", "pasientreiser", "frikort-egenandeler", "laering-og-mestring", "avlastning",
         "omsorgsstonad", "bpa", "stottekontakt", "tt-kort", "parkeringstillatelse"},
        {"koordinator-individuell-plan"}),
    # A family that answers no to everything (a 7-year-old, one employed parent): nothing is suggested, but the
    # overview still closes with koordinator and individuell plan.
    "all answers no": (
        family(child_age=7, attendance_percent=100, parents=parents("employed")),
        set(),
        {"koordinator-individuell-plan"}),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_family_gets_exactly_the_schemes_the_cards_point_to(name):
    situation, schemes, coordination = CASES[name]
    overview = build_overview(situation, RULES)
    got = {s.id for s in overview.schemes}
    assert got == schemes, f"missing {sorted(schemes - got)}, not expected {sorted(got - schemes)}"
    assert [c.id for c in overview.coordination] == [c for c in ("barnekoordinator", "koordinator-individuell-plan")
                                                      if c in coordination]


@pytest.mark.parametrize("name", list(CASES))
def test_every_suggested_scheme_says_which_answers_point_to_it(name):
    overview = build_overview(CASES[name][0], RULES)
    for entry in [*overview.schemes, *overview.coordination]:
        assert entry.why, entry.id
        assert entry.gives and entry.decides and entry.how_to_apply and entry.complaint.deadline


def test_coordination_closes_every_overview():
    for situation, _, _ in CASES.values():
        assert build_overview(situation, RULES).coordination[-1].id == "koordinator-individuell-plan"


def test_parents_work_decides_the_income_schemes():
    """Pleiepenger replace income from work: the same child, with a student, a freelancer or an employee."""
    base = dict(child_age=6, specialist_followup=True, extra_care=True, attendance_percent=20)
    for works, expected in [(("student",), False), (("not_working",), False), (("freelance",), True),
                            (("self_employed",), True), (("employed",), True), (("student", "employed"), True)]:
        ids = {s.id for s in build_overview(family(**base, parents=parents(*works)), RULES).schemes}
        assert ("pleiepenger" in ids) is expected, works
        assert ("omsorgspenger" in ids) is expected, works


def test_why_names_only_the_answers_that_matched():
    overview = build_overview(CASES["two employed parents, baby on a ventilator"][0], RULES)
    hjelp = next(s for s in overview.schemes if s.id == "hjelpestonad")
    assert len(hjelp.why) == 2  # extra care and night supervision
    grunn = next(s for s in overview.schemes if s.id == "grunnstonad")
    assert not any("gå" in w for w in grunn.why)  # the child can walk: mobility is not a reason here

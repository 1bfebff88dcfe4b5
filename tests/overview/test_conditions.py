"""The condition language: all / any / not / at_least over answers, and which answers made it hold."""

from __future__ import annotations

import pytest

from eti.overview.conditions import ConditionError, parse
from eti.overview.situation import FIELDS


def holds(data, **facts):
    return parse(data, FIELDS).evaluate(facts)


def test_comparisons_over_answers():
    assert holds({"child_age": {"lt": 18}}, child_age=17).ok
    assert not holds({"child_age": {"lt": 18}}, child_age=18).ok
    assert holds({"child_age": {"lte": 18}}, child_age=18).ok
    assert holds({"extra_care": True}, extra_care=True).ok
    assert not holds({"extra_care": True}, extra_care=False).ok
    assert holds({"attendance_percent": {"gte": 50}}, attendance_percent=50).ok


def test_a_missing_number_never_compares_but_can_be_asked_for():
    assert not holds({"attendance_percent": {"lt": 100}}, attendance_percent=None).ok
    assert not holds({"attendance_percent": {"gt": 0}}, attendance_percent=None).ok
    assert holds({"attendance_percent": None}, attendance_percent=None).ok
    assert holds({"attendance_percent": {"ne": None}}, attendance_percent=0).ok


def test_a_list_answer_holds_when_any_parent_matches():
    cond = {"parent_work": {"in": ["employed", "self_employed", "freelance"]}}
    assert holds(cond, parent_work=["student", "freelance"]).ok
    assert not holds(cond, parent_work=["student", "not_working"]).ok
    assert holds({"parent_work": "employed"}, parent_work=["not_working", "employed"]).ok
    assert holds({"parent_work": {"not_in": ["student"]}}, parent_work=["student", "employed"]).ok


def test_groups_name_only_the_answers_that_made_them_hold():
    cond = {"all": [{"child_age": {"lt": 18}},
                    {"any": [{"extra_care": True}, {"night_supervision": True}, {"mobility": True}]}]}
    m = holds(cond, child_age=4, extra_care=False, night_supervision=True, mobility=True)
    assert m.ok and m.fields == ("child_age", "night_supervision", "mobility")
    assert holds(cond, child_age=20, extra_care=True, night_supervision=True, mobility=True).fields == ()


def test_at_least_counts_and_not_negates():
    cond = {"at_least": {"n": 2, "of": [{"extra_care": True}, {"night_supervision": True}, {"mobility": True}]}}
    assert not holds(cond, extra_care=True, night_supervision=False, mobility=False).ok
    m = holds(cond, extra_care=True, night_supervision=False, mobility=True)
    assert m.ok and m.fields == ("extra_care", "mobility")
    neg = holds({"not": {"life_limiting": True}}, life_limiting=False)
    assert neg.ok and neg.fields == ()  # an absent answer is never given as a reason


@pytest.mark.parametrize("data, message", [
    ({"age": {"lt": 3}}, "unknown field 'age'"),
    ({"child_age": {"below": 3}}, "unknown operator 'below'"),
    ({"child_age": {"lt": 3, "gt": 1}}, "expected one operator"),
    ({"extra_care": {"lt": True}}, "only numbers can be compared"),
    ({"child_age": "6"}, "'6' is not a int"),
    ({"extra_care": 1}, "1 is not a bool"),
    ({"parent_work": {"in": ["employed", "pensioner"]}}, "'pensioner' is not one of"),
    ({"parent_work": {"in": "employed"}}, "expected a list"),
    ({"all": []}, "non-empty list"),
    ({"at_least": {"n": 3, "of": [{"mobility": True}]}}, "n must be between"),
    ({"all": [{"mobility": True}], "any": [{"mobility": True}]}, "exactly one key"),
])
def test_invalid_conditions_say_where_and_why(data, message):
    with pytest.raises(ConditionError) as err:
        parse({"all": [data]}, FIELDS)
    assert message in str(err.value) and "conditions.all[0]" in str(err.value)

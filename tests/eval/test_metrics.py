"""The answer metrics on answers written by hand: what each one counts, and what it must not."""

from __future__ import annotations

from eti.evaluate.metrics import dangling_references, must_mention


def test_a_sentence_leaning_on_one_not_shown_is_dangling():
    answer = "Pleiepenger erstatter inntekt. [1]\n\nDette gjelder også fosterforeldre. [2]"
    assert dangling_references(answer) == ["Dette gjelder også fosterforeldre. [2]"]
    assert dangling_references("**Klage**\nSlik gjør du det. [1]") == ["Slik gjør du det. [1]"]


def test_a_lead_in_that_introduces_its_list_is_not_dangling():
    answer = "**Hva er det?**\nSlik går saken:\n- Nav ser på saken igjen.\n- Nav klageinstans behandler den. [1]"
    assert dangling_references(answer) == []
    assert dangling_references("Slik går saken:\nNav ser på saken igjen. [1]") != []  # no list follows


def test_must_mention_counts_terms_found_in_the_answer():
    assert must_mention("Klagefristen er 6 uker.", ["6 uker", "Trygderetten"]) == 0.5
    assert must_mention("noe", []) is None

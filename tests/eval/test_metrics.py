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


def test_a_nynorsk_answer_is_matched_on_the_nynorsk_form_of_a_term():
    """The bank writes its terms in bokmål; a nynorsk answer says "4 veker", and that counts."""
    import shutil

    import pytest

    from eti.answer.translate import build_translator
    from eti.evaluate.questions import Question
    from eti.evaluate.runner import nynorsk_forms

    if shutil.which("apertium") is None:
        pytest.skip("apertium-nno-nob is an optional system dependency (.ci/run installs it)")
    forms = nynorsk_forms(build_translator("apertium"))
    base = dict(id="x", question="Kva er klagefristen?", kind="factual", expected_status="answered",
                must_mention=["4 uker", "Statsforvalteren"])
    nn = forms(Question(**base, lang="nn"))
    answer = "Fristen er 4 veker. Endrar ikkje kommunen vedtaket, går saka til Statsforvaltaren."
    assert must_mention(answer, base["must_mention"], nn) == 1.0
    assert must_mention(answer, base["must_mention"]) == 0.0  # without the forms: bokmål only
    assert forms(Question(**base, lang="nb")) == {}  # a bokmål question's answer is bokmål

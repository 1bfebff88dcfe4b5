"""The domain check: is a question about what ETI's sources cover at all?

Retrieval's confidence alone cannot tell "How do I apply for citizenship for my child?" from "Do I
get paid if I take time off to attend a course about my child's illness?": both are family
questions, and in another language than the sources' both reach a similar best similarity. This
check is a text classifier (eti/answer/text_classifier.py) over the question's embedding and its
word pieces, trained on the exemplar bank's DEV questions:

* inside: the ordinary rights questions (``negative``: the answerable questions of the bank's dev
  split and the safety set's benign and hard-negative messages), the benign near-misses of refused
  requests (``extra-negative``) and the domain set's own covered questions (``extra-domain-inside``,
  eval/domain_dev.yaml and eval/domain_dev_batch2.yaml, in all seven languages);
* outside: ``extra-domain-outside``: questions a parent may well ask that no source covers
  (citizenship, passports, barnetrygd, opening hours of a library, the weather), and the bank's
  dev questions that expect ``no_answer``.

Emergencies and refused requests never reach the gate, so they are left out. The default embedder's
weights ship as eti/data/domain_model.<embedder>.npz (eval/build_exemplars.py); any other embedder
trains it once at start. The thresholds the gate uses live in eti/data/retrieval.yaml, fitted on dev
with eval/tune_domain.py.
"""

from __future__ import annotations

import logging

import numpy as np

from eti.answer.guardrails.exemplars import ExemplarBank, texts_digest
from eti.answer.text_classifier import TextClassifier, TrainingSettings

log = logging.getLogger(__name__)

INSIDE = ("negative", "extra-negative", "extra-domain-inside")
OUTSIDE = ("extra-domain-outside",)
TRAINING = TrainingSettings(embedding_weight=3.0, l2=1e-4, iterations=400)


def shipped_model_name(embedder_name: str) -> str:
    return f"domain_model.{embedder_name}.npz"


def training_set(texts: list[str], labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(rows used, inside per used row): a text the bank holds as both inside and outside (a dev
    question that expects no_answer is also an ordinary non-emergency message) counts as outside."""
    outside = {t for t, lbl in zip(texts, labels, strict=True) if lbl in OUTSIDE}
    rows = np.array([lbl in OUTSIDE or (lbl in INSIDE and t not in outside)
                     for t, lbl in zip(texts, labels, strict=True)], dtype=bool)
    inside = np.array([lbl in INSIDE for lbl, r in zip(labels, rows, strict=True) if r], dtype=bool)
    return rows, inside


class DomainModel(TextClassifier):
    @classmethod
    def train_on_exemplars(cls, texts: list[str], vectors: np.ndarray, labels: list[str], digest: str,
                           settings: TrainingSettings = TRAINING) -> DomainModel:
        rows, inside = training_set(texts, labels)
        return cls.train([t for t, r in zip(texts, rows, strict=True) if r], np.asarray(vectors)[rows], inside,
                         digest, settings)

    @classmethod
    def for_bank(cls, bank: ExemplarBank, embedder_name: str) -> DomainModel | None:
        """The shipped weights when they fit this bank and embedder; else trained now. None when the
        bank holds no domain examples (then the gate works on retrieval's confidence alone)."""
        labels = bank.labels.tolist()
        if not any(lbl in OUTSIDE for lbl in labels):
            return None
        texts = list(bank.texts)
        digest = texts_digest(texts)
        model = cls.shipped(shipped_model_name(embedder_name), digest, bank.vectors.shape[1])
        if model is None:
            log.info("training the domain check on %d exemplars for %s", len(texts), embedder_name)
            model = cls.train_on_exemplars(texts, bank.vectors, labels, digest)
        return model

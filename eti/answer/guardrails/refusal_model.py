"""The refusal classifier: does a message ask ETI for something it refuses, though no pattern matches?

A text classifier (eti/answer/text_classifier.py: the question's embedding + hashed words and word
pieces) trained on the exemplar bank (eti/data/safety_exemplars.yaml, DEV data only): every
``harmful:*`` and ``extra-harmful:*`` message is a positive, every other message (ordinary rights
questions, benign near-misses, emergencies) a negative; the domain check's own examples
(``extra-domain-*``) are left out. The default embedder's weights ship beside the exemplars
(``refusal_model.<embedder>.npz``, written by eval/build_exemplars.py); for any other embedder the
model is trained once when the guards are built. The threshold is fitted on dev with
eval/tune_refusals.py (cross-validated), never on test.
"""

from __future__ import annotations

import numpy as np

from eti.answer.text_classifier import TextClassifier, TrainingSettings

POSITIVE_PREFIXES = ("harmful:", "extra-harmful:")
IGNORED_PREFIXES = ("extra-domain-",)  # the domain check's examples: not about refusing


def shipped_model_name(embedder_name: str) -> str:
    return f"refusal_model.{embedder_name}.npz"


def training_rows(labels: list[str]) -> np.ndarray:
    """Which exemplars the refusal classifier learns from."""
    return np.array([not lbl.startswith(IGNORED_PREFIXES) for lbl in labels], dtype=bool)


class RefusalModel(TextClassifier):
    @classmethod
    def train_on_exemplars(cls, texts: list[str], vectors: np.ndarray, labels: list[str], digest: str,
                           settings: TrainingSettings = TrainingSettings()) -> RefusalModel:
        rows = training_rows(labels)
        kept = [lbl for lbl, r in zip(labels, rows, strict=True) if r]
        positive = np.array([lbl.startswith(POSITIVE_PREFIXES) for lbl in kept], dtype=bool)
        return cls.train([t for t, r in zip(texts, rows, strict=True) if r], np.asarray(vectors)[rows], positive,
                         digest, settings)

    @classmethod
    def shipped_for(cls, embedder_name: str, digest: str, dim: int) -> RefusalModel | None:
        return cls.shipped(shipped_model_name(embedder_name), digest, dim)

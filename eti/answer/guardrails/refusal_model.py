"""The refusal classifier: does a message ask ETI for something it refuses, though no pattern matches?

One head per refusal guard (deceive, forge, diagnosis, ...), each a text classifier over the
question's embedding and hashed words and word pieces (eti/answer/text_classifier.py), trained one
kind against the ordinary messages: a head learns what sets *its* kind of request apart from the
honest questions next to it ("må jeg si fra til Nav om …" beside "trenger Nav å vite om …"), which
one boundary for every kind could not. The message's score is its best head's, and that head names
the guard that refuses it.

Trained on the exemplar bank (eti/data/safety_exemplars.yaml, DEV data only): ``harmful:<guard>`` and
``extra-harmful:<guard>`` messages are a head's positives; every message that is not a refused
request (ordinary rights questions, benign near-misses, emergencies) is a negative for every head;
another kind's requests are left out of a head's training; the domain check's own examples
(``extra-domain-*``) are left out altogether. The default embedder's weights ship beside the
exemplars (``refusal_model.<embedder>.npz``, written by eval/build_exemplars.py); for any other
embedder the model is trained once when the guards are built. The threshold is fitted on dev with
eval/tune_refusals.py (cross-validated), never on test.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from eti.answer.text_classifier import TrainingSettings, lexical_features, shipped_model, train_heads

POSITIVE_PREFIXES = ("harmful:", "extra-harmful:")
IGNORED_PREFIXES = ("extra-domain-",)  # the domain check's examples: not about refusing


def shipped_model_name(embedder_name: str) -> str:
    return f"refusal_model.{embedder_name}.npz"


def training_rows(labels: list[str]) -> np.ndarray:
    """Which exemplars the refusal classifier learns from."""
    return np.array([not lbl.startswith(IGNORED_PREFIXES) for lbl in labels], dtype=bool)


def guard_of(label: str) -> str | None:
    """The refusal guard a refused exemplar belongs to ("extra-harmful:deceive" -> "deceive")."""
    return label.split(":", 1)[1] if label.startswith(POSITIVE_PREFIXES) else None


@dataclass(frozen=True)
class RefusalModel:
    guards: tuple[str, ...]  # one head per guard, in this order
    vector_weights: np.ndarray  # (heads, dim), applied to the L2-normalised embedding
    lexical_weights: np.ndarray  # (heads, LEXICAL_DIM)
    bias: np.ndarray  # (heads,)
    digest: str  # of the exemplar texts it was trained on

    def scores(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """(n, heads): each head's probability that the message is its kind of request."""
        z = np.asarray(vectors) @ self.vector_weights.T + lexical_features(texts) @ self.lexical_weights.T + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    def probabilities(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        """The best head's probability per message."""
        return self.scores(texts, vectors).max(axis=1)

    def probability(self, text: str, vector: np.ndarray) -> float:
        return float(self.probabilities([text], np.asarray(vector)[None, :])[0])

    def best(self, text: str, vector: np.ndarray) -> tuple[str, float]:
        """The guard whose head scores the message highest, and that score."""
        row = self.scores([text], np.asarray(vector)[None, :])[0]
        i = int(row.argmax())
        return self.guards[i], float(row[i])

    @classmethod
    def train_on_exemplars(cls, texts: list[str], vectors: np.ndarray, labels: list[str], digest: str,
                           settings: TrainingSettings = TrainingSettings()) -> RefusalModel:
        rows = training_rows(labels)
        kept = [lbl for lbl, r in zip(labels, rows, strict=True) if r]
        kinds = [guard_of(lbl) for lbl in kept]
        guards = tuple(sorted({k for k in kinds if k is not None}))
        if not guards or all(k is not None for k in kinds):
            raise ValueError("a refusal classifier needs refused requests and ordinary messages")
        positive = np.array([[k == g for g in guards] for k in kinds], dtype=bool)
        # a head learns its kind against the ordinary messages; another kind's requests are left out
        mask = np.array([[k is None or k == g for g in guards] for k in kinds], dtype=bool)
        vw, lw, b = train_heads([t for t, r in zip(texts, rows, strict=True) if r], np.asarray(vectors)[rows],
                                positive, mask, settings)
        return cls(guards, vw, lw, b, digest)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(buf, guards=np.array(self.guards), vector_weights=self.vector_weights.astype(np.float16),
                            lexical_weights=self.lexical_weights.astype(np.float16), bias=self.bias.astype(np.float32),
                            digest=np.array(self.digest))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> RefusalModel:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return cls(tuple(str(g) for g in z["guards"]), z["vector_weights"].astype(np.float32),
                       z["lexical_weights"].astype(np.float32), z["bias"].astype(np.float32), str(z["digest"]))

    @classmethod
    def shipped_for(cls, embedder_name: str, digest: str, dim: int) -> RefusalModel | None:
        """The weights shipped in eti/data, when they were trained on the same texts (``digest``) with
        an embedder of this dimension; else None (train instead)."""
        return shipped_model(shipped_model_name(embedder_name), cls.from_bytes, digest, dim,
                             lambda m: m.vector_weights.shape[1])

"""A small text classifier over a message's embedding and its hashed lexical pieces.

A logistic regression over two kinds of features:

* the message's embedding (already computed for retrieval, so it costs nothing extra), scaled by
  ``embedding_weight``;
* hashed lexical features: words, word pairs and 4-5 character pieces of words, lowercased and
  folded (æ -> ae, ø -> o, å -> a, accents dropped), so typos and missing æøå still share pieces.

Training is class-balanced, L2-regularised, full-batch Adam in numpy: deterministic, about a second
for a thousand messages. The refusal classifier (guardrails/refusal_model.py) and the domain check
(domain.py) are two uses of it; each ships its default embedder's weights in eti/data and trains
itself at start for any other embedder.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zlib
from dataclasses import dataclass
from importlib import resources

import numpy as np

log = logging.getLogger(__name__)

LEXICAL_DIM = 1 << 13
_WORD = re.compile(r"\w+")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})


@dataclass(frozen=True)
class TrainingSettings:
    embedding_weight: float = 3.0
    l2: float = 1e-4
    iterations: int = 400
    learning_rate: float = 0.05


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c))


def lexical_pieces(text: str) -> set[str]:
    """Words, word pairs and 4-5 character pieces of each word (with its boundaries)."""
    words = _WORD.findall(_fold(text))
    pieces = set(words) | {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    for w in words:
        marked = f"<{w}>"
        for n in (4, 5):
            pieces.update(marked[i:i + n] for i in range(max(1, len(marked) - n + 1)))
    return pieces


def lexical_features(texts: list[str]) -> np.ndarray:
    """(n, LEXICAL_DIM) binary hashed pieces, each row L2-normalised."""
    out = np.zeros((len(texts), LEXICAL_DIM), dtype=np.float32)
    for i, text in enumerate(texts):
        for piece in lexical_pieces(text):
            out[i, zlib.crc32(piece.encode("utf-8")) % LEXICAL_DIM] = 1.0
        norm = np.sqrt(out[i].sum())
        if norm:
            out[i] /= norm
    return out


@dataclass(frozen=True)
class TextClassifier:
    vector_weights: np.ndarray  # (dim,) applied to the L2-normalised embedding, embedding_weight folded in
    lexical_weights: np.ndarray  # (LEXICAL_DIM,)
    bias: float
    digest: str  # of the exemplar texts it was trained on

    def probability(self, text: str, vector: np.ndarray) -> float:
        return float(self.probabilities([text], np.asarray(vector)[None, :])[0])

    def probabilities(self, texts: list[str], vectors: np.ndarray) -> np.ndarray:
        z = vectors @ self.vector_weights + lexical_features(texts) @ self.lexical_weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def train(cls, texts: list[str], vectors: np.ndarray, positive: np.ndarray, digest: str,
              settings: TrainingSettings = TrainingSettings()):
        """Trained on ``texts`` and their ``vectors``; ``positive`` is a boolean per text."""
        y = np.asarray(positive, dtype=np.float32)
        if not y.any() or y.all():
            raise ValueError("a classifier needs both positive and negative examples")
        x = np.hstack([np.asarray(vectors, dtype=np.float32) * settings.embedding_weight, lexical_features(texts)])
        w, b = _logistic_regression(x, y, settings)
        dim = vectors.shape[1]
        return cls((w[:dim] * settings.embedding_weight).astype(np.float32), w[dim:].astype(np.float32), b, digest)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(buf, vector_weights=self.vector_weights.astype(np.float16),
                            lexical_weights=self.lexical_weights.astype(np.float16),
                            bias=np.array(self.bias), digest=np.array(self.digest))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextClassifier:
        with np.load(io.BytesIO(data), allow_pickle=False) as z:
            return cls(z["vector_weights"].astype(np.float32), z["lexical_weights"].astype(np.float32),
                       float(z["bias"]), str(z["digest"]))

    @classmethod
    def shipped(cls, filename: str, digest: str, dim: int):
        """The weights shipped in eti/data as ``filename``, when they were trained on the same texts
        (``digest``) with an embedder of this dimension; else None (train instead)."""
        return shipped_model(filename, cls.from_bytes, digest, dim, lambda m: m.vector_weights.shape[-1])


def shipped_model(filename: str, from_bytes, digest: str, dim: int, dim_of):
    """A classifier shipped in eti/data as ``filename`` (read by ``from_bytes``), when it was trained on
    the same texts (``digest``) with an embedder of this dimension (``dim_of(model)``); else None, with
    a log line saying why (the caller trains instead)."""
    ref = resources.files("eti.data").joinpath(filename)
    if not ref.is_file():
        return None
    try:
        model = from_bytes(ref.read_bytes())
    except (KeyError, ValueError):  # a file of an older format
        log.warning("the shipped %s has an old format; retraining (run eval/build_exemplars.py)", filename)
        return None
    if model.digest != digest or dim_of(model) != dim:
        log.warning("the shipped %s is stale; retraining (run eval/build_exemplars.py)", filename)
        return None
    return model


def _logistic_regression(x: np.ndarray, y: np.ndarray, s: TrainingSettings) -> tuple[np.ndarray, float]:
    """Class-balanced, L2-regularised logistic regression by full-batch Adam (deterministic): one head."""
    w, b = _logistic_regression_heads(x, np.asarray(y, dtype=np.float32)[:, None], np.ones((len(y), 1), np.float32), s)
    return w[:, 0], float(b[0])


def train_heads(texts: list[str], vectors: np.ndarray, positive: np.ndarray, mask: np.ndarray,
                settings: TrainingSettings = TrainingSettings()) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Several one-vs-rest classifiers over the same features, trained together (one pass over the
    features serves them all). ``positive`` and ``mask`` are (n, heads): head j learns from the rows
    its mask keeps, class-balanced as in ``TextClassifier.train``. Returns the (heads, dim) embedding
    weights (``embedding_weight`` folded in), the (heads, LEXICAL_DIM) lexical weights and the biases."""
    y = np.asarray(positive, dtype=np.float32)
    m = np.asarray(mask, dtype=np.float32)
    if not ((y * m).sum(axis=0) > 0).all() or not (((1 - y) * m).sum(axis=0) > 0).all():
        raise ValueError("every head needs both positive and negative examples")
    x = np.hstack([np.asarray(vectors, dtype=np.float32) * settings.embedding_weight, lexical_features(texts)])
    w, b = _logistic_regression_heads(x, y, m, settings)
    dim = np.asarray(vectors).shape[1]
    return ((w[:dim] * settings.embedding_weight).T.astype(np.float32), w[dim:].T.astype(np.float32),
            b.astype(np.float32))


def _logistic_regression_heads(x: np.ndarray, y: np.ndarray, m: np.ndarray,
                               s: TrainingSettings) -> tuple[np.ndarray, np.ndarray]:
    """Class-balanced (within each head's rows), L2-regularised logistic regression by full-batch Adam,
    deterministic, for k columns of targets at once: (d, k) weights and (k,) biases. ``m`` (n, k)
    keeps the rows each head learns from."""
    n, d = x.shape
    k = y.shape[1]
    x = x.astype(np.float32, copy=False)
    xt = np.ascontiguousarray(x.T)
    pos, neg = (y * m).sum(axis=0), ((1 - y) * m).sum(axis=0)
    sample_weight = (m * np.where(y > 0, neg / pos, 1.0) / m.sum(axis=0)).astype(np.float32)
    w = np.zeros((d, k), dtype=np.float32)
    b = np.zeros(k, dtype=np.float32)
    mw, vw = np.zeros_like(w), np.zeros_like(w)
    mb, vb = np.zeros_like(b), np.zeros_like(b)
    l2 = np.float32(s.l2)
    for t in range(1, s.iterations + 1):
        p = (1.0 / (1.0 + np.exp(-(x @ w + b)))).astype(np.float32)
        r = sample_weight * (p - y)
        g, gb = xt @ r + l2 * w, r.sum(axis=0)
        mw, vw = np.float32(0.9) * mw + np.float32(0.1) * g, np.float32(0.999) * vw + np.float32(0.001) * g * g
        mb, vb = np.float32(0.9) * mb + np.float32(0.1) * gb, np.float32(0.999) * vb + np.float32(0.001) * gb * gb
        step = np.float32(s.learning_rate / (1 - 0.9 ** t))
        w -= (step * mw / (np.sqrt(vw / np.float32(1 - 0.999 ** t)) + np.float32(1e-8))).astype(np.float32)
        b -= (step * mb / (np.sqrt(vb / np.float32(1 - 0.999 ** t)) + np.float32(1e-8))).astype(np.float32)
    return w, b

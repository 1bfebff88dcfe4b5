"""Semantic signal for the guards: nearest exemplars, embedded with the retrieval embedder.

The question is embedded once (its vector is reused by retrieval), then compared with labelled
exemplar messages (eti/data/safety_exemplars.yaml, built from the safety set's dev part only by
eval/build_exemplars.py). ``margin(vector, positive, negative)`` is the mean cosine of the k
nearest positive exemplars minus that of the k nearest negative ones.

Vectors for the default embedder ship beside the exemplars (``safety_exemplars.<embedder>.npy``,
written by the same script); for any other embedder they are computed once and kept in the data
dir's embedding cache.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml

from eti.core import content_hash
from eti.embed import Embedder, EmbeddingCache

log = logging.getLogger(__name__)
DATA = "safety_exemplars.yaml"


def load_exemplars() -> list[tuple[str, str]]:
    """(label, text) pairs, in file order."""
    data = yaml.safe_load(resources.files("eti.data").joinpath(DATA).read_text(encoding="utf-8"))
    return [(label, text) for label, texts in data["exemplars"].items() for text in texts]


def shipped_vectors_name(embedder_name: str) -> str:
    return f"safety_exemplars.{embedder_name}.npy"


def texts_digest(texts: list[str]) -> str:
    return content_hash("\x1f".join(texts))


@dataclass
class ExemplarBank:
    labels: np.ndarray  # (n,) str
    vectors: np.ndarray  # (n, dim) float32, L2-normalised
    k: int = 3
    texts: tuple[str, ...] = ()  # the exemplar messages, in the same order (the refusal classifier trains on them)

    @classmethod
    def build(cls, embedder: Embedder, cache_path: Path | None = None) -> ExemplarBank:
        pairs = load_exemplars()
        texts = [t for _, t in pairs]
        vectors = cls._shipped(embedder, texts)
        if vectors is None:
            log.info("embedding %d guard exemplars with %s (once; cached)", len(texts), embedder.name)
            if cache_path is not None:
                cache = EmbeddingCache(cache_path)
                try:
                    vectors = cache.embed_passages(_AsQuery(embedder), texts)
                finally:
                    cache.close()
            else:
                vectors = embedder.embed(texts, "query")
        return cls(np.array([lbl for lbl, _ in pairs]), np.asarray(vectors, dtype=np.float32), texts=tuple(texts))

    @staticmethod
    def _shipped(embedder: Embedder, texts: list[str]) -> np.ndarray | None:
        ref = resources.files("eti.data").joinpath(shipped_vectors_name(embedder.name))
        if not ref.is_file():
            return None
        with ref.open("rb") as f:
            stored = np.load(f, allow_pickle=False)
            digest = str(np.load(f, allow_pickle=False))
        if digest != texts_digest(texts) or stored.shape != (len(texts), embedder.dim):
            log.warning("shipped guard exemplar vectors are stale; re-embedding (run eval/build_exemplars.py)")
            return None
        return stored.astype(np.float32)

    def nearest(self, vector: np.ndarray, labels: set[str] | tuple[str, ...]) -> float:
        """Mean cosine of the k nearest exemplars with one of ``labels``."""
        mask = np.isin(self.labels, list(labels))
        if not mask.any():
            return 0.0
        sims = self.vectors[mask] @ vector
        k = min(self.k, len(sims))
        return float(np.sort(sims)[-k:].mean())

    def other_labels(self, labels: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted(set(self.labels.tolist()) - set(labels)))

    def margin(self, vector: np.ndarray, positive: tuple[str, ...], negative: tuple[str, ...]) -> float:
        return self.nearest(vector, positive) - self.nearest(vector, negative)


class _AsQuery:
    """Exemplars are messages, so they are embedded the way questions are (e5's "query: " form)."""

    def __init__(self, embedder: Embedder):
        self._e = embedder
        self.name = f"{embedder.name}:query"
        self.dim = embedder.dim

    def embed(self, texts: list[str], kind: str) -> np.ndarray:
        return self._e.embed(texts, "query")

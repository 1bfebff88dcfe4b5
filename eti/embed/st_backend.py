"""sentence-transformers: any model name or local path (optional extra ``eti[st]`` plus torch)."""

from __future__ import annotations

import hashlib

import numpy as np

from eti.embed.base import Kind, normalise, register_embedder
from eti.settings import Settings


class SentenceTransformerEmbedder:
    def __init__(self, model: str, batch_size: int = 16, prefixes: bool | None = None):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the extra
            raise RuntimeError(
                "the sentence-transformers embedder needs `pip install torch==2.13.0 'eti[st]'`"
            ) from exc
        self._model = SentenceTransformer(model, device="cpu")
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        parts = [p for p in model.rstrip("/").split("/") if p]
        label = parts[-2] if len(parts) > 1 and parts[-1] == "model" else parts[-1]
        self.name = f"st-{label}-{hashlib.sha1(model.encode()).hexdigest()[:6]}"
        self.batch_size = batch_size
        # E5-family models expect "query: " / "passage: " prefixes; others do not.
        self.prefixes = ("e5" in model.lower()) if prefixes is None else prefixes

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.prefixes:
            texts = [f"{kind}: {t}" for t in texts]
        vecs = self._model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False)
        return normalise(vecs)


@register_embedder("sentence-transformers")
def _build(settings: Settings) -> SentenceTransformerEmbedder:
    if not settings.embedder_model:
        raise ValueError("ETI_EMBEDDER_MODEL must name a model or a local path for sentence-transformers")
    return SentenceTransformerEmbedder(settings.embedder_model, batch_size=settings.embed_batch_size)

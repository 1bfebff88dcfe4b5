"""hashing: a deterministic bag-of-words embedder for fast unit tests of logic.

It is registered like any backend and never used for quality claims.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from eti.embed.base import Kind, normalise, register_embedder
from eti.settings import Settings


class HashingEmbedder:
    def __init__(self, dim: int = 256):
        self.dim = dim
        self.name = f"hashing-{dim}"
        self.calls = 0  # texts embedded so far; lets tests see that unchanged text is not re-embedded

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray:
        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(tok[:6].encode(), digest_size=4).digest(), "little")
                out[i, h % self.dim] += 1.0
        out[:, 0] += 1e-3  # never a zero vector
        return normalise(out)


@register_embedder("hashing")
def _build(settings: Settings) -> HashingEmbedder:
    return HashingEmbedder()

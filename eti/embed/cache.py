"""Embedding cache keyed by embedder name and content hash: unchanged text is never re-embedded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from eti.core import content_hash
from eti.embed.base import Embedder


def text_key(text: str) -> str:
    return content_hash(text)


class EmbeddingCache:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vectors (model TEXT, key TEXT, vec BLOB, PRIMARY KEY (model, key))"
        )
        self.hits = 0
        self.misses = 0

    def close(self) -> None:
        self._db.close()

    def put(self, model: str, texts: list[str], vectors: np.ndarray) -> None:
        """Store vectors made elsewhere (the query benchmark's derived vectors, an import)."""
        self._store(model, [text_key(t) for t in texts], vectors)

    def _store(self, model: str, keys: list[str], vectors: np.ndarray) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)",
                                 [(model, k, np.asarray(v, dtype=np.float32).tobytes())
                                  for k, v in zip(keys, vectors, strict=True)])

    def embed_passages(self, embedder: Embedder, texts: list[str], batch_size: int = 64,
                       on_batch=None) -> np.ndarray:
        """Vectors for ``texts``: from the cache where present, embedded (and stored) otherwise."""
        keys = [text_key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            q = f"SELECT key, vec FROM vectors WHERE model=? AND key IN ({','.join('?' * len(part))})"
            for k, blob in self._db.execute(q, [embedder.name, *part]):
                found[k] = np.frombuffer(blob, dtype=np.float32)
        missing = [(k, t) for k, t in dict(zip(keys, texts, strict=True)).items() if k not in found]
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        for i in range(0, len(missing), batch_size):
            batch = missing[i : i + batch_size]
            vecs = embedder.embed([t for _, t in batch], "passage")
            self._store(embedder.name, [k for k, _ in batch], vecs)
            for (k, _), v in zip(batch, vecs, strict=True):
                found[k] = v
            if on_batch:
                on_batch(len(batch))
        if not keys:
            return np.zeros((0, embedder.dim), dtype=np.float32)
        return np.vstack([found[k] for k in keys]).astype(np.float32)


"""Dense index: a Chroma collection with our own embeddings (never Chroma's default model)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

COLLECTION = "chunks"


def chroma_settings():
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def open_client(path: Path | None = None, host: str | None = None, port: int = 8000):
    """An embedded PersistentClient under ``path`` or, at scale, an HttpClient to a Chroma server."""
    import chromadb

    if host:
        return chromadb.HttpClient(host=host, port=port, settings=chroma_settings())
    assert path is not None
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings())


def get_collection(client, create: bool = False):
    if create:
        return client.get_or_create_collection(
            COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
    return client.get_collection(COLLECTION, embedding_function=None)


def close_client(client) -> None:
    """Release file handles so the folder can be copied or removed."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    del client


class DenseIndex:
    def __init__(self, collection, frozen: bool = False):
        """``frozen``: a published version that is only read; its row count is taken once (Chroma's
        count() costs ~10 ms at 100k rows, twice per query otherwise)."""
        self.collection = collection
        self._frozen_count = collection.count() if frozen else None

    def count(self) -> int:
        return self._frozen_count if self._frozen_count is not None else self.collection.count()

    def upsert(self, ids: list[str], vectors: np.ndarray, texts: list[str], metas: list[dict], batch: int = 2000) -> None:
        for i in range(0, len(ids), batch):
            self.collection.upsert(ids=ids[i : i + batch], embeddings=vectors[i : i + batch],
                                   documents=texts[i : i + batch], metadatas=metas[i : i + batch])

    def delete(self, ids: list[str], batch: int = 2000) -> None:
        for i in range(0, len(ids), batch):
            self.collection.delete(ids=ids[i : i + batch])

    def hashes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        total = self.count()
        for offset in range(0, total, 5000):
            got = self.collection.get(include=["metadatas"], limit=5000, offset=offset)
            out.update({i: str(m.get("hash", "")) for i, m in zip(got["ids"], got["metadatas"], strict=True)})
        return out

    def search(self, vector: np.ndarray, k: int, where: dict | None = None) -> list[tuple[str, float]]:
        total = self.count()
        if total == 0:
            return []
        res = self.collection.query(query_embeddings=[vector], n_results=min(k, total), where=where,
                                    include=["distances"])
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], res["distances"][0], strict=True)]

    def get(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        if not ids:
            return {}
        got = self.collection.get(ids=ids, include=["documents", "metadatas"])
        return {i: (d, m) for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)}

    def vectors(self, ids: list[str], batch: int = 2000) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for i in range(0, len(ids), batch):
            got = self.collection.get(ids=ids[i : i + batch], include=["embeddings"])
            out.update({cid: np.asarray(e, dtype=np.float32) for cid, e in zip(got["ids"], got["embeddings"],
                                                                               strict=True)})
        return out

    def get_with_vectors(self, ids: list[str]) -> dict[str, tuple[str, dict, np.ndarray]]:
        if not ids:
            return {}
        got = self.collection.get(ids=ids, include=["documents", "metadatas", "embeddings"])
        return {i: (d, m, np.asarray(e, dtype=np.float32))
                for i, d, m, e in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True)}

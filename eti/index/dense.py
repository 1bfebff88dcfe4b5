"""Dense index: a Chroma collection with our own embeddings (never Chroma's default model).

Two places a version's collection can live:

* embedded (the default): ``<version>/chroma/``, a PersistentClient folder, collection ``chunks``;
* a Chroma server (``ETI_CHROMA_URL``, ``chroma run``): one collection per version,
  ``chunks-<version name>``, so publishing builds the new one beside the serving one and the
  switch stays the one atomic rename of ``CURRENT``. The version folder still holds the lexical
  index and a ``dense.json`` naming its collection, so pruning a folder drops its collection too.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

COLLECTION = "chunks"
DENSE_FILE = "dense.json"
SPACE = {"hnsw:space": "cosine"}


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


def open_server(url: str):
    """An HttpClient for a Chroma server URL such as http://chroma:8000 (telemetry off)."""
    import chromadb

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a Chroma server URL: {url!r} (expected http://host:port)")
    return chromadb.HttpClient(host=parts.hostname, port=parts.port or (443 if parts.scheme == "https" else 8000),
                               ssl=parts.scheme == "https", settings=chroma_settings())


def get_collection(client, create: bool = False, name: str = COLLECTION):
    if create:
        return client.get_or_create_collection(name, embedding_function=None, metadata=SPACE)
    return client.get_collection(name, embedding_function=None)


def server_collection_name(version: Path) -> str:
    return f"{COLLECTION}-{version.name}"


def server_location(version: Path) -> dict | None:
    """What ``dense.json`` in a version folder says: {"collection": ..., "url": ...}, or None (embedded)."""
    try:
        return json.loads((version / DENSE_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def claim_server_collection(version: Path, url: str) -> str:
    """Name the collection a new version gets on the server, before it exists (so a dead build's is found)."""
    name = server_collection_name(version)
    (version / DENSE_FILE).write_text(json.dumps({"collection": name, "url": url}), encoding="utf-8")
    return name


def open_version_collection(version: Path, chroma_url: str | None = None):
    """The collection of a published version, embedded or on the server (``chroma_url`` overrides the
    URL the publisher recorded, e.g. when replicas reach the server by another name)."""
    where = server_location(version)
    if where is None:
        return get_collection(open_client(version / "chroma"))
    return get_collection(open_server(chroma_url or where["url"]), name=where["collection"])


def copy_collection(source, target, batch: int = 1000) -> int:
    """Copy every row (vectors, texts, metadata) from one collection into another (servers cannot fork)."""
    total = source.count()
    for offset in range(0, total, batch):
        got = source.get(include=["embeddings", "documents", "metadatas"], limit=batch, offset=offset)
        if got["ids"]:
            target.upsert(ids=got["ids"], embeddings=got["embeddings"], documents=got["documents"],
                          metadatas=got["metadatas"])
    return total


def drop_server_collection(version: Path, chroma_url: str | None = None) -> None:
    """Delete a version's server collection (when its folder is pruned); a missing one is fine."""
    where = server_location(version)
    if where is None:
        return
    client = open_server(chroma_url or where["url"])
    try:
        client.delete_collection(where["collection"])
    except Exception as exc:  # already gone (a dead build never created it)  # noqa: BLE001
        if "does not exist" not in str(exc).lower() and "not found" not in str(exc).lower():
            raise


def close_client(client) -> None:
    """Release file handles so the folder can be copied or removed."""
    from chromadb.api.client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    del client


class _RecordCache:
    """Chunk records (text, metadata, vector) of a published, read-only version, most recent kept.
    Exact: a published version never changes. Shared by a worker's request threads."""

    def __init__(self, size: int):
        self.size, self.hits, self.misses = size, 0, 0
        self._records: OrderedDict[str, tuple[str, dict, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def split(self, ids: list[str]) -> tuple[dict[str, tuple[str, dict, np.ndarray]], list[str]]:
        found, missing = {}, []
        with self._lock:
            for i in ids:
                rec = self._records.get(i)
                if rec is None:
                    missing.append(i)
                else:
                    self._records.move_to_end(i)
                    found[i] = rec
            self.hits += len(found)
            self.misses += len(missing)
        return found, missing

    def add(self, records: dict[str, tuple[str, dict, np.ndarray]]) -> None:
        with self._lock:
            self._records.update(records)
            while len(self._records) > self.size:
                self._records.popitem(last=False)


class DenseIndex:
    def __init__(self, collection, frozen: bool = False, record_cache: int = 4096):
        """``frozen``: a published version that is only read; its row count is taken once (Chroma's
        count() costs ~10 ms at 100k rows, twice per query otherwise), and the records fetched for
        hits are kept (up to ``record_cache``, about 4 KB each): fetching 24 of them from Chroma
        costs 10-20 ms a query."""
        self.collection = collection
        self._frozen_count = collection.count() if frozen else None
        self._cache = _RecordCache(record_cache) if frozen and record_cache > 0 else None

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
        if self._cache is not None:
            return {i: (d, m) for i, (d, m, _) in self.get_with_vectors(ids).items()}
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
        ids = list(dict.fromkeys(ids))  # Chroma refuses a repeated id
        found, missing = self._cache.split(ids) if self._cache is not None else ({}, ids)
        if missing:
            got = self.collection.get(ids=missing, include=["documents", "metadatas", "embeddings"])
            fetched = {i: (d, m, np.asarray(e, dtype=np.float32))
                       for i, d, m, e in zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"],
                                             strict=True)}
            if self._cache is not None:
                self._cache.add(fetched)
            found.update(fetched)
        return {i: found[i] for i in ids if i in found}  # in the order asked, like Chroma

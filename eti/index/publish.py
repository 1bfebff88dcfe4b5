"""Publish stage: make a new index version reflect the catalog, then switch to it in one step.

Incremental: the new version starts as a copy of the serving one; only chunks whose hash
changed are embedded (through the embedding cache) and upserted; chunks gone from the
catalog are deleted. The lexical index is rebuilt from the catalog (seconds, no model).

With ``chroma_url`` (ETI_CHROMA_URL) the dense part goes to a Chroma server, one collection per
version; the serving collection is copied row by row (a server cannot fork), and pruning a
version folder drops its collection. Everything else (lexical index, manifest, the CURRENT switch)
stays on the index volume, which API replicas share.
"""

from __future__ import annotations

import fcntl
import json
import logging
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eti.core import Chunk, utcnow
from eti.embed.base import Embedder
from eti.embed.cache import EmbeddingCache
from eti.index.dense import (
    DenseIndex,
    claim_server_collection,
    copy_collection,
    drop_server_collection,
    get_collection,
    open_client,
    open_server,
    open_version_collection,
    server_location,
)
from eti.index.lexical import LexicalIndex
from eti.index.versions import IndexVersions, read_manifest
from ingest.catalog import Catalog

log = logging.getLogger(__name__)
FORMAT = 1


@dataclass
class PublishResult:
    version: str
    total: int
    upserted: int
    removed: int
    embedded: int  # texts that went through the model (cache misses)
    seconds: float


def lexical_text(c: Chunk) -> str:
    return f"{c.title}\n{c.section}\n{c.text}"


@contextmanager
def publish_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".publish.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _new_collection(new: Path, chroma_url: str | None):
    """The (empty) collection the new version is built in: on the server, or in ``new/chroma``."""
    if chroma_url:
        return get_collection(open_server(chroma_url), create=True, name=claim_server_collection(new, chroma_url))
    return get_collection(open_client(new / "chroma"), create=True)


def _start_from(current: Path | None, new: Path, embedder: Embedder, rebuild: bool,
                chroma_url: str | None) -> tuple[DenseIndex, dict[str, str]]:
    """The new version's dense index, holding a copy of the serving one when it can be reused, and
    the chunk hashes of what it holds."""
    reusable = not rebuild and current is not None
    if reusable:
        manifest = read_manifest(current)
        if manifest.get("embedder") != embedder.name or manifest.get("format") != FORMAT:
            log.info("embedder or format changed (%s -> %s): full rebuild", manifest.get("embedder"), embedder.name)
            reusable = False
    if not reusable:
        return DenseIndex(_new_collection(new, chroma_url)), {}
    hashes = json.loads((current / "hashes.json").read_text(encoding="utf-8"))
    if chroma_url is None and server_location(current) is None:
        shutil.copytree(current / "chroma", new / "chroma")  # embedded to embedded: copy the folder
        dense = DenseIndex(get_collection(open_client(new / "chroma")))
    else:  # to or from a server: row by row
        dense = DenseIndex(_new_collection(new, chroma_url))
        copy_collection(open_version_collection(current, chroma_url), dense.collection)
    if dense.count() != len(hashes):
        log.warning("copied dense index has %d rows, manifest says %d: full rebuild", dense.count(), len(hashes))
        dense.delete(list(dense.hashes()))
        return dense, {}
    return dense, hashes


def publish(catalog: Catalog, embedder: Embedder, cache: EmbeddingCache, versions: IndexVersions,
            *, rebuild: bool = False, keep: int = 2, batch: int = 64,
            on_progress: Callable[[int, int], None] | None = None, chroma_url: str | None = None) -> PublishResult:
    """Build and switch to a new index version; the serving one is untouched until the switch.
    ``chroma_url``: build the dense part on that Chroma server instead of embedded."""
    t0 = time.perf_counter()

    def drop(version: Path) -> None:
        drop_server_collection(version, chroma_url)

    with publish_lock(versions.root):
        versions.prune(keep, on_remove=drop)  # clears builds a crash left behind
        current = versions.current()
        new = versions.new_version()
        dense, existing = _start_from(current, new, embedder, rebuild, chroma_url)
        desired = catalog.chunk_hashes()
        removed = [i for i in existing if i not in desired]
        changed = sorted(i for i, h in desired.items() if existing.get(i) != h)
        dense.delete(removed)
        misses_before = cache.misses
        done = 0
        for i in range(0, len(changed), batch):
            chunks = list(catalog.iter_chunks(changed[i : i + batch]))
            vectors = cache.embed_passages(embedder, [c.embed_text() for c in chunks])
            dense.upsert([c.id for c in chunks], vectors, [c.text for c in chunks], [c.metadata() for c in chunks])
            done += len(chunks)
            if on_progress:
                on_progress(done, len(changed))

        ids, texts, rows = [], [], []
        by_source: Counter[str] = Counter()
        by_sector: Counter[str] = Counter()
        for c in catalog.iter_chunks():
            ids.append(c.id)
            texts.append(lexical_text(c))
            rows.append([c.source_id, c.sector, c.municipality or "", c.language])
            by_source[c.source_id] += 1
            by_sector[c.sector] += 1
        LexicalIndex.build(ids, texts).save(new / "lexical")
        (new / "lexical" / "rows.json").write_text(json.dumps(rows), encoding="utf-8")
        (new / "hashes.json").write_text(json.dumps(desired), encoding="utf-8")
        if dense.count() != len(desired):
            raise RuntimeError(f"dense index has {dense.count()} rows, catalog {len(desired)}; not publishing")
        manifest = {
            "format": FORMAT, "created_at": utcnow(), "embedder": embedder.name, "dim": embedder.dim,
            "chunks": len(desired), "by_source": dict(by_source), "by_sector": dict(by_sector),
            "previous": current.name if current else None, "dense": "server" if chroma_url else "embedded",
        }
        (new / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        versions.switch(new)
        versions.prune(keep, on_remove=drop)
    return PublishResult(new.name, len(desired), len(changed), len(removed), cache.misses - misses_before,
                         time.perf_counter() - t0)

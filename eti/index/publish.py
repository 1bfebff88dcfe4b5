"""Publish stage: make a new index version reflect the catalog, then switch to it in one step.

Incremental: the new version starts as a copy of the serving one; only chunks whose hash
changed are embedded (through the embedding cache) and upserted; chunks gone from the
catalog are deleted. The lexical index is rebuilt from the catalog (seconds, no model).
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
from eti.index.dense import DenseIndex, get_collection, open_client
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


def _start_from(current: Path | None, new: Path, embedder: Embedder, rebuild: bool) -> dict[str, str]:
    """Copy the serving dense index into ``new`` when it can be reused; return its chunk hashes."""
    if rebuild or current is None:
        return {}
    manifest = read_manifest(current)
    if manifest.get("embedder") != embedder.name or manifest.get("format") != FORMAT:
        log.info("embedder or format changed (%s -> %s): full rebuild", manifest.get("embedder"), embedder.name)
        return {}
    shutil.copytree(current / "chroma", new / "chroma")
    hashes = json.loads((current / "hashes.json").read_text(encoding="utf-8"))
    client = open_client(new / "chroma")
    count = DenseIndex(get_collection(client)).count()
    if count != len(hashes):
        log.warning("copied dense index has %d rows, manifest says %d: full rebuild", count, len(hashes))
        shutil.rmtree(new / "chroma")
        return {}
    return hashes


def publish(catalog: Catalog, embedder: Embedder, cache: EmbeddingCache, versions: IndexVersions,
            *, rebuild: bool = False, keep: int = 2, batch: int = 64,
            on_progress: Callable[[int, int], None] | None = None) -> PublishResult:
    """Build and switch to a new index version; the serving one is untouched until the switch."""
    t0 = time.perf_counter()
    with publish_lock(versions.root):
        versions.prune(keep)  # clears builds a crash left behind
        current = versions.current()
        new = versions.new_version()
        existing = _start_from(current, new, embedder, rebuild)
        desired = catalog.chunk_hashes()
        removed = [i for i in existing if i not in desired]
        changed = sorted(i for i, h in desired.items() if existing.get(i) != h)

        dense = DenseIndex(get_collection(open_client(new / "chroma"), create=True))
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
            "previous": current.name if current else None,
        }
        (new / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        versions.switch(new)
        versions.prune(keep)
    return PublishResult(new.name, len(desired), len(changed), len(removed), cache.misses - misses_before,
                         time.perf_counter() - t0)

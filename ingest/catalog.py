"""The catalog: what was fetched (for conditional GET) and the chunks each page yields.

It is the source of truth the index is published from. One SQLite transaction per page, so
a crash between pages leaves a consistent catalog and the serving index untouched.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from eti.core import Chunk, utcnow

SCHEMA = """
CREATE TABLE IF NOT EXISTS pages (
  url TEXT PRIMARY KEY, source_id TEXT NOT NULL, status TEXT NOT NULL, etag TEXT, last_modified TEXT,
  content_hash TEXT, fetched_at TEXT, checked_at TEXT, title TEXT, error TEXT, n_chunks INTEGER DEFAULT 0,
  warc TEXT
);
CREATE INDEX IF NOT EXISTS pages_source ON pages(source_id);
CREATE TABLE IF NOT EXISTS chunks (
  id TEXT PRIMARY KEY, page_url TEXT NOT NULL, source_id TEXT NOT NULL, hash TEXT NOT NULL,
  text TEXT NOT NULL, meta TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_page ON chunks(page_url);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source_id);
CREATE TABLE IF NOT EXISTS crawls (
  source_id TEXT PRIMARY KEY, finished_at TEXT, stats TEXT
);
"""


@dataclass
class PageState:
    url: str
    source_id: str
    status: str  # ok | failed | skipped
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    fetched_at: str | None = None
    checked_at: str | None = None
    title: str | None = None
    error: str | None = None
    n_chunks: int = 0
    warc: str | None = None


class Catalog:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # pages -----------------------------------------------------------------
    def page(self, url: str) -> PageState | None:
        row = self._db.execute("SELECT * FROM pages WHERE url=?", (url,)).fetchone()
        return PageState(**dict(row)) if row else None

    def pages(self, source_id: str) -> list[PageState]:
        rows = self._db.execute("SELECT * FROM pages WHERE source_id=? ORDER BY url", (source_id,))
        return [PageState(**dict(r)) for r in rows]

    def save_page(self, state: PageState, chunks: list[Chunk]) -> None:
        """Store a page's new state and replace its chunks, atomically."""
        state.n_chunks = len(chunks)
        with self._db:
            self._db.execute("DELETE FROM chunks WHERE page_url=?", (state.url,))
            self._db.executemany(
                "INSERT OR REPLACE INTO chunks (id, page_url, source_id, hash, text, meta) VALUES (?,?,?,?,?,?)",
                [(c.id, state.url, c.source_id, c.hash, c.text, json.dumps(c.metadata(), ensure_ascii=False))
                 for c in chunks],
            )
            self._upsert(state)

    def touch_page(self, state: PageState) -> None:
        """Update fetch state only (unchanged page, or a failure): its chunks stay as they are."""
        with self._db:
            self._upsert(state, keep_chunks=True)

    def _upsert(self, s: PageState, keep_chunks: bool = False) -> None:
        if keep_chunks:
            row = self._db.execute("SELECT n_chunks FROM pages WHERE url=?", (s.url,)).fetchone()
            s.n_chunks = row[0] if row else 0
        self._db.execute(
            "INSERT OR REPLACE INTO pages VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (s.url, s.source_id, s.status, s.etag, s.last_modified, s.content_hash, s.fetched_at,
             s.checked_at or utcnow(), s.title, s.error, s.n_chunks, s.warc),
        )

    def delete_page(self, url: str) -> int:
        with self._db:
            n = self._db.execute("DELETE FROM chunks WHERE page_url=?", (url,)).rowcount
            self._db.execute("DELETE FROM pages WHERE url=?", (url,))
        return n

    def delete_source(self, source_id: str) -> int:
        with self._db:
            n = self._db.execute("DELETE FROM chunks WHERE source_id=?", (source_id,)).rowcount
            self._db.execute("DELETE FROM pages WHERE source_id=?", (source_id,))
            self._db.execute("DELETE FROM crawls WHERE source_id=?", (source_id,))
        return n

    # chunks ----------------------------------------------------------------
    def chunk_hashes(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT id, hash FROM chunks"))

    def iter_chunks(self, ids: list[str] | None = None, batch: int = 900) -> Iterator[Chunk]:
        if ids is None:
            for row in self._db.execute("SELECT id, text, meta FROM chunks ORDER BY id"):
                yield Chunk.from_metadata(row[0], row[1], json.loads(row[2]))
            return
        for i in range(0, len(ids), batch):
            part = ids[i : i + batch]
            q = f"SELECT id, text, meta FROM chunks WHERE id IN ({','.join('?' * len(part))}) ORDER BY id"
            for row in self._db.execute(q, part):
                yield Chunk.from_metadata(row[0], row[1], json.loads(row[2]))

    def iter_chunks_for_page(self, url: str) -> Iterator[Chunk]:
        for row in self._db.execute("SELECT id, text, meta FROM chunks WHERE page_url=?", (url,)):
            yield Chunk.from_metadata(row[0], row[1], json.loads(row[2]))

    def count_chunks(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    # crawl records ---------------------------------------------------------
    def record_crawl(self, source_id: str, stats: dict) -> None:
        with self._db:
            self._db.execute("INSERT OR REPLACE INTO crawls VALUES (?,?,?)",
                             (source_id, utcnow(), json.dumps(stats, ensure_ascii=False)))

    def source_overview(self) -> dict[str, dict]:
        """Per source: documents (ok pages), chunks, failed pages and the last crawl time."""
        out: dict[str, dict] = {}
        for sid, status, n in self._db.execute("SELECT source_id, status, COUNT(*) FROM pages GROUP BY 1, 2"):
            out.setdefault(sid, {"pages": 0, "failed": 0, "chunks": 0, "last_crawl": None})
            out[sid]["pages" if status == "ok" else "failed"] += n
        for sid, n, docs in self._db.execute(
            "SELECT source_id, COUNT(*), COUNT(DISTINCT json_extract(meta, '$.doc_id')) FROM chunks GROUP BY 1"
        ):
            entry = out.setdefault(sid, {"pages": 0, "failed": 0, "chunks": 0, "last_crawl": None})
            entry["chunks"], entry["documents"] = n, docs
        for sid, when in self._db.execute("SELECT source_id, finished_at FROM crawls"):
            out.setdefault(sid, {"pages": 0, "failed": 0, "chunks": 0, "last_crawl": None})["last_crawl"] = when
        return out

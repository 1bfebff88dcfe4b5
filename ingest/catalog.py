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
CREATE TABLE IF NOT EXISTS paragraphs (
  hash TEXT NOT NULL, page_url TEXT NOT NULL, held INTEGER NOT NULL, PRIMARY KEY (hash, page_url)
);
CREATE INDEX IF NOT EXISTS paragraphs_page ON paragraphs(page_url);
"""
# columns added after the first release; added to older catalogs on open
MIGRATIONS = {"pages": [("lastmod", "TEXT")]}
PAGE_COLUMNS = ["url", "source_id", "status", "etag", "last_modified", "content_hash", "fetched_at", "checked_at",
                "title", "error", "n_chunks", "warc", "lastmod"]


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
    lastmod: str | None = None  # the sitemap's <lastmod> when the page was last fetched fine


class Catalog:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(SCHEMA)
        for table, columns in MIGRATIONS.items():
            have = {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}
            for name, kind in columns:
                if name not in have:
                    self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {kind}")

    def close(self) -> None:
        self._db.close()

    # pages -----------------------------------------------------------------
    def page(self, url: str) -> PageState | None:
        row = self._db.execute("SELECT * FROM pages WHERE url=?", (url,)).fetchone()
        return PageState(**dict(row)) if row else None

    def pages(self, source_id: str) -> list[PageState]:
        rows = self._db.execute("SELECT * FROM pages WHERE source_id=? ORDER BY url", (source_id,))
        return [PageState(**dict(r)) for r in rows]

    def save_page(self, state: PageState, chunks: list[Chunk], paragraphs: dict[str, bool] | None = None) -> None:
        """Store a page's new state and replace its chunks (and paragraph claims), atomically.

        ``paragraphs`` maps each paragraph hash of the page to whether this page holds it (its
        chunks contain it) or left it out because another page holds it (see ingest.dedupe).
        """
        state.n_chunks = len(chunks)
        with self._db:
            self._db.execute("DELETE FROM chunks WHERE page_url=?", (state.url,))
            if paragraphs is not None:
                self._db.execute("DELETE FROM paragraphs WHERE page_url=?", (state.url,))
                self._db.executemany("INSERT OR REPLACE INTO paragraphs VALUES (?,?,?)",
                                     [(h, state.url, int(held)) for h, held in paragraphs.items()])
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
        s.checked_at = s.checked_at or utcnow()
        self._db.execute(
            f"INSERT OR REPLACE INTO pages ({','.join(PAGE_COLUMNS)}) VALUES ({','.join('?' * len(PAGE_COLUMNS))})",
            [getattr(s, c) for c in PAGE_COLUMNS],
        )

    def page_with_content(self, source_id: str, content_hash: str | None, other_than: str) -> str | None:
        """Another indexed page of the source whose stored body has this hash (an exact copy)."""
        if not content_hash:
            return None
        row = self._db.execute(
            "SELECT url FROM pages WHERE source_id=? AND content_hash=? AND url<>? AND status='ok' AND n_chunks>0 "
            "ORDER BY url LIMIT 1", (source_id, content_hash, other_than)).fetchone()
        return row[0] if row else None

    def mark_stale(self, url: str) -> None:
        """Forget a page's validators so that its next crawl fetches and stores it in full."""
        with self._db:
            self._db.execute("UPDATE pages SET etag=NULL, last_modified=NULL, lastmod=NULL, content_hash=NULL "
                             "WHERE url=?", (url,))

    def delete_page(self, url: str) -> int:
        with self._db:
            n = self._db.execute("DELETE FROM chunks WHERE page_url=?", (url,)).rowcount
            self._db.execute("DELETE FROM pages WHERE url=?", (url,))
            self._db.execute("DELETE FROM paragraphs WHERE page_url=?", (url,))
        return n

    def delete_source(self, source_id: str) -> int:
        with self._db:
            n = self._db.execute("DELETE FROM chunks WHERE source_id=?", (source_id,)).rowcount
            self._db.execute("DELETE FROM paragraphs WHERE page_url IN (SELECT url FROM pages WHERE source_id=?)",
                             (source_id,))
            self._db.execute("DELETE FROM pages WHERE source_id=?", (source_id,))
            self._db.execute("DELETE FROM crawls WHERE source_id=?", (source_id,))
        return n

    # paragraphs held once (ingest.dedupe) ---------------------------------------
    def held_elsewhere(self, hashes: list[str], url: str, batch: int = 900) -> set[str]:
        """Which of these paragraph hashes another page already holds in its chunks."""
        out: set[str] = set()
        for i in range(0, len(hashes), batch):
            part = hashes[i : i + batch]
            q = f"SELECT DISTINCT hash FROM paragraphs WHERE held=1 AND page_url<>? AND hash IN ({','.join('?' * len(part))})"
            out.update(r[0] for r in self._db.execute(q, [url, *part]))
        return out

    def held_by(self, url: str) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT hash FROM paragraphs WHERE page_url=? AND held=1", (url,))}

    def orphans(self, released: set[str], batch: int = 900) -> list[PageState]:
        """Pages that left out one of these paragraphs for a holder that no longer holds it."""
        urls: set[str] = set()
        hashes = sorted(released)
        for i in range(0, len(hashes), batch):
            part = hashes[i : i + batch]
            q = (f"SELECT DISTINCT page_url FROM paragraphs p WHERE held=0 AND hash IN ({','.join('?' * len(part))}) "
                 "AND NOT EXISTS (SELECT 1 FROM paragraphs h WHERE h.hash=p.hash AND h.held=1)")
            urls.update(r[0] for r in self._db.execute(q, part))
        return [p for u in sorted(urls) if (p := self.page(u)) is not None]

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

    def iter_chunks_for_source(self, source_id: str) -> Iterator[Chunk]:
        for row in self._db.execute("SELECT id, text, meta FROM chunks WHERE source_id=? ORDER BY id", (source_id,)):
            yield Chunk.from_metadata(row[0], row[1], json.loads(row[2]))

    def update_chunks(self, chunks: list[Chunk]) -> None:
        """Rewrite stored chunks in place (same ids and pages), e.g. after a source's attribution changed."""
        with self._db:
            self._db.executemany(
                "UPDATE chunks SET hash=?, text=?, meta=? WHERE id=?",
                [(c.hash, c.text, json.dumps(c.metadata(), ensure_ascii=False), c.id) for c in chunks])

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

    def last_crawls(self) -> dict[str, tuple[str | None, bool]]:
        """Per source: when its last crawl finished and whether the whole source failed then."""
        out = {}
        for sid, when, stats in self._db.execute("SELECT source_id, finished_at, stats FROM crawls"):
            try:
                failed = bool(json.loads(stats or "{}").get("error"))
            except ValueError:
                failed = False
            out[sid] = (when, failed)
        return out

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

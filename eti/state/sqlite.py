"""The ``sqlite`` backend (the default): one WAL-mode file under the data dir, safe across processes.

Every write is one short ``BEGIN IMMEDIATE`` transaction, so N workers on one machine share
conversations, rate limits, feedback and idempotency keys through the file; a busy timeout lets
them queue instead of failing. Callers run these methods off the event loop (a threadpool).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from eti.pii import redact
from eti.state import ids
from eti.state.registry import register_backend
from eti.state.stores import Claim, Clock, Conversation, DailyCount, State, Turn, day_of

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (id TEXT PRIMARY KEY, touched REAL NOT NULL);
CREATE TABLE IF NOT EXISTS turns (conversation_id TEXT NOT NULL, seq INTEGER NOT NULL, question TEXT NOT NULL,
    status TEXT NOT NULL, doc_ids TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (conversation_id, seq));
CREATE INDEX IF NOT EXISTS turns_created ON turns (created);
CREATE TABLE IF NOT EXISTS turn_counts (day TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (day, status));
CREATE TABLE IF NOT EXISTS buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, rating TEXT NOT NULL,
    comment TEXT, created_at TEXT NOT NULL, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS feedback_created ON feedback (created);
CREATE TABLE IF NOT EXISTS feedback_counts (day TEXT NOT NULL, rating TEXT NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (day, rating));
CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, result TEXT,
    created REAL NOT NULL);
"""


class Database:
    """One connection per process, serialised by a lock; transactions are short."""

    def __init__(self, path: Path, now: Clock = time.time, schema: str = SCHEMA):
        """``schema``: the tables of this file (the state's by default; the insights store has its own)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path, self.now = path, now
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.RLock()
        self._db.execute("PRAGMA busy_timeout=30000")
        self._wal()
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(schema)

    def _wal(self, attempts: int = 100) -> None:
        """WAL mode. Switching the journal mode needs the file to itself, and SQLite does not wait for
        that as it waits for a write lock: when several workers open the file at once, one may get
        "database is locked" at once. It tries again for a few seconds."""
        for attempt in range(attempts):
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == attempts - 1:
                    raise
                time.sleep(0.05)

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def read(self, sql: str, args: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()


class SqliteConversations:
    def __init__(self, db: Database, ttl_s: float = 3600, max_turns: int = 10):
        self.db, self.ttl_s, self.max_turns = db, ttl_s, max_turns

    def _live(self, conversation_id: str) -> bool:
        rows = self.db.read("SELECT touched FROM conversations WHERE id=?", (conversation_id,))
        return bool(rows) and self.db.now() - rows[0][0] <= self.ttl_s

    def get_or_new(self, conversation_id: str | None) -> Conversation:
        if not ids.is_valid(conversation_id):
            return Conversation(ids.new_id(), touched=self.db.now())
        assert conversation_id is not None
        if not self._live(conversation_id):
            return Conversation(conversation_id, touched=self.db.now())
        rows = self.db.read("SELECT question, status, doc_ids, created FROM turns WHERE conversation_id=?"
                            " ORDER BY seq DESC LIMIT ?", (conversation_id, self.max_turns))
        turns = [Turn(q, s, json.loads(d), c) for q, s, d, c in reversed(rows)]
        return Conversation(conversation_id, turns, self.db.now())

    def add(self, conv: Conversation, turn: Turn) -> None:
        now = self.db.now()
        turn.created = now
        with self.db.write() as db:
            row = db.execute("SELECT touched FROM conversations WHERE id=?", (conv.id,)).fetchone()
            if row is not None and now - row[0] > self.ttl_s:  # expired: its old context is never used again
                db.execute("DELETE FROM turns WHERE conversation_id=?", (conv.id,))
            db.execute("INSERT INTO conversations (id, touched) VALUES (?, ?) "
                       "ON CONFLICT(id) DO UPDATE SET touched=excluded.touched", (conv.id, now))
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE conversation_id=?",
                             (conv.id,)).fetchone()[0]
            db.execute("INSERT INTO turns VALUES (?,?,?,?,?,?)",
                       (conv.id, seq, turn.question, turn.status, json.dumps(turn.doc_ids), now))
            db.execute("DELETE FROM turns WHERE conversation_id=? AND seq<=?", (conv.id, seq - self.max_turns))
            db.execute("INSERT INTO turn_counts VALUES (?,?,1) ON CONFLICT(day, status) DO UPDATE SET n=n+1",
                       (day_of(now), turn.status))
        conv.turns = [*conv.turns, turn][-self.max_turns :]
        conv.touched = now

    def exists(self, conversation_id: str) -> bool:
        return self._live(conversation_id)

    def daily_counts(self) -> list[DailyCount]:
        return [DailyCount(*r) for r in self.db.read("SELECT day, status, n FROM turn_counts ORDER BY day, status")]

    def purge(self, before: float) -> int:
        with self.db.write() as db:
            gone = db.execute("DELETE FROM turns WHERE created<?", (before,)).rowcount
            db.execute("DELETE FROM conversations WHERE touched<? AND id NOT IN "
                       "(SELECT DISTINCT conversation_id FROM turns)", (before,))
        return gone


class SqliteLimits:
    def __init__(self, db: Database):
        self.db = db

    def take(self, key: str, per_minute: int) -> float:
        capacity, rate = max(1, per_minute), max(per_minute, 1e-9) / 60.0
        now = self.db.now()
        with self.db.write() as db:
            row = db.execute("SELECT tokens, updated FROM buckets WHERE key=?", (key,)).fetchone()
            tokens, updated = row if row else (capacity, now)
            tokens = min(capacity, tokens + max(0.0, now - updated) * rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
            db.execute("INSERT OR REPLACE INTO buckets VALUES (?,?,?)", (key, tokens - 1 if tokens >= 1 else tokens,
                                                                          now))
        return wait

    def purge(self, before: float) -> int:
        with self.db.write() as db:
            return db.execute("DELETE FROM buckets WHERE updated<?", (before,)).rowcount


class SqliteFeedback:
    def __init__(self, db: Database):
        self.db = db

    def add(self, conversation_id: str, rating: str, comment: str | None) -> int:
        now = self.db.now()
        clean = redact(comment).text if comment else None
        with self.db.write() as db:
            cur = db.execute("INSERT INTO feedback (conversation_id, rating, comment, created_at, created)"
                             " VALUES (?,?,?,?,?)", (conversation_id, rating, clean,
                                                     time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(now)), now))
            db.execute("INSERT INTO feedback_counts VALUES (?,?,1) ON CONFLICT(day, rating) DO UPDATE SET n=n+1",
                       (day_of(now), rating))
            return int(cur.lastrowid or 0)

    def rows(self, conversation_id: str | None = None) -> list[dict]:
        q, args = "SELECT id, conversation_id, rating, comment, created_at FROM feedback", ()
        if conversation_id:
            q, args = q + " WHERE conversation_id=?", (conversation_id,)
        cols = ["id", "conversation_id", "rating", "comment", "created_at"]
        return [dict(zip(cols, r, strict=True)) for r in self.db.read(q + " ORDER BY id", args)]

    def daily_counts(self) -> list[DailyCount]:
        return [DailyCount(*r) for r in self.db.read("SELECT day, rating, n FROM feedback_counts ORDER BY day, rating")]

    def purge(self, before: float) -> int:
        with self.db.write() as db:
            return db.execute("DELETE FROM feedback WHERE created<?", (before,)).rowcount

    def close(self) -> None:
        self.db.close()


class SqliteIdempotency:
    def __init__(self, db: Database):
        self.db = db

    def claim(self, key: str, fingerprint: str) -> Claim:
        with self.db.write() as db:
            row = db.execute("SELECT fingerprint, result FROM idempotency WHERE key=?", (key,)).fetchone()
            if row is None:
                db.execute("INSERT INTO idempotency VALUES (?,?,NULL,?)", (key, fingerprint, self.db.now()))
                return Claim("new")
        if row[0] != fingerprint:
            return Claim("mismatch")
        return Claim("pending") if row[1] is None else Claim("replay", row[1])

    def complete(self, key: str, result: str) -> None:
        with self.db.write() as db:
            db.execute("UPDATE idempotency SET result=? WHERE key=?", (result, key))

    def release(self, key: str) -> None:
        with self.db.write() as db:
            db.execute("DELETE FROM idempotency WHERE key=? AND result IS NULL", (key,))

    def purge(self, before: float) -> int:
        with self.db.write() as db:
            return db.execute("DELETE FROM idempotency WHERE created<?", (before,)).rowcount


def open_state(path: Path, settings, now: Clock = time.time) -> State:
    """The four stores over one file (also what ``eti.api.feedback.FeedbackStore`` opens)."""
    db = Database(path, now)
    return State("sqlite", SqliteConversations(db, settings.conversation_ttl_s), SqliteLimits(db), SqliteFeedback(db),
                 SqliteIdempotency(db), settings.retention_days * 86_400, settings.idempotency_ttl_s, now, db.close)


@register_backend("sqlite")
def build(settings, now: Clock) -> State:
    return open_state(settings.state_path, settings, now)

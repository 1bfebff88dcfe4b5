"""The events store: one SQLite file in WAL mode under the data dir (``insights.sqlite``).

Schema (one row per answer; nothing in it names a person):

    events          week, created, language, status, reason, unanswered, sectors, schemes, kommune,
                    sources (cited: source id, title, url, sector, kind, outdated, last modified),
                    conversation (salted hash), question (redacted; NULL after the retention period),
                    vector and embedder (the question's embedding; NULL with the question), rating
                    (up/down, joined later by conversation)
    pending_ratings a rating that arrived before its answer's event (another worker's queue)
    weekly_counts   per ISO week and group (all, status, language, sector, scheme, kommune): events,
                    distinct conversations, of them unanswered and rated down; what stays of a week
                    once its events are gone

Retention (``purge``): the question text and its vector are deleted when the event is older than
the retention period; once a whole ISO week is past it, its events are counted into
``weekly_counts`` (exactly: all of that week's events are there at once) and deleted. Writes are
short ``BEGIN IMMEDIATE`` transactions, so several workers share the file; callers keep them off
the event loop (``eti.insights.recorder`` writes from its own thread).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from eti.insights.events import CitedSource, Event, week_end, week_of
from eti.insights.groups import tally
from eti.state.sqlite import Database

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    week TEXT NOT NULL,
    created REAL NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    unanswered INTEGER NOT NULL,
    sectors TEXT NOT NULL,
    schemes TEXT NOT NULL,
    kommune TEXT,
    sources TEXT NOT NULL,
    conversation TEXT NOT NULL,
    question TEXT,
    vector BLOB,
    embedder TEXT,
    rating TEXT
);
CREATE INDEX IF NOT EXISTS events_created ON events (created);
CREATE INDEX IF NOT EXISTS events_conversation ON events (conversation, created);
CREATE INDEX IF NOT EXISTS events_week ON events (week);
CREATE TABLE IF NOT EXISTS pending_ratings (conversation TEXT PRIMARY KEY, rating TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS weekly_counts (
    week TEXT NOT NULL,
    dimension TEXT NOT NULL,
    value TEXT NOT NULL,
    events INTEGER NOT NULL,
    conversations INTEGER NOT NULL,
    unanswered INTEGER NOT NULL,
    rated_down INTEGER NOT NULL,
    PRIMARY KEY (week, dimension, value)
);
"""
_COLUMNS = ("id, week, created, language, status, reason, unanswered, sectors, schemes, kommune, sources, "
            "conversation, question, embedder, rating")
PENDING_RATING_S = 86_400.0  # a rating whose answer never arrives is forgotten after a day


@dataclass
class WeekCount:
    """What stays of one week's group once its events are deleted."""

    week: str
    dimension: str
    value: str
    events: int
    conversations: int
    unanswered: int
    rated_down: int


class EventStore:
    def __init__(self, path: Path, now=time.time):
        self.path, self.now = path, now
        self._database = Database(path, now, schema=SCHEMA)  # the state store's connection handling
        self._write, self._read = self._database.write, self._database.read

    # writing ---------------------------------------------------------------------------------

    def add(self, events: list[Event]) -> None:
        """Store ``events`` in one transaction; a rating that was waiting for one of them is joined."""
        if not events:
            return
        rows = [(e.week, e.created, e.language, e.status, e.reason, int(e.unanswered), json.dumps(e.sectors),
                 json.dumps(e.schemes), e.kommune, json.dumps([asdict(s) for s in e.sources], ensure_ascii=False),
                 e.conversation, e.question, _blob(e.vector), e.embedder, e.rating) for e in events]
        with self._write() as db:
            db.executemany("INSERT INTO events (week, created, language, status, reason, unanswered, sectors, "
                           "schemes, kommune, sources, conversation, question, vector, embedder, rating) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            for conversation in {e.conversation for e in events}:
                pending = db.execute("SELECT rating FROM pending_ratings WHERE conversation=?",
                                     (conversation,)).fetchone()
                if pending and self._join(db, conversation, pending[0]):
                    db.execute("DELETE FROM pending_ratings WHERE conversation=?", (conversation,))

    def rate(self, conversation: str, rating: str) -> None:
        """The conversation's latest answer gets ``rating`` (a later rating replaces an earlier one)."""
        with self._write() as db:
            if not self._join(db, conversation, rating):
                db.execute("INSERT OR REPLACE INTO pending_ratings VALUES (?,?,?)", (conversation, rating, self.now()))

    @staticmethod
    def _join(db: sqlite3.Connection, conversation: str, rating: str) -> bool:
        return db.execute("UPDATE events SET rating=? WHERE id=(SELECT id FROM events WHERE conversation=? "
                          "ORDER BY created DESC, id DESC LIMIT 1)", (rating, conversation)).rowcount > 0

    def purge(self, before: float) -> dict[str, int]:
        """Retention: question texts older than ``before`` deleted; weeks wholly before it kept as counts."""
        with self._write() as db:
            texts = db.execute("UPDATE events SET question=NULL, vector=NULL, embedder=NULL "
                               "WHERE created<? AND question IS NOT NULL", (before,)).rowcount
            weeks = [w for (w,) in db.execute("SELECT DISTINCT week FROM events WHERE created<?", (before,))
                     if week_end(w) <= before]
            rolled = 0
            for week in weeks:
                found = [_event(r) for r in db.execute(f"SELECT {_COLUMNS} FROM events WHERE week=?", (week,))]
                for (dim, value), t in tally(found).items():
                    db.execute("INSERT INTO weekly_counts VALUES (?,?,?,?,?,?,?) ON CONFLICT(week, dimension, value) "
                               "DO UPDATE SET events=events+excluded.events, "
                               "conversations=conversations+excluded.conversations, "
                               "unanswered=unanswered+excluded.unanswered, rated_down=rated_down+excluded.rated_down",
                               (week, dim, value, t.events, len(t.conversations), len(t.unanswered),
                                len(t.rated_down)))
                rolled += db.execute("DELETE FROM events WHERE week=?", (week,)).rowcount
            db.execute("DELETE FROM pending_ratings WHERE created<?", (min(before, self.now() - PENDING_RATING_S),))
        return {"insight_texts": texts, "insight_events_counted": rolled}

    # reading ---------------------------------------------------------------------------------

    def events(self, since: float, until: float) -> list[Event]:
        """The stored events with ``since <= created < until``, oldest first (vectors not loaded)."""
        rows = self._read(f"SELECT {_COLUMNS} FROM events WHERE created>=? AND created<? ORDER BY created, id",
                          (since, until))
        return [_event(r) for r in rows]

    def vectors(self, ids: list[int]) -> dict[int, tuple[str, np.ndarray]]:
        """Stored question vectors by event id: (embedder name, float32 vector)."""
        out: dict[int, tuple[str, np.ndarray]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for eid, embedder, blob in self._read(f"SELECT id, embedder, vector FROM events WHERE id IN ({marks}) "
                                                  "AND vector IS NOT NULL", tuple(chunk)):
                out[eid] = (embedder, np.frombuffer(blob, dtype=np.float16).astype(np.float32))
        return out

    def set_vectors(self, vectors: dict[int, np.ndarray], embedder: str) -> None:
        """Keep vectors a report had to make (deleted with their question text, like the pipeline's own)."""
        if not vectors:
            return
        with self._write() as db:
            db.executemany("UPDATE events SET vector=?, embedder=? WHERE id=? AND question IS NOT NULL",
                           [(_blob(v), embedder, eid) for eid, v in vectors.items()])

    def week_counts(self, since: float, until: float) -> list[WeekCount]:
        """The kept per-week counts of the weeks that overlap ``[since, until)``."""
        first, last = week_of(since), week_of(max(since, until - 1))
        return [WeekCount(*r) for r in self._read(
            "SELECT week, dimension, value, events, conversations, unanswered, rated_down FROM weekly_counts "
            "WHERE week>=? AND week<=? ORDER BY week, dimension, value", (first, last))]

    def close(self) -> None:
        self._database.close()


def _blob(vector: np.ndarray | None) -> bytes | None:
    return None if vector is None else np.asarray(vector, dtype=np.float16).tobytes()


def _event(row: tuple) -> Event:
    (eid, _week, created, language, status, reason, unanswered, sectors, schemes, kommune, sources, conversation,
     question, embedder, rating) = row
    return Event(created=created, language=language, status=status, reason=reason, unanswered=bool(unanswered),
                 sectors=json.loads(sectors), schemes=json.loads(schemes), kommune=kommune,
                 sources=[CitedSource(**s) for s in json.loads(sources)], conversation=conversation,
                 question=question or "", embedder=embedder, rating=rating, id=eid)

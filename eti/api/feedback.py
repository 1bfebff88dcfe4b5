"""Feedback storage (SQLite under the data dir). Comments are redacted before they are stored."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from eti.answer.guardrails.pii import redact
from eti.core import utcnow


class FeedbackStore:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, conversation_id TEXT,"
                             " rating TEXT, comment TEXT, created_at TEXT)")

    def add(self, conversation_id: str, rating: str, comment: str | None) -> int:
        clean = redact(comment).text if comment else None
        with self._lock, self._db:
            cur = self._db.execute("INSERT INTO feedback (conversation_id, rating, comment, created_at) VALUES (?,?,?,?)",
                                   (conversation_id, rating, clean, utcnow()))
            return int(cur.lastrowid)

    def rows(self, conversation_id: str | None = None) -> list[dict]:
        q = "SELECT id, conversation_id, rating, comment, created_at FROM feedback"
        args: tuple = ()
        if conversation_id:
            q, args = q + " WHERE conversation_id=?", (conversation_id,)
        with self._lock:
            cols = ["id", "conversation_id", "rating", "comment", "created_at"]
            return [dict(zip(cols, r, strict=True)) for r in self._db.execute(q + " ORDER BY id", args)]

    def close(self) -> None:
        self._db.close()

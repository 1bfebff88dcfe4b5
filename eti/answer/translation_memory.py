"""A translation memory: sentences of the public sources, machine-translated once, kept in SQLite.

Answers quote the same source sentences again and again, and Apertium costs about 0.2 ms per
character, so a nynorsk answer translated cold takes 100-500 ms. The memory keeps every sentence
translated (keyed by a hash of the sentence and the translator's name) in the data dir, shared by
the API workers and kept across restarts; publishing fills it for the scheme cards in advance
(``warm``). It only ever holds text from the sources: the composer never quotes a question.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from pathlib import Path

from eti.state.sqlite import Database

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
  key TEXT PRIMARY KEY,     -- sha256 of the translator's name and the source sentence
  target TEXT NOT NULL
);
"""


class TranslationMemory:
    def __init__(self, path: Path, translator_name: str):
        self.db = Database(path, schema=SCHEMA)
        self.translator_name = translator_name

    def _key(self, sentence: str) -> str:
        return hashlib.sha256(f"{self.translator_name}\x1f{sentence}".encode()).hexdigest()

    def get_many(self, sentences: Iterable[str]) -> dict[str, str]:
        wanted = {self._key(s): s for s in sentences}
        out: dict[str, str] = {}
        keys = list(wanted)
        for i in range(0, len(keys), 500):
            batch = keys[i : i + 500]
            marks = ",".join("?" * len(batch))
            for key, target in self.db.read(f"SELECT key, target FROM translations WHERE key IN ({marks})",
                                            tuple(batch)):
                out[wanted[key]] = target
        return out

    def put_many(self, pairs: dict[str, str]) -> None:
        if not pairs:
            return
        with self.db.write() as db:
            db.executemany("INSERT OR REPLACE INTO translations (key, target) VALUES (?, ?)",
                           [(self._key(s), t) for s, t in pairs.items()])

    def count(self) -> int:
        return int(self.db.read("SELECT COUNT(*) FROM translations")[0][0])

    def close(self) -> None:
        self.db.close()

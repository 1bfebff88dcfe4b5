"""The recorder: a put on a bounded queue, never a wait for the database; a full queue drops and counts."""

from __future__ import annotations

import sqlite3
import time

from insights_helpers import PSEUDONYMS

from eti.insights.recorder import Recorder
from eti.insights.rules import Rules
from eti.insights.store import EventStore


def test_a_full_queue_drops_and_counts_instead_of_waiting(tmp_path):
    path = tmp_path / "insights.sqlite"
    recorder = Recorder(EventStore(path), PSEUDONYMS, Rules.load(), retention_s=86_400, queue_size=10)
    lock = sqlite3.connect(path, isolation_level=None, timeout=1)
    lock.execute("BEGIN EXCLUSIVE")
    try:
        t = time.perf_counter()
        for i in range(500):
            recorder.record_rating(f"conv-{i:04d}", "down")
        assert time.perf_counter() - t < 1.0
        assert recorder.dropped >= 480  # at most the queue and the batch in hand got in
        assert not recorder.flush(0.2)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert recorder.flush(30)
    recorder.close()


def test_close_writes_what_is_queued(tmp_path):
    store = EventStore(tmp_path / "insights.sqlite")
    recorder = Recorder(store, PSEUDONYMS, Rules.load(), retention_s=86_400)
    for i in range(50):
        recorder.record_rating(f"conv-{i:04d}", "up")
    recorder.close()
    with sqlite3.connect(tmp_path / "insights.sqlite") as db:  # ratings whose answers are not there yet
        assert db.execute("SELECT COUNT(*) FROM pending_ratings").fetchone()[0] == 50

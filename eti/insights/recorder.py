"""Recording events without holding up an answer: a bounded queue and one writer thread per process.

``record_answer`` and ``record_rating`` only put an item on the queue (the event loop never waits
for SQLite); the writer thread builds the events (redaction, hashing) and writes them in batches.
A full queue drops the item and counts it. Nothing here logs a question or a conversation id.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from eti.insights.events import Event, event_from_answer
from eti.insights.export import purge_reports
from eti.insights.pseudonyms import Pseudonyms, load_salt
from eti.insights.rules import Rules
from eti.insights.store import EventStore
from eti.settings import Settings

if TYPE_CHECKING:
    from eti.answer.context import AskContext
    from eti.answer.services import Services

log = logging.getLogger(__name__)
BATCH = 256
_STOP = object()


class Recorder:
    """The API's (and the eval's) way to record: ``record_answer(ctx, services)``, ``record_rating(cid, rating)``."""

    def __init__(self, store: EventStore, pseudonyms: Pseudonyms, rules: Rules, retention_s: float,
                 queue_size: int = 10_000, now=time.time, reports_dir: Path | None = None):
        self.store, self.pseudonyms, self.rules, self.retention_s, self.now = store, pseudonyms, rules, retention_s, now
        self.reports_dir = reports_dir  # reports written here follow the questions' retention
        self.dropped = 0  # items not recorded because the queue was full
        self.failed = 0  # batches the store refused (logged)
        self._queue: queue.Queue = queue.Queue(maxsize=queue_size)
        self._idle = threading.Condition()
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name="eti-insights-writer", daemon=True)
        self._thread.start()

    @classmethod
    def open(cls, settings: Settings, now=time.time) -> Recorder:
        """The recorder over ``settings``' data dir (``insights.sqlite``, ``insights.salt``)."""
        return cls(EventStore(settings.insights_path, now), Pseudonyms(load_salt(settings.insights_salt_path)),
                   Rules.load(), settings.retention_days * 86_400, settings.insights_queue_size, now,
                   settings.insights_reports_dir)

    # what callers use (never blocking) --------------------------------------------------------

    def record_answer(self, ctx: AskContext, services: Services) -> None:
        """Queue the event for a finished answer (built and written by the writer thread)."""
        self._put(("answer", ctx, services, self.now()))

    def record_rating(self, conversation_id: str, rating: str) -> None:
        """Queue a rating; it joins the conversation's latest answer."""
        self._put(("rating", conversation_id, rating))

    def _put(self, item: tuple) -> None:
        with self._idle:
            self._pending += 1
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._done(1)
            self.dropped += 1
            if self.dropped == 1 or self.dropped % 1000 == 0:
                log.warning("insights queue full: %d events dropped so far", self.dropped)

    # the writer thread ------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            while len(items) < BATCH:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(i is _STOP for i in items)
            work = [i for i in items if i is not _STOP]
            try:
                self._write(work)
            except Exception as exc:  # a locked or full disk must not stop the writer  # noqa: BLE001
                self.failed += 1
                log.error("insights: %d events not written: %s", len(work), type(exc).__name__)
            finally:
                self._done(len(work))
            if stop:
                return

    def _write(self, items: list[tuple]) -> None:
        events: list[Event] = []
        for item in items:
            if item[0] == "answer":
                _, ctx, services, created = item
                try:
                    events.append(self.event(ctx, services, created))
                except Exception as exc:  # one odd context must not cost the batch  # noqa: BLE001
                    self.failed += 1
                    log.error("insights: an event could not be built: %s", type(exc).__name__)
            else:
                if events:  # keep the order: a rating joins the answers queued before it
                    self._retry(self.store.add, events)
                    events = []
                _, cid, rating = item
                self._retry(self.store.rate, self.pseudonyms.conversation(cid), rating)
        self._retry(self.store.add, events)

    @staticmethod
    def _retry(write, *args, attempts: int = 3) -> None:
        """One transaction, tried again when the database stayed locked past its busy timeout."""
        for attempt in range(1, attempts + 1):
            try:
                return write(*args)
            except sqlite3.OperationalError:
                if attempt == attempts:
                    raise
                time.sleep(0.5 * attempt)

    def event(self, ctx: AskContext, services: Services, created: float) -> Event:
        """The event for ``ctx`` as it will be stored (for the writer, and for tests that look at one)."""
        return event_from_answer(ctx, services.shared.topics, self.pseudonyms.conversation(ctx.conversation_id or ""),
                                 created=created, not_gaps=self.rules.not_gaps, embedder=services.shared.embedder.name)

    def _done(self, n: int) -> None:
        with self._idle:
            self._pending -= n
            if self._pending <= 0:
                self._idle.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything queued so far is written; False if ``timeout`` passed first."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending > 0:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    # retention and shutdown -------------------------------------------------------------------

    def purge(self) -> dict[str, int]:
        """Retention (what ``eti.state.retention.purge_once`` calls): see ``EventStore.purge``; report files
        in the default reports folder older than the retention go too (they quote questions)."""
        before = self.now() - self.retention_s
        gone = self.store.purge(before)
        if self.reports_dir is not None:
            gone["insight_reports"] = purge_reports(self.reports_dir, before)
        return gone

    def close(self, timeout: float = 10.0) -> None:
        """Write what is queued, stop the thread, close the store."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout)
        self.store.close()

"""The API's heavy objects, created once per worker in the lifespan, and the switch to a newly
published index (checked every ``index_check_interval_s``, opened in a worker thread)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from anyio import to_thread

from eti.answer.services import Services, Shared
from eti.api.metrics import Metrics
from eti.embed.base import Embedder
from eti.index.reader import IndexReader, NoIndex
from eti.index.versions import IndexVersions
from eti.settings import Settings
from eti.state import State, build_state

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    embedder: Embedder
    state: State
    metrics: Metrics
    chat_model: object | None = None
    services: Services | None = None
    version: Path | None = None
    _checked: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, settings: Settings, embedder: Embedder, chat_model=None, state: State | None = None) -> Runtime:
        rt = cls(settings, embedder, state or build_state(settings), Metrics(), chat_model)
        rt.refresh(force=True)
        return rt

    @property
    def feedback(self):
        return self.state.feedback

    @property
    def answer_mode(self) -> str:
        mode = self.settings.answer_mode
        if mode == "auto":
            return "llm" if self.chat_model is not None else "default"
        return mode

    def _due(self) -> bool:
        return time.monotonic() - self._checked >= self.settings.index_check_interval_s

    async def current(self) -> Services | None:
        """The services for the serving index; when a check is due it runs in a worker thread, so
        opening a new version (seconds at 100k chunks) never stalls the event loop."""
        if self._due():
            return await to_thread.run_sync(self.refresh)
        return self.services

    def refresh(self, force: bool = False) -> Services | None:
        """Open the serving index; reopen when a new version was published. Blocking: call it off the loop."""
        if not force and not self._due():
            return self.services
        if not self._lock.acquire(blocking=force):
            return self.services  # another thread is already looking
        try:
            self._checked = time.monotonic()
            current = IndexVersions(self.settings.index_dir).current()
            if current is None or current == self.version:
                return self.services
            try:
                reader = IndexReader.open_version(current, chroma_url=self.settings.chroma_url)
            except (NoIndex, OSError, ValueError, RuntimeError) as exc:
                log.error("could not open index %s: %s; keeping %s", current, exc, self.version)
                return self.services
            if self.services is None:  # the process-wide parts (conversations included) carry over
                shared = Shared.from_settings(self.settings, embedder=self.embedder, chat_model=self.chat_model,
                                              conversations=self.state.conversations)
                self.services = Services.for_index(shared, reader)
            else:
                self.services = self.services.with_index(reader)
            self.version = current
            self.metrics.index_chunks.set(reader.count())
            log.info("serving index %s (%d chunks)", current.name, reader.count())
            return self.services
        finally:
            self._lock.release()

    def close(self) -> None:
        self.state.close()

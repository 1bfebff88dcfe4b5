"""The API's heavy objects, created once in the lifespan, and the switch to a newly published index."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from eti.answer.services import Services
from eti.api.feedback import FeedbackStore
from eti.api.limits import RateLimiter
from eti.api.metrics import Metrics
from eti.embed.base import Embedder
from eti.index.reader import IndexReader, NoIndex
from eti.index.versions import IndexVersions
from eti.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    embedder: Embedder
    feedback: FeedbackStore
    metrics: Metrics
    ip_limiter: RateLimiter
    key_limiter: RateLimiter
    chat_model: object | None = None
    services: Services | None = None
    version: Path | None = None
    _checked: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def build(cls, settings: Settings, embedder: Embedder, chat_model=None) -> Runtime:
        rt = cls(settings, embedder, FeedbackStore(settings.feedback_path), Metrics(),
                 RateLimiter(settings.rate_limit_per_minute_ip), RateLimiter(settings.rate_limit_per_minute_key),
                 chat_model)
        rt.refresh(force=True)
        return rt

    @property
    def answer_mode(self) -> str:
        mode = self.settings.answer_mode
        if mode == "auto":
            return "llm" if self.chat_model is not None else "default"
        return mode

    def refresh(self, force: bool = False) -> Services | None:
        """Open the serving index; reopen when a new version was published (checked every few seconds)."""
        now = time.monotonic()
        if not force and now - self._checked < self.settings.index_check_interval_s:
            return self.services
        with self._lock:
            self._checked = now
            current = IndexVersions(self.settings.index_dir).current()
            if current is None or current == self.version:
                return self.services
            try:
                reader = IndexReader.open_version(current)
            except (NoIndex, OSError, ValueError) as exc:
                log.error("could not open index %s: %s; keeping %s", current, exc, self.version)
                return self.services
            # the process-wide parts (conversations included) carry over to the new index version
            self.services = (Services.from_settings(self.settings, reader=reader, embedder=self.embedder,
                                                    chat_model=self.chat_model)
                             if self.services is None else self.services.with_index(reader))
            self.version = current
            self.metrics.index_chunks.set(reader.count())
            log.info("serving index %s (%d chunks)", current.name, reader.count())
            return self.services

"""Per-host politeness: a minimum interval between requests and a cap on concurrent ones."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit


class HostLimiter:
    def __init__(self, concurrency: int = 2):
        self._concurrency = concurrency
        self._interval: dict[str, float] = {}
        self._next: dict[str, float] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._slots: dict[str, asyncio.Semaphore] = {}

    def set_rate(self, host: str, requests_per_second: float, crawl_delay: float | None = None) -> None:
        interval = 1.0 / requests_per_second if requests_per_second > 0 else 0.0
        self._interval[host] = max(interval, crawl_delay or 0.0)

    def interval(self, host: str) -> float:
        return self._interval.get(host, 1.0)

    def slot(self, url: str) -> asyncio.Semaphore:
        host = urlsplit(url).netloc
        return self._slots.setdefault(host, asyncio.Semaphore(self._concurrency))

    async def wait(self, url: str) -> None:
        """Sleep until this host may be asked again, then book the next turn."""
        host = urlsplit(url).netloc
        lock = self._locks.setdefault(host, asyncio.Lock())
        async with lock:
            now = time.monotonic()
            start = max(now, self._next.get(host, 0.0))
            self._next[host] = start + self.interval(host)
        if start > now:
            await asyncio.sleep(start - now)

    def push_back(self, url: str, seconds: float) -> None:
        """A server asked us to slow down (429/503 Retry-After): nobody asks this host for a while."""
        host = urlsplit(url).netloc
        self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + seconds)

"""API keys and per-key / per-IP rate limits (token buckets in memory)."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """``check(key)`` -> seconds to wait (0 when the request may go ahead)."""

    def __init__(self, per_minute: int):
        self.capacity = max(1, per_minute)
        self.rate = per_minute / 60.0
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def check(self, key: str) -> float:
        now = time.monotonic()
        with self._lock:
            b = self._buckets.get(key)
            if b is None:
                b = self._buckets[key] = _Bucket(self.capacity, now)
                if len(self._buckets) > 100_000:
                    self._buckets.clear()
            b.tokens = min(self.capacity, b.tokens + (now - b.updated) * self.rate)
            b.updated = now
            if b.tokens >= 1:
                b.tokens -= 1
                return 0.0
            return (1 - b.tokens) / self.rate if self.rate else 60.0


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


def key_from_headers(headers) -> str | None:
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return headers.get("x-api-key") or None

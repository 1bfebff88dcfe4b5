"""The ``memory`` backend: one process only (unit tests, a single worker that may forget on restart)."""

from __future__ import annotations

import threading
import time
from collections import Counter

from eti.pii import redact
from eti.state import ids
from eti.state.registry import register_backend
from eti.state.stores import Claim, Clock, Conversation, DailyCount, State, Turn, day_of


class MemoryConversations:
    def __init__(self, ttl_s: float = 3600, max_turns: int = 10, max_conversations: int = 10_000,
                 now: Clock = time.time):
        self.ttl_s, self.max_turns, self.max_conversations, self.now = ttl_s, max_turns, max_conversations, now
        self._items: dict[str, Conversation] = {}
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def get_or_new(self, conversation_id: str | None) -> Conversation:
        with self._lock:
            self._expire()
            if conversation_id and conversation_id in self._items:
                conv = self._items[conversation_id]
                conv.touched = self.now()
                return conv
            conv = Conversation(conversation_id if ids.is_valid(conversation_id) else ids.new_id(),
                                touched=self.now())
            if len(self._items) >= self.max_conversations:
                oldest = min(self._items.values(), key=lambda c: c.touched)
                self._items.pop(oldest.id, None)
            self._items[conv.id] = conv
            return conv

    def add(self, conv: Conversation, turn: Turn) -> None:
        with self._lock:
            turn.created = self.now()
            conv.turns = [*conv.turns, turn][-self.max_turns :]
            conv.touched = turn.created
            self._items[conv.id] = conv
            self._counts[(day_of(turn.created), turn.status)] += 1

    def exists(self, conversation_id: str) -> bool:
        with self._lock:
            self._expire()
            return conversation_id in self._items

    def daily_counts(self) -> list[DailyCount]:
        with self._lock:
            return [DailyCount(d, k, n) for (d, k), n in sorted(self._counts.items())]

    def purge(self, before: float) -> int:
        gone = 0
        with self._lock:
            for conv in list(self._items.values()):
                kept = [t for t in conv.turns if t.created >= before]
                gone += len(conv.turns) - len(kept)
                conv.turns = kept
                if not kept and conv.touched < before:
                    del self._items[conv.id]
        return gone

    def _expire(self) -> None:
        now = self.now()
        for cid in [c.id for c in self._items.values() if now - c.touched > self.ttl_s]:
            del self._items[cid]


class MemoryLimits:
    def __init__(self, now: Clock = time.time):
        self.now = now
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, updated)
        self._lock = threading.Lock()

    def take(self, key: str, per_minute: int) -> float:
        capacity, rate = max(1, per_minute), max(per_minute, 1e-9) / 60.0
        now = self.now()
        with self._lock:
            tokens, updated = self._buckets.get(key, (capacity, now))
            tokens = min(capacity, tokens + max(0.0, now - updated) * rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
            self._buckets[key] = (tokens - 1 if tokens >= 1 else tokens, now)
            if len(self._buckets) > 100_000:
                self._buckets.clear()
            return wait

    def purge(self, before: float) -> int:
        with self._lock:
            old = [k for k, (_, updated) in self._buckets.items() if updated < before]
            for k in old:
                del self._buckets[k]
            return len(old)


class MemoryFeedback:
    def __init__(self, now: Clock = time.time):
        self.now = now
        self._rows: list[dict] = []
        self._counts: Counter[tuple[str, str]] = Counter()
        self._lock = threading.Lock()

    def add(self, conversation_id: str, rating: str, comment: str | None) -> int:
        t = self.now()
        with self._lock:
            row = {"id": len(self._rows) + 1, "conversation_id": conversation_id, "rating": rating,
                   "comment": redact(comment).text if comment else None,
                   "created_at": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(t)), "_t": t}
            self._rows.append(row)
            self._counts[(day_of(t), rating)] += 1
            return row["id"]

    def rows(self, conversation_id: str | None = None) -> list[dict]:
        with self._lock:
            return [{k: v for k, v in r.items() if k != "_t"} for r in self._rows
                    if conversation_id is None or r["conversation_id"] == conversation_id]

    def daily_counts(self) -> list[DailyCount]:
        with self._lock:
            return [DailyCount(d, k, n) for (d, k), n in sorted(self._counts.items())]

    def purge(self, before: float) -> int:
        with self._lock:
            kept = [r for r in self._rows if r["_t"] >= before]
            gone, self._rows = len(self._rows) - len(kept), kept
            return gone

    def close(self) -> None:
        pass


class MemoryIdempotency:
    def __init__(self, now: Clock = time.time):
        self.now = now
        self._keys: dict[str, tuple[str, str | None, float]] = {}  # hashed key -> (fingerprint, result, created)
        self._lock = threading.Lock()

    def claim(self, key: str, fingerprint: str) -> Claim:
        with self._lock:
            if key not in self._keys:
                self._keys[key] = (fingerprint, None, self.now())
                return Claim("new")
            stored, result, _ = self._keys[key]
            if stored != fingerprint:
                return Claim("mismatch")
            return Claim("pending") if result is None else Claim("replay", result)

    def complete(self, key: str, result: str) -> None:
        with self._lock:
            fingerprint, _, created = self._keys[key]
            self._keys[key] = (fingerprint, result, created)

    def release(self, key: str) -> None:
        with self._lock:
            self._keys.pop(key, None)

    def purge(self, before: float) -> int:
        with self._lock:
            old = [k for k, (_, _, created) in self._keys.items() if created < before]
            for k in old:
                del self._keys[k]
            return len(old)


@register_backend("memory")
def build(settings, now: Clock) -> State:
    return State("memory", MemoryConversations(settings.conversation_ttl_s, now=now), MemoryLimits(now),
                 MemoryFeedback(now), MemoryIdempotency(now), settings.retention_days * 86_400,
                 settings.idempotency_ttl_s, now)

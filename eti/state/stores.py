"""What the API and the answer pipeline keep between requests, as one-purpose store contracts.

Every backend (``memory``, ``sqlite``, ``redis``) implements all four; ``State`` bundles one
backend's stores. Nothing stored here holds personal data: questions and comments arrive
redacted, conversation ids are checked (``eti.state.ids``), idempotency keys are hashed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

Clock = Callable[[], float]  # seconds since the epoch; tests hand in one they control
DAY_S = 86_400.0


@dataclass
class Turn:
    question: str  # redacted
    status: str
    doc_ids: list[str]
    created: float = field(default_factory=time.time)


@dataclass
class Conversation:
    id: str
    turns: list[Turn] = field(default_factory=list)
    touched: float = field(default_factory=time.time)


@dataclass
class DailyCount:
    """One day's count of something whose details were deleted (ratings, answer statuses)."""

    day: str  # YYYY-MM-DD (UTC)
    kind: str  # the rating ("up", "down") or the answer status
    n: int


@dataclass
class Claim:
    """What claiming an idempotency key found.

    new: first use, go ahead (then ``complete``); replay: done before with the same request,
    ``result`` is what it returned; mismatch: the key was used for a different request;
    pending: the first request with this key is still running."""

    state: Literal["new", "replay", "mismatch", "pending"]
    result: str | None = None


class ConversationStore(Protocol):
    """Follow-up context: a conversation's redacted turns, forgotten after its TTL of inactivity."""

    def get_or_new(self, conversation_id: str | None) -> Conversation: ...

    def add(self, conv: Conversation, turn: Turn) -> None: ...

    def exists(self, conversation_id: str) -> bool: ...

    def daily_counts(self) -> list[DailyCount]: ...

    def purge(self, before: float) -> int: ...


class RateLimits(Protocol):
    """Token buckets shared by every worker: ``take`` -> seconds to wait (0: go ahead)."""

    def take(self, key: str, per_minute: int) -> float: ...

    def purge(self, before: float) -> int: ...


class FeedbackStore(Protocol):
    """Ratings with an optional (redacted) comment, and per-day counts that outlive them."""

    def add(self, conversation_id: str, rating: str, comment: str | None) -> int: ...

    def rows(self, conversation_id: str | None = None) -> list[dict]: ...

    def daily_counts(self) -> list[DailyCount]: ...

    def purge(self, before: float) -> int: ...


class IdempotencyKeys(Protocol):
    """Keys (stored hashed) that make a retried POST /v1/feedback count once."""

    def claim(self, key: str, fingerprint: str) -> Claim: ...

    def complete(self, key: str, result: str) -> None: ...

    def release(self, key: str) -> None: ...

    def purge(self, before: float) -> int: ...


@dataclass
class State:
    """One backend's stores, built once per process (``eti.state.build_state``)."""

    backend: str
    conversations: ConversationStore
    limits: RateLimits
    feedback: FeedbackStore
    idempotency: IdempotencyKeys
    retention_s: float
    idempotency_ttl_s: float
    now: Clock = time.time
    closer: Callable[[], None] = lambda: None

    def purge(self) -> dict[str, int]:
        """Delete what is older than the retention (counts stay); returns what went, by store."""
        t = self.now()
        return {"conversation_turns": self.conversations.purge(t - self.retention_s),
                "feedback": self.feedback.purge(t - self.retention_s),
                "rate_buckets": self.limits.purge(t - 3600),
                "idempotency_keys": self.idempotency.purge(t - self.idempotency_ttl_s)}

    def close(self) -> None:
        self.closer()


def day_of(t: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(t))

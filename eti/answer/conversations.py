"""Conversations for follow-up questions: kept in memory with a TTL, redacted text only."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Turn:
    question: str  # redacted
    status: str
    doc_ids: list[str]


@dataclass
class Conversation:
    id: str
    turns: list[Turn] = field(default_factory=list)
    touched: float = field(default_factory=time.monotonic)


class ConversationStore:
    def __init__(self, ttl_s: float = 3600, max_turns: int = 10, max_conversations: int = 10_000):
        self.ttl_s, self.max_turns, self.max_conversations = ttl_s, max_turns, max_conversations
        self._items: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    def get_or_new(self, conversation_id: str | None) -> Conversation:
        with self._lock:
            self._expire()
            if conversation_id and conversation_id in self._items:
                conv = self._items[conversation_id]
                conv.touched = time.monotonic()
                return conv
            conv = Conversation(conversation_id if _valid(conversation_id) else secrets.token_urlsafe(12))
            if len(self._items) >= self.max_conversations:
                oldest = min(self._items.values(), key=lambda c: c.touched)
                self._items.pop(oldest.id, None)
            self._items[conv.id] = conv
            return conv

    def add(self, conv: Conversation, turn: Turn) -> None:
        with self._lock:
            conv.turns = [*conv.turns, turn][-self.max_turns :]
            conv.touched = time.monotonic()

    def exists(self, conversation_id: str) -> bool:
        with self._lock:
            self._expire()
            return conversation_id in self._items

    def _expire(self) -> None:
        now = time.monotonic()
        for cid in [c.id for c in self._items.values() if now - c.touched > self.ttl_s]:
            del self._items[cid]


def _valid(cid: str | None) -> bool:
    return bool(cid) and 8 <= len(cid) <= 64 and all(c.isalnum() or c in "-_" for c in cid)  # type: ignore[union-attr]


def build_conversation_store(settings) -> ConversationStore:
    """The conversation store ``settings`` configures (in memory, with the configured TTL)."""
    return ConversationStore(settings.conversation_ttl_s)

"""Conversations for follow-up questions: redacted turns, forgotten after a TTL of inactivity.

The stores live in ``eti.state`` (memory, sqlite, redis); this module keeps the names the answer
pipeline uses. ``ConversationStore(ttl_s=...)`` is the in-memory store (a test's own store).
"""

from __future__ import annotations

from eti.state import Conversation, Turn, build_state
from eti.state.memory import MemoryConversations as ConversationStore

__all__ = ["Conversation", "ConversationStore", "Turn", "build_conversation_store"]


def build_conversation_store(settings):
    """The conversation store ``settings`` configure (sqlite under the data dir by default, redis when
    ``ETI_REDIS_URL`` is set); a process that already built its ``eti.state.State`` hands that one in."""
    return build_state(settings).conversations

"""Shared state between requests and workers: conversations, rate limits, feedback, idempotency keys.

Backends are registered by name (``memory``, ``sqlite`` - the default -, ``redis``) and chosen by
settings; ``build_state(settings)`` builds one backend's four stores once per process.
"""

from eti.state import memory, redis, sqlite  # noqa: F401  (registers the backends)
from eti.state.ids import holds_personal_data, is_valid, new_id
from eti.state.registry import backend_name, backend_names, build_state, register_backend
from eti.state.stores import (
    Claim,
    Conversation,
    ConversationStore,
    DailyCount,
    FeedbackStore,
    IdempotencyKeys,
    RateLimits,
    State,
    Turn,
)

__all__ = ["Claim", "Conversation", "ConversationStore", "DailyCount", "FeedbackStore", "IdempotencyKeys",
           "RateLimits", "State", "Turn", "backend_name", "backend_names", "build_state", "holds_personal_data",
           "is_valid", "new_id", "register_backend"]

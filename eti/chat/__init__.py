"""Chat models registered by name, shared by the LLM answer mode and the eval judge."""

from eti.chat import openai_compatible  # noqa: F401  (registration)
from eti.chat.base import (
    ChatEndpoint,
    ChatModel,
    answer_endpoint,
    build_chat_model,
    chat_model_names,
    judge_endpoint,
    register_chat_model,
)

__all__ = ["ChatEndpoint", "ChatModel", "answer_endpoint", "build_chat_model", "chat_model_names", "judge_endpoint",
           "register_chat_model"]

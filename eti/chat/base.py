"""The chat-model contract and a registry of named constructors (like eti.embed).

A ``ChatEndpoint`` says where a model is (answering uses ``ETI_LLM_*``, the judge ``ETI_JUDGE_*``
with the answering settings as fallback); ``build_chat_model`` makes the registered backend for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from eti.settings import Settings


@runtime_checkable
class ChatModel(Protocol):
    """LangChain's chat-model interface, as far as ETI uses it: messages in, a message out."""

    def invoke(self, messages: list[Any]) -> Any: ...


@dataclass(frozen=True)
class ChatEndpoint:
    backend: str
    base_url: str
    model: str
    api_key: str | None
    timeout_s: float
    temperature: float = 0.1

    @property
    def label(self) -> str:
        return f"{self.model} at {self.base_url}"


_CONSTRUCTORS: dict[str, Callable[[ChatEndpoint], ChatModel]] = {}


def register_chat_model(name: str) -> Callable[[Callable[[ChatEndpoint], ChatModel]], Callable[[ChatEndpoint], ChatModel]]:
    def deco(fn: Callable[[ChatEndpoint], ChatModel]) -> Callable[[ChatEndpoint], ChatModel]:
        _CONSTRUCTORS[name] = fn
        return fn

    return deco


def build_chat_model(endpoint: ChatEndpoint | None) -> ChatModel | None:
    """The registered backend for ``endpoint``, or None when no endpoint is configured."""
    if endpoint is None:
        return None
    try:
        ctor = _CONSTRUCTORS[endpoint.backend]
    except KeyError:
        raise ValueError(f"unknown chat model backend {endpoint.backend!r}; "
                         f"registered: {', '.join(sorted(_CONSTRUCTORS))}") from None
    return ctor(endpoint)


def answer_endpoint(settings: Settings) -> ChatEndpoint | None:
    """The answering LLM (``ETI_LLM_*``), or None when none is configured."""
    if not (settings.llm_base_url and settings.llm_model):
        return None
    return ChatEndpoint(settings.llm_backend, settings.llm_base_url, settings.llm_model, settings.llm_api_key,
                        settings.llm_timeout_s, temperature=0.1)


def judge_endpoint(settings: Settings) -> ChatEndpoint | None:
    """The eval judge (``ETI_JUDGE_*``, falling back to ``ETI_LLM_*``), or None."""
    base = settings.judge_base_url or settings.llm_base_url
    model = settings.judge_model or settings.llm_model
    if not (base and model):
        return None
    return ChatEndpoint(settings.llm_backend, base, model, settings.judge_api_key or settings.llm_api_key,
                        settings.llm_timeout_s, temperature=0.0)


def chat_model_names() -> set[str]:
    return set(_CONSTRUCTORS)

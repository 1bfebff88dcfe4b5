"""Any OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp, Azure OpenAI) through langchain-openai."""

from __future__ import annotations

from eti.chat.base import ChatEndpoint, ChatModel, register_chat_model


@register_chat_model("openai")
def _build(endpoint: ChatEndpoint) -> ChatModel:
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(base_url=endpoint.base_url, model=endpoint.model, api_key=endpoint.api_key or "not-needed",
                      timeout=endpoint.timeout_s, max_retries=0, temperature=endpoint.temperature)

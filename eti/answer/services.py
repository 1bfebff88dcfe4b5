"""What the answer stages need, built once (CLI command or FastAPI lifespan) and passed in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from eti.answer.compose import Composer
from eti.answer.conversations import ConversationStore
from eti.answer.guardrails.patterns import GuardrailPatterns
from eti.answer.templates import Templates
from eti.retrieve import RetrievalConfig, Retriever


@dataclass
class Services:
    retriever: Retriever
    composer: Composer
    templates: Templates
    patterns: GuardrailPatterns
    conversations: ConversationStore
    config: RetrievalConfig
    prompts_dir: Path
    chat_model: object | None = None  # a LangChain chat model when an LLM endpoint is configured

    @classmethod
    def build(cls, retriever: Retriever, prompts_dir: Path, chat_model=None,
              conversation_ttl_s: float = 3600) -> Services:
        templates = Templates.load(prompts_dir)
        patterns = GuardrailPatterns.load()
        composer = Composer(retriever.reader.lexical.analyzer, templates, patterns.injection)
        return cls(retriever, composer, templates, patterns, ConversationStore(conversation_ttl_s),
                   retriever.config, prompts_dir, chat_model)

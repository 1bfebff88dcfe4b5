"""What the answer stages need, built once at the edge and passed in.

Two parts with different lifetimes:

* ``Shared``: process-wide (settings, embedder, chat model, templates, guards, conversations),
  built once per process by the CLI command, the FastAPI lifespan, the eval or calibration.
* ``Services``: one index version (retriever, composer) on top of the shared part; a newly
  published index gets a new ``Services`` with the same ``Shared`` (``with_index``).

``Services.from_settings`` is the one constructor every entry point uses.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from eti.answer.compose import Composer
from eti.answer.conversations import ConversationStore, build_conversation_store
from eti.answer.guardrails.patterns import GuardrailPatterns
from eti.answer.templates import Templates
from eti.chat import ChatModel, answer_endpoint, build_chat_model
from eti.embed import Embedder, build_embedder
from eti.index.reader import IndexReader
from eti.retrieve import RetrievalConfig, Retriever
from eti.settings import Settings


@dataclass
class Shared:
    """Process-wide parts: the same for every index version the process serves."""

    settings: Settings
    embedder: Embedder
    templates: Templates
    patterns: GuardrailPatterns
    conversations: ConversationStore
    chat_model: ChatModel | None = None

    @classmethod
    def from_settings(cls, settings: Settings, *, embedder: Embedder | None = None,
                      chat_model: ChatModel | None = None, conversations: ConversationStore | None = None) -> Shared:
        """Build what ``settings`` configures; hand in objects that were already built (tests, the API)."""
        return cls(settings=settings,
                   embedder=embedder if embedder is not None else build_embedder(settings),
                   templates=Templates.load(settings.prompts_dir),
                   patterns=GuardrailPatterns.load(),
                   conversations=conversations if conversations is not None else build_conversation_store(settings),
                   chat_model=chat_model if chat_model is not None else build_chat_model(answer_endpoint(settings)))


@dataclass
class Services:
    """One index version's parts, on top of the process-wide ones."""

    shared: Shared
    retriever: Retriever
    composer: Composer

    @classmethod
    def from_settings(cls, settings: Settings, *, shared: Shared | None = None, reader: IndexReader | None = None,
                      embedder: Embedder | None = None, chat_model: ChatModel | None = None) -> Services:
        """The serving index (or ``reader``) with the shared parts (built from ``settings`` when not given).

        Raises ``eti.index.reader.NoIndex`` when nothing is published yet."""
        shared = shared or Shared.from_settings(settings, embedder=embedder, chat_model=chat_model)
        return cls.for_index(shared, reader if reader is not None else IndexReader.open(settings.index_dir))

    @classmethod
    def for_index(cls, shared: Shared, reader: IndexReader) -> Services:
        retriever = Retriever(reader, shared.embedder)
        composer = Composer(reader.lexical.analyzer, shared.templates, shared.patterns.injection)
        return cls(shared, retriever, composer)

    def with_index(self, reader: IndexReader) -> Services:
        """The same process-wide parts (conversations included) over another index version."""
        return Services.for_index(self.shared, reader)

    def with_shared(self, **changes) -> Services:
        """A copy whose process-wide parts differ (a test's own chat model or conversation store)."""
        return dataclasses.replace(self, shared=dataclasses.replace(self.shared, **changes))

    # the shared parts, as the stages read them
    @property
    def settings(self) -> Settings:
        return self.shared.settings

    @property
    def templates(self) -> Templates:
        return self.shared.templates

    @property
    def patterns(self) -> GuardrailPatterns:
        return self.shared.patterns

    @property
    def conversations(self) -> ConversationStore:
        return self.shared.conversations

    @property
    def chat_model(self) -> ChatModel | None:
        return self.shared.chat_model

    @property
    def config(self) -> RetrievalConfig:
        return self.retriever.config

    @property
    def prompts_dir(self) -> Path:
        return self.shared.settings.prompts_dir

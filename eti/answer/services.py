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
from eti.answer.domain import DomainModel
from eti.answer.glossary import Glossary
from eti.answer.guardrails.guards import Guards, build_guards, load_guard_spec
from eti.answer.language import LanguageIdentifier
from eti.answer.passages import DocumentLoader
from eti.answer.templates import Templates
from eti.answer.topics import TopicRecogniser
from eti.answer.translate import Translator, build_translator
from eti.answer.verdicts import VerdictRules
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
    guards: Guards
    languages: LanguageIdentifier
    topics: TopicRecogniser
    conversations: ConversationStore
    chat_model: ChatModel | None = None
    translator: Translator | None = None  # bokmål -> nynorsk; None: nynorsk questions get bokmål
    verdicts: VerdictRules = dataclasses.field(default_factory=VerdictRules.load)
    domain: DomainModel | None = None  # is a question about what the sources cover (answer/domain.py)
    glossary: Glossary = dataclasses.field(default_factory=Glossary.load)  # other languages -> the sources' words

    @classmethod
    def from_settings(cls, settings: Settings, *, embedder: Embedder | None = None,
                      chat_model: ChatModel | None = None, conversations: ConversationStore | None = None) -> Shared:
        """Build what ``settings`` configures; hand in objects that were already built (tests, the API)."""
        embedder = embedder if embedder is not None else build_embedder(settings)
        guards = build_guards(load_guard_spec(), embedder, settings.embed_cache_path)
        return cls(settings=settings, embedder=embedder,
                   templates=Templates.load(settings.prompts_dir),
                   guards=guards,
                   domain=DomainModel.for_bank(guards.bank, embedder.name) if guards.bank is not None else None,
                   languages=LanguageIdentifier(),
                   topics=TopicRecogniser.load(),
                   conversations=conversations if conversations is not None else build_conversation_store(settings),
                   chat_model=chat_model if chat_model is not None else build_chat_model(answer_endpoint(settings)),
                   translator=build_translator(settings.translator, settings.translation_memory_path))


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
        composer = Composer(DocumentLoader(reader), reader.lexical.analyzer, shared.templates,
                            shared.guards.instructions, shared.topics, shared.glossary)
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

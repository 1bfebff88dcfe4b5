"""The typed context one question travels through, stage by stage."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from eti.answer.topics import Topic
from eti.core import Chunk, Status
from eti.retrieve import Filters, Hit


@dataclass
class LegalBasis:
    law: str
    paragraph: str
    url: str | None = None


@dataclass
class Citation:
    n: int
    url: str
    title: str
    sector: str
    source_id: str
    section: str
    snippet: str
    last_modified: str | None
    fetched_at: str | None
    doc_id: str = ""
    chunk_id: str = ""
    kind: str = "page"  # page | card (ETI's own summary, shown as such) | law
    reviewed: str | None = None  # card: when ETI last reviewed it
    legal_basis: list[LegalBasis] = field(default_factory=list)
    attribution: str | None = None
    outdated: bool = False
    language: str = "nb"  # the cited text's language (not part of the API's citation)

    @classmethod
    def from_chunk(cls, n: int, chunk: Chunk, snippet: str, *, outdated: bool = False) -> Citation:
        """The one way a cited chunk becomes a citation (both answer modes)."""
        card = chunk.doc_id.startswith("kort:")
        kind = "card" if card else ("law" if chunk.sector == "legal" else "page")
        return cls(n=n, url=chunk.url, title=chunk.title, sector=chunk.sector, source_id=chunk.source_id,
                   section=chunk.section, snippet=snippet, last_modified=chunk.updated, fetched_at=chunk.fetched_at,
                   doc_id=chunk.doc_id, chunk_id=chunk.id, kind=kind, reviewed=chunk.updated if card else None,
                   attribution=getattr(chunk, "attribution", None), outdated=outdated, language=chunk.language)


@dataclass
class AskContext:
    question: str  # as received; never logged or stored (see `redacted`)
    filters: Filters = field(default_factory=Filters)
    requested_language: str | None = None
    conversation_id: str | None = None
    mode: str = "default"  # default | llm
    retriever_mode: str = "hybrid"  # hybrid | dense | bm25 (ablations)

    redacted: str = ""  # the question without invisible characters and personal data: what may be stored
    pii_found: list[str] = field(default_factory=list)
    language: str = "nb"
    query: str = ""  # the one text the later stages search and compose for (see the pipeline's stages)
    vector: np.ndarray | None = None  # the question's embedding, made once (guards and retrieval)
    vector_text: str = ""  # the text `vector` embeds
    topic: Topic | None = None  # schemes and facet the question is about
    previous_topic: list[str] = field(default_factory=list)  # scheme ids a follow-up inherited
    guard: str = ""  # the guard that stopped the run, if any
    emergency_level: str = "none"  # none | urgent | emergency
    urgent_from_words: bool = False  # the urgent line came from symptom words, not only similarity
    injection_flagged: bool = False
    hits: list[Hit] = field(default_factory=list)
    confidence: float = 0.0
    domain: float | None = None  # the domain check's probability that the sources cover the question
    status: Status | None = None  # set by the stage that decides; None while running
    reason: str = ""  # why a stage stopped the run (e.g. "low_confidence", "off_topic")
    notices: list[str] = field(default_factory=list)  # one-line notices shown above the answer
    answer: str = ""
    citations: list[Citation] = field(default_factory=list)
    machine_translated: bool = False
    llm_fallback: str | None = None  # why the LLM answer was not used, when it was not
    timings_ms: dict[str, float] = field(default_factory=dict)

    def stop(self, status: Status, reason: str = "") -> None:
        self.status, self.reason = status, reason

    @property
    def stopped(self) -> bool:
        return self.status is not None

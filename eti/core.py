"""Core types shared by every layer: documents, chunks, sectors, answer statuses, time and hashes.

This module is the bottom layer: it imports nothing from ``eti`` or ``ingest``, and both import
their shared types from here (see the import-linter contract in pyproject.toml).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


class Sector(StrEnum):
    health = "health"
    welfare = "welfare"
    education = "education"
    municipal = "municipal"
    legal = "legal"


class Status(StrEnum):
    """How a question ended; it travels to the API, the metrics and the eval results."""

    answered = "answered"
    no_answer = "no_answer"
    refused = "refused"
    emergency = "emergency"


def utcnow() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def content_hash(data: bytes | str) -> str:
    """The hash used for change detection everywhere (pages, archives, chunks)."""
    return hashlib.sha1(data.encode() if isinstance(data, str) else data).hexdigest()


@dataclass
class RawDocument:
    """What a fetch (or a bulk reader) produced: bytes plus where and when they came from."""

    url: str
    content: bytes
    content_type: str = "text/html"
    fetched_at: str = field(default_factory=utcnow)
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None  # the HTTP header, verbatim

    @property
    def is_pdf(self) -> bool:
        return "pdf" in self.content_type.lower() or self.url.lower().endswith(".pdf")


@dataclass
class Section:
    """A run of text under one heading path, e.g. ["Pleiepenger", "Hvem kan få"]."""

    heading_path: list[str]
    text: str


@dataclass
class Document:
    """Clean text with structure, as an adapter extracted it from one page or card."""

    url: str
    title: str
    sections: list[Section]
    language: str | None = None
    updated: str | None = None  # "sist oppdatert" (ISO date) where the page shows one
    breadcrumbs: list[str] = field(default_factory=list)
    canonical_url: str | None = None
    fetched_at: str | None = None
    meta: dict[str, str] = field(default_factory=dict)  # adapter-specific (law id, § number, card id)
    doc_id: str = ""  # unique key; defaults to the URL (cards and law sections set their own)

    def __post_init__(self) -> None:
        self.doc_id = self.doc_id or self.url

    @property
    def text(self) -> str:
        return "\n\n".join(s.text for s in self.sections if s.text)


@dataclass
class Chunk:
    """The unit that is embedded, indexed and cited."""

    id: str
    source_id: str
    sector: str
    doc_id: str
    url: str
    title: str
    section: str  # heading path joined with " > "
    text: str
    position: int
    language: str = "nb"
    municipality: str | None = None
    updated: str | None = None
    fetched_at: str | None = None
    hash: str = ""
    attribution: str | None = None  # the source's required credit (e.g. NLOD for Lovdata), shown with citations

    def embed_text(self) -> str:
        """What the embedder sees: title and section give the passage its context."""
        head = self.title if not self.section or self.section == self.title else f"{self.title} - {self.section}"
        return f"{head}\n{self.text}"

    def metadata(self) -> dict[str, str | int]:
        """Flat metadata for Chroma (no None values allowed there)."""
        meta: dict[str, str | int] = {
            "source_id": self.source_id,
            "sector": self.sector,
            "doc_id": self.doc_id,
            "url": self.url,
            "title": self.title,
            "section": self.section,
            "position": self.position,
            "language": self.language,
            "municipality": self.municipality or "",
            "updated": self.updated or "",
            "fetched_at": self.fetched_at or "",
            "hash": self.hash,
            "attribution": self.attribution or "",
        }
        return meta

    @classmethod
    def from_metadata(cls, id: str, text: str, meta: dict) -> Chunk:
        return cls(
            id=id,
            text=text,
            source_id=str(meta.get("source_id", "")),
            sector=str(meta.get("sector", "")),
            doc_id=str(meta.get("doc_id", "")),
            url=str(meta.get("url", "")),
            title=str(meta.get("title", "")),
            section=str(meta.get("section", "")),
            position=int(meta.get("position", 0)),
            language=str(meta.get("language", "nb")),
            municipality=meta.get("municipality") or None,
            updated=meta.get("updated") or None,
            fetched_at=meta.get("fetched_at") or None,
            hash=str(meta.get("hash", "")),
            attribution=meta.get("attribution") or None,
        )

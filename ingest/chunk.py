"""Heading-aware chunking: sections in, chunks of about 150-350 tokens with a small overlap out.

Small neighbouring sections under the same heading are merged; long sections are split on
paragraph, then sentence boundaries (LangChain's recursive splitter) with overlap.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from langchain_text_splitters import RecursiveCharacterTextSplitter

from eti.core import Chunk, Document, Section, content_hash

_WORD = re.compile(r"\w+")
_PUNCT = re.compile(r"[^\w\s]")


def approx_tokens(text: str) -> int:
    """Approximate multilingual-e5 (XLM-R) tokens: Norwegian words average about 1.35 pieces."""
    return int(len(_WORD.findall(text)) * 1.35 + len(_PUNCT.findall(text)))


@dataclass(frozen=True)
class ChunkParams:
    min_tokens: int = 150
    max_tokens: int = 350
    overlap_tokens: int = 40


def _splitter(p: ChunkParams) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter(
        chunk_size=int(p.max_tokens * 0.92),  # its length sums pieces; ours is not additive
        chunk_overlap=p.overlap_tokens,
        length_function=approx_tokens,
        separators=["\n\n", "\n", ". ", "; ", ", ", " "],
        keep_separator="end",
    )


def _path(section: Section) -> str:
    return " > ".join(section.heading_path)


def _merge_small(sections: list[Section], p: ChunkParams) -> list[Section]:
    """Merge a short section into the previous one when they share a parent heading and fit."""
    out: list[Section] = []
    for s in sections:
        if out:
            prev = out[-1]
            same_parent = prev.heading_path[:-1] == s.heading_path[:-1] or prev.heading_path == s.heading_path[:-1]
            if same_parent and approx_tokens(prev.text) < p.min_tokens and (
                approx_tokens(prev.text) + approx_tokens(s.text) <= p.max_tokens
            ):
                label = s.heading_path[-1] if s.heading_path != prev.heading_path else ""
                joined = f"{prev.text}\n{label}\n{s.text}" if label else f"{prev.text}\n{s.text}"
                out[-1] = Section(prev.heading_path, joined)
                continue
        out.append(s)
    return out


def chunk_id(source_id: str, doc_id: str, position: int) -> str:
    return hashlib.sha1(f"{source_id}\x1f{doc_id}\x1f{position}".encode()).hexdigest()[:20]


def chunk_hash(c: Chunk) -> str:
    """Change detection for publishing: what is embedded plus every tag the index filters or shows."""
    parts = [c.embed_text(), c.url, c.sector, c.language, c.municipality or "", c.updated or ""]
    if c.attribution:  # appended only when set, so chunks without one keep the hashes they had
        parts.append(c.attribution)
    return content_hash("\x1f".join(parts))


def chunk_document(doc: Document, source_id: str, sector: str, municipality: str | None,
                   params: ChunkParams = ChunkParams(), attribution: str | None = None) -> list[Chunk]:  # noqa: B008
    """Cut one document into chunks that carry their section path, the source's tags and attribution."""
    splitter = _splitter(params)
    chunks: list[Chunk] = []
    for section in _merge_small(doc.sections, params):
        pieces = [section.text] if approx_tokens(section.text) <= params.max_tokens else splitter.split_text(section.text)
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            pos = len(chunks)
            c = Chunk(
                id=chunk_id(source_id, doc.doc_id, pos),
                source_id=source_id,
                sector=doc.meta.get("sector") or sector,
                doc_id=doc.doc_id,
                url=doc.url,
                title=doc.title,
                section=_path(section),
                text=piece,
                position=pos,
                language=doc.language or "nb",
                municipality=doc.meta.get("municipality") or municipality,
                updated=doc.updated,
                fetched_at=doc.fetched_at,
                attribution=attribution,
            )
            c.hash = chunk_hash(c)
            chunks.append(c)
    return chunks

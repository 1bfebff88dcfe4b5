"""A cited document as the composer reads it: its passages in the source's order.

A hit is one chunk; the answer is built from whole sections of the best document, so the
document's other chunks are fetched by their ids (chunk ids derive from source, document and
position) and cut into passages: one per heading, each a list of blocks (a paragraph, or a list
that stays a list). Small sections that the chunker merged carry their heading as a line of their
own ("Klage"); those lines become headings again here. Overlap between consecutive chunks of a
long section is removed.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from eti.core import Chunk
from eti.index.reader import IndexReader
from eti.sentences import is_list_item, split_text, strip_list_marker
from ingest.chunk import chunk_id

MAX_CHUNKS_PER_DOCUMENT = 40
_LABEL = re.compile(r"^[A-ZÆØÅ0-9«\"][^.!:;|]{1,70}\??$")
_CROSS_REFERENCE = re.compile(r"^(se|les|sjå)( også| òg)? (eget kort|eige kort|kortet|kortene|korta)\b[^.]*\.$", re.I)


@dataclass
class Block:
    """A paragraph, or a list (``items``), in the source's words."""

    lines: list[str]
    is_list: bool

    @property
    def sentences(self) -> list[str]:
        return [s for line in self.lines for s in split_text(line)]

    def text(self) -> str:
        return "\n".join(f"- {line}" if self.is_list else line for line in self.lines)

    def __len__(self) -> int:
        return sum(len(line) + 3 for line in self.lines)


@dataclass
class Passage:
    heading: str  # the section's own heading (the document title for its introduction)
    chunk: Chunk  # cited for this passage
    blocks: list[Block] = field(default_factory=list)
    order: int = 0  # position in the document

    @property
    def text(self) -> str:
        return "\n".join(b.text() for b in self.blocks)

    @property
    def sentences(self) -> list[str]:
        return [s for b in self.blocks for s in b.sentences]

    def __len__(self) -> int:
        return sum(len(b) for b in self.blocks)


def _is_label(line: str, next_line: str | None) -> bool:
    """A merged section's heading: short, no sentence punctuation, followed by text."""
    return bool(_LABEL.match(line)) and len(line.split()) <= 9 and next_line is not None and not is_list_item(line)


def _without_overlap(previous: str, text: str, max_overlap: int = 600) -> str:
    """``text`` without its start when that repeats the end of ``previous`` (the chunker's overlap)."""
    tail = previous[-max_overlap:]
    for size in range(min(len(tail), len(text)), 20, -1):
        if text.startswith(tail[-size:]):
            return text[size:].lstrip()
    return text


def _blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for line in lines:
        if _CROSS_REFERENCE.match(line):
            continue
        listed = is_list_item(line)
        body = strip_list_marker(line) if listed else line
        body = " ".join(s for s in split_text(body) if not _CROSS_REFERENCE.match(s))
        if not body:
            continue
        if blocks and blocks[-1].is_list and listed:
            blocks[-1].lines.append(body)
        else:
            blocks.append(Block([body], listed))
    return blocks


def passages_of(chunks: list[Chunk]) -> list[Passage]:
    """The document's passages in order (``chunks`` are one document's, in position order)."""
    out: list[Passage] = []
    previous_text = ""
    previous_section = None
    for chunk in chunks:
        text = chunk.text
        if chunk.section == previous_section:
            text = _without_overlap(previous_text, text)
        previous_text, previous_section = chunk.text, chunk.section
        heading = chunk.section.rsplit(" > ", 1)[-1] if chunk.section else chunk.title
        if out and out[-1].chunk.section == chunk.section and out[-1].heading == heading:
            current = out[-1]
        else:
            current = Passage(heading, chunk, order=len(out))
            out.append(current)
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        buf: list[str] = []
        for i, line in enumerate(lines):
            if _is_label(line, lines[i + 1] if i + 1 < len(lines) else None) and (buf or current.blocks):
                current.blocks.extend(_blocks(buf))
                buf = []
                current = Passage(line.rstrip(), chunk, order=len(out))
                out.append(current)
                continue
            buf.append(line)
        current.blocks.extend(_blocks(buf))
    return [p for p in out if p.blocks]


class DocumentLoader:
    """A hit's whole document (its chunks in order), kept for the last few hundred documents asked."""

    def __init__(self, reader: IndexReader, cache_size: int = 512):
        self.reader = reader
        self._cache: OrderedDict[str, list[Chunk]] = OrderedDict()
        self._vectors: dict[str, np.ndarray] = {}  # chunk id -> unit vector, for the chunks cached
        self._lock = threading.Lock()
        self.cache_size = cache_size

    @staticmethod
    def _key(chunk: Chunk) -> str:
        return f"{chunk.source_id}\x1f{chunk.doc_id}"

    def load(self, hits: list[Chunk]) -> None:
        """The documents of these chunks that are not cached yet, fetched in one index call."""
        with self._lock:
            wanted = {self._key(c): c for c in hits if self._key(c) not in self._cache}
        if not wanted:
            return
        ids = [chunk_id(c.source_id, c.doc_id, p) for c in wanted.values() for p in range(MAX_CHUNKS_PER_DOCUMENT)]
        got = self.reader.dense.get_with_vectors(ids)
        by_doc: dict[str, list[Chunk]] = {key: [] for key in wanted}
        for i, (t, m, _) in got.items():
            c = Chunk.from_metadata(i, t, m)
            by_doc.setdefault(self._key(c), []).append(c)
        with self._lock:
            for key, chunks in by_doc.items():
                self._cache[key] = sorted(chunks, key=lambda c: c.position) or [wanted[key]]
            for cid, (_, _, vector) in got.items():
                norm = float(np.linalg.norm(vector)) or 1.0
                self._vectors[cid] = vector / norm
            while len(self._cache) > self.cache_size:
                _, dropped = self._cache.popitem(last=False)
                for c in dropped:
                    self._vectors.pop(c.id, None)

    def first_chunk(self, source_id: str, doc_id: str) -> Chunk | None:
        """A document's first chunk by its ids (its document then loaded and cached), or None when
        the index does not hold it."""
        got = self.reader.dense.get_with_vectors([chunk_id(source_id, doc_id, 0)])
        if not got:
            return None
        (i, (t, m, _)), = got.items()
        chunk = Chunk.from_metadata(i, t, m)
        self.load([chunk])
        return chunk

    def chunks(self, chunk: Chunk) -> list[Chunk]:
        key = self._key(chunk)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        self.load([chunk])
        with self._lock:
            return self._cache.get(key) or [chunk]

    def similarity(self, vector: np.ndarray | None, chunk: Chunk) -> float | None:
        """Cosine of the question's vector and a loaded chunk's (None when either is unknown)."""
        v = self._vectors.get(chunk.id)
        if vector is None or v is None:
            return None
        norm = float(np.linalg.norm(vector)) or 1.0
        return float(v @ vector) / norm

    def passages(self, chunk: Chunk) -> list[Passage]:
        return passages_of(self.chunks(chunk))

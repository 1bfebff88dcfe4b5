"""Near-duplicates stored once: text that another page already holds is not indexed again.

A page is compared paragraph by paragraph (a line of extracted text) with what other crawled
pages hold. When at least ``min_shared`` of its text is held elsewhere (the same page under 50
query strings, a national text that many kommuner publish with a paragraph of their own), it
keeps only its own paragraphs; otherwise it keeps everything (two pages sharing a sentence or
a list item are not near-duplicates). Sections with nothing of their own left disappear.

The catalog records, per page, which paragraphs it holds and which it left out; when a holder
changes or goes, the pages that relied on it are stored again in full (``Ingestor._heal``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from eti.core import Document, Section, content_hash

_SPACE = re.compile(r"\s+")
_MARKER = re.compile(r"^\s*[-*•–]\s+")


def paragraph_key(line: str) -> str:
    """Paragraphs compare case- and whitespace-insensitively, without list markers."""
    return content_hash(_SPACE.sub(" ", _MARKER.sub("", line)).strip().casefold())


@dataclass
class Deduped:
    docs: list[Document]
    paragraphs: dict[str, bool]  # hash -> held by this page (False: left out, another page holds it)
    dropped: int = 0  # paragraphs left out

    @property
    def empty(self) -> bool:
        return not any(d.sections for d in self.docs)


def dedupe(docs: list[Document], held_elsewhere: set[str], min_shared: float = 0.5) -> Deduped:
    """Leave out the paragraphs ``held_elsewhere`` when they are most of the page's text."""
    lines = [(paragraph_key(line), len(line)) for d in docs for s in d.sections for line in s.text.splitlines()
             if line.strip()]
    total = sum(n for _, n in lines)
    shared = sum(n for h, n in lines if h in held_elsewhere)
    if not total or shared < min_shared * total:
        return Deduped(docs, {h: True for h, _ in lines})
    paragraphs: dict[str, bool] = {}
    out: list[Document] = []
    dropped = 0
    for doc in docs:
        sections = []
        for s in doc.sections:
            kept = []
            for line in s.text.splitlines():
                if not line.strip():
                    continue
                h = paragraph_key(line)
                if h in held_elsewhere:
                    paragraphs.setdefault(h, False)
                    dropped += 1
                else:
                    paragraphs[h] = True
                    kept.append(line)
            if kept:
                sections.append(Section(s.heading_path, "\n".join(kept)))
        out.append(replace(doc, sections=sections))
    return Deduped(out, paragraphs, dropped)


def keys(docs: list[Document]) -> list[str]:
    """Every paragraph hash of these documents, once, in order."""
    return list(dict.fromkeys(paragraph_key(line) for d in docs for s in d.sections
                              for line in s.text.splitlines() if line.strip()))

"""Scrub stage: crawled text is data. Between extract and chunk, for every document of every source.

In each title, heading and section text: invisible characters (tag characters, zero-width,
bidi controls) are removed, markdown links ``[text](url)`` become their text, and sentences that
address an assistant ("Ignorer alle tidligere instruksjoner ...") are dropped, so they are never
indexed, quoted or shown as a snippet. Extraction itself stays verbatim; this stage decides what
reaches the chunks.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from eti.core import Document, Section
from eti.sanitize import InstructionFilter, strip_invisible

log = logging.getLogger(__name__)

# [text](url), [text](url "title"), ![alt](url): the text stays, the link target goes
_MARKDOWN_LINK = re.compile(r"!?\[([^\]\n]{0,500})\]\(\s*<?[^()\s<>]*(?:\([^()\s]*\)[^()\s<>]*)*>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)")
_SPACES = re.compile(r"[ \t]{2,}")


def unlink_markdown(text: str) -> str:
    """``"Søk [her](https://x.example/login)."`` -> ``"Søk her."``"""
    return _MARKDOWN_LINK.sub(lambda m: m[1].strip(), text)


def scrub_text(text: str, instructions: InstructionFilter) -> str:
    text = unlink_markdown(strip_invisible(text))
    text = instructions.clean(text)
    return "\n".join(_SPACES.sub(" ", line).rstrip() for line in text.splitlines()).strip()


def scrub_document(doc: Document, instructions: InstructionFilter) -> Document | None:
    """The document with its text scrubbed; None when nothing readable is left."""
    title = scrub_text(doc.title, instructions) or doc.url
    sections: list[Section] = []
    dropped = 0
    for s in doc.sections:
        text = scrub_text(s.text, instructions)
        if not text:
            dropped += 1
            continue
        path = [h for h in (scrub_text(h, instructions) for h in s.heading_path) if h] or [title]
        sections.append(Section(path, text))
    before, after = len(doc.text), sum(len(s.text) for s in sections)
    if after < before * 0.98 or dropped:
        log.info("%s: scrubbed %d of %d characters (instructions, invisible characters, link targets)",
                 doc.url, before - after, before)
    if not sections:
        return None
    return replace(doc, title=title, sections=sections)


def scrub(docs: list[Document], instructions: InstructionFilter) -> list[Document]:
    """Every document scrubbed; documents with nothing left are dropped (and logged)."""
    out = []
    for doc in docs:
        if (clean := scrub_document(doc, instructions)) is None:
            log.warning("%s: nothing left after scrubbing; not indexed", doc.url)
            continue
        out.append(clean)
    return out

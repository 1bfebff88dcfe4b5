"""PDF extraction with pypdf: one section per page, headed by the document title."""

from __future__ import annotations

import io
import logging

from eti.core import Document, RawDocument, Section
from ingest.adapters.base import ExtractionError

log = logging.getLogger(__name__)


def extract_pdf(raw: RawDocument, default_language: str) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw.content))
        title = (reader.metadata.title if reader.metadata else None) or ""
        pages = [(p.extract_text() or "").strip() for p in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise ExtractionError(f"{raw.url}: unreadable PDF: {exc}") from exc
    if not title:
        first = next((p for p in pages if p), "")
        title = first.splitlines()[0].strip()[:120] if first else raw.url.rsplit("/", 1)[-1]
    sections = [
        Section([title, f"Side {i}"], " ".join(text.split()))
        for i, text in enumerate(pages, start=1)
        if text
    ]
    if not sections:
        raise ExtractionError(f"{raw.url}: PDF has no extractable text (scanned?)")
    return Document(url=raw.url, title=title, sections=sections, language=default_language,
                    fetched_at=raw.fetched_at)

"""Extract stage: raw response -> documents, by the source's adapter (PDFs by pypdf)."""

from __future__ import annotations

from eti.core import Document, RawDocument
from ingest.adapters import get_adapter
from ingest.adapters.base import Adapter, ExtractionError
from ingest.pdf import extract_pdf
from ingest.sources import Source

HTML_TYPES = ("text/html", "application/xhtml", "text/markdown", "text/plain")


def extract(raw: RawDocument, source: Source, adapter: Adapter | None = None) -> list[Document]:
    if raw.is_pdf:
        return [extract_pdf(raw, source.language)]
    ctype = raw.content_type.split(";")[0].strip().lower()
    if ctype and not ctype.startswith(HTML_TYPES) and source.adapter not in ("lovdata",):
        raise ExtractionError(f"{raw.url}: unsupported content type {ctype!r}")
    return (adapter or get_adapter(source.adapter)).extract(raw, source)

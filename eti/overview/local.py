"""The kommune's own pages about a scheme, found in the index (chunks tagged with that kommunenummer).

Retrieval ranks the kommune's pages for the scheme; a page counts only when it names the scheme (one
of the rule's ``local_terms``), and pages whose title names it come first.
"""

from __future__ import annotations

import re

from eti.overview.report import LocalPage
from eti.retrieve import Filters, Retriever

# kommune sites are municipal sources; searching only them keeps national pages from crowding them out
_SECTORS = ["municipal"]


def _pattern(terms: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.I)


def local_pages(retriever: Retriever, municipality: str, terms: list[str], limit: int = 3) -> list[LocalPage]:
    """The kommune's pages that name the scheme, most relevant first (title matches before text mentions)."""
    names = _pattern(terms)
    result = retriever.search(" ".join(terms), Filters(sectors=_SECTORS, municipality=municipality), k=10)
    titled: dict[str, LocalPage] = {}
    mentioned: dict[str, LocalPage] = {}
    for hit in result.hits:
        chunk = hit.chunk
        if chunk.municipality != municipality or chunk.doc_id.startswith("kort:"):
            continue
        page = LocalPage(title=chunk.title, url=chunk.url)
        if names.search(chunk.title):
            titled.setdefault(chunk.url, page)
        elif names.search(chunk.text) or names.search(chunk.section):
            mentioned.setdefault(chunk.url, page)
    ordered = list(titled.values()) + [p for url, p in mentioned.items() if url not in titled]
    return ordered[:limit]

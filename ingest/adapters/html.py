"""Shared HTML extraction: a page layout (CSS selectors) in, a Document with heading paths out.

Site adapters are thin: each declares where the content is and what is noise on its site
family; the walk over headings and blocks is the same for all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from bs4 import BeautifulSoup, NavigableString, Tag

from eti.core import Document, RawDocument, Section
from ingest.adapters.base import ExtractionError, register
from ingest.adapters.charset import decode_html
from ingest.dates import find_updated, parse_iso_datetime
from ingest.hidden import remove_hidden

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
BLOCKS = {"p", "li", "dd", "dt", "blockquote", "pre", "figcaption", "address", "summary", "caption"}
TABLE = "table"

# Noise on every site: menus, banners, footers, scripts and interactive bits (hidden text is
# removed before this, by ingest.hidden, for every adapter).
COMMON_DROP = [
    "script", "style", "noscript", "template", "iframe", "svg", "form", "button", "input", "select",
    "nav", "aside",
    "[role=navigation]", "[role=banner]", "[role=contentinfo]", "[role=search]", "[role=dialog]",
    "[class*=cookie]", "[id*=cookie]", "[class*=consent]", "[id*=consent]", "[class*=Cookie]",
    ".skip-link", ".skiplink", ".share", ".print",
]  # fmt: skip

BREADCRUMBS = [
    "nav[aria-label*=rødsmule i] a, nav[aria-label*=Brødsmule] a",
    "nav[aria-label*=breadcrumb i] a",
    "[class*=breadcrumb] a", "[class*=Breadcrumb] a",
]  # fmt: skip


@dataclass
class HtmlLayout:
    """Where a site family keeps its content and what it wraps around it."""

    content: list[str] = field(default_factory=lambda: ["main", "article", "[role=main]", "#content", "body"])
    drop: list[str] = field(default_factory=list)
    title: list[str] = field(default_factory=lambda: ["h1"])
    updated: list[str] = field(default_factory=list)  # selectors whose text holds "sist oppdatert"
    default_language: str = "nb"


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r" ([.,;:!?)»])", r"\1", text).replace("( ", "(").replace("« ", "«")


def language_of(soup: BeautifulSoup, default: str) -> str:
    lang = (soup.html.get("lang") if soup.html else None) or ""
    lang = str(lang).lower()
    if lang.startswith("nn"):
        return "nn"
    if lang.startswith(("nb", "no")):
        return "nb"
    if lang.startswith("en"):
        return "en"
    return default


def _table_rows(table: Tag) -> list[str]:
    rows = []
    for tr in table.find_all("tr"):
        cells = [_clean(c.get_text(" ")) for c in tr.find_all(["th", "td"])]
        cells = [c for c in cells if c]
        if cells:
            rows.append(" | ".join(cells))
    return rows


class _Walker:
    def __init__(self, title: str):
        self.stack: list[tuple[int, str]] = []
        self.sections: list[Section] = []
        self.buf: list[str] = []
        self.title = title

    def path(self) -> list[str]:
        return [h for _, h in self.stack]

    def flush(self) -> None:
        text = "\n".join(t for t in self.buf if t and not _is_date_line(t))
        if text.strip():
            self.sections.append(Section(heading_path=self.path() or [self.title], text=text))
        self.buf = []

    def heading(self, level: int, text: str) -> None:
        self.flush()
        while self.stack and self.stack[-1][0] >= level:
            self.stack.pop()
        self.stack.append((level, text))

    def walk(self, el: Tag) -> None:
        for child in el.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString and (t := _clean(str(child))):
                    self.buf.append(t)
                continue
            if not isinstance(child, Tag):
                continue
            name = child.name
            if name in HEADINGS:
                if text := _clean(child.get_text(" ")):
                    self.heading(int(name[1]), text)
            elif name == TABLE:
                self.buf.extend(_table_rows(child))
            elif name in BLOCKS and not child.find(list(HEADINGS | BLOCKS | {TABLE})):
                if text := _clean(child.get_text(" ")):
                    self.buf.append(f"- {text}" if name == "li" else text)
            elif name == "br":
                continue
            else:
                self.walk(child)


def _select_first(root: Tag, selectors: list[str]) -> Tag | None:
    for sel in selectors:
        if found := root.select_one(sel):
            return found
    return None


def parse_html(raw: RawDocument) -> BeautifulSoup:
    """Decode (declared charset) and parse a page, with everything a reader cannot see removed."""
    soup = BeautifulSoup(decode_html(raw), "lxml")
    if soup.body is None:
        raise ExtractionError(f"{raw.url}: no <body> in page")
    remove_hidden(soup)
    return soup


def extract_html(raw: RawDocument, layout: HtmlLayout, soup: BeautifulSoup | None = None) -> Document:
    """Extract title, heading-aware sections, language, date, breadcrumbs and canonical URL.

    ``soup`` is the page as :func:`parse_html` gave it (it is changed here); parsed when not given.
    """
    soup = soup if soup is not None else parse_html(raw)

    canonical = None
    if (link := soup.find("link", rel="canonical")) and link.get("href"):
        canonical = str(link["href"]).strip()
    page_title = _clean(soup.title.get_text()) if soup.title else ""
    breadcrumbs: list[str] = []
    for sel in BREADCRUMBS:
        if found := soup.select(sel):
            breadcrumbs = [_clean(a.get_text(" ")) for a in found if _clean(a.get_text(" "))]
            break

    updated = None
    for sel in layout.updated:
        if (el := soup.select_one(sel)) is not None:
            updated = parse_iso_datetime(el.get("datetime")) or find_updated(_clean(el.get_text(" ")))
            if not updated and (t := el.find("time")) is not None:
                updated = parse_iso_datetime(t.get("datetime"))
            if updated:
                break
    if not updated and (meta := soup.find("meta", attrs={"property": "article:modified_time"})):
        updated = parse_iso_datetime(meta.get("content"))

    for sel in COMMON_DROP + layout.drop:
        for el in soup.select(sel):
            el.decompose()
    for el in soup.select("header, footer"):  # page chrome, but not an article's own header (with its h1)
        if el.find_parent(["main", "article"]) is None:
            el.decompose()
    root = _select_first(soup, layout.content) or soup.body
    if not updated:
        updated = find_updated(_clean(root.get_text(" ")))

    title_el = _select_first(root, layout.title) or _select_first(soup, layout.title)
    title = _clean(title_el.get_text(" ")) if title_el else page_title.split("|")[0].split(" - ")[0].strip()
    walker = _Walker(title or raw.url)
    walker.walk(root)
    walker.flush()
    sections = [s for s in walker.sections if not _is_date_line(s.text)]
    if not sections:
        raise ExtractionError(f"{raw.url}: no text found in page")
    return Document(
        url=raw.url,
        title=title or page_title or raw.url,
        sections=sections,
        language=language_of(soup, layout.default_language),
        updated=updated,
        breadcrumbs=breadcrumbs,
        canonical_url=canonical,
        fetched_at=raw.fetched_at,
    )


def _is_date_line(text: str) -> bool:
    return len(text) < 60 and find_updated(text) is not None


class LayoutAdapter:
    """An adapter that is nothing but a layout; site modules register one with register_layout."""

    name = "layout"
    layout = HtmlLayout()

    def extract(self, raw: RawDocument, source) -> list[Document]:
        return [extract_html(raw, replace(self.layout, default_language=source.language))]


def register_layout(name: str, layout: HtmlLayout) -> type:
    cls = type(f"{name.title()}Adapter", (LayoutAdapter,), {"layout": layout})
    return register(name)(cls)

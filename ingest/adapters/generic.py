"""generic: any HTML site, via trafilatura's main-content detection (headings kept).

trafilatura reads the page after :func:`parse_html` removed hidden text, and decoded by the
declared charset, like every other HTML adapter.
"""

from __future__ import annotations

from lxml import etree

from eti.core import Document, RawDocument, Section
from ingest.adapters.base import ExtractionError, register
from ingest.adapters.html import HtmlLayout, extract_html, parse_html
from ingest.sources import Source


@register("generic")
class GenericAdapter:
    def extract(self, raw: RawDocument, source: Source) -> list[Document]:
        import trafilatura

        soup = parse_html(raw)
        html = str(soup)
        xml = trafilatura.extract(
            html, output_format="xml", include_formatting=True, favor_recall=True, with_metadata=True,
            include_comments=False, include_tables=True, url=raw.url,
        )
        # The structural walk still gives us language, canonical, breadcrumbs and dates.
        base = extract_html(raw, HtmlLayout(default_language=source.language), soup)
        if not xml:
            return [base]
        root = etree.fromstring(xml.encode("utf-8"))
        title = root.get("title") or base.title
        sections: list[Section] = []
        stack: list[tuple[int, str]] = []
        buf: list[str] = []

        def flush() -> None:
            if buf:
                sections.append(Section([h for _, h in stack] or [title], "\n".join(buf)))
                buf.clear()

        main = root.find("main")
        for el in (main if main is not None else root).iter():
            text = " ".join("".join(el.itertext()).split())
            if el.tag == "head":
                level = int((el.get("rend") or "h2")[1:] or 2)
                flush()
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, text))
            elif el.tag in {"p", "quote", "code"} and text:
                buf.append(text)
            elif el.tag == "item" and text:
                buf.append(f"- {text}")
            elif el.tag == "row" and text:
                buf.append(" | ".join(" ".join("".join(c.itertext()).split()) for c in el))
        flush()
        if not sections:
            raise ExtractionError(f"{raw.url}: trafilatura found no main text")
        base.title, base.sections = title, sections
        return [base]

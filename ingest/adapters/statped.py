"""statped: statped.no: article body in <main>; drops the contact and related-content blocks."""

from __future__ import annotations

from ingest.adapters.html import HtmlLayout, register_layout

LAYOUT = HtmlLayout(
    content=["main article", "main"],
    drop=["[class*=related]", "[class*=contact-box]", "[class*=updated]"],
    updated=["[class*=updated]", "time"],
)

register_layout("statped", LAYOUT)

"""helsenorge: helsenorge.no: article content in <main>; drops the side menu, the help/feedback boxes."""

from __future__ import annotations

from ingest.adapters.html import HtmlLayout, register_layout

LAYOUT = HtmlLayout(
    content=["main article", "main", "#main-content"],
    drop=["[class*=feedback]", "[class*=related]", "[class*=sidebar]", "[class*=last-updated]"],
    updated=["[class*=last-updated]", "[class*=updated]", "time"],
)

register_layout("helsenorge", LAYOUT)

"""udir: udir.no: the article column; drops the left menu and the page tools."""

from __future__ import annotations

from ingest.adapters.html import HtmlLayout, register_layout

LAYOUT = HtmlLayout(
    content=["main article", "main", "#content"],
    drop=["[class*=toc]", "[class*=tools]", "[class*=related]", "[class*=dato]"],
    updated=["[class*=updated]", "[class*=dato]", "time"],
)

register_layout("udir", LAYOUT)

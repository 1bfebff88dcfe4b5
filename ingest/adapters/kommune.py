"""kommune: Municipal CMS layouts (e.g. ACOS, Sitecore, Kommune-Kari): the service description column; drops the service directory, contact cards and the self-service box."""

from __future__ import annotations

from ingest.adapters.html import HtmlLayout, register_layout

LAYOUT = HtmlLayout(
    content=["main article", "main #content", "main", "#content", "article", ".content"],
    drop=["[class*=selvbetjening]", "[class*=related]", "[class*=kontakt-boks]", "[class*=oppdatert]"],
    updated=["[class*=updated]", "[class*=oppdatert]", "[class*=dato]", "time"],
)

register_layout("kommune", LAYOUT)

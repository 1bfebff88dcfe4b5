"""nav: NAV (nav.no): content in <main>, article body; drops the page menu, chat/contact boxes and related links."""

from __future__ import annotations

from ingest.adapters.html import HtmlLayout, register_layout

LAYOUT = HtmlLayout(
    content=["main article", "main", "#maincontent"],
    drop=[
        "[class*=relatert]", "[class*=Related]", "[class*=chat]", "[class*=feedback]", "[class*=Feedback]",
        "[class*=-tag]",  # the "Pengestøtte" label above the h1
        "[class*=updated]",  # "Sist oppdatert" is read before dropping; keep it out of the text
    ],
    updated=["[class*=updated]", "[class*=Updated]", "[class*=modified]", "time"],
)

register_layout("nav", LAYOUT)

"""Link discovery for the crawl frontier (separate from content extraction)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import html as lxml_html

SKIP_EXT = (".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".css", ".js", ".zip", ".mp4", ".mp3", ".ico",
            ".docx", ".xlsx", ".pptx")
_REFRESH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*[;,]?\s*(?:url\s*=\s*)?['\"]?([^'\"]*)['\"]?\s*$", re.I)
REFRESH_IS_REDIRECT_S = 10.0  # a meta refresh sooner than this is a redirect, not a reload


def normalise(url: str) -> str:
    url, _ = urldefrag(url.strip())
    parts = urlsplit(url)
    path = parts.path or "/"
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower(), path=path).geturl()


@dataclass(frozen=True)
class PageLinks:
    """What a page points to: same-site links, its canonical URL and a meta-refresh target."""

    links: list[str] = field(default_factory=list)
    canonical: str | None = None
    refresh: str | None = None


def page_links(base_url: str, content: bytes) -> PageLinks:
    """Same-site links, canonical URL and meta-refresh target of an HTML page."""
    try:
        tree = lxml_html.fromstring(content)
    except (ValueError, lxml_html.etree.ParserError):
        return PageLinks()
    host = urlsplit(base_url).netloc.lower()
    links = []
    for href in tree.xpath("//a/@href"):
        href = str(href).strip()
        if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
            continue
        url = normalise(urljoin(base_url, href))
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") and parts.netloc == host and not parts.path.lower().endswith(SKIP_EXT):
            links.append(url)
    canonical = None
    for href in tree.xpath("//link[@rel='canonical']/@href"):
        canonical = normalise(urljoin(base_url, str(href)))
        break
    refresh = None
    for value in tree.xpath("//meta[translate(@http-equiv, 'REFSH', 'refsh')='refresh']/@content"):
        m = _REFRESH.match(str(value))
        if m and m[2].strip() and float(m[1]) < REFRESH_IS_REDIRECT_S:
            refresh = normalise(urljoin(base_url, m[2].strip()))
        break
    return PageLinks(links, canonical, refresh)

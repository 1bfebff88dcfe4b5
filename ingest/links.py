"""Link discovery for the crawl frontier (separate from content extraction)."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import html as lxml_html

SKIP_EXT = (".jpg", ".jpeg", ".png", ".gif", ".svg", ".webp", ".css", ".js", ".zip", ".mp4", ".mp3", ".ico",
            ".docx", ".xlsx", ".pptx")


def normalise(url: str) -> str:
    url, _ = urldefrag(url.strip())
    parts = urlsplit(url)
    path = parts.path or "/"
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower(), path=path).geturl()


def page_links(base_url: str, content: bytes) -> tuple[list[str], str | None]:
    """(same-site links, canonical URL) of an HTML page."""
    try:
        tree = lxml_html.fromstring(content)
    except (ValueError, lxml_html.etree.ParserError):
        return [], None
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
    return links, canonical

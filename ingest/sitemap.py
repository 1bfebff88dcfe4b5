"""Sitemap discovery: urlset and sitemapindex (two levels of nesting), plain or gzipped.

Each page comes with its ``<lastmod>`` (the crawl skips pages unchanged since their last fetch).
A gzipped sitemap inflates within the same size cap as any page; a sitemap that lists more URLs
than the limit is cut there, and that is logged once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from ingest.decompress import TooLarge, Undecodable, inflate
from ingest.fetch import Fetcher

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    lastmod: str | None = None  # as the sitemap gives it (W3C datetime, often just a date)


def parse_sitemap(data: bytes, max_bytes: int = 50_000_000) -> tuple[list[SitemapEntry], list[str]]:
    """(page entries, nested sitemap urls); a gzipped file is inflated within ``max_bytes``."""
    if data[:2] == b"\x1f\x8b":
        try:
            data = inflate(data, max_bytes)
        except (TooLarge, Undecodable) as exc:
            raise ValueError(f"gzipped sitemap: {exc}") from exc
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not a sitemap: {exc}") from exc
    if root is None:
        raise ValueError("not a sitemap: empty document")
    if etree.QName(root).localname == "sitemapindex":
        return [], [el.text.strip() for el in root.iter("{*}loc") if el.text]
    entries = []
    for url in root.iter("{*}url"):
        loc = url.find("{*}loc")
        if loc is None or not loc.text:
            continue
        mod = url.find("{*}lastmod")
        entries.append(SitemapEntry(loc.text.strip(), mod.text.strip() if mod is not None and mod.text else None))
    return entries, []


async def discover(fetcher: Fetcher, sitemap_url: str, limit: int = 50_000,
                   keep: Callable[[str], bool] | None = None) -> list[SitemapEntry]:
    """Page entries from a sitemap (and the sitemaps it lists), those ``keep`` accepts, at most ``limit``."""
    pages: list[SitemapEntry] = []
    seen: set[str] = set()
    listed = 0
    queue, depth = [sitemap_url], 0
    while queue and depth < 3:
        nested: list[str] = []
        for url in queue:
            if url in seen:
                continue
            seen.add(url)
            res = await fetcher.get(url)
            if not res.ok:
                log.warning("sitemap %s: %s", url, res.error or f"HTTP {res.status}")
                continue
            try:
                found, more = parse_sitemap(res.raw.content, fetcher.max_bytes)  # type: ignore[union-attr]
            except ValueError as exc:
                log.warning("sitemap %s: %s", url, exc)
                continue
            kept = [e for e in found if keep is None or keep(e.url)]
            listed += len(kept)
            pages.extend(kept[: max(0, limit - len(pages))])
            nested.extend(more)
        queue, depth = nested, depth + 1
    if listed > limit:
        log.warning("sitemap %s lists %d URLs to crawl; keeping the first %d", sitemap_url, listed, limit)
    return pages

"""Sitemap discovery: urlset and sitemapindex (one level of nesting), plain or gzipped."""

from __future__ import annotations

import gzip
import logging

from lxml import etree

from ingest.fetch import Fetcher

log = logging.getLogger(__name__)


def parse_sitemap(data: bytes) -> tuple[list[str], list[str]]:
    """(page urls, nested sitemap urls)."""
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not a sitemap: {exc}") from exc
    locs = [el.text.strip() for el in root.iter("{*}loc") if el.text]
    if etree.QName(root).localname == "sitemapindex":
        return [], locs
    return locs, []


async def discover(fetcher: Fetcher, sitemap_url: str, limit: int = 50_000) -> list[str]:
    pages: list[str] = []
    queue, depth = [sitemap_url], 0
    while queue and depth < 3 and len(pages) < limit:
        nested: list[str] = []
        for url in queue:
            res = await fetcher.get(url)
            if not res.ok:
                log.warning("sitemap %s: %s", url, res.error or res.status)
                continue
            try:
                found, more = parse_sitemap(res.raw.content)  # type: ignore[union-attr]
            except ValueError as exc:
                log.warning("sitemap %s: %s", url, exc)
                continue
            pages.extend(found)
            nested.extend(more)
        queue, depth = nested, depth + 1
    return pages[:limit]

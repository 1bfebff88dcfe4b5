"""Crawl: walk a site's frontier politely and hand every response to a page handler."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ingest.fetch import Fetcher, same_site
from ingest.links import normalise
from ingest.ratelimit import HostLimiter
from ingest.robots import RobotsCache
from ingest.sitemap import discover
from ingest.sources import Source

log = logging.getLogger(__name__)

# The handler fetches one allowed URL, stores what it means and returns the links to follow.
PageHandler = Callable[[str], Awaitable[list[str]]]


@dataclass
class CrawlOutcome:
    seen: set[str] = field(default_factory=set)
    skipped: dict[str, int] = field(default_factory=dict)
    capped: bool = False
    fetches: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


async def crawl(source: Source, fetcher: Fetcher, robots: RobotsCache, limiter: HostLimiter,
                handle: PageHandler, workers: int = 2) -> CrawlOutcome:
    out = CrawlOutcome()
    # the source's rate holds from the very first request (sitemap, robots.txt), not a default
    for u in [*source.start_urls, *([source.sitemap] if source.sitemap else [])]:
        limiter.set_rate(urlsplit(u).netloc, source.rate_limit)
    queue: deque[str] = deque(normalise(u) for u in source.start_urls)
    if source.sitemap:
        queue.extend(normalise(u) for u in await discover(fetcher, source.sitemap))
    roots = list(queue)
    in_flight = 0
    configured: set[str] = set()

    async def visit(url: str) -> None:
        if not any(same_site(url, r) for r in roots):
            out.skip("other site")
            return
        if not source.allows(url):
            out.skip("outside allow/deny")
            return
        rules = await robots.for_url(url)
        host = url.split("/")[2]
        if host not in configured:
            limiter.set_rate(host, source.rate_limit, rules.crawl_delay(robots.agent))
            configured.add(host)
        if not rules.allowed(url, robots.agent):
            out.skip(f"robots.txt unreachable ({rules.error})" if rules.error else "robots.txt")
            return
        if out.fetches >= source.max_pages:
            out.capped = True
            return
        out.fetches += 1
        for link in await handle(url):
            if link not in out.seen:
                queue.append(link)

    async def worker() -> None:
        nonlocal in_flight
        while True:
            if not queue:
                if in_flight == 0:
                    return
                await asyncio.sleep(0.01)
                continue
            url = queue.popleft()
            if url in out.seen:
                continue
            out.seen.add(url)
            in_flight += 1
            try:
                await visit(url)
            finally:
                in_flight -= 1

    await asyncio.gather(*(worker() for _ in range(max(1, workers))))
    return out

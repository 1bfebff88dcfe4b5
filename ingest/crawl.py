"""Crawl: walk a site's frontier politely and hand every URL in scope to a page handler.

The frontier starts from the start URLs and the sitemap (whose ``<lastmod>`` goes with each URL);
every URL is checked against the source's :class:`~ingest.scope.Scope` before it is handed on,
and the crawl stops handing out URLs at ``max_pages``.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from ingest.fetch import Fetcher
from ingest.links import normalise
from ingest.scope import Scope
from ingest.sitemap import discover
from ingest.sources import Source

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Target:
    """One URL to handle, with what the sitemap says about it."""

    url: str
    lastmod: str | None = None


# The handler fetches (or skips) one URL in scope, stores what it means and returns the links to follow.
PageHandler = Callable[[Target], Awaitable[list[str]]]


@dataclass
class CrawlOutcome:
    seen: set[str] = field(default_factory=set)
    skipped: dict[str, int] = field(default_factory=dict)
    capped: bool = False
    fetches: int = 0

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


async def crawl(source: Source, fetcher: Fetcher, scope: Scope, handle: PageHandler, workers: int = 2,
                sitemap_limit: int = 50_000) -> CrawlOutcome:
    out = CrawlOutcome()
    queue: deque[str] = deque(normalise(u) for u in source.start_urls)
    lastmods: dict[str, str | None] = {}
    if source.sitemap:
        entries = await discover(fetcher, source.sitemap, sitemap_limit, keep=source.allows)
        for e in entries:
            lastmods[normalise(e.url)] = e.lastmod
        scope.add_roots(lastmods)
        queue.extend(lastmods)
    in_flight = 0

    async def visit(url: str) -> None:
        if reason := await scope.refusal(url):
            out.skip(reason)
            return
        if out.fetches >= source.max_pages:
            if not out.capped:
                log.info("%s: max_pages (%d) reached; %d queued URLs left for the next crawl",
                         source.id, source.max_pages, len(queue) + 1)
            out.capped = True
            queue.clear()
            return
        out.fetches += 1
        for link in await handle(Target(url, lastmods.get(url))):
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

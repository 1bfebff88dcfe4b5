"""Where one source's crawl may go: the one place that reads robots.txt, allow/deny and the site.

The crawl asks before it queues a fetch, and the fetcher asks before it follows a redirect, both
through :meth:`Scope.refusal`; the host's request rate (and robots.txt crawl delay) is set here
the first time a host is seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from ingest.fetch import same_site
from ingest.ratelimit import HostLimiter
from ingest.robots import RobotsCache
from ingest.sources import Source


class Scope:
    def __init__(self, source: Source, robots: RobotsCache, limiter: HostLimiter):
        self.source = source
        self.robots = robots
        self.limiter = limiter
        self.roots: list[str] = []
        self._hosts: set[str] = set()
        self._configured: set[str] = set()
        # the source's rate holds from the very first request (sitemap, robots.txt), not a default
        self.add_roots([*source.start_urls, *([source.sitemap] if source.sitemap else [])])

    def add_roots(self, urls: Iterable[str]) -> None:
        """Sites the crawl may visit (the start URLs, the sitemap and what it lists)."""
        for url in urls:
            host = urlsplit(url).netloc.lower()
            if host not in self._hosts:
                self._hosts.add(host)
                self.roots.append(url)
                self.limiter.set_rate(urlsplit(url).netloc, self.source.rate_limit)

    async def refusal(self, url: str) -> str | None:
        """Why ``url`` may not be fetched ("other site", "outside allow/deny", "robots.txt"), or None."""
        if not any(same_site(url, r) for r in self.roots):
            return "other site"
        if not self.source.allows(url):
            return "outside allow/deny"
        rules = await self.robots.for_url(url)
        host = urlsplit(url).netloc
        if host not in self._configured:
            self.limiter.set_rate(host, self.source.rate_limit, rules.crawl_delay(self.robots.agent))
            self._configured.add(host)
        if not rules.allowed(url, self.robots.agent):
            return f"robots.txt unreachable ({rules.error})" if rules.error else "robots.txt"
        return None

    async def admits(self, url: str) -> bool:
        return await self.refusal(url) is None

"""robots.txt, honoured with protego. Missing (4xx) means allowed; unreachable (5xx) means not."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from ingest.fetch import Fetcher

log = logging.getLogger(__name__)


@dataclass
class Robots:
    parser: Protego | None
    allow_all: bool = False
    deny_all: bool = False
    error: str | None = None  # why robots.txt could not be read (the host is then not crawled)

    def allowed(self, url: str, agent: str) -> bool:
        if self.deny_all:
            return False
        if self.allow_all or self.parser is None:
            return True
        return self.parser.can_fetch(url, agent)

    def crawl_delay(self, agent: str) -> float | None:
        return self.parser.crawl_delay(agent) if self.parser else None

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser else []


class RobotsCache:
    def __init__(self, fetcher: Fetcher, agent_token: str = "ETI-bot"):
        self.fetcher = fetcher
        self.agent = agent_token
        self._cache: dict[str, Robots] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def for_url(self, url: str) -> Robots:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        # one fetch per origin, even when several workers ask at once
        async with self._locks.setdefault(origin, asyncio.Lock()):
            if origin not in self._cache:
                res = await self.fetcher.get(origin + "/robots.txt")
                if res.ok:
                    text = res.raw.content.decode("utf-8", errors="replace")  # type: ignore[union-attr]
                    robots = Robots(Protego.parse(text))
                elif 400 <= res.status < 500:
                    robots = Robots(None, allow_all=True)
                else:
                    log.warning("robots.txt for %s unreachable (%s): not crawling that host now", origin, res.error)
                    robots = Robots(None, deny_all=True, error=res.error or f"HTTP {res.status}")
                self._cache[origin] = robots
        return self._cache[origin]

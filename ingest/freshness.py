"""Freshness: which sources are due for a crawl, and which pages the sitemap says are unchanged.

``eti crawl --due`` crawls a source when it was never crawled, when its last crawl failed as a
whole, or when its last crawl finished longer ago than its ``recrawl`` interval. A page whose
sitemap ``<lastmod>`` is no newer than the one seen at its last good fetch is not requested at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ingest.catalog import Catalog, PageState
from ingest.sources import Source


@dataclass(frozen=True)
class LastCrawl:
    finished_at: str | None
    failed: bool = False  # the whole source failed (unreachable, archive missing)


def parse_instant(value: str | None) -> datetime | None:
    """A W3C datetime ("2026-02-10", "2026-02-10T10:00:00+01:00", "...Z") as an aware datetime."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def unchanged_by_lastmod(prev: PageState | None, lastmod: str | None) -> bool:
    """True when the page was fetched fine before and the sitemap's lastmod has not moved since."""
    if prev is None or prev.status != "ok" or prev.error or not prev.content_hash:
        return False
    new, old = parse_instant(lastmod), parse_instant(prev.lastmod)
    return new is not None and old is not None and new <= old


def is_due(source: Source, last: LastCrawl | None, now: datetime | None = None) -> bool:
    if last is None or last.failed:
        return True
    finished = parse_instant(last.finished_at)
    if finished is None:
        return True
    return finished + timedelta(seconds=source.recrawl_seconds) <= (now or datetime.now(UTC))


def due_sources(sources: list[Source], last_crawls: dict[str, LastCrawl], now: datetime | None = None) -> list[Source]:
    """The sources whose recrawl interval has passed (or that never crawled, or failed last time)."""
    return [s for s in sources if is_due(s, last_crawls.get(s.id), now)]


def due_in_catalog(sources: list[Source], catalog_path: Path, now: datetime | None = None) -> list[Source]:
    """:func:`due_sources` with the last crawls read from the catalog at ``catalog_path``."""
    if not catalog_path.exists():
        return list(sources)
    catalog = Catalog(catalog_path)
    try:
        last = {sid: LastCrawl(when, failed) for sid, (when, failed) in catalog.last_crawls().items()}
    finally:
        catalog.close()
    return due_sources(sources, last, now)

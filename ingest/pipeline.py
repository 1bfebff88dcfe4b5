"""The ingest pipeline, stage by stage: fetch (crawl or collect) -> extract -> chunk -> catalog.

Publishing the catalog to the serving index is the last stage (eti.index.publish). Bad input
(a 500, a timeout, broken HTML, a huge page) is logged, counted and skipped; it never removes
what is already indexed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from eti.core import Chunk, RawDocument, content_hash, utcnow
from eti.settings import Settings
from ingest.adapters import get_adapter
from ingest.adapters.base import Adapter, ExtractionError
from ingest.catalog import Catalog, PageState
from ingest.chunk import ChunkParams, chunk_document
from ingest.crawl import crawl
from ingest.extract import extract
from ingest.fetch import Fetcher, same_site
from ingest.links import page_links
from ingest.ratelimit import HostLimiter
from ingest.robots import RobotsCache
from ingest.snapshots import SnapshotWriter, iter_snapshots, read_snapshot
from ingest.sources import Source

log = logging.getLogger(__name__)


@dataclass
class SourceStats:
    source_id: str
    sector: str
    fetched: int = 0  # changed or new pages extracted
    unchanged: int = 0
    failed: int = 0
    skipped: int = 0
    pages_removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    error: str | None = None  # the whole source failed (e.g. unreachable)

    def fail(self, reason: str, url: str) -> None:
        self.failed += 1
        self.failures[reason] += 1
        log.warning("%s: %s: %s", self.source_id, url, reason)

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["failures"] = dict(self.failures)
        return d


Progress = Callable[[str, int], None]  # (source id, pages handled so far)


class Ingestor:
    """Runs the stages for one source at a time against one catalog."""

    def __init__(self, settings: Settings, catalog: Catalog, client: httpx.AsyncClient,
                 progress: Progress | None = None):
        self.settings = settings
        self.catalog = catalog
        self.client = client
        self.progress = progress
        self.params = ChunkParams(settings.chunk_min_tokens, settings.chunk_max_tokens, settings.chunk_overlap_tokens)
        self.limiter = HostLimiter(settings.concurrency_per_host)

    def _fetcher(self, snapshots: SnapshotWriter | None) -> Fetcher:
        s = self.settings
        return Fetcher(self.client, self.limiter, user_agent=s.user_agent, max_retries=s.max_retries,
                       backoff_base=s.backoff_base_s, max_backoff=s.max_backoff_s, max_bytes=s.max_page_bytes,
                       snapshots=snapshots)

    # -- the per-document stages ---------------------------------------------------------
    def store(self, source: Source, adapter: Adapter, raw: RawDocument, state: PageState,
              stats: SourceStats) -> bool:
        """extract -> chunk -> catalog for one raw document. False (and counted) on bad input."""
        try:
            docs = extract(raw, source, adapter)
        except ExtractionError as exc:
            stats.fail(f"extraction: {str(exc).split(': ', 1)[-1]}", raw.url)
            return False
        chunks: list[Chunk] = []
        for doc in docs:
            chunks.extend(chunk_document(doc, source.id, source.sector.value, source.municipality, self.params))
        old = {c.id: c.hash for c in self.catalog.iter_chunks_for_page(state.url)}
        new = {c.id: c.hash for c in chunks}
        stats.chunks_added += sum(1 for i, h in new.items() if old.get(i) != h)
        stats.chunks_removed += sum(1 for i in old if i not in new)
        state.title = docs[0].title if docs else None
        self.catalog.save_page(state, chunks)
        stats.fetched += 1
        return True

    def remove(self, url: str, stats: SourceStats) -> None:
        stats.chunks_removed += self.catalog.delete_page(url)
        stats.pages_removed += 1

    # -- sources -------------------------------------------------------------------------
    async def run(self, source: Source) -> SourceStats:
        stats = SourceStats(source.id, source.sector.value)
        adapter = get_adapter(source.adapter)
        try:
            if hasattr(adapter, "collect"):
                await self._collect(source, adapter, stats)
            else:
                await self._crawl(source, adapter, stats)
        except (OSError, httpx.HTTPError, ValueError) as exc:
            stats.error = f"{type(exc).__name__}: {exc}"
            log.error("source %s failed: %s (indexed data kept)", source.id, stats.error)
        self.catalog.record_crawl(source.id, stats.as_dict())
        return stats

    async def _crawl(self, source: Source, adapter: Adapter, stats: SourceStats) -> None:
        snapshots = SnapshotWriter(self.settings.raw_dir, source.id)
        fetcher = self._fetcher(snapshots)
        robots = RobotsCache(fetcher)
        handled = 0
        alive: set[str] = set()

        async def may_follow(target: str) -> bool:  # a redirect must not lead where the crawl may not go
            return source.allows(target) and (await robots.for_url(target)).allowed(target, robots.agent)

        async def handle(url: str) -> list[str]:
            nonlocal handled
            prev = self.catalog.page(url)
            res = await fetcher.get(url, etag=prev.etag if prev else None,
                                    last_modified=prev.last_modified if prev else None, may_follow=may_follow)
            handled += 1
            if self.progress:
                self.progress(source.id, handled)
            if res.not_modified and prev is not None:
                alive.add(url)
                stats.unchanged += 1
                self.catalog.touch_page(dataclasses.replace(prev, checked_at=utcnow(), error=None))
                old = read_snapshot(self.settings.raw_dir, source.id, prev.warc) if prev.warc else None
                return page_links(url, old.content)[0] if old and not old.is_pdf else []
            if res.status in (404, 410):
                if prev is not None:
                    self.remove(url, stats)
                stats.failures[f"HTTP {res.status} (gone)"] += 1
                return []
            if res.final_url and res.final_url != url and res.ok:
                if prev is not None:
                    self.remove(url, stats)
                stats.skipped += 1
                return [res.final_url]  # index it under the URL it redirects to
            if not res.ok:
                stats.fail(res.error or f"HTTP {res.status}", url)
                if prev is not None:  # keep its chunks; note the failure
                    alive.add(url)
                    self.catalog.touch_page(dataclasses.replace(prev, checked_at=utcnow(), error=res.error))
                return []
            raw = res.raw
            assert raw is not None
            links, canonical = ([], None) if raw.is_pdf else page_links(url, raw.content)
            if canonical and canonical != url and same_site(canonical, url):
                if prev is not None:
                    self.remove(url, stats)
                stats.skipped += 1
                return [canonical, *links]
            alive.add(url)
            state = PageState(url=url, source_id=source.id, status="ok", etag=raw.etag,
                              last_modified=raw.last_modified, content_hash=res.content_hash,
                              fetched_at=raw.fetched_at, warc=res.warc)
            if prev is not None and prev.content_hash == state.content_hash and prev.status == "ok":
                stats.unchanged += 1
                state.title, state.n_chunks = prev.title, prev.n_chunks
                self.catalog.touch_page(state)
                return links
            if not self.store(source, adapter, raw, state, stats) and prev is None:
                self.catalog.touch_page(dataclasses.replace(state, status="failed", error="extraction failed"))
            return links

        try:
            outcome = await crawl(source, fetcher, robots, self.limiter, handle, self.settings.concurrency_per_host)
        finally:
            snapshots.close()
        stats.skipped += sum(outcome.skipped.values())
        unreachable = [r for r in outcome.skipped if r.startswith("robots.txt unreachable")]
        if unreachable and not (stats.fetched + stats.unchanged + stats.failed):
            stats.error = f"site unreachable: {unreachable[0]}"  # reported; indexed pages are kept below
        healthy = (stats.fetched + stats.unchanged) > 0 and stats.failed <= stats.fetched + stats.unchanged
        if not outcome.capped and healthy:
            for page in self.catalog.pages(source.id):
                if page.url not in alive:
                    log.info("%s: %s is no longer on the site; removing it", source.id, page.url)
                    self.remove(page.url, stats)
        elif not healthy and (stats.failed or not stats.fetched):
            log.warning("%s: crawl unhealthy (%d failed); keeping indexed pages", source.id, stats.failed)

    async def _collect(self, source: Source, adapter, stats: SourceStats, force: bool = False) -> None:
        source = await self._local_archive(source)
        seen: set[str] = set()
        async for raw in adapter.collect(source, self.client):
            seen.add(raw.url)
            prev = self.catalog.page(raw.url)
            digest = content_hash(raw.content)
            if not force and prev is not None and prev.content_hash == digest and prev.status == "ok":
                stats.unchanged += 1
                continue
            state = PageState(url=raw.url, source_id=source.id, status="ok", content_hash=digest,
                              fetched_at=raw.fetched_at)
            self.store(source, adapter, raw, state, stats)
            if self.progress:
                self.progress(source.id, len(seen))
            await asyncio.sleep(0)
        for page in self.catalog.pages(source.id):
            if page.url not in seen:
                self.remove(page.url, stats)

    async def _local_archive(self, source: Source) -> Source:
        """Remote bulk archives are downloaded (conditional GET) and kept under the raw folder."""
        if not (source.archive or "").startswith(("http://", "https://")):
            return source
        local = self.settings.raw_dir / source.id / Path(source.archive.split("?")[0]).name
        local.parent.mkdir(parents=True, exist_ok=True)
        prev = self.catalog.page(source.archive)
        res = await self._fetcher(None).get(source.archive, etag=prev.etag if prev else None,
                                            last_modified=prev.last_modified if prev else None)
        if res.ok:
            tmp = local.with_suffix(".part")
            tmp.write_bytes(res.raw.content)  # type: ignore[union-attr]
            tmp.replace(local)
            self.catalog.touch_page(PageState(url=source.archive, source_id=f"{source.id}:archive", status="ok",
                                              etag=res.raw.etag, last_modified=res.raw.last_modified))  # type: ignore[union-attr]
        elif not (res.not_modified and local.exists()):
            if not local.exists():
                raise OSError(f"archive {source.archive} unavailable: {res.error or res.status}")
            log.warning("%s: archive unavailable (%s); using the copy from %s", source.id, res.error, local)
        return source.model_copy(update={"archive": str(local)})

    # -- rebuild from snapshots ------------------------------------------------------------
    async def rebuild(self, source: Source) -> SourceStats:
        """Re-extract a source from its raw snapshots (no network)."""
        stats = SourceStats(source.id, source.sector.value)
        adapter = get_adapter(source.adapter)
        if hasattr(adapter, "collect"):
            await self._collect(self._rebuild_archive(source), adapter, stats, force=True)
            return stats
        raws = list(iter_snapshots(self.settings.raw_dir, source.id))
        known = {p.url for p in self.catalog.pages(source.id)}
        if known:  # the catalog says which pages are current (not deleted, not a canonical duplicate, not robots.txt)
            raws = [r for r in raws if r.url in known]
        if not raws:
            stats.error = "no snapshots to rebuild from"
            return stats
        for page in self.catalog.pages(source.id):
            if page.url not in {r.url for r in raws}:
                self.remove(page.url, stats)
        for raw in raws:
            prev = self.catalog.page(raw.url)
            state = PageState(url=raw.url, source_id=source.id, status="ok", etag=raw.etag,
                              last_modified=raw.last_modified, content_hash=content_hash(raw.content),
                              fetched_at=raw.fetched_at, warc=prev.warc if prev else None)
            self.store(source, adapter, raw, state, stats)
        return stats

    def _rebuild_archive(self, source: Source) -> Source:
        if (source.archive or "").startswith(("http://", "https://")):
            local = self.settings.raw_dir / source.id / Path(source.archive.split("?")[0]).name
            return source.model_copy(update={"archive": str(local)})
        return source

"""The ingest pipeline, stage by stage:

    fetch (crawl a site, or let a collector read its folder or archive)
      -> extract (the source's adapter; hidden text never gets this far)
      -> scrub (invisible characters, instruction-like sentences, markdown link targets)
      -> dedupe (paragraphs another crawled page already holds)
      -> chunk (with the source's tags and attribution)
      -> catalog

Publishing the catalog to the serving index is the last stage (eti.index.publish). Each fetch
is classified (ingest.outcome) and applied to the catalog in one place, :meth:`Ingestor._apply`.
Bad input (a 500, a timeout, broken HTML, a huge page) is logged, counted and skipped; it never
removes what is already indexed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from eti.core import Chunk, Document, RawDocument, content_hash, utcnow
from eti.sanitize import InstructionFilter
from eti.settings import Settings
from ingest.adapters import CollectContext, get_adapter
from ingest.adapters.base import Adapter, ExtractionError
from ingest.catalog import Catalog, PageState
from ingest.chunk import ChunkParams, chunk_document, chunk_hash
from ingest.crawl import Target, crawl
from ingest.dedupe import dedupe, keys
from ingest.extract import extract
from ingest.fetch import Fetcher, FetchResult
from ingest.freshness import unchanged_by_lastmod
from ingest.links import PageLinks, page_links
from ingest.outcome import Decision, Outcome, classify
from ingest.ratelimit import HostLimiter
from ingest.robots import RobotsCache
from ingest.scope import Scope
from ingest.scrub import scrub
from ingest.snapshots import SnapshotWriter, iter_snapshots, read_snapshot
from ingest.sources import Source
from ingest.stats import SourceStats

__all__ = ["Ingestor", "SourceStats"]

log = logging.getLogger(__name__)
Progress = Callable[[str, int], None]  # (source id, pages handled so far)


@dataclass(frozen=True)
class Prepared:
    """A page's documents after extract and scrub, or why there are none."""

    docs: list[Document]
    error: str | None = None


@dataclass
class _Run:
    """One crawl of one source: what it has seen alive so far and what it counted."""

    source: Source
    adapter: Adapter
    stats: SourceStats
    alive: set[str] = field(default_factory=set)


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
        self.instructions = InstructionFilter.load()
        self._sources: dict[str, Source] = {}  # run by this ingestor: their pages can be re-stored at once

    def _fetcher(self, snapshots: SnapshotWriter | None) -> Fetcher:
        s = self.settings
        return Fetcher(self.client, self.limiter, user_agent=s.user_agent, max_retries=s.max_retries,
                       backoff_base=s.backoff_base_s, max_backoff=s.max_backoff_s, max_bytes=s.max_page_bytes,
                       deadline_s=s.fetch_deadline_s, snapshots=snapshots)

    # -- the per-document stages ---------------------------------------------------------
    def prepare(self, raw: RawDocument, source: Source, adapter: Adapter) -> Prepared:
        """extract -> scrub. No catalog: a crawl runs this in a thread, so fetches keep their deadlines."""
        try:
            docs = extract(raw, source, adapter)
        except ExtractionError as exc:
            return Prepared([], f"extraction: {str(exc).split(': ', 1)[-1]}")
        docs = scrub(docs, self.instructions)
        return Prepared(docs, None if docs else "extraction: nothing left after scrubbing")

    def store(self, source: Source, adapter: Adapter, raw: RawDocument, state: PageState,
              stats: SourceStats, *, dedupe_pages: bool = True, prepared: Prepared | None = None) -> bool:
        """(extract -> scrub ->) dedupe -> chunk -> catalog for one raw document. False (and counted) on bad input."""
        prepared = prepared or self.prepare(raw, source, adapter)
        if prepared.error:
            stats.fail(prepared.error, raw.url)
            return False
        docs = prepared.docs
        paragraphs, released = None, set()
        if dedupe_pages:  # crawled pages; a law's § or one of our cards is its own text even when repeated
            before = self.catalog.held_by(state.url)
            result = dedupe(docs, self.catalog.held_elsewhere(keys(docs), state.url), self.settings.dedupe_min_shared)
            docs, paragraphs = result.docs, result.paragraphs
            stats.paragraphs_shared += result.dropped
            stats.duplicates += result.empty
            released = before - {h for h, held in paragraphs.items() if held}
        chunks: list[Chunk] = []
        for doc in docs:
            chunks.extend(chunk_document(doc, source.id, source.sector.value, source.municipality, self.params,
                                         source.attribution))
        old = {c.id: c.hash for c in self.catalog.iter_chunks_for_page(state.url)}
        new = {c.id: c.hash for c in chunks}
        stats.chunks_added += sum(1 for i, h in new.items() if old.get(i) != h)
        stats.chunks_removed += sum(1 for i in old if i not in new)
        state.title = docs[0].title
        self.catalog.save_page(state, chunks, paragraphs)
        stats.fetched += 1
        self._heal(released, stats)
        return True

    def remove(self, url: str, stats: SourceStats) -> None:
        released = self.catalog.held_by(url)
        stats.chunks_removed += self.catalog.delete_page(url)
        stats.pages_removed += 1
        self._heal(released, stats)

    def _heal(self, released: set[str], stats: SourceStats) -> None:
        """Pages that left out text a changed or removed page held are stored again in full."""
        for page in self.catalog.orphans(released) if released else []:
            source = self._sources.get(page.source_id)
            raw = read_snapshot(self.settings.raw_dir, page.source_id, page.warc) if source and page.warc else None
            if source is None or raw is None:
                log.info("%s: its shared text is stored again at its source's next crawl", page.url)
                self.catalog.mark_stale(page.url)
                continue
            log.info("%s: the page holding its shared text changed; storing it in full", page.url)
            own = stats if source.id == stats.source_id else SourceStats(source.id, source.sector.value)
            self.store(source, get_adapter(source.adapter), raw, dataclasses.replace(page, checked_at=utcnow()), own)

    def _sync_attribution(self, source: Source) -> None:
        """A source's attribution changed in sources.yaml: its stored chunks carry the new one."""
        stale = [c for c in self.catalog.iter_chunks_for_source(source.id) if c.attribution != source.attribution]
        for c in stale:
            c.attribution = source.attribution
            c.hash = chunk_hash(c)
        if stale:
            log.info("%s: attribution set on %d stored chunks", source.id, len(stale))
            self.catalog.update_chunks(stale)

    # -- sources -------------------------------------------------------------------------
    async def run(self, source: Source) -> SourceStats:
        self._sources[source.id] = source
        stats = SourceStats(source.id, source.sector.value)
        adapter = get_adapter(source.adapter)
        self._sync_attribution(source)
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
        scope = Scope(source, RobotsCache(fetcher), self.limiter)
        run = _Run(source, adapter, stats)
        handled = 0

        async def handle(target: Target) -> list[str]:
            nonlocal handled
            prev = self.catalog.page(target.url)
            if unchanged_by_lastmod(prev, target.lastmod):
                res: FetchResult | None = None  # the sitemap says it has not changed: not even a conditional GET
                decision, links = Decision(Outcome.unchanged), None
            else:
                res = await fetcher.get(target.url, etag=prev.etag if prev else None,
                                        last_modified=prev.last_modified if prev else None, may_follow=scope.admits)
                raw = res.raw
                links = page_links(target.url, raw.content) if raw is not None and not raw.is_pdf else None
                copy_of = self.catalog.page_with_content(source.id, res.content_hash, target.url) if raw else None
                decision = classify(target.url, res, prev, links, copy_of)
            prepared = None
            if decision.outcome is Outcome.changed and res is not None and res.raw is not None:
                prepared = await asyncio.to_thread(self.prepare, res.raw, source, adapter)
            handled += 1
            if self.progress:
                self.progress(source.id, handled)
            return self._apply(run, decision, target, prev, res, links, prepared)

        try:
            outcome = await crawl(source, fetcher, scope, handle, self.settings.concurrency_per_host,
                                  self.settings.max_sitemap_urls)
        finally:
            snapshots.close()
        stats.skipped += sum(outcome.skipped.values())
        unreachable = [r for r in outcome.skipped if r.startswith("robots.txt unreachable")]
        if unreachable and not (stats.fetched + stats.unchanged + stats.failed):
            stats.error = f"site unreachable: {unreachable[0]}"  # reported; indexed pages are kept below
        healthy = (stats.fetched + stats.unchanged) > 0 and stats.failed <= stats.fetched + stats.unchanged
        if not outcome.capped and healthy:
            for page in self.catalog.pages(source.id):
                if page.url not in run.alive:
                    log.info("%s: %s is no longer on the site; removing it", source.id, page.url)
                    self.remove(page.url, stats)
        elif not healthy and (stats.failed or not stats.fetched):
            log.warning("%s: crawl unhealthy (%d failed); keeping indexed pages", source.id, stats.failed)

    def _apply(self, run: _Run, decision: Decision, target: Target, prev: PageState | None,
               res: FetchResult | None, links: PageLinks | None, prepared: Prepared | None = None) -> list[str]:
        """The one place a crawl changes the catalog; returns the links to follow."""
        url, stats, outcome = target.url, run.stats, decision.outcome
        follow = links.links if links else []
        if outcome is Outcome.unchanged:
            run.alive.add(url)
            stats.unchanged += 1
            assert prev is not None  # classify and unchanged_by_lastmod only say so for a known page
            if res is None or res.not_modified:
                stats.not_requested += res is None
                self.catalog.touch_page(dataclasses.replace(prev, checked_at=utcnow(), error=None,
                                                            lastmod=target.lastmod or prev.lastmod))
                old = read_snapshot(self.settings.raw_dir, run.source.id, prev.warc) if prev.warc else None
                return page_links(url, old.content).links if old and not old.is_pdf else []
            raw = res.raw
            assert raw is not None
            self.catalog.touch_page(dataclasses.replace(
                prev, etag=raw.etag, last_modified=raw.last_modified, fetched_at=raw.fetched_at, warc=res.warc,
                checked_at=utcnow(), error=None, lastmod=target.lastmod or prev.lastmod))
            return follow
        if outcome is Outcome.gone:
            if prev is not None:
                self.remove(url, stats)
            stats.failures[decision.reason or "gone"] += 1
            log.info("%s: %s: %s", run.source.id, url, decision.reason)
            return []
        if outcome in (Outcome.redirected, Outcome.duplicate):
            if prev is not None:
                self.remove(url, stats)
            stats.skipped += 1
            stats.duplicates += outcome is Outcome.duplicate
            return [decision.target, *follow] if decision.target else follow
        if outcome is Outcome.failed_keep_old:
            stats.fail(decision.reason or "failed", url)
            if prev is not None:  # keep its chunks; note the failure
                run.alive.add(url)
                self.catalog.touch_page(dataclasses.replace(prev, checked_at=utcnow(), error=decision.reason))
            return []
        assert res is not None and res.raw is not None  # changed
        raw = res.raw
        run.alive.add(url)
        state = PageState(url=url, source_id=run.source.id, status="ok", etag=raw.etag,
                          last_modified=raw.last_modified, content_hash=res.content_hash,
                          fetched_at=raw.fetched_at, warc=res.warc, lastmod=target.lastmod)
        if not self.store(run.source, run.adapter, raw, state, stats, prepared=prepared) and prev is None:
            self.catalog.touch_page(dataclasses.replace(state, status="failed", error="extraction failed"))
        return follow

    async def _collect(self, source: Source, adapter, stats: SourceStats, force: bool = False,
                       offline: bool = False) -> None:
        s = self.settings
        ctx = CollectContext(fetcher=None if offline else self._fetcher(None), raw_dir=s.raw_dir, offline=offline,
                             max_download_bytes=s.max_archive_bytes, download_deadline_s=s.archive_deadline_s)
        seen: set[str] = set()
        async for raw in adapter.collect(source, ctx):
            seen.add(raw.url)
            prev = self.catalog.page(raw.url)
            digest = content_hash(raw.content)
            if not force and prev is not None and prev.content_hash == digest and prev.status == "ok":
                stats.unchanged += 1
                continue
            state = PageState(url=raw.url, source_id=source.id, status="ok", content_hash=digest,
                              fetched_at=raw.fetched_at)
            self.store(source, adapter, raw, state, stats, dedupe_pages=False)
            if self.progress:
                self.progress(source.id, len(seen))
            await asyncio.sleep(0)
        for page in self.catalog.pages(source.id):
            if page.url not in seen:
                self.remove(page.url, stats)

    # -- rebuild from snapshots ------------------------------------------------------------
    async def rebuild(self, source: Source) -> SourceStats:
        """Re-extract a source from its raw snapshots or its downloaded archive (no network)."""
        self._sources[source.id] = source
        stats = SourceStats(source.id, source.sector.value)
        adapter = get_adapter(source.adapter)
        if hasattr(adapter, "collect"):
            await self._collect(source, adapter, stats, force=True, offline=True)
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
                              fetched_at=raw.fetched_at, warc=prev.warc if prev else None,
                              lastmod=prev.lastmod if prev else None)
            self.store(source, adapter, raw, state, stats)
        return stats

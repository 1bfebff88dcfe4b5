"""One data dir crawled and published for real: the catalog, embedding cache and index versions.

Test support for the ingest tests: the real Ingestor over a real httpx client (pointed at
loopback servers), the real publish stage and the registered ``hashing`` embedder.
"""

from __future__ import annotations

import httpx

from eti.embed import EmbeddingCache, build_embedder
from eti.index.publish import PublishResult, publish
from eti.index.reader import IndexReader
from eti.index.versions import IndexVersions
from eti.settings import Settings
from ingest.catalog import Catalog
from ingest.pipeline import Ingestor
from ingest.sources import Source
from ingest.stats import SourceStats


class Harness:
    """One data dir: a catalog, an embedding cache and index versions, crawled and published for real."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.catalog = Catalog(settings.catalog_path)
        self.embedder = build_embedder(settings)
        self.cache = EmbeddingCache(settings.embed_cache_path)
        self.versions = IndexVersions(settings.index_dir)

    def client(self) -> httpx.AsyncClient:
        t = self.settings.request_timeout_s
        return httpx.AsyncClient(timeout=httpx.Timeout(t, connect=min(10.0, t)))

    async def crawl(self, source: Source) -> SourceStats:
        async with self.client() as client:
            return await Ingestor(self.settings, self.catalog, client).run(source)

    async def crawl_all(self, sources: list[Source]) -> list[SourceStats]:
        """Several sources through one Ingestor, as ``eti crawl`` runs them."""
        async with self.client() as client:
            ingestor = Ingestor(self.settings, self.catalog, client)
            return [await ingestor.run(s) for s in sources]

    def publish(self) -> PublishResult:
        return publish(self.catalog, self.embedder, self.cache, self.versions)

    def reader(self) -> IndexReader:
        return IndexReader.open(self.settings.index_dir)

    def indexed(self) -> list[tuple[str, dict]]:
        """(text, metadata) of every chunk in the serving dense index."""
        got = self.reader().dense.collection.get(include=["documents", "metadatas"])
        return list(zip(got["documents"], got["metadatas"], strict=True))

    def search(self, query: str) -> list[str]:
        """URLs of the chunks the serving lexical index finds for ``query`` (its top 20), sorted: which
        chunks are found, not their order, which moves when another source's pages change the
        corpus's word statistics."""
        reader = self.reader()
        ids = [i for i, _ in reader.lexical.search(query, 20)]
        return sorted(meta["url"] for _, meta in reader.dense.get(ids).values())

    def chunk_urls(self) -> set[str]:
        return {c.url for c in self.catalog.iter_chunks()}

    def close(self) -> None:
        self.cache.close()
        self.catalog.close()


def site_source(server, sid: str, adapter: str, *, start: list[str] | None = None, sitemap: bool = False,
                **kw) -> Source:
    """A source for a loopback server: fast rate, small max_pages, the welfare sector unless told."""
    kw.setdefault("rate_limit", 100.0)
    kw.setdefault("max_pages", 30)
    kw.setdefault("sector", "welfare")
    start_urls = [f"{server.base}/{p}" for p in (start if start is not None else ["index.html"])]
    return Source(id=sid, name=sid, adapter=adapter, start_urls=start_urls,
                  sitemap=f"{server.base}/sitemap.xml" if sitemap else None, **kw)

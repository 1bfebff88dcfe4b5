"""The crawler against a site where everything goes wrong (tests/support/faulty_server.py).

A crawl must finish in bounded time and memory, respect robots.txt and max_pages, log each
fault once, honour declared charsets, and leave what was published before serving the same
answers. Settings are small (1 s read timeout, 3 s deadline, 3 MB cap, one retry) so that the
suite runs in well under two minutes; the main crawl prints its wall time and peak memory.
"""

from __future__ import annotations

import logging
import resource
import time
import tracemalloc
import zlib

import httpx
import pytest
from support.faulty_server import CHARSET_PAGES, CHARSET_SERVICES, GOOD_PAGES, FaultyServer, gzip_bomb
from support.ingest_harness import site_source

from eti.core import RawDocument
from ingest.adapters import adapter_names, get_adapter
from ingest.decompress import BoundedInflater, TooLarge, inflate
from ingest.fetch import Fetcher
from ingest.ratelimit import HostLimiter
from ingest.sitemap import parse_sitemap
from ingest.sources import Source

CAP = 3_000_000

HTML_ADAPTERS = sorted(n for n in adapter_names() if not hasattr(get_adapter(n), "collect"))


@pytest.fixture
def fault_settings(settings):
    settings.request_timeout_s = 1.0
    settings.fetch_deadline_s = 3.0
    settings.max_retries = 1
    settings.backoff_base_s = 0.05
    settings.max_backoff_s = 2.0
    settings.max_page_bytes = CAP
    return settings


@pytest.fixture
def faulty():
    gzip_bomb()  # built once, before any crawl is timed (it takes a second or two of CPU)
    server = FaultyServer().start()
    yield server
    server.stop()


def faulty_source(server: FaultyServer, **kw) -> Source:
    kw.setdefault("max_pages", 40)
    return Source(id="feil", name="Feilsiden", sector="municipal", adapter=kw.pop("adapter", "generic"),
                  start_urls=kw.pop("start_urls", [f"{server.base}/index.html"]),
                  sitemap=kw.pop("sitemap", f"{server.base}/sitemap.xml"), rate_limit=100, **kw)


def warm_up_generic_adapter(source: Source) -> None:
    """trafilatura loads its data on first use (about 35 MB): not something the crawl allocates."""
    page = b"<html><body><main><h1>Varm</h1><p>Oppvarming av trafilatura.</p></main></body></html>"
    get_adapter("generic").extract(RawDocument(url="http://varm.test/", content=page), source)


def warnings_about(caplog, needle: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING and needle in r.getMessage()]


def snapshot(harness, source_id: str) -> set[tuple[str, str, str]]:
    return {(c.id, c.hash, c.text) for c in harness.catalog.iter_chunks() if c.source_id == source_id}


# ---------------------------------------------------------------- the whole site at once


async def test_a_crawl_of_a_site_where_everything_goes_wrong_is_bounded_and_keeps_the_published_index(
    fault_settings, serve_site, harness, faulty, caplog, capsys
):
    nav = serve_site("nav")
    await harness.crawl(site_source(nav, "nav", "nav"))
    first = harness.publish()
    nav_before = snapshot(harness, "nav")
    queries = ["legeerklæring spesialisthelsetjenesten", "hjelpestønad tilsyn og pleie", "klage på vedtak"]
    answers_before = [harness.search(q) for q in queries]
    assert nav_before and all(answers_before)
    source = faulty_source(faulty)
    caplog.set_level(logging.INFO)
    warm_up_generic_adapter(source)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t0 = time.monotonic()
    stats = await harness.crawl(source)
    wall = time.monotonic() - t0
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with capsys.disabled():
        print(f"\nfault crawl: {wall:.1f}s wall, peak RSS {rss_after / 1024:.0f} MiB "
              f"(+{(rss_after - rss_before) / 1024:.0f} MiB), peak Python allocations {traced_peak / 2**20:.1f} MiB, "
              f"{len(faulty.log)} requests")
    second = harness.publish()

    # bounded: time, memory, max_pages, robots.txt
    assert wall < 30, wall
    assert traced_peak < 12 * CAP, traced_peak  # a few capped bodies at a time, never a 50 MB or 2 GiB one
    assert stats.error is None
    visited = {e.path for e in faulty.log if not e.path.startswith(("/robots.txt", "/sitemap", "/loop-"))}
    assert len(visited) <= source.max_pages
    assert len([p for p in visited if p.startswith("/labyrint/")]) >= 10, "the maze was entered, then cut off"
    assert not [e for e in faulty.log if e.path.startswith("/privat/")]
    # each fault: the right reason, a bounded number of requests, one log line
    reasons = dict(stats.failures)
    assert reasons.get("deadline exceeded (3s)") == 1 and len(faulty.requests_for("/trickle.html")) == 1
    assert reasons.get("timeout") == 1 and len(faulty.requests_for("/stall.html")) == fault_settings.max_retries + 1
    assert reasons.get("too many redirects") == 1 and len(faulty.log) < 200
    assert len([r for r in reasons if r.startswith("too large")]) >= 2, reasons
    assert sum(n for r, n in reasons.items() if r.startswith("too large")) == 3  # big, big-chunked, bomb
    assert [r for r in reasons if "inflates to over" in r], "the gzip bomb was refused while inflating"
    for path in ["/big.html", "/big-chunked.html", "/bomb.html", "/meta-a.html", "/meta-b.html"]:
        assert len(faulty.requests_for(path)) == 1, path
    for page in ["trickle.html", "stall.html", "loop-a", "big.html", "big-chunked.html", "bomb.html"]:
        assert len(warnings_about(caplog, f"{faulty.base}/{page}")) == 1, (page, warnings_about(caplog, page))
    assert len(warnings_about(caplog, "sitemap-bomb.xml.gz")) == 1
    assert "inflates to over" in warnings_about(caplog, "sitemap-bomb.xml.gz")[0]
    # what recovered, and what is ordinary, was indexed; the loops were not
    urls = {c.url.removeprefix(faulty.base + "/") for c in harness.catalog.iter_chunks() if c.source_id == "feil"}
    assert {*GOOD_PAGES, "flaky-500.html", "flaky-503.html", "busy-429.html", *CHARSET_PAGES} <= urls
    assert not urls & {"meta-a.html", "meta-b.html", "loop-a", "trickle.html", "bomb.html"}
    tries = faulty.requests_for("/busy-429.html")
    assert [e.status for e in tries] == [429, 200] and tries[1].at - tries[0].at >= 1.0 - 0.03
    assert [e.status for e in faulty.requests_for("/flaky-503.html")] == [503, 200]
    text = "\n".join(c.text for c in harness.catalog.iter_chunks() if c.source_id == "feil")
    for service in CHARSET_SERVICES.values():
        assert f"Søknad om {service} sendes til kommunen." in text
    assert "Ã" not in text and "\ufffd" not in text
    # the index published before still gives the same answers
    assert snapshot(harness, "nav") == nav_before
    assert [harness.search(q) for q in queries] == answers_before
    assert second.total > first.total and second.removed == 0

    # the same site again, its good pages now failing: their chunks stay, and so does everything else
    feil_before = snapshot(harness, "feil")
    faulty.good_pages_fail = True
    again = await harness.crawl(source)
    third = harness.publish()
    assert again.failures["HTTP 503"] >= len(GOOD_PAGES) and again.pages_removed == 0
    # (the maze may be walked a little differently: rooms can be added, none removed)
    assert feil_before <= snapshot(harness, "feil") and snapshot(harness, "nav") == nav_before
    assert third.removed == 0 and third.total >= second.total
    assert [harness.search(q) for q in queries] == answers_before


# ---------------------------------------------------------------- one fault at a time


async def test_a_trickling_server_is_cut_off_at_the_deadline_though_every_read_is_on_time(fault_settings, faulty):
    limiter = HostLimiter(2)
    async with httpx.AsyncClient(timeout=1.0) as client:
        fetcher = Fetcher(client, limiter, user_agent="ETI-bot/test", max_retries=2, deadline_s=1.5)
        t0 = time.monotonic()
        res = await fetcher.get(f"{faulty.base}/trickle.html")
        elapsed = time.monotonic() - t0
    assert faulty.trickle_every_s < 1.0  # below the read timeout: only the deadline can stop it
    assert not res.ok and res.error == "deadline exceeded (1.5s)"
    assert 1.4 <= elapsed < 2.5, elapsed
    assert len(faulty.requests_for("/trickle.html")) == 1, "a trickle is not asked again"


async def test_a_sitemap_of_100k_urls_is_cut_to_the_limit_logged_once_and_max_pages_holds(
    fault_settings, harness, faulty, caplog
):
    fault_settings.max_page_bytes = 8_000_000  # the sitemap itself is about 5 MB
    source = faulty_source(faulty, start_urls=[], sitemap=f"{faulty.base}/stort-kart.xml", max_pages=5)
    caplog.set_level(logging.INFO)

    t0 = time.monotonic()
    stats = await harness.crawl(source)
    wall = time.monotonic() - t0

    cut = warnings_about(caplog, "stort-kart.xml")
    assert len(cut) == 1 and "lists 100000 URLs" in cut[0] and f"first {fault_settings.max_sitemap_urls}" in cut[0]
    assert len([e for e in faulty.log if e.path.startswith("/labyrint/")]) == 5
    assert stats.fetched == 5 and wall < 30, wall


async def test_a_gzipped_sitemap_that_inflates_to_gigabytes_is_refused_within_the_cap(fault_settings, faulty):
    bomb = gzip_bomb()
    assert len(bomb) < CAP and len(bomb) < 3 * 2**20
    tracemalloc.start()
    with pytest.raises(ValueError, match="inflates to over 3000000 bytes"):
        parse_sitemap(bomb, CAP)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * CAP, peak  # never the whole 2 GiB, nor anything near it


@pytest.mark.parametrize("adapter", HTML_ADAPTERS)
async def test_declared_charsets_are_honoured_by_every_adapter(fault_settings, harness, faulty, adapter, caplog):
    source = faulty_source(faulty, adapter=adapter, sitemap=None, max_pages=len(CHARSET_PAGES),
                           start_urls=[f"{faulty.base}/{p}" for p in CHARSET_PAGES])

    stats = await harness.crawl(source)

    assert (stats.fetched, stats.failed) == (len(CHARSET_PAGES), 0), stats.failures
    for page in CHARSET_PAGES:
        chunks = list(harness.catalog.iter_chunks_for_page(f"{faulty.base}/{page}"))
        service = CHARSET_SERVICES[page]
        text = "\n".join(c.title + "\n" + c.text for c in chunks)
        assert f"Søknad om {service} sendes til kommunen." in text, (page, text)
        assert {c.title for c in chunks} == {f"Søknad om {service}"}
        assert "Ã" not in text and "\ufffd" not in text
    # a declaration that is wrong or unknown is said once; a right one says nothing
    assert len(warnings_about(caplog, f"{faulty.base}/wrong-charset.html")) == 1
    assert len(warnings_about(caplog, f"{faulty.base}/unknown-charset.html")) == 1
    assert not warnings_about(caplog, "latin1-")


# ---------------------------------------------------------------- bounded decompression


def test_bounded_inflater_stops_a_bomb_just_past_the_cap_and_passes_ordinary_bodies():
    inflater = BoundedInflater("gzip", 1_000_000)
    produced = 0
    with pytest.raises(TooLarge, match="inflates to over 1000000 bytes"):
        for i in range(0, len(gzip_bomb()), 65536):
            produced += len(inflater.feed(gzip_bomb()[i : i + 65536]))
    assert produced <= 1_000_000 and inflater.total <= 1_000_001
    page = "<p>Søknad om avlastning</p>".encode() * 1000
    gz = zlib.compress(page, wbits=31)
    assert inflate(gz, len(page)) == page
    assert inflate(gz + gz, 2 * len(page)) == page + page  # two gzip members
    assert inflate(zlib.compress(page), len(page), "deflate") == page
    assert inflate(zlib.compress(page, wbits=-15), len(page), "deflate") == page  # raw deflate
    with pytest.raises(TooLarge):
        inflate(gz, len(page) - 1)

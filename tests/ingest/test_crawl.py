"""Crawling the fixture sites over real loopback HTTP, end to end into a published index.

Nothing of ours is mocked: a real SiteServer serves an editable copy of a fixture site, the real
Ingestor crawls it (fetch -> extract -> chunk -> catalog) and the real publish stage builds a
Chroma + BM25 index version with the registered ``hashing`` embedder. Politeness is checked from
the server's own request log (paths, headers and monotonic arrival times).
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import yaml
from support.ingest_harness import site_source

from ingest.snapshots import iter_snapshots, read_snapshot

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SITES = FIXTURES / "sites"
TOLERANCE = 0.03  # seconds: server-side arrival times jitter a little around the booked turns
# every page of the nav fixture site outside robots.txt's /intern/ (pages added to the site count too)
NAV_PAGES = sorted(p.name for p in (SITES / "nav").glob("*.html"))


# ---------------------------------------------------------------- helpers


def page_requests(server) -> list:
    """Logged requests for content (not robots.txt or the sitemap)."""
    return [e for e in server.log if e.path not in ("/robots.txt", "/sitemap.xml")]


def gaps(entries) -> list[float]:
    times = sorted(e.at for e in entries)
    return [b - a for a, b in zip(times, times[1:], strict=False)]


def url_of(server, rel: str) -> str:
    return f"{server.base}/{rel}"


# ---------------------------------------------------------------- discovery, robots, user agent, headings


@pytest.mark.parametrize("discovery", ["links from index.html", "sitemap.xml"])
async def test_crawl_fetches_every_allowed_page_never_the_robots_disallowed_one_and_indexes_its_headings(
    settings, serve_site, harness, discovery
):
    server = serve_site("nav")
    if discovery == "sitemap.xml":
        source = site_source(server, "nav", "nav", start=[], sitemap=True)
    else:
        source = site_source(server, "nav", "nav")

    stats = await harness.crawl(source)

    fetched = {e.path.lstrip("/") for e in page_requests(server) if e.status == 200}
    assert fetched == set(NAV_PAGES)
    assert (stats.fetched, stats.failed, stats.error) == (len(NAV_PAGES), 0, None)
    assert len(server.requests_for("/robots.txt")) == 1, "robots.txt is read once, not once per worker"
    assert not [e.path for e in server.log if e.path.startswith("/intern")], "robots.txt disallows /intern/"
    assert {e.headers.get("user-agent") for e in server.log} == {settings.user_agent}
    assert settings.user_agent.startswith("ETI-bot/")
    assert {p.url for p in harness.catalog.pages("nav") if p.n_chunks} == {url_of(server, p) for p in NAV_PAGES}

    # chunks carry the heading path the page itself has
    spec = yaml.safe_load((FIXTURES / "expected" / "nav" / "pleiepenger.yaml").read_text(encoding="utf-8"))
    sections = {c.section for c in harness.catalog.iter_chunks() if c.url == url_of(server, "pleiepenger.html")}
    assert sections
    assert sections <= {" > ".join(h) for h in spec["headings"]}
    assert "Pleiepenger for sykt barn > Legeerklæring" in sections and len(sections) >= 3

    result = harness.publish()
    assert result.total == harness.catalog.count_chunks() > 0
    indexed = harness.indexed()
    assert len(indexed) == result.total
    assert not [t for t, _ in indexed if "ROBOTS-SPERRET" in t or "Interne rutiner" in t]
    assert harness.search("legeerklæring spesialisthelsetjenesten")
    assert url_of(server, "pleiepenger.html") in harness.search("legeerklæring spesialisthelsetjenesten")
    assert harness.search("interne rutiner sperret markør indekseres") == []


# ---------------------------------------------------------------- politeness


async def test_rate_limit_spaces_requests_to_a_host_by_at_least_one_over_the_rate(serve_site, harness):
    server = serve_site("nav")
    source = site_source(server, "nav", "nav", rate_limit=4, max_pages=4)

    await harness.crawl(source)

    assert len(server.log) >= 5  # robots.txt and four pages
    spacing = gaps(server.log)
    assert min(spacing) >= 0.25 - TOLERANCE, spacing


async def test_rate_limit_applies_from_the_first_request_sitemap_and_robots_included(serve_site, harness):
    server = serve_site("nav")
    # 0.8 requests a second: every request, the sitemap and robots.txt too, at least 1.25 s apart
    source = site_source(server, "nav", "nav", start=[], sitemap=True, rate_limit=0.8, max_pages=1)

    await harness.crawl(source)

    assert [e.path for e in server.log] == ["/sitemap.xml", "/robots.txt", "/index.html"]
    assert min(gaps(server.log)) >= 1.25 - TOLERANCE, gaps(server.log)


async def test_robots_crawl_delay_spaces_page_requests_at_least_that_long(serve_site, harness):
    server = serve_site("statped")
    source = site_source(server, "statped", "statped", start=["index.html", "om-statped.html"], rate_limit=20,
                         max_pages=2, sector="education")

    stats = await harness.crawl(source)

    pages = page_requests(server)
    assert stats.fetched == 2 and len(pages) == 2
    assert min(gaps(pages)) >= 1.0 - TOLERANCE, gaps(pages)


# ---------------------------------------------------------------- retries


@pytest.mark.parametrize("status", [503, 429])
async def test_overloaded_server_is_retried_after_retry_after_and_the_page_still_gets_indexed(
    serve_site, harness, status
):
    server = serve_site("nav")
    busy = (status, {"Retry-After": "1", "Content-Type": "text/html"}, b"<html><body>Opptatt</body></html>")
    server.script["/pleiepenger.html"] = [busy, busy]
    source = site_source(server, "nav", "nav", start=["pleiepenger.html"], max_pages=1)

    stats = await harness.crawl(source)

    tries = server.requests_for("/pleiepenger.html")
    assert [e.status for e in tries] == [status, status, 200]
    assert min(gaps(tries)) >= 1.0 - TOLERANCE, gaps(tries)
    assert (stats.fetched, stats.failed) == (1, 0)
    page = harness.catalog.page(url_of(server, "pleiepenger.html"))
    assert page is not None and page.status == "ok" and page.n_chunks > 0


async def test_page_that_always_fails_with_500_is_counted_failed_and_the_crawl_goes_on(serve_site, harness):
    server = serve_site("nav")
    server.script["/klage.html"] = [(500, {"Content-Type": "text/html"}, b"feil")] * 20

    stats = await harness.crawl(site_source(server, "nav", "nav"))

    assert stats.failed == 1 and stats.failures["HTTP 500"] == 1
    assert len(server.requests_for("/klage.html")) == harness.settings.max_retries + 1
    assert stats.fetched == len(NAV_PAGES) - 1
    assert url_of(server, "klage.html") not in harness.chunk_urls()
    assert url_of(server, "pleiepenger.html") in harness.chunk_urls()


# ---------------------------------------------------------------- recrawls


async def test_second_crawl_asks_conditionally_gets_304s_and_publishing_embeds_nothing_new(serve_site, harness):
    server = serve_site("nav")
    source = site_source(server, "nav", "nav")
    first = await harness.crawl(source)
    published = harness.publish()
    assert first.fetched == len(NAV_PAGES) and published.embedded == published.total > 0
    server.log.clear()

    second = await harness.crawl(source)

    pages = page_requests(server)
    assert len(pages) == len(NAV_PAGES)
    assert all(e.headers.get("if-none-match") for e in pages)
    assert {e.status for e in pages} == {304}
    assert (second.fetched, second.unchanged, second.failed) == (0, len(NAV_PAGES), 0)
    assert (second.chunks_added, second.chunks_removed, second.pages_removed) == (0, 0, 0)
    again = harness.publish()
    assert again.embedded == 0 and again.upserted == 0 and again.removed == 0
    assert again.total == published.total


async def test_edited_page_is_re_embedded_alone_and_its_new_text_replaces_the_old(serve_site, harness):
    server = serve_site("nav")
    source = site_source(server, "nav", "nav")
    await harness.crawl(source)
    first = harness.publish()
    page = server.root / "pleiepenger.html"
    old, new = "Fastlegen kan ikke skrive den.", "Helsesykepleieren på zebrakontoret kan ikke skrive den."
    assert old in page.read_text(encoding="utf-8")
    assert harness.search("fastlegen") == [url_of(server, "pleiepenger.html")]
    page.write_text(page.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    stats = await harness.crawl(source)
    result = harness.publish()

    assert (stats.fetched, stats.unchanged) == (1, len(NAV_PAGES) - 1)
    assert 0 < result.embedded <= 2 and result.embedded < first.embedded
    assert result.total == first.total
    assert harness.search("zebrakontoret") == [url_of(server, "pleiepenger.html")]
    assert harness.search("fastlegen") == []


async def test_deleted_pages_leave_the_index_whether_they_404_or_are_no_longer_linked(serve_site, harness):
    server = serve_site("nav")
    source = site_source(server, "nav", "nav")
    await harness.crawl(source)
    harness.publish()
    klage, hjelpemidler = url_of(server, "klage.html"), url_of(server, "hjelpemidler.html")
    assert {klage, hjelpemidler} <= {m["url"] for _, m in harness.indexed()}
    # klage.html disappears but is still linked (a 404); hjelpemidler.html disappears with its links
    (server.root / "klage.html").unlink()
    (server.root / "hjelpemidler.html").unlink()
    for f in server.root.glob("*.html"):
        f.write_text(f.read_text(encoding="utf-8").replace('href="hjelpemidler.html"', 'href="#"'), encoding="utf-8")

    stats = await harness.crawl(source)
    result = harness.publish()

    assert server.requests_for("/klage.html")[-1].status == 404
    assert stats.pages_removed == 2 and stats.chunks_removed > 0 and result.removed == stats.chunks_removed
    urls = {m["url"] for _, m in harness.indexed()}
    assert urls and klage not in urls and hjelpemidler not in urls
    assert url_of(server, "pleiepenger.html") in urls
    assert harness.catalog.page(klage) is None and harness.catalog.page(hjelpemidler) is None


async def test_indexed_page_that_starts_failing_with_500_keeps_its_chunks(serve_site, harness):
    server = serve_site("nav")
    source = site_source(server, "nav", "nav")
    await harness.crawl(source)
    before = harness.publish()
    url = url_of(server, "omsorgspenger.html")
    kept = sorted(t for t, m in harness.indexed() if m["url"] == url)
    assert kept
    server.script["/omsorgspenger.html"] = [(500, {}, b"feil")] * 20

    stats = await harness.crawl(source)
    after = harness.publish()

    assert stats.failed == 1 and stats.failures["HTTP 500"] == 1 and stats.pages_removed == 0
    assert sorted(t for t, m in harness.indexed() if m["url"] == url) == kept
    assert (after.total, after.removed) == (before.total, 0)
    assert harness.catalog.page(url).error == "HTTP 500"


async def test_whole_site_down_keeps_everything_indexed_and_reports_the_failure(serve_site, harness):
    server = serve_site("nav")
    source = site_source(server, "nav", "nav")
    await harness.crawl(source)
    before = harness.publish()
    assert before.total > 0
    server.stop()

    stats = await harness.crawl(source)
    after = harness.publish()

    assert stats.error and "unreachable" in stats.error and "network error" in stats.error, stats
    assert stats.fetched == stats.unchanged == 0
    assert stats.pages_removed == 0 and stats.chunks_removed == 0
    assert (after.total, after.removed) == (before.total, 0)
    assert len(harness.catalog.pages("nav")) == len(NAV_PAGES)


# ---------------------------------------------------------------- bad input


async def test_broken_pages_are_skipped_with_a_reason_and_never_stop_the_crawl(settings, serve_site, harness):
    server = serve_site("broken")
    server.huge_bytes = 200_000
    settings.max_page_bytes = 100_000
    server.slow_seconds = 0.6
    settings.request_timeout_s = 0.3
    settings.max_retries = 1
    source = site_source(server, "broken", "generic", start=["slow.html", "index.html"])

    t0 = time.monotonic()
    stats = await harness.crawl(source)
    elapsed = time.monotonic() - t0

    reasons = dict(stats.failures)
    assert stats.fetched == 2, reasons  # index.html and the truncated page
    truncated = harness.catalog.page(url_of(server, "truncated.html"))
    assert truncated is not None and truncated.status == "ok" and truncated.n_chunks > 0
    assert "særlig tyngende omsorgsarbeid" in " ".join(
        c.text for c in harness.catalog.iter_chunks_for_page(url_of(server, "truncated.html")))
    extraction = [r for r in reasons if r.startswith("extraction")]
    assert sum(reasons[r] for r in extraction) == 2, reasons  # empty.html and garbage.html
    assert [r for r in reasons if r.startswith("too large")], reasons
    assert reasons.get("HTTP 404 (gone)") == 1
    assert reasons.get("timeout") == 1
    assert len(server.requests_for("/slow.html")) == settings.max_retries + 1
    assert stats.failed == 4  # empty, garbage, huge, slow (the 404 is counted as gone, not failed)
    assert harness.chunk_urls() == {url_of(server, "index.html"), url_of(server, "truncated.html")}
    assert elapsed < 10
    result = harness.publish()
    assert result.total == harness.catalog.count_chunks() > 0


# ---------------------------------------------------------------- redirects and canonical URLs


async def test_redirect_to_another_site_is_not_followed_and_the_reason_names_it(serve_site, harness):
    server = serve_site("nav")
    source = site_source(server, "nav", "nav", start=["redirect-out"], max_pages=1)

    stats = await harness.crawl(source)

    assert stats.failed == 1
    [reason] = stats.failures
    assert "another site" in reason and "127.0.0.2:9" in reason
    assert harness.catalog.count_chunks() == 0


async def test_same_site_redirect_is_indexed_under_its_target(serve_site, harness):
    server = serve_site("nav")
    source = site_source(server, "nav", "nav", start=["redirect-in"], max_pages=2)

    await harness.crawl(source)

    assert server.requests_for("/redirect-in")[0].status == 301
    assert harness.catalog.page(url_of(server, "index.html")).n_chunks > 0
    assert harness.catalog.page(url_of(server, "redirect-in")) is None
    assert harness.chunk_urls() == {url_of(server, "index.html")}


async def test_page_with_canonical_pointing_elsewhere_on_the_site_is_not_indexed_twice(serve_site, harness):
    server = serve_site("nav")
    # a printer-friendly copy of pleiepenger.html: same content, canonical -> pleiepenger.html
    original = (server.root / "pleiepenger.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="{{BASE}}/pleiepenger.html">' in original
    (server.root / "pleiepenger-utskrift.html").write_text(original, encoding="utf-8")
    index = server.root / "index.html"
    index.write_text(index.read_text(encoding="utf-8").replace(
        "</main>", '<p><a href="pleiepenger-utskrift.html">Utskriftsvennlig</a></p></main>'), encoding="utf-8")

    await harness.crawl(site_source(server, "nav", "nav"))
    harness.publish()

    assert server.requests_for("/pleiepenger-utskrift.html")[0].status == 200
    assert harness.catalog.page(url_of(server, "pleiepenger-utskrift.html")) is None
    urls = [m["url"] for t, m in harness.indexed() if "Fastlegen kan ikke skrive den." in t]
    assert urls == [url_of(server, "pleiepenger.html")]


# ---------------------------------------------------------------- PDF and nynorsk


async def test_pdf_brochure_is_fetched_and_indexed_page_by_page(serve_site, harness):
    server = serve_site("statped")
    source = site_source(server, "statped", "statped", start=["brosjyre-henvisning.pdf"], max_pages=1,
                         sector="education")

    stats = await harness.crawl(source)
    harness.publish()

    assert stats.fetched == 1
    pdf = url_of(server, "brosjyre-henvisning.pdf")
    chunks = [c for c in harness.catalog.iter_chunks() if c.url == pdf]
    assert {c.section for c in chunks} >= {"Slik søker dere om tjenester fra Statped > Side 1",
                                            "Slik søker dere om tjenester fra Statped > Side 2"}
    assert pdf in harness.search("samtykke foreldrene")
    assert "Foreldre kan ikke søke direkte" in " ".join(t for t, m in harness.indexed() if m["url"] == pdf)


async def test_nynorsk_municipality_pages_are_indexed_as_nn_with_the_municipality_number(serve_site, harness):
    server = serve_site("kommune-nynorsk")
    source = site_source(server, "volda", "kommune", sitemap=True, language="nn", municipality="1577",
                         sector="municipal")

    stats = await harness.crawl(source)
    harness.publish()

    assert stats.fetched == (SITES / "kommune-nynorsk" / "sitemap.xml").read_text(encoding="utf-8").count("<loc>")
    indexed = harness.indexed()
    assert len(indexed) > 5
    assert {(m["language"], m["municipality"], m["sector"]) for _, m in indexed} == {("nn", "1577", "municipal")}
    rows = harness.reader().rows
    assert rows and {tuple(r) for r in rows} == {("volda", "municipal", "1577", "nn")}
    assert not [t for t, _ in indexed if "ROBOTS-SPERRET" in t]


# ---------------------------------------------------------------- raw snapshots


async def test_every_fetched_page_is_kept_in_a_warc_and_the_catalog_reference_reads_back_the_sent_bytes(
    settings, serve_site, harness
):
    server = serve_site("nav")
    await harness.crawl(site_source(server, "nav", "nav"))

    warcs = list((settings.raw_dir / "nav").glob("*.warc.gz"))
    assert warcs
    stored = {r.url: r.content for r in iter_snapshots(settings.raw_dir, "nav")}
    sent = [e for e in server.log if e.status == 200]
    assert len(sent) == len(NAV_PAGES) + 1  # and robots.txt
    for e in sent:
        status, _, body = server.respond(e.path, {})
        assert status == 200
        assert stored[url_of(server, e.path.lstrip("/"))] == body
    pages = harness.catalog.pages("nav")
    assert len(pages) == len(NAV_PAGES)
    for page in pages:
        assert page.warc and re.fullmatch(r"\d{8}T\d+\.warc\.gz:\d+", page.warc)
        raw = read_snapshot(settings.raw_dir, "nav", page.warc)
        assert raw is not None and raw.url == page.url
        assert raw.content == server.respond(page.url.removeprefix(server.base), {})[2]


async def test_same_site_redirect_into_a_robots_disallowed_path_is_not_followed(serve_site, harness):
    server = serve_site("nav")
    server.script["/gammel-side.html"] = [(301, {"Location": "/intern/"}, b"")]
    source = site_source(server, "nav", "nav", start=["gammel-side.html", "pleiepenger.html"], max_pages=2)

    stats = await harness.crawl(source)

    assert server.requests_for("/gammel-side.html")[0].status == 301
    assert server.requests_for("/pleiepenger.html")[0].status == 200
    assert not [e.path for e in server.log if e.path.startswith("/intern")]
    assert stats.fetched == 1 and stats.failed == 1
    [reason] = stats.failures
    assert "excluded" in reason and "/intern/" in reason
    assert harness.chunk_urls() == {url_of(server, "pleiepenger.html")}

"""Freshness: `eti crawl --due` crawls only what is due; sitemap lastmod skips unchanged pages unasked.

The request logs of real loopback servers show what was (not) asked for.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from support.ingest_harness import site_source
from typer.testing import CliRunner

from eti.cli import app
from ingest.catalog import PageState
from ingest.freshness import LastCrawl, due_sources, parse_instant, unchanged_by_lastmod
from ingest.sources import Source

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def src(sid: str, recrawl: str) -> Source:
    return Source(id=sid, name=sid, sector="welfare", start_urls=["https://example.no/"], recrawl=recrawl)


def ago(**kw) -> str:
    return (NOW - timedelta(**kw)).isoformat()


# ---------------------------------------------------------------- pure rules


def test_a_source_is_due_when_never_crawled_failed_last_time_or_older_than_its_recrawl():
    sources = [src("ny", "7d"), src("fersk", "7d"), src("gammel", "7d"), src("feilet", "7d"), src("time", "12h")]
    last = {"fersk": LastCrawl(ago(days=6, hours=23)), "gammel": LastCrawl(ago(days=7, minutes=1)),
            "feilet": LastCrawl(ago(hours=1), failed=True), "time": LastCrawl(ago(hours=13))}
    assert [s.id for s in due_sources(sources, last, NOW)] == ["ny", "gammel", "feilet", "time"]


def test_sitemap_lastmod_skips_only_a_page_fetched_fine_whose_lastmod_has_not_moved():
    ok = PageState(url="u", source_id="s", status="ok", content_hash="h", lastmod="2026-02-10")
    assert unchanged_by_lastmod(ok, "2026-02-10")
    assert unchanged_by_lastmod(ok, "2026-02-09T23:00:00+00:00")
    assert not unchanged_by_lastmod(ok, "2026-02-10T09:00:00Z")  # later that day
    assert not unchanged_by_lastmod(ok, "2026-03-01")
    assert not unchanged_by_lastmod(ok, None) and not unchanged_by_lastmod(ok, "i går")
    assert not unchanged_by_lastmod(None, "2026-02-10")
    failed = PageState(url="u", source_id="s", status="ok", content_hash="h", lastmod="2026-02-10", error="HTTP 500")
    assert not unchanged_by_lastmod(failed, "2026-02-10")
    stale = PageState(url="u", source_id="s", status="ok", content_hash=None, lastmod="2026-02-10")
    assert not unchanged_by_lastmod(stale, "2026-02-10")
    assert parse_instant("2026-02-10T10:00:00+01:00") == datetime(2026, 2, 10, 9, tzinfo=UTC)


# ---------------------------------------------------------------- over loopback


async def test_pages_whose_sitemap_lastmod_has_not_moved_are_not_requested_at_all(serve_site, harness):
    server = serve_site("nav")
    source = site_source(server, "nav", "nav", start=[], sitemap=True)
    listed = (server.root / "sitemap.xml").read_text(encoding="utf-8").count("<loc>")
    first = await harness.crawl(source)
    assert first.fetched == listed
    chunks_before = harness.catalog.chunk_hashes()
    server.log.clear()

    second = await harness.crawl(source)

    assert [e.path for e in server.log] == ["/sitemap.xml", "/robots.txt"], "not even a conditional GET"
    assert (second.unchanged, second.not_requested, second.fetched, second.pages_removed) == (listed, listed, 0, 0)
    assert harness.catalog.chunk_hashes() == chunks_before

    # one page changes and its lastmod moves: that page, and only that page, is fetched again
    page, sitemap = server.root / "klage.html", server.root / "sitemap.xml"
    page.write_text(page.read_text(encoding="utf-8").replace("</article>", "<p>Klagen sendes til Nav-kontoret "
                    "som fattet vedtaket.</p></article>"), encoding="utf-8")
    sitemap.write_text(re.sub(r"(klage\.html</loc>\s*<lastmod>)[^<]+", r"\g<1>2026-11-30", sitemap.read_text(
        encoding="utf-8")), encoding="utf-8")
    server.log.clear()

    third = await harness.crawl(source)

    assert [e.path for e in server.log] == ["/sitemap.xml", "/robots.txt", "/klage.html"]
    assert (third.fetched, third.not_requested) == (1, listed - 1)
    assert "Nav-kontoret som fattet vedtaket" in " ".join(
        c.text for c in harness.catalog.iter_chunks_for_page(f"{server.base}/klage.html"))
    assert harness.catalog.page(f"{server.base}/klage.html").lastmod == "2026-11-30"


def test_eti_crawl_due_crawls_only_the_sources_whose_recrawl_interval_has_passed(tmp_path, serve_site):
    nav, volda = serve_site("nav"), serve_site("kommune-nynorsk")
    entries = [
        {"id": "nav", "name": "Nav", "sector": "welfare", "adapter": "nav", "start_urls": [f"{nav.base}/index.html"],
         "rate_limit": 100, "max_pages": 30, "recrawl": "7d"},
        {"id": "volda", "name": "Volda", "sector": "municipal", "adapter": "kommune", "language": "nn",
         "municipality": "1577", "sitemap": f"{volda.base}/sitemap.xml", "rate_limit": 100, "max_pages": 30,
         "recrawl": "1d"},
    ]
    sources = tmp_path / "sources.yaml"
    sources.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    env = {"ETI_DATA_DIR": str(tmp_path / "data"), "ETI_EMBEDDER": "hashing", "ETI_REQUEST_TIMEOUT_S": "2",
           "COLUMNS": "200"}

    def due() -> str:
        result = CliRunner().invoke(app, ["crawl", "--due", "--sources", str(sources)], env=env)
        assert result.exit_code == 0, result.output + repr(result.exception)
        return result.output

    first = due()
    assert "Due: nav, volda" in first and nav.log and volda.log
    seen = len(nav.log), len(volda.log)

    again = due()
    assert "No source is due" in again and (len(nav.log), len(volda.log)) == seen

    # a day and a half passes for volda's last crawl (the catalog's record is moved back)
    db = sqlite3.connect(tmp_path / "data" / "catalog.sqlite")
    with db:
        db.execute("UPDATE crawls SET finished_at=? WHERE source_id='volda'",
                   ((datetime.now(UTC) - timedelta(hours=36)).isoformat(),))
    db.close()
    later = due()
    assert "Due: volda" in later and "nav" not in later.split("Due:")[1].splitlines()[0]
    assert len(nav.log) == seen[0] and len(volda.log) > seen[1]

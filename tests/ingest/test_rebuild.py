"""The ``eti`` command end to end: crawl loopback sites from a sources file, then rebuild offline.

The CLI runs in-process (typer's CliRunner) with ETI_DATA_DIR and the ``hashing`` embedder; the
sites are real loopback servers. ``eti index --rebuild`` runs with every server stopped, so any
attempt to use the network would fail.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from eti.cli import app
from eti.index.reader import IndexReader
from eti.settings import Settings
from ingest.catalog import Catalog

SITES = Path(__file__).resolve().parents[1] / "fixtures" / "sites"
NAV_PAGES = len(list((SITES / "nav").glob("*.html")))  # the site's pages outside robots.txt's /intern/
VOLDA_PAGES = (SITES / "kommune-nynorsk" / "sitemap.xml").read_text(encoding="utf-8").count("<loc>")


def write_sources(tmp_path: Path, nav, volda) -> Path:
    entries = [
        {"id": "nav", "name": "Nav", "sector": "welfare", "adapter": "nav", "start_urls": [f"{nav.base}/index.html"],
         "rate_limit": 100, "max_pages": 30},
        {"id": "volda", "name": "Volda kommune", "sector": "municipal", "adapter": "kommune", "language": "nn",
         "municipality": "1577", "sitemap": f"{volda.base}/sitemap.xml", "rate_limit": 100, "max_pages": 30},
    ]
    path = tmp_path / "sources.yaml"
    path.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    return path


def eti(data_dir: Path, *args: str):
    env = {"ETI_DATA_DIR": str(data_dir), "ETI_EMBEDDER": "hashing", "ETI_BACKOFF_BASE_S": "0.05",
           "ETI_MAX_BACKOFF_S": "2", "ETI_REQUEST_TIMEOUT_S": "2", "ETI_MAX_RETRIES": "1", "COLUMNS": "200"}
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def summary_row(output: str, source_id: str) -> dict[str, int]:
    """The numbers of one source's row in the printed summary table."""
    cols = ["fetched", "unchanged", "failed", "skipped", "chunks +", "chunks -", "pages -"]
    for line in output.splitlines():
        cells = [c.strip() for c in re.split(r"[│|┃]", line) if c.strip()]
        if cells and cells[0] == source_id:
            return dict(zip(cols, (int(re.sub(r"\D", "", c)) for c in cells[2:]), strict=True))
    raise AssertionError(f"no summary row for {source_id}:\n{output}")


def chunk_state(data_dir: Path) -> dict[str, str]:
    catalog = Catalog(Settings(data_dir=data_dir).catalog_path)
    try:
        return catalog.chunk_hashes()
    finally:
        catalog.close()


@pytest.fixture
def sites(tmp_path, serve_site):
    nav, volda = serve_site("nav"), serve_site("kommune-nynorsk")
    return nav, volda, write_sources(tmp_path, nav, volda)


def test_eti_crawl_with_a_sources_file_indexes_the_sites_and_prints_the_summary(tmp_path, sites):
    nav, volda, sources = sites
    nav.script["/klage.html"] = [(500, {}, b"feil")] * 2  # ETI_MAX_RETRIES=1: two tries, both fail
    data = tmp_path / "data"

    out = eti(data, "crawl", "--sources", str(sources)).output

    assert "Ingest summary" in out
    row = summary_row(out, "nav")
    assert (row["fetched"], row["unchanged"], row["failed"]) == (NAV_PAGES - 1, 0, 1)
    assert row["chunks +"] > 0 and row["chunks -"] == 0
    assert summary_row(out, "volda")["fetched"] == VOLDA_PAGES
    assert "nav: 1 x HTTP 500" in out
    reader = IndexReader.open(data / "index")
    assert reader.count() == reader.dense.count() == len(chunk_state(data)) > 0
    assert f"Index {reader.version.name}: {reader.count()} chunks" in out
    assert {r[0] for r in reader.rows} == {"nav", "volda"}
    assert list((data / "raw" / "nav").glob("*.warc.gz")) and list((data / "raw" / "volda").glob("*.warc.gz"))

    # a second run: everything unchanged, the page that came back is added
    again = eti(data, "crawl", "--sources", str(sources)).output
    row = summary_row(again, "nav")
    assert (row["fetched"], row["unchanged"], row["failed"]) == (1, NAV_PAGES - 1, 0)
    assert summary_row(again, "volda")["unchanged"] == VOLDA_PAGES
    assert "0 embedded" not in again  # klage.html's chunks are new
    assert IndexReader.open(data / "index").count() > reader.count()


def test_eti_index_rebuild_without_network_re_extracts_the_same_chunks_from_snapshots(tmp_path, sites):
    nav, volda, sources = sites
    data = tmp_path / "data"
    eti(data, "crawl", "--sources", str(sources))
    before = chunk_state(data)
    served = IndexReader.open(data / "index")
    assert len(before) == served.count() > 0
    nav.stop()
    volda.stop()
    requests = len(nav.log) + len(volda.log)

    out = eti(data, "index", "--rebuild", "--sources", str(sources)).output

    assert len(nav.log) + len(volda.log) == requests
    assert summary_row(out, "nav")["fetched"] == NAV_PAGES and summary_row(out, "nav")["failed"] == 0
    assert summary_row(out, "volda")["fetched"] == VOLDA_PAGES
    assert "source failed" not in out
    assert chunk_state(data) == before
    rebuilt = IndexReader.open(data / "index")
    assert rebuilt.version != served.version
    assert rebuilt.count() == rebuilt.dense.count() == len(before)


def test_rebuild_does_not_bring_back_pages_that_were_deleted_or_duplicates_after_their_snapshot(tmp_path, sites):
    nav, volda, sources = sites
    data = tmp_path / "data"
    eti(data, "crawl", "--sources", str(sources))
    assert {f"{nav.base}/klage.html", f"{nav.base}/hjelpemidler.html"} <= {
        m["url"] for m in IndexReader.open(data / "index").dense.collection.get(include=["metadatas"])["metadatas"]}
    # klage.html now 404s; hjelpemidler.html is unlinked and gone; omsorgspenger.html becomes a duplicate
    (nav.root / "klage.html").unlink()
    (nav.root / "hjelpemidler.html").unlink()
    for f in nav.root.glob("*.html"):
        f.write_text(f.read_text(encoding="utf-8").replace('href="hjelpemidler.html"', 'href="#"'), encoding="utf-8")
    dup = nav.root / "omsorgspenger.html"
    dup.write_text(dup.read_text(encoding="utf-8").replace(
        "{{BASE}}/omsorgspenger.html", "{{BASE}}/index.html"), encoding="utf-8")
    eti(data, "crawl", "--sources", str(sources))
    after_crawl = chunk_state(data)
    urls = {m["url"] for m in IndexReader.open(data / "index").dense.collection.get(include=["metadatas"])["metadatas"]}
    gone = {f"{nav.base}/klage.html", f"{nav.base}/hjelpemidler.html", f"{nav.base}/omsorgspenger.html"}
    assert urls and not urls & gone
    nav.stop()
    volda.stop()

    out = eti(data, "index", "--rebuild", "--sources", str(sources)).output

    assert chunk_state(data) == after_crawl
    urls = {m["url"] for m in IndexReader.open(data / "index").dense.collection.get(include=["metadatas"])["metadatas"]}
    assert urls and not urls & gone
    assert not [u for u in urls if u.endswith(("robots.txt", "sitemap.xml"))]
    assert summary_row(out, "nav")["failed"] == 0

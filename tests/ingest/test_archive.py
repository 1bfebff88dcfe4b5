"""A bulk archive is downloaded by its adapter (lovdata), conditionally, and rebuilt from offline.

A small archive in Lovdata's format is served over loopback; the Lovdata adapter's collect
downloads it under raw/, asks with If-None-Match the next time, and ``Ingestor.rebuild`` (what
``eti index --rebuild`` runs) reads the downloaded copy with the server stopped.
"""

from __future__ import annotations

import io
import tarfile

import pytest
from support.site_server import SiteServer

from ingest.pipeline import Ingestor
from ingest.sources import Source

ATTRIBUTION = "Inneholder data under NLOD 2.0, tilgjengeliggjort av Lovdata"


def law(n: int) -> bytes:
    return f"""<html><head><title>Prøvelov {n}</title></head><body>
<header class="documentHeader"><dl class="data-document-key-info"><dt>Tittel</dt><dd class="title">Lov om prøving {n}</dd>
<dd class="titleShort">prøveloven {n}</dd><dd class="dateOfPublication">2025-01-0{n}</dd></dl></header>
<main data-lovdata-url="LTI/lov/2025-01-0{n}-{n}">
<section><h2>Kapittel 1. Innledende bestemmelser</h2>
<article class="legalArticle" data-name="§1"><h3 class="legalArticleHeader"><span class="legalArticleValue">§ 1</span>
Formål</h3><article class="legalP">Loven skal sikre at prøving nummer {n} skjer på en forsvarlig måte.</article>
</article></section></main></body></html>""".encode()


def archive() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:bz2") as tar:
        for n in (1, 2):
            data = law(n)
            info = tarfile.TarInfo(f"lti/2025/nl-2025010{n}-00{n}.xml")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


@pytest.fixture
def archive_server(tmp_path):
    root = tmp_path / "lovdata-site"
    root.mkdir()
    (root / "lover.tar.bz2").write_bytes(archive())
    server = SiteServer(root).start()
    yield server
    server.stop()


async def test_the_lovdata_adapter_downloads_its_archive_conditionally_and_rebuilds_offline(
    settings, harness, archive_server
):
    source = Source(id="lovdata", name="Lovdata", sector="legal", adapter="lovdata",
                    archive=f"{archive_server.base}/lover.tar.bz2", attribution=ATTRIBUTION)

    first = await harness.crawl(source)

    local = settings.raw_dir / "lovdata" / "lover.tar.bz2"
    assert first.error is None and first.fetched == 2
    assert local.read_bytes() == archive() and (local.parent / "lover.tar.bz2.http.json").exists()
    chunks = list(harness.catalog.iter_chunks())
    assert {c.url for c in chunks} == {"https://lovdata.no/dokument/LTI/lov/2025-01-01-1/§1",
                                       "https://lovdata.no/dokument/LTI/lov/2025-01-02-2/§1"}
    assert {c.attribution for c in chunks} == {ATTRIBUTION}
    before = harness.catalog.chunk_hashes()

    second = await harness.crawl(source)

    [again] = archive_server.requests_for("/lover.tar.bz2")[1:]
    assert again.headers.get("if-none-match") and again.status == 304
    assert second.error is None and second.unchanged == 2 and harness.catalog.chunk_hashes() == before

    archive_server.stop()
    async with harness.client() as client:
        rebuilt = await Ingestor(settings, harness.catalog, client).rebuild(source)
    assert rebuilt.error is None and rebuilt.fetched == 2 and rebuilt.failed == 0
    assert harness.catalog.chunk_hashes() == before
    assert len(archive_server.log) == 2


async def test_an_archive_that_cannot_be_downloaded_keeps_what_was_indexed(settings, harness, archive_server):
    source = Source(id="lovdata", name="Lovdata", sector="legal", adapter="lovdata",
                    archive=f"{archive_server.base}/lover.tar.bz2")
    await harness.crawl(source)
    before = harness.catalog.chunk_hashes()
    archive_server.script["/lover.tar.bz2"] = [(503, {}, b"")] * 10

    stats = await harness.crawl(source)

    assert stats.error is None and stats.unchanged == 2  # the copy from last time was used
    assert harness.catalog.chunk_hashes() == before

    missing = Source(id="annen", name="Annen", sector="legal", adapter="lovdata",
                     archive=f"{archive_server.base}/finnes-ikke.tar.bz2")
    failed = await harness.crawl(missing)
    assert failed.error and "unavailable" in failed.error
    assert harness.catalog.chunk_hashes() == before

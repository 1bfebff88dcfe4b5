"""Real servers for the API tests: redis-server and `chroma run` on free loopback ports (skipped,
with the reason, only when the binary is missing)."""

from __future__ import annotations

import pytest
from support.servers import chroma_server, missing, redis_server


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    if reason := missing("redis"):
        pytest.skip(reason)
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory):
    if reason := missing("chroma"):
        pytest.skip(reason)
    with chroma_server(tmp_path_factory.mktemp("chroma")) as url:
        yield url

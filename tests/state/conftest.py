"""A real redis-server for the state tests (skipped, with the reason, only when it is not installed)."""

from __future__ import annotations

import pytest
from support.servers import missing, redis_server


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    reason = missing("redis")
    if reason:
        pytest.skip(reason)
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url

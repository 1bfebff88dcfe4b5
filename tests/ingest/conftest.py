"""Fixtures for the ingest tests (the shared ones are in tests/conftest.py)."""

from __future__ import annotations

import pytest
from support.ingest_harness import Harness

from eti.settings import Settings


@pytest.fixture
def harness(settings: Settings) -> Harness:
    """A fresh data dir to crawl into and publish from (the hashing embedder)."""
    h = Harness(settings)
    yield h
    h.close()

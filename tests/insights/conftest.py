"""Fixtures for the insights tests: the real topic recogniser and rules, and an events store on a temp dir."""

from __future__ import annotations

import pytest

from eti.answer.topics import TopicRecogniser
from eti.insights.rules import Rules
from eti.insights.store import EventStore


@pytest.fixture(scope="session")
def topics() -> TopicRecogniser:
    return TopicRecogniser.load()


@pytest.fixture(scope="session")
def rules() -> Rules:
    return Rules.load()


@pytest.fixture
def store(tmp_path):
    s = EventStore(tmp_path / "insights.sqlite")
    yield s
    s.close()

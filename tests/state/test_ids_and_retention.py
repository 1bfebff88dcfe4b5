"""Conversation ids never carry personal data; the retention purge runs at start and then periodically."""

from __future__ import annotations

import asyncio

import pytest
from support.clock import Clock

from eti.settings import Settings
from eti.state import build_state, holds_personal_data, is_valid, new_id
from eti.state.retention import purge_periodically

FNR = "15081210281"


@pytest.mark.parametrize("cid", [FNR, f"conv-{FNR}", "ring-412-34-567", "41234567abc", "abc_4123_4567",
                                 "0047-41234567", "id-12345678901-x"])
def test_ids_with_personal_data_are_refused(cid):
    assert holds_personal_data(cid) and not is_valid(cid)


@pytest.mark.parametrize("cid", ["k3J9xYz0abcd", "evalconversation", "a1b2c3d4e5f6g7h8", "abc-1234-xyz-5678"])
def test_ordinary_ids_are_accepted(cid):
    assert is_valid(cid)


def test_server_ids_are_opaque_and_valid():
    drawn = {new_id() for _ in range(500)}
    assert len(drawn) == 500 and all(is_valid(c) and len(c) == 16 for c in drawn)


def test_the_purge_runs_at_start_and_then_every_interval(tmp_path):
    clock = Clock()
    state = build_state(Settings(data_dir=tmp_path, retention_days=21), now=clock)
    state.feedback.add("conversation-1", "up", "første")
    clock.advance(22 * 86_400)
    waits: list[float] = []

    async def sleep(seconds: float) -> None:  # the loop's wait: moves the clock instead of sleeping
        waits.append(seconds)
        if len(waits) == 1:
            assert state.feedback.rows() == []  # purged at start
            state.feedback.add("conversation-2", "down", "andre")
            clock.advance(22 * 86_400)
            return
        raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(purge_periodically(state, 3600, sleep=sleep))
    assert waits == [3600, 3600] and state.feedback.rows() == []  # purged again after the interval
    assert sum(c.n for c in state.feedback.daily_counts()) == 2
    state.close()

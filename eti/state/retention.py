"""Retention: what is older than ``ETI_RETENTION_DAYS`` is deleted, at start and then periodically.

The purge runs in a worker thread (SQLite and Redis calls block), so the event loop keeps serving.
Several workers purging at once is harmless: each delete is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from anyio import to_thread

from eti.state.stores import State

log = logging.getLogger(__name__)


def purge_once(state: State) -> dict[str, int]:
    """Delete expired turns, feedback comments (the per-day counts stay), buckets and idempotency keys."""
    gone = state.purge()
    if any(gone.values()):
        log.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in gone.items()))
    return gone


async def purge_periodically(state: State, interval_s: float,
                             sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
    """Purge now and every ``interval_s`` until cancelled; a failed purge is logged and retried next time.
    ``sleep`` is the wait between purges (a test hands in one that moves its own clock)."""
    while True:
        try:
            await to_thread.run_sync(purge_once, state)
        except Exception as exc:  # a Redis or disk hiccup must not stop the server  # noqa: BLE001
            log.error("retention purge failed: %s: %s", type(exc).__name__, exc)
        await sleep(interval_s)

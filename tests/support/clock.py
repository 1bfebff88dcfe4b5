"""A clock a test moves by hand (no sleeping): hand it to ``eti.state.build_state(settings, now=clock)``."""

from __future__ import annotations


class Clock:
    def __init__(self, start: float = 1_790_000_000.0):  # 2026-09-21, UTC
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def fixed_time() -> float:
    """A module-level clock that never moves (picklable, for child processes)."""
    return 1_790_000_000.0

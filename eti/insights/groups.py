"""Counting events into groups (per sector, scheme, kommune, language, status) by distinct conversation,
and the k-anonymity rule for showing a count."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from eti.insights.events import Event

DIMENSIONS = ("all", "status", "language", "sector", "scheme", "kommune")


def dimensions(event: Event) -> Iterator[tuple[str, str]]:
    """The groups one event counts in; ("all", "") is every event."""
    yield "all", ""
    yield "status", event.status
    yield "language", event.language
    for s in event.sectors:
        yield "sector", s
    for s in event.schemes:
        yield "scheme", s
    if event.kommune:
        yield "kommune", event.kommune


@dataclass
class Tally:
    """One group's events and the distinct conversations in it (in all, unanswered, rated down)."""

    events: int = 0
    conversations: set[str] = field(default_factory=set)
    unanswered: set[str] = field(default_factory=set)
    rated_down: set[str] = field(default_factory=set)

    def add(self, event: Event) -> None:
        self.events += 1
        self.conversations.add(event.conversation)
        if event.unanswered:
            self.unanswered.add(event.conversation)
        if event.rating == "down":
            self.rated_down.add(event.conversation)


def tally(events: Iterable[Event]) -> dict[tuple[str, str], Tally]:
    out: dict[tuple[str, str], Tally] = {}
    for e in events:
        for key in dimensions(e):
            out.setdefault(key, Tally()).add(e)
    return out


def shown(live: int, kept: Iterable[int], k: int) -> int | None:
    """A count of distinct conversations, or None when it may stand for fewer than ``k`` of them.

    ``live`` is counted exactly over the stored events; ``kept`` are per-week counts whose events
    are gone (a conversation seen in two weeks counts in both), so only weeks that reach ``k`` on
    their own are added: whatever is shown stands for at least ``k`` distinct conversations."""
    kept = [n for n in kept if n >= k]
    if live < k and not kept:
        return None
    return live + sum(kept)

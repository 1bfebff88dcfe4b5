"""Building the insights report from the events store: themes, sources, rising topics, volume.

``build_report`` reads one window of events (and the per-week counts kept past the retention
period), clusters the unanswered and the rated-down questions into themes, and applies the
k-anonymity rule to everything it returns: a theme, source or group with fewer than ``k`` distinct
conversations is left out (and counted in ``withheld``); a count inside a shown group that could
stand for fewer than ``k`` is null.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np

from eti.answer.topics import TopicRecogniser
from eti.embed.base import Embedder
from eti.insights.cluster import cluster
from eti.insights.events import WEEK_S, Event, searchable
from eti.insights.groups import Tally, shown, tally
from eti.insights.labels import Labels
from eti.insights.models import Group, Report, Rising, Source, Theme, Totals, Week
from eti.insights.rules import Rules
from eti.insights.store import EventStore, WeekCount
from eti.pii import redact
from eti.settings import Settings

WINDOW_PATTERN = r"^[1-9][0-9]{0,3}[hdw]$"
_WINDOW = re.compile(WINDOW_PATTERN)
_UNIT_S = {"h": 3600.0, "d": 86_400.0, "w": WEEK_S}
GROUP_DIMENSIONS = ("sector", "scheme", "kommune", "language", "status")


def window_seconds(window: str) -> float:
    """``"30d"`` -> seconds; hours (h), days (d) or weeks (w), 1-9999 of them."""
    if not _WINDOW.match(window):
        raise ValueError(f"window must look like 30d, 12w or 48h, not {window!r}")
    return int(window[:-1]) * _UNIT_S[window[-1]]


@dataclass
class ReportInputs:
    """What a report needs besides the store; built once by the CLI command or the API's lifespan."""

    embedder: Embedder
    labels: Labels
    rules: Rules
    retention_s: float
    stale_days: int

    @classmethod
    def from_settings(cls, settings: Settings, embedder: Embedder, topics: TopicRecogniser | None = None) -> ReportInputs:
        return cls(embedder, Labels.load(settings, topics), Rules.load(), settings.retention_days * 86_400,
                   settings.insights_stale_days)


def build_report(store: EventStore, inputs: ReportInputs, *, window: str, k: int, now: float) -> Report:
    until, since = now, now - window_seconds(window)
    live = store.events(since, until)
    kept = store.week_counts(since, until)
    withheld = [0]
    unanswered = _themes(store, [e for e in live if e.unanswered], inputs, k, withheld)
    rated_down = _themes(store, [e for e in live if e.rating == "down"], inputs, k, withheld)
    down_sources, stale = _sources(live, k, until, inputs.stale_days, withheld)
    groups = _groups(live, kept, k, inputs.labels, withheld)
    whole = _combined(tally(live).get(("all", "")), [c for c in kept if c.dimension == "all"], k)
    totals = Totals(**whole) if whole else Totals(events=None, conversations=None, unanswered=None, rated_down=None)
    recent = store.events(until - (_previous_weeks(inputs) + 1) * WEEK_S, until)
    return Report(generated_at=_iso(now), since=_iso(since), until=_iso(until), window=window, k=k,
                  retention_days=inputs.retention_s / 86_400, totals=totals, unanswered=unanswered,
                  rated_down=rated_down, rated_down_sources=down_sources, stale_sources=stale,
                  rising=_rising(recent, until, k, inputs), groups=groups,
                  weeks=_weeks(live, kept, k, withheld), withheld=withheld[0])


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).replace(microsecond=0).isoformat()


# themes --------------------------------------------------------------------------------------

def _themes(store: EventStore, events: list[Event], inputs: ReportInputs, k: int,
            withheld: list[int]) -> list[Theme]:
    with_text = [e for e in events if e.question][-inputs.rules.max_questions:]
    by_text: dict[str, list[Event]] = defaultdict(list)
    for e in with_text:
        by_text[" ".join(e.question.casefold().split())].append(e)
    if not by_text:
        return []
    groups = list(by_text.values())
    vectors = _vectors(groups, inputs.embedder, store)
    weights = np.array([len(g) for g in groups], dtype=np.float64)
    out = []
    for theme in cluster(vectors, inputs.rules.similarity_for(inputs.embedder.name), weights):
        members = [e for i in theme.members for e in groups[i]]
        conversations = {e.conversation for e in members}
        if len(conversations) < k:
            withheld[0] += 1
            continue
        weeks = sorted(e.week for e in members)
        out.append(Theme(
            representative=redact(groups[theme.medoid][0].question).text, questions=len(members),
            conversations=len(conversations), reasons=_by(members, lambda e: [e.reason] if e.reason else [], k),
            languages=_by(members, lambda e: [e.language], k), sectors=_by(members, lambda e: e.sectors, k),
            schemes=_by(members, lambda e: e.schemes, k),
            kommuner=_by(members, lambda e: [e.kommune] if e.kommune else [], k),
            first_week=weeks[0], last_week=weeks[-1]))
    return out


def _vectors(groups: list[list[Event]], embedder: Embedder, store: EventStore) -> np.ndarray:
    """One vector per distinct question: the pipeline's own where it was stored, else embedded now."""
    stored = store.vectors([e.id for g in groups for e in g if e.id is not None])
    out = np.zeros((len(groups), embedder.dim), dtype=np.float32)
    missing = []
    for i, g in enumerate(groups):
        found = next((stored[e.id][1] for e in g if e.id in stored and stored[e.id][0] == embedder.name), None)
        if found is not None and len(found) == embedder.dim:
            out[i] = found
        else:
            missing.append(i)
    for start in range(0, len(missing), 64):
        batch = missing[start:start + 64]
        out[batch] = embedder.embed([searchable(groups[i][0].question) for i in batch], "query")
    store.set_vectors({e.id: out[i] for i in missing for e in groups[i] if e.id is not None}, embedder.name)
    return out


def _by(events: list[Event], keys, k: int) -> dict[str, int]:
    """Distinct conversations per key, keeping only keys held by at least ``k`` of them."""
    seen: dict[str, set[str]] = defaultdict(set)
    for e in events:
        for key in keys(e):
            seen[key].add(e.conversation)
    return {key: len(c) for key, c in sorted(seen.items(), key=lambda kv: (-len(kv[1]), kv[0])) if len(c) >= k}


# sources -------------------------------------------------------------------------------------

def _age_days(last_modified: str | None, until: float) -> int | None:
    if not last_modified:
        return None
    try:
        d = date.fromisoformat(last_modified[:10])
    except ValueError:
        return None
    return (datetime.fromtimestamp(until, UTC).date() - d).days


def _sources(events: list[Event], k: int, until: float, stale_days: int,
             withheld: list[int]) -> tuple[list[Source], list[Source]]:
    cited: dict[str, dict] = {}
    for e in events:
        for s in e.sources:
            row = cited.setdefault(s.url, {"latest": s, "cited": 0, "conversations": set(), "down": set(),
                                           "outdated": False})
            row["latest"], row["cited"] = s, row["cited"] + 1
            row["conversations"].add(e.conversation)
            row["outdated"] |= s.outdated
            if e.rating == "down":
                row["down"].add(e.conversation)
    down, stale = [], []
    for row in cited.values():
        s, convs = row["latest"], row["conversations"]
        age = _age_days(s.last_modified, until)
        is_stale = row["outdated"] or (age is not None and age > stale_days)
        source = Source(source_id=s.source_id, title=s.title, url=s.url, sector=s.sector, kind=s.kind,
                        cited=row["cited"], conversations=len(convs),
                        rated_down=len(row["down"]) if len(row["down"]) >= k else None, outdated=row["outdated"],
                        last_modified=s.last_modified, age_days=age)
        if len(row["down"]) >= k:
            down.append(source)
        elif row["down"]:
            withheld[0] += 1
        if is_stale and len(convs) >= k:
            stale.append(source)
        elif is_stale:
            withheld[0] += 1
    down.sort(key=lambda s: (-(s.rated_down or 0), s.url))
    stale.sort(key=lambda s: (-s.conversations, s.url))
    return down, stale


# volume --------------------------------------------------------------------------------------

def _groups(live: list[Event], kept: list[WeekCount], k: int, labels: Labels, withheld: list[int]) -> list[Group]:
    counted = tally(live)
    kept_by: dict[tuple[str, str], list[WeekCount]] = defaultdict(list)
    for c in kept:
        kept_by[(c.dimension, c.value)].append(c)
    out = []
    for dim, key in sorted({*counted, *kept_by}):
        if dim not in GROUP_DIMENSIONS:
            continue
        counts = _combined(counted.get((dim, key)), kept_by.get((dim, key), []), k)
        if counts is None:
            withheld[0] += 1
            continue
        out.append(Group(dimension=dim, key=key, label=labels.of(dim, key), **counts))
    order = {d: i for i, d in enumerate(GROUP_DIMENSIONS)}
    out.sort(key=lambda g: (order[g.dimension], -g.conversations, g.key))
    return out


def _weeks(live: list[Event], kept: list[WeekCount], k: int, withheld: list[int]) -> list[Week]:
    by_week: dict[str, list[Event]] = defaultdict(list)
    for e in live:
        by_week[e.week].append(e)
    kept_all = {c.week: c for c in kept if c.dimension == "all"}
    out = []
    for week in sorted({*by_week, *kept_all}):
        live_week = tally(by_week.get(week, [])).get(("all", ""))
        counts = _combined(live_week, [kept_all[week]] if week in kept_all else [], k)
        if counts is None:
            withheld[0] += 1
            continue
        out.append(Week(week=week, kept_counts=live_week is None, **counts))
    return out


def _combined(live: Tally | None, kept: list[WeekCount], k: int) -> dict | None:
    """A group's counts from its stored events and its kept weeks, or None when it holds fewer than k
    conversations (see ``eti.insights.groups.shown``)."""
    conversations = shown(len(live.conversations) if live else 0, [c.conversations for c in kept], k)
    if conversations is None:
        return None
    return {"events": (live.events if live else 0) + sum(c.events for c in kept if c.conversations >= k),
            "conversations": conversations,
            "unanswered": shown(len(live.unanswered) if live else 0, [c.unanswered for c in kept], k),
            "rated_down": shown(len(live.rated_down) if live else 0, [c.rated_down for c in kept], k)}


def _previous_weeks(inputs: ReportInputs) -> int:
    """How many 7-day windows before the last one still have all their events (within the retention)."""
    return max(0, min(inputs.rules.rising_previous_weeks, int(inputs.retention_s // WEEK_S) - 1))


def _rising(events: list[Event], until: float, k: int, inputs: ReportInputs) -> list[Rising]:
    previous = _previous_weeks(inputs)
    if previous == 0:
        return []
    per: dict[str, list[set[str]]] = defaultdict(lambda: [set() for _ in range(previous + 1)])
    for e in events:
        back = int((until - e.created) // WEEK_S)  # 0: the last 7 days
        if 0 <= back <= previous:
            for s in e.schemes:
                per[s][back].add(e.conversation)
    out = []
    for scheme, windows in per.items():
        now_n, before = len(windows[0]), [len(w) for w in windows[1:]]
        mean = sum(before) / len(before)
        if now_n < k or now_n < inputs.rules.rising_ratio * mean or now_n <= mean:
            continue
        all_shown = all(n >= k for n in before)
        out.append(Rising(scheme=scheme, label=inputs.labels.of("scheme", scheme),
                          sector=inputs.labels.scheme_sectors.get(scheme, ""), this_week=now_n,
                          previous_weeks=[n if n >= k else None for n in before],
                          ratio=round(now_n / mean, 2) if all_shown else None,
                          new=not any(n >= k for n in before)))
    out.sort(key=lambda r: (-r.this_week, r.scheme))
    return out

"""One anonymous event per answered question: what the insights report is made of.

An event is built from the answer's context after the run, never from the question as received:
the question is the pipeline's redacted text (``ctx.redacted``), redacted once more here; the
conversation is a salted hash; the rest is what the answer was about (status, language, sectors,
schemes, kommune) and which sources it cited, with their dates and outdated flags.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from eti.answer.context import AskContext
from eti.answer.topics import TopicRecogniser
from eti.core import Status
from eti.pii import MARKER, redact

WEEK_S = 7 * 86_400.0


@dataclass
class CitedSource:
    source_id: str
    title: str
    url: str
    sector: str
    kind: str  # page | card | law
    outdated: bool
    last_modified: str | None


@dataclass
class Event:
    created: float  # seconds since the epoch
    language: str
    status: str  # answered | no_answer | refused | emergency
    reason: str  # why a stage stopped the run; "all_outdated" for an answer whose every citation is outdated
    unanswered: bool  # a gap: no answer (not an attack), or only outdated sources to answer from
    sectors: list[str]
    schemes: list[str]
    kommune: str | None
    sources: list[CitedSource]
    conversation: str  # salted hash of the conversation id (eti.insights.pseudonyms)
    question: str  # redacted (twice); deleted after the retention period
    vector: np.ndarray | None = None  # the question's embedding from the pipeline, when it embedded this text
    embedder: str | None = None  # the embedder that made ``vector``
    rating: str | None = None  # up | down, joined later by conversation
    id: int | None = field(default=None, compare=False)

    @property
    def week(self) -> str:
        return week_of(self.created)


def week_of(t: float) -> str:
    """The ISO week of ``t`` (UTC), e.g. "2026-W49"."""
    return time.strftime("%G-W%V", time.gmtime(t))


def week_end(week: str) -> float:
    """Monday 00:00 UTC after ``week``: every event of that week is older than this."""
    year, num = week.split("-W")
    monday = date.fromisocalendar(int(year), int(num), 1) + timedelta(days=7)
    return float(calendar.timegm(monday.timetuple()))


def searchable(question: str) -> str:
    """The stored question without redaction markers: the text the pipeline embeds."""
    return " ".join(MARKER.sub(" ", question).split()) or question


def event_from_answer(ctx: AskContext, topics: TopicRecogniser, conversation: str, *, created: float,
                      not_gaps: frozenset[str], embedder: str | None = None) -> Event:
    """The event for one finished answer. ``conversation`` is already the salted hash."""
    question = redact(ctx.redacted).text  # once more: whatever the pipeline missed, nothing raw is stored
    status = ctx.status.value if ctx.status else Status.no_answer.value
    sources = [CitedSource(c.source_id, c.title, c.url, c.sector, c.kind, bool(c.outdated), c.last_modified)
               for c in ctx.citations]
    all_outdated = status == Status.answered.value and bool(sources) and all(s.outdated for s in sources)
    reason = "all_outdated" if all_outdated else ctx.reason
    unanswered = all_outdated or (status == Status.no_answer.value and ctx.reason not in not_gaps)
    schemes = list(ctx.topic.schemes) if ctx.topic else []
    for c in ctx.citations:
        if c.kind == "card" and (sid := topics.scheme_of_card(c.doc_id)):
            schemes.append(sid)
    schemes = list(dict.fromkeys(schemes))
    sectors = [*ctx.filters.sectors, *(topics.schemes[s].sector for s in schemes if s in topics.schemes),
               *(s.sector for s in sources)]
    vector = None
    if ctx.vector is not None and ctx.vector_text in (question, searchable(question)):  # no second embedding
        vector = np.asarray(ctx.vector, dtype=np.float32)
    return Event(created=created, language=ctx.language, status=status, reason=reason, unanswered=unanswered,
                 sectors=list(dict.fromkeys(str(s) for s in sectors)), schemes=schemes,
                 kommune=ctx.filters.municipality or None, sources=sources, conversation=conversation,
                 question=question, vector=vector, embedder=embedder if vector is not None else None)

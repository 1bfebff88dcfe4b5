"""Helpers for the insights tests: answer contexts as the pipeline leaves them, and the events built from them.

(A module of its own name: test modules import it; ``conftest`` would be ambiguous across test folders.)"""

from __future__ import annotations

from eti.answer.context import AskContext, Citation
from eti.answer.topics import Topic
from eti.core import Status
from eti.insights.events import Event, event_from_answer
from eti.insights.pseudonyms import Pseudonyms
from eti.retrieve import Filters

DAY = 86_400.0
NOW = 1_795_000_000.0  # Wednesday 2026-11-18, 11:06 UTC: mid-week, so "this week" is not cut at a Monday
PSEUDONYMS = Pseudonyms(b"test-salt-" * 3)


def citation(n: int = 1, *, url: str = "https://www.nav.no/pleiepenger", title: str = "Pleiepenger",
             source_id: str = "nav", sector: str = "welfare", doc_id: str = "", outdated: bool = False,
             last_modified: str | None = "2026-10-01") -> Citation:
    return Citation(n=n, url=url, title=title, sector=sector, source_id=source_id, section="", snippet="",
                    last_modified=last_modified, fetched_at=None, doc_id=doc_id or url,
                    kind="card" if doc_id.startswith("kort:") else "page", outdated=outdated)


def context(question: str, *, status: Status = Status.no_answer, reason: str = "low_confidence",
            conversation_id: str = "conv-0001", citations: list[Citation] | None = None,
            schemes: list[str] | None = None, kommune: str | None = None, language: str = "nb") -> AskContext:
    """A finished answer's context as the pipeline leaves it (the question already redacted)."""
    ctx = AskContext(question=question, filters=Filters(municipality=kommune), conversation_id=conversation_id)
    ctx.redacted, ctx.query, ctx.language = question, question, language
    ctx.topic = Topic(schemes=list(schemes or []))
    ctx.citations = list(citations or [])
    ctx.stop(status, reason)
    return ctx


def event(topics, rules, question: str, *, created: float = NOW, **kw) -> Event:
    ctx = context(question, **kw)
    return event_from_answer(ctx, topics, PSEUDONYMS.conversation(ctx.conversation_id or ""), created=created,
                             not_gaps=rules.not_gaps)

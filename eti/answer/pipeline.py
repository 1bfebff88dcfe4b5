"""The answer pipeline: one list of stages per answer mode, run in order; any stage may stop it.

    default: redact_personal_data -> detect_language -> embed_question -> emergency -> refusals
             -> injected_instructions -> followup -> retrieve -> confidence_gate -> compose
             -> no_verdicts -> localise -> finish
    llm:     the same, with the LLM's follow-up rewrite and composition (each falls back to the
             default stage when the provider fails)
    always:  show_notices -> record_conversation (after the run, stopped or not)

The runner times every stage and catches provider errors once: a stage with a ``fallback`` that
raises is replaced by its fallback, and the reason is kept on the context.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from eti.answer import compose, confidence, followup, llm, localise, verdicts
from eti.answer.context import AskContext
from eti.answer.guardrails import stages as guard
from eti.answer.services import Services
from eti.core import Status
from eti.retrieve import Filters
from eti.state import Turn

log = logging.getLogger(__name__)
StageFn = Callable[[AskContext, Services], None]


@dataclass(frozen=True)
class Stage:
    name: str
    run: StageFn
    fallback: StageFn | None = None  # used when ``run`` fails (an LLM provider error, a timeout)


def finish(ctx: AskContext, services: Services) -> None:
    if not ctx.answer:
        ctx.answer = services.templates.get(ctx.language, "no_answer")
        ctx.stop(Status.no_answer, "nothing_to_compose")
        return
    ctx.stop(Status.answered)


def show_notices(ctx: AskContext, services: Services) -> None:
    """One-line notices (where to call if it is acute, the personal-data notice, the language
    notice) go on top of the answer; the emergency text stands alone."""
    if ctx.notices and ctx.status != Status.emergency:
        ctx.answer = "\n\n".join([*dict.fromkeys(ctx.notices), ctx.answer])


def record_conversation(ctx: AskContext, services: Services) -> None:
    """The turn, redacted, for follow-ups (and nothing else: never the question as received)."""
    conv = services.conversations.get_or_new(ctx.conversation_id)
    services.conversations.add(conv, Turn(ctx.redacted, str(ctx.status), [c.doc_id for c in ctx.citations]))


INPUT = [
    Stage("redact_personal_data", guard.redact_personal_data),
    Stage("detect_language", guard.detect_language),
    Stage("embed_question", guard.embed_question),
    Stage("emergency", guard.emergency),
    Stage("refusals", guard.refusals),
    Stage("injected_instructions", guard.injected_instructions),
]
OUTPUT = [
    Stage("no_verdicts", verdicts.no_verdicts),
    Stage("localise", localise.localise),
    Stage("finish", finish),
]
STAGES: dict[str, list[Stage]] = {
    "default": [*INPUT,
                Stage("followup", followup.contextualise),
                Stage("retrieve", confidence.retrieve),
                Stage("confidence_gate", confidence.gate),
                Stage("compose", compose.compose),
                *OUTPUT],
    "llm": [*INPUT,
            Stage("followup", llm.rewrite_followup, fallback=followup.contextualise),
            Stage("retrieve", confidence.retrieve),
            Stage("confidence_gate", confidence.gate),
            Stage("compose", llm.compose_with_llm, fallback=compose.compose),
            *OUTPUT],
}
ALWAYS = [Stage("show_notices", show_notices), Stage("record_conversation", record_conversation)]


def _run(stage: Stage, ctx: AskContext, services: Services) -> None:
    t = time.perf_counter()
    try:
        stage.run(ctx, services)
    except Exception as exc:  # a provider failed (timeout, HTTP error, garbage): the parent never sees a 500  # noqa: BLE001
        if stage.fallback is None:
            raise
        ctx.llm_fallback = f"{type(exc).__name__}: {str(exc)[:200]}"
        log.warning("stage %s failed (%s); using its fallback", stage.name, ctx.llm_fallback)
        stage.fallback(ctx, services)
    ctx.timings_ms[stage.name] = (time.perf_counter() - t) * 1000


def stages_for(mode: str, services: Services) -> list[Stage]:
    """The stage list for ``mode``; llm without a configured model is the default list."""
    if mode == "llm" and services.chat_model is None:
        return STAGES["default"]
    return STAGES[mode]


def answer(question: str, services: Services, *, conversation_id: str | None = None,
           filters: Filters | None = None, language: str | None = None, mode: str = "default",
           retriever: str = "hybrid") -> AskContext:
    """Run one question through its mode's stages; returns the context with status, answer and citations."""
    conv = services.conversations.get_or_new(conversation_id)
    ctx = AskContext(question=question, filters=filters or Filters(), requested_language=language,
                     conversation_id=conv.id, mode=mode, retriever_mode=retriever)
    if mode == "llm" and services.chat_model is None:
        ctx.llm_fallback = "no LLM configured"
    t0 = time.perf_counter()
    for stage in stages_for(mode, services):
        _run(stage, ctx, services)
        if ctx.stopped:
            break
    for stage in ALWAYS:
        _run(stage, ctx, services)
    ctx.timings_ms["total"] = (time.perf_counter() - t0) * 1000
    return ctx

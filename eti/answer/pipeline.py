"""The answer pipeline: a question runs through these stages in order; any stage may stop it.

    redact_personal_data -> detect_language -> emergency -> medical_advice -> harmful_request
    -> injected_instructions
    -> followup -> retrieve -> confidence_gate -> compose -> finish
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from eti.answer import confidence, followup, llm
from eti.answer.context import AskContext, Status
from eti.answer.conversations import Turn
from eti.answer.guardrails import stages as guard
from eti.answer.services import Services
from eti.retrieve import Filters

log = logging.getLogger(__name__)
Stage = Callable[[AskContext, Services], None]


def _followup(ctx: AskContext, services: Services) -> None:
    previous = [t.question for t in services.conversations.get_or_new(ctx.conversation_id).turns
                if t.status == Status.answered]
    if previous and ctx.mode == "llm" and services.chat_model is not None:
        try:
            ctx.retrieval_query = llm.rewrite_followup(ctx, services, previous)
            return
        except Exception as exc:  # any provider failure: fall back to the default join  # noqa: BLE001
            log.warning("follow-up rewrite failed (%s); joining questions instead", type(exc).__name__)
    followup.contextualise(ctx, services, previous)


def _compose(ctx: AskContext, services: Services) -> None:
    query = ctx.retrieval_query or ctx.redacted
    if ctx.mode == "llm" and services.chat_model is not None:
        try:
            llm.compose_with_llm(ctx, services)
            return
        except Exception as exc:  # timeout, HTTP error, garbage output: the parent never sees a 500  # noqa: BLE001
            ctx.llm_fallback = f"{type(exc).__name__}: {str(exc)[:200]}"
            log.warning("LLM answer not used (%s); composing from the sources", ctx.llm_fallback)
    elif ctx.mode == "llm":
        ctx.llm_fallback = "no LLM configured"
    services.composer.compose(ctx, query)


def _finish(ctx: AskContext, services: Services) -> None:
    if not ctx.answer:
        ctx.answer = services.templates.get(ctx.language, "no_answer")
        ctx.stop(Status.no_answer, "nothing_to_compose")
        return
    ctx.stop(Status.answered)


STAGES: list[tuple[str, Stage]] = [
    ("redact_personal_data", guard.redact_personal_data),
    ("detect_language", guard.detect),
    ("emergency", guard.emergency),
    ("medical_advice", guard.medical_advice),
    ("harmful_request", guard.harmful_request),
    ("injected_instructions", guard.injected_instructions),
    ("followup", _followup),
    ("retrieve", confidence.retrieve),
    ("confidence_gate", confidence.gate),
    ("compose", _compose),
    ("finish", _finish),
]


def answer(question: str, services: Services, *, conversation_id: str | None = None,
           filters: Filters | None = None, language: str | None = None, mode: str = "default",
           retriever: str = "hybrid") -> AskContext:
    """Run one question through every stage; returns the context with status, answer and citations."""
    conv = services.conversations.get_or_new(conversation_id)
    ctx = AskContext(question=question, filters=filters or Filters(), requested_language=language,
                     conversation_id=conv.id, mode=mode, retriever_mode=retriever)
    t0 = time.perf_counter()
    for name, stage in STAGES:
        t = time.perf_counter()
        stage(ctx, services)
        ctx.timings_ms[name] = (time.perf_counter() - t) * 1000
        if ctx.stopped:
            break
    if ctx.pii_found and ctx.status in (Status.answered, Status.no_answer):
        ctx.answer = f"{services.templates.get(ctx.language, 'pii_notice')}\n\n{ctx.answer}"
    ctx.timings_ms["total"] = (time.perf_counter() - t0) * 1000
    services.conversations.add(conv, Turn(ctx.redacted, str(ctx.status), [c.doc_id for c in ctx.citations]))
    return ctx

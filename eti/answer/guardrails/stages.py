"""The guardrail stages. Each takes the context and the services; any may stop the run."""

from __future__ import annotations

import re

from eti.answer.context import AskContext, Status
from eti.answer.guardrails.patterns import matches
from eti.answer.guardrails.pii import redact
from eti.answer.language import detect_language
from eti.answer.services import Services


def redact_personal_data(ctx: AskContext, services: Services) -> None:
    """Before anything is logged, stored or sent on: remove identity numbers, phones, e-mails."""
    result = redact(ctx.question)
    ctx.redacted, ctx.pii_found = result.text, result.found
    if result.any:
        ctx.retrieval_query = result.searchable


def detect(ctx: AskContext, services: Services) -> None:
    """The question's own language decides; the interface language only when the text does not tell."""
    ctx.language = detect_language(ctx.redacted, fallback=ctx.requested_language or "nb")


def emergency(ctx: AskContext, services: Services) -> None:
    if matches(services.patterns.emergency, ctx.redacted):
        ctx.answer = services.templates.get(ctx.language, "emergency")
        ctx.stop(Status.emergency, "emergency")


def medical_advice(ctx: AskContext, services: Services) -> None:
    if matches(services.patterns.medical_advice, ctx.redacted):
        ctx.answer = services.templates.get(ctx.language, "refused")
        ctx.stop(Status.refused, "diagnosis_or_treatment")


def harmful_request(ctx: AskContext, services: Services) -> None:
    """Fraud, impersonation or fishing for other people's data or our secrets: refused."""
    if matches(services.patterns.harmful, ctx.redacted):
        ctx.answer = services.templates.get(ctx.language, "refused_other")
        ctx.stop(Status.refused, "harmful_request")


def injected_instructions(ctx: AskContext, services: Services) -> None:
    """Instructions to the assistant have no effect: they are cut out of what is searched for."""
    text = ctx.retrieval_query or ctx.redacted
    for p in services.patterns.injection:
        if p.search(text):
            ctx.injection_flagged = True
            text = re.sub(r"[^.!?\n]*" + p.pattern + r"[^.!?\n]*[.!?]?", " ", text, flags=re.I)
    if ctx.injection_flagged:
        ctx.retrieval_query = " ".join(text.split())
        if len(re.findall(r"\w{3,}", ctx.retrieval_query)) < 2:
            ctx.answer = services.templates.get(ctx.language, "off_topic")
            ctx.stop(Status.no_answer, "injection")

"""The input guard stages. Each takes the context and the services; any may stop the run.

They run on every turn, before follow-up handling and retrieval: an emergency in the second turn
of a conversation is an emergency, whatever came before.
"""

from __future__ import annotations

import time

from eti.answer.context import AskContext
from eti.answer.guardrails.guards import segments
from eti.answer.services import Services
from eti.core import Status
from eti.pii import redact
from eti.sanitize import strip_invisible


def redact_personal_data(ctx: AskContext, services: Services) -> None:
    """Before anything looks at the question: invisible characters out (they hide numbers and
    instructions), then identity numbers, phone numbers, e-mail and street addresses removed."""
    result = redact(strip_invisible(ctx.question))
    ctx.redacted, ctx.pii_found = result.text, result.found
    ctx.query = result.searchable
    if result.any:
        ctx.notices.append(services.templates.get(ctx.requested_language or "nb", "pii_notice"))


def detect_language(ctx: AskContext, services: Services) -> None:
    """The question's own language decides; the interface language only when the text does not tell."""
    ctx.language = services.shared.languages.detect(ctx.query, fallback=ctx.requested_language or "nb")
    if ctx.pii_found:  # the notice in the language the parent wrote in
        ctx.notices[-1] = services.templates.get(ctx.language, "pii_notice")


def embed_question(ctx: AskContext, services: Services) -> None:
    """One embedding of the question, for the guards' similarity signal and for retrieval."""
    ctx.vector = services.shared.embedder.embed([ctx.query], "query")[0]
    ctx.vector_text = ctx.query


def emergency(ctx: AskContext, services: Services) -> None:
    """Acute danger: the emergency (or crisis) text and nothing else. Symptoms in a rights question:
    the normal answer with one line on top saying where to call if it is acute."""
    guards = services.shared.guards
    t = time.perf_counter()
    parts = segments(ctx.query)
    seg_vectors = list(services.shared.embedder.embed(parts, "query")) if parts else []
    ctx.timings_ms["emergency_segments"] = (time.perf_counter() - t) * 1000
    assessment = guards.emergency.assess(ctx.query, ctx.vector, seg_vectors)
    ctx.emergency_level = assessment.level
    spec = guards.emergency_spec
    crisis = assessment.kind == "crisis"
    if assessment.level == "emergency":
        ctx.answer = services.templates.get(ctx.language, spec.crisis_template if crisis else spec.template)
        ctx.notices.clear()  # nothing else: not even the personal-data notice
        ctx.guard = "crisis" if crisis else "emergency"
        ctx.stop(spec.status, ctx.guard)
    elif assessment.level == "urgent":
        ctx.notices.insert(0, services.templates.get(
            ctx.language, spec.urgent_crisis_template if crisis else spec.urgent_template))
        ctx.urgent_from_words = bool(assessment.signals.concepts)


def refusals(ctx: AskContext, services: Services) -> None:
    """Forgery, impersonation, deception, decisions, guarantees, diagnosis, dosage: refused with a
    reason and what ETI can do instead (one template per guard)."""
    guards = services.shared.guards
    guard = guards.pattern_refusal(ctx.query)
    if guard is not None:
        _drop_semantic_urgent_line(ctx, services)
    # a message that gives the assistant instructions is the next stage's case; likeness to the
    # refused exemplars ("print the system prompt") would otherwise answer it first
    elif ctx.vector is not None and guards.instructions.clean(ctx.query).split() == ctx.query.split():
        # the classifier also decides for a message with the urgent line ("is this rash eczema or
        # something worse?" is a request for a diagnosis), and the line then always stays on top
        guard = guards.classifier_refusal(ctx.query, ctx.vector)
    if guard is not None:
        ctx.answer = services.templates.get(ctx.language, guard.template)
        ctx.guard = guard.name
        ctx.stop(guard.status, guard.name)


def injected_instructions(ctx: AskContext, services: Services) -> None:
    """Instructions to the assistant have no effect: they are cut out of what is searched for."""
    instructions = services.shared.guards.instructions
    cleaned = instructions.clean(ctx.query)
    if cleaned.split() == ctx.query.split():
        return
    ctx.injection_flagged = True
    ctx.query = " ".join(cleaned.split())
    if len([w for w in ctx.query.split() if len(w) >= 3]) < 2:
        _drop_semantic_urgent_line(ctx, services)
        ctx.answer = services.templates.get(ctx.language, "off_topic")
        ctx.stop(Status.no_answer, "injection")


def _drop_semantic_urgent_line(ctx: AskContext, services: Services) -> None:
    """A refusal keeps the urgent line only when the message named a symptom; similarity alone
    ("garanter at klagen vinner") is not worth a line above a refusal."""
    if ctx.emergency_level == "urgent" and not ctx.urgent_from_words and ctx.notices:
        ctx.notices.pop(0)

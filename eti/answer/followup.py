"""Follow-up questions: a turn inherits the previous topic only when it is elliptic.

"hvordan søker jeg om det?" after "hva er hjelpestønad?" is about hjelpestønad; "hva er
pleiepenger?" after it is a new topic and starts fresh. Only the scheme's name is carried over,
never the earlier question itself, and each turn's language is its own.
"""

from __future__ import annotations

from eti.answer.context import AskContext
from eti.answer.services import Services
from eti.core import Status


def previous_questions(ctx: AskContext, services: Services) -> list[str]:
    """Earlier redacted questions of this conversation that were answered, oldest first."""
    turns = services.conversations.get_or_new(ctx.conversation_id).turns
    return [t.question for t in turns if t.status in (Status.answered, Status.no_answer)]


def contextualise(ctx: AskContext, services: Services) -> None:
    """Default mode: recognise the question's topic; an elliptic follow-up gets the previous scheme."""
    topics = services.shared.topics
    ctx.topic = topics.recognise(ctx.query)
    if not ctx.topic.elliptic:
        return
    for earlier in reversed(previous_questions(ctx, services)):
        schemes = topics.schemes_in(earlier)
        if schemes:
            ctx.previous_topic = schemes[:1]
            ctx.topic.schemes = schemes[:1]
            ctx.query = f"{ctx.query} {topics.label(schemes[0])}"
            return

"""Follow-up questions: a turn inherits the previous topic only when it is elliptic.

"hvordan søker jeg om det?" after "hva er hjelpestønad?" is about hjelpestønad; "hva er
pleiepenger?" after it is a new topic and starts fresh. A turn that names no scheme of its own
continues the previous one, unless, read alone, it clearly points at another: "kan vi få dekket
reisen til sykehuset?" after hjelpestønad finds the pasientreiser card first and second, and has no
word that refers back ("det", "og …"), so it starts fresh (eti/data/followup.yaml). Only the
scheme's name is carried over, never the earlier question itself, and each turn's language is its
own.
"""

from __future__ import annotations

from dataclasses import replace

from eti.answer import confidence
from eti.answer.context import AskContext
from eti.answer.services import Services
from eti.answer.topics import TopicRecogniser
from eti.core import Status


def previous_questions(ctx: AskContext, services: Services) -> list[str]:
    """Earlier redacted questions of this conversation that were answered, oldest first."""
    turns = services.conversations.get_or_new(ctx.conversation_id).turns
    return [t.question for t in turns if t.status in (Status.answered, Status.no_answer)]


def points_elsewhere(ctx: AskContext, services: Services, previous: str) -> bool:
    """Read alone, does the turn clearly point at another scheme than ``previous``? No word of it
    leans on the turn before, its two best hits are one scheme card that is not the previous
    scheme's, and retrieval is as confident as the gate asks of any question."""
    topics: TopicRecogniser = services.shared.topics
    if topics.leans_on_previous(ctx.query, ctx.language):
        return False
    vector = ctx.vector if ctx.vector is not None and ctx.vector_text == ctx.query else None
    alone = replace(ctx, hits=services.retriever.search(ctx.query, ctx.filters, ctx.retriever_mode, vector=vector,
                                                         lexical_terms=confidence.lexical_terms(ctx, services)).hits)
    schemes = {topics.scheme_of_card(h.chunk.doc_id) for h in alone.hits[:2]}
    if len(alone.hits) < 2 or len(schemes) != 1 or None in schemes or previous in schemes:
        return False
    return confidence.score(alone, services) >= services.config.min_confidence


def contextualise(ctx: AskContext, services: Services) -> None:
    """Default mode: recognise the question's topic; an elliptic follow-up gets the previous scheme."""
    topics = services.shared.topics
    ctx.topic = topics.recognise(ctx.query)
    if not ctx.topic.elliptic:
        return
    for earlier in reversed(previous_questions(ctx, services)):
        schemes = topics.schemes_in(earlier)
        if schemes:
            if points_elsewhere(ctx, services, schemes[0]):
                ctx.topic.elliptic = False  # a new topic the scheme names do not know
                return
            ctx.previous_topic = schemes[:1]
            ctx.topic.schemes = schemes[:1]
            ctx.query = f"{ctx.query} {topics.label(schemes[0])}"
            return

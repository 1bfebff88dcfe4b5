"""Follow-up questions: make a standalone retrieval query from the conversation so far."""

from __future__ import annotations

import re

from eti.answer.context import AskContext
from eti.answer.services import Services

_REFERS_BACK = re.compile(r"\b(det|den|dette|denne|de|dei|it|that|this|they|them|hva med|kva med|what about|"
                          r"og|også|òg|hvordan søker|korleis søkjer|how do i apply)\b", re.I)


def contextualise(ctx: AskContext, services: Services, previous: list[str]) -> None:
    """Default mode: a short follow-up that refers back is joined with the previous question."""
    query = ctx.retrieval_query or ctx.redacted
    if previous and (len(query.split()) <= 8 or _REFERS_BACK.search(query)):
        query = f"{previous[-1]} {query}"
    ctx.retrieval_query = query

"""POST /v1/overview: «Din oversikt», the schemes that may apply to a family, from their answers.

The answers are used for this one response: nothing is stored, logged or sent on.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request

from eti.api.errors import PROBLEM
from eti.api.schemas import Problem
from eti.overview import FamilySituation, Overview, RuleSet, build_overview, load_rules

router = APIRouter(prefix="/v1", tags=["overview"])

_INVALID = {"type": "about:blank", "title": "Invalid request", "status": 422,
            "detail": "child_age: Input should be less than or equal to 25"}


def rules_of(app: FastAPI) -> RuleSet:
    """The rules this app serves: loaded on first use (or handed in as app.state.overview_rules)."""
    rules = getattr(app.state, "overview_rules", None)
    if rules is None:
        rules = app.state.overview_rules = load_rules()
    return rules


@router.post("/overview", response_model=Overview, summary="Din oversikt: the schemes that may apply",
             responses={422: {"model": Problem, "description": "The answers are not valid (wrong type, out of "
                                                               "range, or a field that is not asked for)",
                              "content": {PROBLEM: {"example": _INVALID}}}})
def overview(body: FamilySituation, request: Request) -> Overview:
    """From the family's answers to the schemes that may apply (health, Nav, school, kommune), each with the
    answers that point to it, who decides, how to apply, documents, deadlines, the complaint route, the law
    paragraph and the kommune's own pages. It says what may apply; Nav, the kommune or the school decides."""
    services = request.app.state.runtime.refresh()
    retriever = services.retriever if services is not None else None
    return build_overview(body, rules_of(request.app), retriever)

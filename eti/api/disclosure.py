"""GET /v1/disclosure: the AI-transparency text (EU AI Act art. 50) that is shown before the first question.

The widget and the full-page chat show it, and integrators who build their own interface can fetch the same
words. The text lives in prompts/templates.yaml (``disclosure`` under each language), not in code.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from eti.answer.templates import Templates
from eti.api.errors import problem
from eti.api.schemas import Problem

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1", tags=["transparency"])
DisclosureLanguage = Literal["nb", "nn", "en", "pl", "uk", "ar", "so"]


class ServiceOut(BaseModel):
    name: str = Field(description="The official service, in the requested language")
    phone: str | None = Field(default=None, description="As it is written for a reader, e.g. 55 55 33 33")
    url: str | None = Field(default=None, description="The service's own contact page, when it has one")


class DisclosureOut(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "language": "nb",
        "text": "ETI er en automatisk assistent (KI) som siterer offentlige kilder. ETI er ikke en saksbehandler, "
                "kan ikke se saken din og kan ta feil, så sjekk kildene. Kontakt Nav på 55 55 33 33, eller "
                "servicetorget eller barnekoordinatoren i kommunen. Er det akutt, ring 113.",
        "services": [{"name": "Nav", "phone": "55 55 33 33", "url": "https://www.nav.no/kontaktoss"},
                     {"name": "Servicetorget eller barnekoordinatoren i kommunen", "phone": None, "url": None},
                     {"name": "Medisinsk nødtelefon", "phone": "113", "url": None}]}]}}
    language: str = Field(description="The language of the text (nb, nn, en, pl, uk, ar, so)")
    text: str = Field(description="Say this before the first question: an automatic assistant that quotes public "
                                  "sources, not a caseworker, can be wrong, whom to contact")
    services: list[ServiceOut] = Field(description="The official services the text names, for links or buttons")


@lru_cache(maxsize=4)
def _disclosures(path: str, mtime_ns: int) -> dict[str, DisclosureOut]:
    """Every language's disclosure, read once per version of the templates file."""
    by_language = Templates.load(Path(path)).by_language
    return {lang: DisclosureOut(language=lang, **entry["disclosure"])
            for lang, entry in by_language.items() if isinstance(entry, dict) and "disclosure" in entry}


@router.get("/disclosure", response_model=DisclosureOut,
            responses={422: {"model": Problem, "content": {"application/problem+json": {}},
                             "description": "Unknown language"},
                       500: {"model": Problem, "content": {"application/problem+json": {}},
                             "description": "The templates file has no disclosure for that language"}})
async def disclosure(request: Request, language: DisclosureLanguage = Query(
        default="nb", description="nb, nn, en, pl, uk, ar or so")):
    """The transparency notice: what ETI is, that it can be wrong, and which official service to contact."""
    prompts = Path(request.app.state.runtime.settings.prompts_dir)
    file = prompts / "templates.yaml"
    try:
        found = _disclosures(str(prompts), file.stat().st_mtime_ns).get(language)
    except (OSError, KeyError, TypeError, ValueError) as exc:
        log.error("disclosure texts unreadable in %s: %s", file, exc)
        found = None
    if found is None:
        return problem(500, "Disclosure missing", f"No disclosure text for '{language}' in templates.yaml.")
    return JSONResponse(found.model_dump(), headers={"Cache-Control": "public, max-age=300",
                                                     "Content-Language": language})

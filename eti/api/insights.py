"""GET /v1/insights: the insights report for the administration (admin scope), and the recorder's
place in the app.

The router's lifespan (merged into the app's, after the runtime exists) opens the events store
and its writer thread, purges with the conversation turns' retention at start and every
``purge_interval_s`` (``eti.state.retention``), and writes what is queued at shutdown. The answer
and feedback routes call ``record_answer`` / ``record_rating``: a put on a queue, never a wait.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import JSONResponse

from eti.api.auth import require_admin
from eti.api.errors import problem
from eti.insights import WINDOW_PATTERN, Recorder, Report, ReportInputs, build_report
from eti.state.retention import purge_once, purge_periodically

FLUSH_S = 2.0  # a report includes what was queued just before it, waiting at most this long


@asynccontextmanager
async def lifespan(app: FastAPI):
    settings = app.state.settings
    if not settings.insights_enabled:
        app.state.insights = None
        yield
        return
    recorder = await to_thread.run_sync(Recorder.open, settings)
    app.state.insights = recorder
    app.state.insights_inputs = await to_thread.run_sync(ReportInputs.from_settings, settings,
                                                          app.state.runtime.embedder)
    await to_thread.run_sync(purge_once, recorder)  # the same retention as the conversation turns

    async def later() -> None:
        await asyncio.sleep(settings.purge_interval_s)
        await purge_periodically(recorder, settings.purge_interval_s)

    purging = asyncio.create_task(later())
    try:
        yield
    finally:
        purging.cancel()
        app.state.insights = None
        await to_thread.run_sync(recorder.close)


router = APIRouter(prefix="/v1", tags=["insights"], lifespan=lifespan)


def record_answer(request: Request, ctx, services) -> None:
    """Queue the anonymous event for a finished answer (no-op when insights are off)."""
    recorder: Recorder | None = getattr(request.app.state, "insights", None)
    if recorder is not None:
        recorder.record_answer(ctx, services)


def record_rating(request: Request, conversation_id: str, rating: str) -> None:
    """Queue a rating for the conversation's latest answer (no-op when insights are off)."""
    recorder: Recorder | None = getattr(request.app.state, "insights", None)
    if recorder is not None:
        recorder.record_rating(conversation_id, rating)


@router.get("/insights", response_model=Report, dependencies=[Depends(require_admin)], responses={
    200: {"description": "The report; every theme, source and group holds at least k distinct conversations",
          "headers": {"Cache-Control": {"description": "no-store", "schema": {"type": "string"}}}},
    401: {"description": "An API key is required (when keys are configured) and was missing or unknown"},
    403: {"description": "The key is valid but lacks the admin scope (ETI_ADMIN_KEYS)"},
    422: {"description": "since is not a window such as 30d, 12w or 48h"},
    404: {"description": "Insights are switched off on this server (ETI_INSIGHTS_ENABLED=false)"}})
async def insights(request: Request, since: str = Query(
        default="30d", pattern=WINDOW_PATTERN, examples=["30d"],
        description="How far back: a number of hours (h), days (d) or weeks (w), e.g. 30d, 12w, 48h")):
    """Anonymous, aggregated signals for the services (admin scope): themes of questions ETI could not
    answer, answers rated down and the sources they cited, old cited sources, rising topics, and volume
    per sector, scheme, kommune and week. The same JSON as `eti insights` writes."""
    recorder: Recorder | None = getattr(request.app.state, "insights", None)
    if recorder is None:
        return problem(404, "Insights are off", "This server does not record insights (ETI_INSIGHTS_ENABLED).")
    settings, inputs = request.app.state.settings, request.app.state.insights_inputs
    await to_thread.run_sync(recorder.flush, FLUSH_S)
    report = await to_thread.run_sync(lambda: build_report(recorder.store, inputs, window=since,
                                                           k=settings.insights_k, now=time.time()))
    return JSONResponse(report.model_dump(), headers={"Cache-Control": "no-store"})

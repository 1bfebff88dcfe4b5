"""GET /v1/sources, POST /v1/feedback, GET /healthz, /readyz, /metrics."""

from __future__ import annotations

import hashlib
import json

from anyio import to_thread
from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from eti.api.auth import require_admin
from eti.api.errors import problem
from eti.api.insights import record_rating
from eti.api.schemas import FeedbackRequest, FeedbackResponse, Health, Ready, SourceOut

router = APIRouter()


def _sources(settings) -> list[SourceOut] | str:
    from ingest.adapters import adapter_names
    from ingest.catalog import Catalog
    from ingest.sources import SourcesError, load_sources

    try:
        declared = load_sources(settings.sources_file, adapter_names())
    except SourcesError as exc:
        return str(exc).splitlines()[0]
    overview = {}
    if settings.catalog_path.exists():
        catalog = Catalog(settings.catalog_path)
        overview = catalog.source_overview()
        catalog.close()
    return [SourceOut(id=s.id, name=s.name, sector=s.sector.value, adapter=s.adapter, language=s.language,
                      municipality=s.municipality, documents=overview.get(s.id, {}).get("documents", 0),
                      chunks=overview.get(s.id, {}).get("chunks", 0),
                      last_crawl=overview.get(s.id, {}).get("last_crawl")) for s in declared]


@router.get("/v1/sources", response_model=list[SourceOut], tags=["sources"])
async def sources(request: Request):
    """Every declared source with its sector, documents, chunks and last crawl."""
    found = await to_thread.run_sync(_sources, request.app.state.runtime.settings)
    if isinstance(found, str):
        return problem(500, "Sources file invalid", found)
    return found


def _store_feedback(state, body: FeedbackRequest, key: str | None) -> tuple[str, str | None]:
    """('stored' | 'replay' | 'mismatch' | 'pending', result). Runs in a worker thread (SQLite, Redis)."""
    if key is None:
        state.feedback.add(body.conversation_id, body.rating, body.comment)
        return "stored", None
    hashed = hashlib.sha256(key.encode()).hexdigest()  # the key itself is never stored
    fingerprint = hashlib.sha256(json.dumps(body.model_dump(), sort_keys=True).encode()).hexdigest()
    claim = state.idempotency.claim(hashed, fingerprint)
    if claim.state != "new":
        return claim.state, claim.result
    try:
        fid = state.feedback.add(body.conversation_id, body.rating, body.comment)
    except BaseException:
        state.idempotency.release(hashed)
        raise
    state.idempotency.complete(hashed, str(fid))
    return "stored", str(fid)


@router.post("/v1/feedback", status_code=201, response_model=FeedbackResponse, tags=["feedback"], responses={
    201: {"headers": {"Idempotent-Replayed": {"description": "true when this repeats an earlier request with the "
                                                             "same Idempotency-Key", "schema": {"type": "string"}}}},
    409: {"description": "This Idempotency-Key was used for a different request, or its first request is "
                         "still being stored"}})
async def feedback(body: FeedbackRequest, request: Request, idempotency_key: str | None = Header(
        # Leading white space is not part of an HTTP field value (the server drops it), so the documented
        # pattern allows it; a length cap is left to the header-size limit, since only the stripped value
        # could be measured here.
        default=None, alias="Idempotency-Key", pattern=r"^[ \t]*[\x21-\x7e]+$",
        description="Any unique string of visible ASCII characters (e.g. a UUID): a retried request with the "
                    "same key and body is stored once and answered the same way")):
    """Thumbs up/down with an optional comment; personal data is removed before storing."""
    state = request.app.state.runtime.state
    outcome, _ = await to_thread.run_sync(_store_feedback, state, body, idempotency_key)
    if outcome == "mismatch":
        return problem(409, "Idempotency-Key reused", "This Idempotency-Key was used for a different request.")
    if outcome == "pending":
        return problem(409, "Request in progress", "The first request with this Idempotency-Key is still running.",
                       {"Retry-After": "1"})
    if outcome == "stored":  # a replay was counted the first time
        record_rating(request, body.conversation_id, body.rating)
    headers = {"Idempotent-Replayed": "true"} if outcome == "replay" else None
    return JSONResponse({"ok": True}, status_code=201, headers=headers)


@router.get("/healthz", response_model=Health, tags=["operations"])
async def healthz():
    """Alive: answers without touching the index or the state store."""
    return {"status": "ok"}


@router.get("/readyz", response_model=Ready, tags=["operations"], responses={503: {"description": "No index loaded"}})
async def readyz(request: Request):
    """Ready: an index is loaded (this also picks up a newly published version)."""
    rt = request.app.state.runtime
    services = await rt.current()
    if services is None:
        return problem(503, "Not ready", "No index loaded.", {"Retry-After": "5"})
    return {"status": "ready", "index": rt.version.name if rt.version else None,
            "chunks": services.retriever.reader.count()}


@router.get("/metrics", tags=["operations"], dependencies=[Depends(require_admin)])
async def metrics(request: Request):
    """Prometheus metrics; needs an admin key (ETI_ADMIN_KEYS) once any keys are configured."""
    return Response(generate_latest(request.app.state.runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

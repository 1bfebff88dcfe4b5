"""GET /v1/sources, POST /v1/feedback, GET /healthz, /readyz, /metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from eti.api.errors import problem
from eti.api.schemas import FeedbackRequest, SourceOut

router = APIRouter()


@router.get("/v1/sources", response_model=list[SourceOut], tags=["sources"])
async def sources(request: Request):
    """Every declared source with its sector, documents, chunks and last crawl."""
    from ingest.adapters import adapter_names
    from ingest.catalog import Catalog
    from ingest.sources import SourcesError, load_sources

    settings = request.app.state.runtime.settings
    try:
        declared = load_sources(settings.sources_file, adapter_names())
    except SourcesError as exc:
        return problem(500, "Sources file invalid", str(exc).splitlines()[0])
    overview = {}
    if settings.catalog_path.exists():
        catalog = Catalog(settings.catalog_path)
        overview = catalog.source_overview()
        catalog.close()
    return [SourceOut(id=s.id, name=s.name, sector=s.sector.value, adapter=s.adapter, language=s.language,
                      municipality=s.municipality, documents=overview.get(s.id, {}).get("documents", 0),
                      chunks=overview.get(s.id, {}).get("chunks", 0),
                      last_crawl=overview.get(s.id, {}).get("last_crawl")) for s in declared]


@router.post("/v1/feedback", status_code=201, tags=["feedback"])
async def feedback(body: FeedbackRequest, request: Request):
    """Thumbs up/down with an optional comment; personal data is removed before storing."""
    request.app.state.runtime.feedback.add(body.conversation_id, body.rating, body.comment)
    return JSONResponse({"ok": True}, status_code=201)


@router.get("/healthz", tags=["operations"])
async def healthz():
    return {"status": "ok"}


@router.get("/readyz", tags=["operations"])
async def readyz(request: Request):
    rt = request.app.state.runtime
    if rt.refresh() is None:
        return problem(503, "Not ready", "No index loaded.")
    return {"status": "ready", "index": rt.version.name if rt.version else None,
            "chunks": rt.services.retriever.reader.count()}


@router.get("/metrics", tags=["operations"])
async def metrics(request: Request):
    return Response(generate_latest(request.app.state.runtime.metrics.registry), media_type=CONTENT_TYPE_LATEST)

"""POST /v1/ask (JSON or Server-Sent Events) and POST /v1/search.

Both run their blocking work (the answer pipeline, retrieval) in a worker thread, so one slow
question never holds up the event loop that serves everybody else.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from eti.answer.confidence import glossary_terms
from eti.answer.context import AskContext
from eti.answer.pipeline import answer
from eti.api.errors import problem
from eti.api.insights import record_answer
from eti.api.schemas import AskRequest, AskResponse, CitationOut, SearchRequest, SearchResponse, SearchResult
from eti.pii import redact
from eti.retrieve import Filters

router = APIRouter(prefix="/v1", tags=["answering"])
SSE_EVENT = {"type": "object", "required": ["event", "data"], "description": "One Server-Sent Event",
             "properties": {"event": {"type": "string", "enum": ["citations", "delta", "done"],
                                      "description": "citations first, then delta (a piece of the answer), "
                                                     "then done (the whole AskResponse)"},
                            "data": {"type": "string", "description": "JSON: {citations, conversation_id, "
                                                                      "status, language}, {text} or AskResponse"}}}


def _response(ctx: AskContext) -> AskResponse:
    return AskResponse(
        answer=ctx.answer, status=ctx.status.value if ctx.status else "no_answer",
        citations=[CitationOut.model_validate({k: v for k, v in dataclasses.asdict(c).items()
                                               if k not in ("doc_id", "chunk_id")}) for c in ctx.citations],
        conversation_id=ctx.conversation_id or "", language=ctx.language, machine_translated=ctx.machine_translated)


def _record(request: Request, ctx: AskContext) -> None:
    m = request.app.state.runtime.metrics
    m.answers.labels(ctx.status.value if ctx.status else "none").inc()
    if ctx.llm_fallback and ctx.mode == "llm":
        m.llm_fallbacks.inc()
    for kind in ctx.pii_found:
        m.pii_redactions.labels(kind).inc()


def _sse(event: str, data: dict) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


PIECE_CHARS = 400


def pieces(answer: str, size: int = PIECE_CHARS) -> list[str]:
    """The answer in paragraph-sized pieces (a long paragraph by lines, a long line by sentences);
    joined, they give the answer back exactly."""
    out: list[str] = []
    for para in re.split(r"(?<=\n\n)", answer):
        if len(para) <= size:
            out.append(para)
            continue
        for line in re.split(r"(?<=\n)", para):
            out.extend([line] if len(line) <= size else re.split(r"(?<=[.!?…] )", line))
    return [p for p in out if p]


async def _stream(resp: AskResponse) -> AsyncIterator[str]:
    yield _sse("citations", {"citations": [c.model_dump() for c in resp.citations],
                             "conversation_id": resp.conversation_id, "status": resp.status,
                             "language": resp.language})
    for piece in pieces(resp.answer):
        yield _sse("delta", {"text": piece})
        await asyncio.sleep(0)
    yield _sse("done", resp.model_dump())


@router.post("/ask", response_model=AskResponse, responses={
    200: {"content": {"text/event-stream": {"schema": SSE_EVENT, "example": "event: citations\ndata: {...}\n\nevent: delta\n"
                                                       "data: {\"text\": \"Pleiepenger \"}\n\nevent: done\n"
                                                       "data: {...}\n\n"}}},
    503: {"description": "No index loaded, or shedding load"}})
async def ask(body: AskRequest, request: Request):
    """A parent's question in; a short, cited, sector-grouped answer out (`stream: true` for SSE)."""
    rt = request.app.state.runtime
    services = await rt.current()
    if services is None:
        return problem(503, "Index not ready", "No index is loaded yet; run `eti up` or `eti crawl`.",
                       {"Retry-After": "5"})
    filters = Filters(sectors=list(body.sectors or []), municipality=body.municipality)
    ctx = await run_in_threadpool(answer, body.question, services, conversation_id=body.conversation_id,
                                  filters=filters, language=body.language, mode=rt.answer_mode)
    _record(request, ctx)
    record_answer(request, ctx, services)  # anonymous event for eti.insights: queued, never awaited
    resp = _response(ctx)
    if body.stream:
        return StreamingResponse(_stream(resp), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    return JSONResponse(resp.model_dump())


@router.post("/search", response_model=SearchResponse, responses={
    503: {"description": "No index loaded, or shedding load"}})
async def search(body: SearchRequest, request: Request):
    """Hybrid search over the index, for integrators building their own answers. A query in another
    language than Norwegian is also searched on the sources' Norwegian words for what it asks."""
    rt = request.app.state.runtime
    services = await rt.current()
    if services is None:
        return problem(503, "Index not ready", "No index is loaded yet.", {"Retry-After": "5"})
    f = body.filters
    filters = Filters(sectors=list(f.sectors or []), sources=list(f.sources or []),
                      languages=list(f.language or []), municipality=f.municipality) if f else Filters()
    query = redact(body.query).searchable
    terms = glossary_terms(query, None, services)  # a search in English finds the Norwegian words too
    result = await run_in_threadpool(services.retriever.search, query, filters, "hybrid", body.k, None, terms)
    return SearchResponse(results=[SearchResult(
        doc_id=h.chunk.doc_id, url=h.chunk.url, title=h.chunk.title, sector=h.chunk.sector, source_id=h.chunk.source_id,
        section=h.chunk.section, text=h.chunk.text, score=round(h.score, 6), municipality=h.chunk.municipality,
        language=h.chunk.language, last_modified=h.chunk.updated) for h in result.hits])

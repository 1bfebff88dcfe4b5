"""The FastAPI app factory. Heavy objects are built once per worker in the lifespan (or handed in by tests).

Middleware, outermost first: forwarded headers (only from ETI_TRUSTED_PROXIES), security headers,
CORS, load shedding, then the guard (body size, API keys, rate limits, metrics) before the routes.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from contextlib import asynccontextmanager
from importlib import resources

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, Response
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from eti import __version__
from eti.api import ask, disclosure, docs, errors, overview, routes
from eti.api.auth import BEARER, is_api_key, key_from_headers, keys_required
from eti.api.errors import problem
from eti.api.headers import SecurityHeaders
from eti.api.limits import bucket_for, retry_after
from eti.api.openapi import honest_openapi
from eti.api.runtime import Runtime
from eti.api.shedding import LoadShedding
from eti.settings import Settings
from eti.state.retention import purge_once, purge_periodically

WEB = resources.files("eti") / "web" / "static"
PAGES = {"/widget.js": ("widget.js", "text/javascript; charset=utf-8"), "/": ("demo.html", "text/html; charset=utf-8"),
         "/chat": ("chat.html", "text/html; charset=utf-8"),
         "/kommuner.json": ("kommuner.json", "application/json; charset=utf-8")}
ROUTES = frozenset({"/v1/ask", "/v1/search", "/v1/feedback", "/v1/sources"})


def _build_runtime(settings: Settings) -> Runtime:
    from eti.chat import answer_endpoint, build_chat_model
    from eti.embed import build_embedder

    return Runtime.build(settings, build_embedder(settings), build_chat_model(answer_endpoint(settings)))


async def _too_large(request: Request, limit: int) -> Response | None:
    """413 past ``limit`` bytes, by Content-Length or, for a chunked upload, while reading (never buffering more)."""
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit:
        return problem(413, "Request too large", f"At most {limit} bytes.")
    if not length and request.method in ("POST", "PUT", "PATCH"):
        body, size = [], 0
        async for part in request.stream():
            size += len(part)
            if size > limit:
                return problem(413, "Request too large", f"At most {limit} bytes.")
            body.append(part)
        request._body = b"".join(body)  # handed on to the route (Starlette's cached body)
    return None


async def _refused(request: Request, settings: Settings, rt: Runtime) -> Response | None:
    """Why a /v1/* request may not go ahead (413, 401, 429), or None."""
    if (too_large := await _too_large(request, settings.max_request_bytes)) is not None:
        return too_large
    if keys_required(settings) and not is_api_key(settings, key_from_headers(request.headers)):
        return problem(401, "API key required", "Send a valid key as 'Authorization: Bearer <key>'.", BEARER)
    who, per_minute = bucket_for(request, settings)
    wait = await to_thread.run_sync(rt.state.limits.take, who, per_minute)  # SQLite/Redis: off the event loop
    if wait > 0:
        return problem(429, "Too many requests", "Please wait a moment and try again.",
                       {"Retry-After": retry_after(wait)})
    return None


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or (runtime.settings if runtime else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # a handed-in runtime (tests, several apps on one runtime) is closed by its owner, not this app
        rt = runtime or await to_thread.run_sync(_build_runtime, settings)
        app.state.runtime = rt
        await to_thread.run_sync(purge_once, rt.state)  # retention: at start, then every purge_interval_s

        async def later() -> None:
            await asyncio.sleep(settings.purge_interval_s)
            await purge_periodically(rt.state, settings.purge_interval_s)

        purging = asyncio.create_task(later())
        try:
            yield
        finally:
            purging.cancel()
            if runtime is None:
                rt.close()

    app = FastAPI(title="ETI API", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Cited, sector-tagged answers for families of children with complex needs in Norway.")
    app.state.settings = settings
    app.state.worker = secrets.token_hex(4)  # opaque id of this worker process (X-ETI-Worker)
    if runtime is not None:
        app.state.runtime = runtime
    errors.install(app)
    app.include_router(ask.router)
    app.include_router(routes.router)
    app.include_router(disclosure.router)
    app.include_router(docs.router)
    app.include_router(overview.router)
    app.openapi = lambda: honest_openapi(app)  # type: ignore[method-assign]

    @app.middleware("http")
    async def guard(request: Request, call_next):
        """Size limit, API keys and rate limits on /v1/*, plus metrics for every request."""
        t0 = time.perf_counter()
        path = request.url.path
        rt = request.app.state.runtime
        route = path if path in ROUTES else "other"
        if path.startswith("/v1/") and request.method != "OPTIONS":
            refused = await _refused(request, settings, rt)
            if refused is not None:
                rt.metrics.requests.labels(route, request.method, str(refused.status_code)).inc()
                return refused
        response: Response = await call_next(request)
        rt.metrics.requests.labels(route, request.method, str(response.status_code)).inc()
        rt.metrics.latency.labels(route).observe(time.perf_counter() - t0)
        return response

    def shed(path: str) -> None:
        app.state.runtime.metrics.requests.labels(path, "POST", "503").inc()

    app.add_middleware(LoadShedding, max_inflight=settings.max_inflight, on_shed=shed)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization", "X-API-Key", "Idempotency-Key"],
                           expose_headers=["Retry-After"], max_age=600)
    app.add_middleware(SecurityHeaders, settings=settings, worker=app.state.worker)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)

    for path, (name, media) in PAGES.items():
        def page(name: str = name, media: str = media):
            file = WEB / name
            if not file.is_file():
                return problem(404, "Not found", f"{name} is not part of this build.")
            return FileResponse(str(file), media_type=media, headers={"Cache-Control": "public, max-age=300"})

        app.add_api_route(path, page, methods=["GET"], include_in_schema=False)
    return app

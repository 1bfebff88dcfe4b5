"""The FastAPI app factory. Heavy objects are built once per worker in the lifespan (or handed in by tests).

Middleware, outermost first: forwarded headers (only from ETI_TRUSTED_PROXIES), security headers,
CORS, load shedding, then the guard (body size, API keys, rate limits, metrics) before the routes.
"""

from __future__ import annotations

import asyncio
import secrets
from contextlib import asynccontextmanager
from importlib import resources

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from eti import __version__
from eti.api import ask, disclosure, docs, errors, insights, overview, routes
from eti.api.errors import problem
from eti.api.guard import Guard
from eti.api.headers import SecurityHeaders
from eti.api.openapi import honest_openapi
from eti.api.runtime import Runtime
from eti.api.shedding import LoadShedding
from eti.settings import Settings
from eti.state.retention import purge_once, purge_periodically

WEB = resources.files("eti") / "web" / "static"
PAGES = {"/widget.js": ("widget.js", "text/javascript; charset=utf-8"), "/": ("demo.html", "text/html; charset=utf-8"),
         "/chat": ("chat.html", "text/html; charset=utf-8"),
         "/kommuner.json": ("kommuner.json", "application/json; charset=utf-8")}


def _build_runtime(settings: Settings) -> Runtime:
    from eti.chat import answer_endpoint, build_chat_model
    from eti.embed import build_embedder

    return Runtime.build(settings, build_embedder(settings), build_chat_model(answer_endpoint(settings)))


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
    app.include_router(insights.router)  # its lifespan runs the insights recorder
    app.openapi = lambda: honest_openapi(app)  # type: ignore[method-assign]

    app.add_middleware(Guard, settings=settings, runtime_of=lambda: app.state.runtime)

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

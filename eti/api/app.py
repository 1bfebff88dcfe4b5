"""The FastAPI app factory. Heavy objects are built once in the lifespan (or handed in by tests)."""

from __future__ import annotations

import time
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, Response

from eti import __version__
from eti.api import ask, errors, routes
from eti.api.errors import problem
from eti.api.limits import key_from_headers, retry_after
from eti.api.runtime import Runtime
from eti.settings import Settings

WEB = resources.files("eti") / "web" / "static"
PAGES = {"/widget.js": ("widget.js", "text/javascript; charset=utf-8"), "/": ("demo.html", "text/html; charset=utf-8"),
         "/chat": ("chat.html", "text/html; charset=utf-8"),
         "/kommuner.json": ("kommuner.json", "application/json; charset=utf-8")}


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    settings = settings or (runtime.settings if runtime else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if runtime is None:
            from eti.chat import answer_endpoint, build_chat_model
            from eti.embed import build_embedder

            app.state.runtime = Runtime.build(settings, build_embedder(settings),
                                              build_chat_model(answer_endpoint(settings)))
            yield
            app.state.runtime.feedback.close()
        else:  # handed in (tests, several apps on one runtime): its owner closes it, not this app
            app.state.runtime = runtime
            yield

    app = FastAPI(title="ETI API", version=__version__, lifespan=lifespan,
                  description="Cited, sector-tagged answers for families of children with complex needs in Norway.")
    if runtime is not None:
        app.state.runtime = runtime
    errors.install(app)
    app.include_router(ask.router)
    app.include_router(routes.router)

    @app.middleware("http")
    async def guard(request: Request, call_next):
        """Size limit, API keys and rate limits on /v1/*, plus metrics for every request."""
        t0 = time.perf_counter()
        path = request.url.path
        rt = request.app.state.runtime
        route = path if path in ("/v1/ask", "/v1/search", "/v1/feedback", "/v1/sources") else "other"
        if path.startswith("/v1/") and request.method != "OPTIONS":
            length = request.headers.get("content-length")
            if length and length.isdigit() and int(length) > settings.max_request_bytes:
                return problem(413, "Request too large", f"At most {settings.max_request_bytes} bytes.")
            if not length and request.method in ("POST", "PUT", "PATCH"):
                # no Content-Length (chunked upload): count while reading, never buffer more than the limit
                body, size = [], 0
                async for part in request.stream():
                    size += len(part)
                    if size > settings.max_request_bytes:
                        return problem(413, "Request too large", f"At most {settings.max_request_bytes} bytes.")
                    body.append(part)
                request._body = b"".join(body)  # handed on to the route (Starlette's cached body)
            key = key_from_headers(request.headers)
            if settings.api_keys and key not in settings.api_keys:
                return problem(401, "API key required", "Send a valid key as 'Authorization: Bearer <key>'.",
                               {"WWW-Authenticate": "Bearer"})
            limiter, who = ((rt.key_limiter, f"key:{key}") if key and settings.api_keys
                            else (rt.ip_limiter, f"ip:{request.client.host if request.client else '?'}"))
            wait = limiter.check(who)
            if wait > 0:
                rt.metrics.requests.labels(route, request.method, "429").inc()
                return problem(429, "Too many requests", "Please wait a moment and try again.",
                               {"Retry-After": retry_after(wait)})
        response: Response = await call_next(request)
        rt.metrics.requests.labels(route, request.method, str(response.status_code)).inc()
        rt.metrics.latency.labels(route).observe(time.perf_counter() - t0)
        return response

    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Content-Type", "Authorization", "X-API-Key"], expose_headers=["Retry-After"],
                           max_age=600)

    for path, (name, media) in PAGES.items():
        def page(name: str = name, media: str = media):
            file = WEB / name
            if not file.is_file():
                return problem(404, "Not found", f"{name} is not part of this build.")
            return FileResponse(str(file), media_type=media, headers={"Cache-Control": "public, max-age=300"})

        app.add_api_route(path, page, methods=["GET"], include_in_schema=False)
    return app

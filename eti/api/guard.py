"""The guard in front of the routes (a plain ASGI middleware, cheaper than Starlette's BaseHTTPMiddleware):
body size (413), API keys (401) and rate limits (429) on /v1/*, and request metrics for everything."""

from __future__ import annotations

import time

from anyio import to_thread
from starlette.requests import Request
from starlette.responses import Response

from eti.api.auth import BEARER, is_api_key, key_from_headers, keys_required
from eti.api.errors import problem
from eti.api.limits import bucket_for, retry_after
from eti.settings import Settings

ROUTES = frozenset({"/v1/ask", "/v1/search", "/v1/feedback", "/v1/sources", "/v1/overview", "/v1/disclosure",
                    "/healthz", "/readyz", "/metrics"})


class TooLarge(Exception):
    pass


async def _read_chunked(receive, limit: int) -> bytes:
    """The whole body of an upload without Content-Length, refusing it as soon as it passes ``limit``."""
    parts, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        size += len(message.get("body", b""))
        if size > limit:
            raise TooLarge
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(parts)


async def refusal(request: Request, settings: Settings, limits) -> Response | None:
    """Why a /v1/* request may not go ahead (401, 429), or None; SQLite/Redis run off the event loop."""
    if keys_required(settings) and not is_api_key(settings, key_from_headers(request.headers)):
        return problem(401, "API key required", "Send a valid key as 'Authorization: Bearer <key>'.", BEARER)
    who, per_minute = bucket_for(request, settings)
    wait = await to_thread.run_sync(limits.take, who, per_minute)
    if wait > 0:
        return problem(429, "Too many requests", "Please wait a moment and try again.",
                       {"Retry-After": retry_after(wait)})
    return None


class Guard:
    def __init__(self, app, settings: Settings, runtime_of):
        self.app, self.settings, self.runtime_of = app, settings, runtime_of

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        t0 = time.perf_counter()
        rt = self.runtime_of()
        path, method = scope["path"], scope["method"]
        route = path if path in ROUTES else "other"
        status = {"code": 500}
        if path.startswith("/v1/") and method != "OPTIONS":
            refused, receive = await self._check(scope, receive, rt)
            if refused is not None:
                rt.metrics.requests.labels(route, method, str(refused.status_code)).inc()
                return await refused(scope, receive, send)

        async def send_status(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            rt.metrics.requests.labels(route, method, str(status["code"])).inc()
            rt.metrics.latency.labels(route).observe(time.perf_counter() - t0)

    async def _check(self, scope, receive, rt):
        limit = self.settings.max_request_bytes
        request = Request(scope, receive)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > limit:
            return problem(413, "Request too large", f"At most {limit} bytes."), receive
        if not length and scope["method"] in ("POST", "PUT", "PATCH"):
            try:
                body = await _read_chunked(receive, limit)
            except TooLarge:
                return problem(413, "Request too large", f"At most {limit} bytes."), receive
            receive = _replay(body, receive)  # the route reads the body we buffered
        return await refusal(request, self.settings, rt.state.limits), receive


def _replay(body: bytes, receive):
    done = False

    async def replayed():
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed

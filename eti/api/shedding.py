"""Load shedding: past ``max_inflight`` answer/search requests in one worker, the next one is told at
once to come back (503 with Retry-After) instead of waiting in a queue that only grows.

A plain ASGI middleware (cheap, counts streamed answers until their last byte)."""

from __future__ import annotations

import json

SHED_PATHS = frozenset({"/v1/ask", "/v1/search"})
_BODY = json.dumps({"type": "about:blank", "title": "Busy", "status": 503,
                    "detail": "Too many questions at once; please try again in a moment."}).encode()


class LoadShedding:
    def __init__(self, app, max_inflight: int, on_shed=None):
        self.app, self.max_inflight, self.on_shed = app, max_inflight, on_shed
        self.inflight = 0

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] not in SHED_PATHS or scope["method"] == "OPTIONS":
            return await self.app(scope, receive, send)
        if self.inflight >= self.max_inflight:
            if self.on_shed:
                self.on_shed(scope["path"])
            await send({"type": "http.response.start", "status": 503, "headers": [
                (b"content-type", b"application/problem+json"), (b"retry-after", b"1"),
                (b"content-length", str(len(_BODY)).encode())]})
            await send({"type": "http.response.body", "body": _BODY})
            return
        self.inflight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.inflight -= 1

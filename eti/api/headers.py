"""Response headers: nosniff and the serving worker on everything; a Content-Security-Policy that keeps
ETI's HTML pages (demo, chat, /docs, /redoc) to this host, with ``frame-ancestors`` from the CORS
allow-list (the municipalities' sites that may frame or embed ETI)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders

from eti.settings import Settings


def content_security_policy(settings: Settings) -> str:
    ancestors = " ".join(["'self'", *settings.cors_origins])
    return ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
            f"base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}")


class SecurityHeaders:
    def __init__(self, app, settings: Settings, worker: str):
        self.app, self.worker = app, worker.encode()
        self.csp = content_security_policy(settings)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-ETI-Worker"] = self.worker.decode()
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = self.csp
                    headers["Referrer-Policy"] = "no-referrer"
                    headers["Cross-Origin-Opener-Policy"] = "same-origin"
                    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
            await send(message)

        await self.app(scope, receive, send_with_headers)

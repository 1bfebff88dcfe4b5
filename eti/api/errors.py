"""Errors as application/problem+json (RFC 9457)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str | None = None, headers: dict | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return problem(exc.status_code, str(exc.detail) if exc.detail else "Error", None,
                       getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in exc.errors())
        return problem(422, "Invalid request", details)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):  # logged by the server; never a stack trace out
        import logging

        logging.getLogger("eti.api").exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", "Something went wrong; please try again.")

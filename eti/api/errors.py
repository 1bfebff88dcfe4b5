"""Errors as application/problem+json (RFC 9457): 400 for a body that is not JSON, 422 for JSON that
does not fit the schema (never echoing what was sent), and no stack trace ever leaves the server."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM = "application/problem+json"
log = logging.getLogger("eti.api")
_BLANK_FIELDS = {"question", "query"}


def problem(status: int, title: str, detail: str | None = None, headers: dict | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _message(error: dict) -> str:
    where = ".".join(str(p) for p in error["loc"] if p != "body") or "body"
    if error["type"] == "string_pattern_mismatch" and error["loc"][-1] in _BLANK_FIELDS:
        return f"{where}: must not be blank"
    return f"{where}: {error['msg']}"


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return problem(exc.status_code, str(exc.detail) if exc.detail else "Error", None,
                       getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e["type"] == "json_invalid" for e in errors):
            return problem(400, "Malformed request body", "The body is not valid JSON (UTF-8).")
        return problem(422, "Invalid request", "; ".join(_message(e) for e in errors))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):  # logged by the server; never a stack trace out
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", "Something went wrong; please try again.")

"""The OpenAPI document, made honest in one place: every error response is application/problem+json
(with Retry-After where the server sends it), /metrics is Prometheus text, and the keys' security
schemes are declared."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from eti.api.schemas import Problem

ERRORS = {
    400: "The body is not valid JSON",
    401: "An API key is required (when keys are configured) and was missing or unknown",
    403: "The key is valid but lacks the admin scope",
    404: "Not found",
    405: "Method not allowed",
    408: "The client sent its request too slowly",
    409: "The Idempotency-Key belongs to another request, or its first request is still running",
    413: "The body is larger than ETI_MAX_REQUEST_BYTES",
    422: "The request does not fit the schema",
    429: "Too many requests: wait Retry-After seconds",
    431: "Request headers too large",
    500: "Unexpected server error",
    503: "Not ready (no index loaded) or shedding load: retry after Retry-After seconds",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again",
                               "schema": {"type": "string", "pattern": "^[0-9]+$"}}}
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


def _problem_response(code: int, description: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"description": description or ERRORS.get(code, "Error"),
                           "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    if code in (409, 429, 503):
        out["headers"] = RETRY_AFTER
    if code == 401:
        out["headers"] = {"WWW-Authenticate": {"description": "Bearer", "schema": {"type": "string"}}}
    return out


def honest_openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    components["securitySchemes"] = {
        "bearer": {"type": "http", "scheme": "bearer", "description": "ETI_API_KEYS / ETI_ADMIN_KEYS, when set"},
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key", "description": "The same keys"}}
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            responses = op.setdefault("responses", {})
            codes = {int(c) for c in responses if c.isdigit()} | {500}
            if method in ("post", "put", "patch"):
                codes |= {400, 413, 422}
            if path.startswith("/v1/") or path == "/metrics":
                codes |= {401, 429}
                op["security"] = [{"bearer": []}, {"apiKey": []}, {}]  # needed only when keys are configured
            for code in sorted(c for c in codes if c >= 400):
                old = responses.get(str(code), {})
                responses[str(code)] = _problem_response(code, old.get("description") if old.get("description")
                                                         not in (None, "Validation Error") else None)
    metrics = spec["paths"].get("/metrics", {}).get("get")
    if metrics:
        metrics["responses"]["200"] = {"description": "Prometheus text exposition format",
                                       "content": {PROMETHEUS: {"schema": {"type": "string"}}}}
        metrics["responses"]["403"] = _problem_response(403, None)
    app.openapi_schema = spec
    return spec

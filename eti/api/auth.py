"""API keys and their scopes: ``ETI_API_KEYS`` open /v1/*, ``ETI_ADMIN_KEYS`` also open the operator
endpoints (/metrics, and anything else that depends on ``require_admin``)."""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

from eti.settings import Settings

BEARER = {"WWW-Authenticate": "Bearer"}


def key_from_headers(headers) -> str | None:
    """The key a client sent as ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return headers.get("x-api-key") or None


def _known(key: str | None, keys: list[str]) -> bool:
    # constant-time comparison, so a key cannot be guessed from response times
    return key is not None and any(hmac.compare_digest(key.encode(), k.encode()) for k in keys)


def keys_required(settings: Settings) -> bool:
    return bool(settings.api_keys or settings.admin_keys)


def is_api_key(settings: Settings, key: str | None) -> bool:
    return _known(key, [*settings.api_keys, *settings.admin_keys])


def is_admin_key(settings: Settings, key: str | None) -> bool:
    return _known(key, settings.admin_keys)


def require_admin(request: Request) -> None:
    """FastAPI dependency for operator endpoints: open while no keys are configured (a development
    server); otherwise 401 without a valid key and 403 for a key without the admin scope."""
    settings: Settings = request.app.state.settings
    if not keys_required(settings):
        return
    key = key_from_headers(request.headers)
    if is_admin_key(settings, key):
        return
    if is_api_key(settings, key):
        raise HTTPException(403, "Admin key required")
    raise HTTPException(401, "API key required", headers=BEARER)

"""Rate limits per client address and per API key, on the shared token buckets of ``eti.state``.

The client address is the TCP peer's, or the one ``X-Forwarded-For`` names when the peer is one of
``ETI_TRUSTED_PROXIES`` (uvicorn's ProxyHeadersMiddleware, installed by the app factory); with no
trusted proxies, a forged header from anywhere, loopback included, changes nothing.
"""

from __future__ import annotations

import hashlib
import math

from starlette.requests import Request

from eti.api.auth import is_api_key, key_from_headers
from eti.settings import Settings


def retry_after(seconds: float) -> str:
    return str(max(1, math.ceil(seconds)))


def bucket_for(request: Request, settings: Settings) -> tuple[str, int]:
    """(bucket key, requests per minute) for this request: its API key's, else its address's."""
    key = key_from_headers(request.headers)
    if key and is_api_key(settings, key):
        return f"key:{hashlib.sha256(key.encode()).hexdigest()[:32]}", settings.rate_limit_per_minute_key
    host = request.client.host if request.client else "unknown"
    return f"ip:{host}", settings.rate_limit_per_minute_ip

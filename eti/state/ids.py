"""Conversation ids: opaque when the server makes them; refused when a client's could hold personal data.

A client may send back the id it was given, or one of its own. An id is refused (the API answers
422 without echoing it) when it is not 8-64 characters of ``[A-Za-z0-9_-]``, holds a run of eight
or more digits once separators are taken out (phone numbers, fødselsnummer, D-nummer) or is changed
by ``redact`` in any way.
"""

from __future__ import annotations

import re
import secrets

from eti.pii import redact

PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
_SHAPE = re.compile(PATTERN)
_DIGIT_RUN = re.compile(r"[0-9]{8,}")


def holds_personal_data(cid: str) -> bool:
    """True when ``cid`` looks like (or contains) a phone number, an identity number or an e-mail."""
    return bool(_DIGIT_RUN.search(cid.replace("-", "").replace("_", ""))) or redact(cid).any


def is_valid(cid: str | None) -> bool:
    return bool(cid) and bool(_SHAPE.match(cid)) and not holds_personal_data(cid)  # type: ignore[arg-type]


def new_id() -> str:
    """A random, opaque id (16 URL-safe characters) that passes ``is_valid``."""
    for _ in range(100):
        cid = secrets.token_urlsafe(12)
        if is_valid(cid):
            return cid
    raise RuntimeError("could not draw a conversation id")  # pragma: no cover - 100 draws never all fail

"""Find "sist oppdatert" dates in Norwegian (bokmål and nynorsk) and English page text."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "januar": 1, "jan": 1, "january": 1,
    "februar": 2, "feb": 2, "february": 2,
    "mars": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "desember": 12, "des": 12, "december": 12, "dec": 12,
}  # fmt: skip

_LABEL = r"(?:sist\s+(?:oppdatert|endret|endra|revidert)|oppdatert|endret|endra|last\s+updated|updated)"
_NUMERIC = re.compile(_LABEL + r"\s*:?\s*(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})", re.I)
_ISO = re.compile(_LABEL + r"\s*:?\s*(\d{4})-(\d{2})-(\d{2})", re.I)
_WORDS = re.compile(_LABEL + r"\s*:?\s*(\d{1,2})\.?\s+([a-zæøå]+)\.?\s+(\d{4})", re.I)


def _iso(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def find_updated(text: str) -> str | None:
    """Return the ISO date after a "sist oppdatert"-style label, or None."""
    if m := _ISO.search(text):
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    if m := _NUMERIC.search(text):
        return _iso(int(m[3]), int(m[2]), int(m[1]))
    if (m := _WORDS.search(text)) and m[2].lower() in MONTHS:
        return _iso(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    return None


def parse_iso_datetime(value: str | None) -> str | None:
    """Accept '2025-03-12', '2025-03-12T10:00:00Z' etc.; return the date part."""
    if value and (m := re.match(r"(\d{4})-(\d{2})-(\d{2})", value.strip())):
        return _iso(int(m[1]), int(m[2]), int(m[3]))
    return None

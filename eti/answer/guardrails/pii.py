"""Personal data: fødselsnummer and D-nummer (mod-11 validated), phone numbers and e-mail addresses.

Redaction happens before anything is logged, stored or sent to a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_ELEVEN = re.compile(r"(?<![\d.])(\d{6})[ .-]?(\d{5})(?![\d])")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\d{2,3}[\s-]?)?(?:[2-9]\d{7}|[2-9]\d(?:[\s-]\d{2}){3}|[2-9]\d{2}[\s-]\d{2}[\s-]\d{3})(?![\d])")

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _control(digits: list[int], weights: tuple[int, ...]) -> int | None:
    k = 11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    return 0 if k == 11 else (None if k == 10 else k)


def classify_eleven(number: str) -> str | None:
    """'fødselsnummer', 'D-nummer' or None (not a valid Norwegian identity number)."""
    if len(number) != 11 or not number.isdigit():
        return None
    d = [int(c) for c in number]
    k1 = _control(d[:9], W1)
    if k1 is None or k1 != d[9]:
        return None
    k2 = _control(d[:10], W2)
    if k2 is None or k2 != d[10]:
        return None
    day, month = int(number[:2]), int(number[2:4])
    kind = "fødselsnummer"
    if day > 40:
        day, kind = day - 40, "D-nummer"
    if month > 80:  # synthetic test numbers
        month -= 80
    elif month > 40:  # H-nummer
        month -= 40
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return kind


def _marker(kind: str) -> str:
    return f"[{kind} fjernet]"


@dataclass
class Redaction:
    text: str
    found: list[str] = field(default_factory=list)  # kinds, e.g. ["fødselsnummer", "telefonnummer"]

    @property
    def any(self) -> bool:
        return bool(self.found)

    @property
    def searchable(self) -> str:
        """The text without the markers: "[telefonnummer fjernet]" is not what the parent asks about."""
        out = self.text
        for kind in set(self.found):
            out = out.replace(_marker(kind), " ")
        return (" ".join(out.split()) or self.text) if self.found else out


def redact(text: str) -> Redaction:
    found: list[str] = []

    def eleven(m: re.Match) -> str:
        kind = classify_eleven(m[1] + m[2])
        found.append(kind or "nummer")
        return _marker(kind or "nummer")

    def email(m: re.Match) -> str:
        found.append("e-post")
        return _marker("e-post")

    def phone(m: re.Match) -> str:
        found.append("telefonnummer")
        return _marker("telefonnummer")

    out = _ELEVEN.sub(eleven, text)
    out = _EMAIL.sub(email, out)
    out = _PHONE.sub(phone, out)
    return Redaction(out, found)


def find_personal_data(text: str) -> list[str]:
    """The personal data values in ``text`` as written (for leak checks)."""
    found = [m[0] for m in _ELEVEN.finditer(text)]
    found += [m[0] for m in _EMAIL.finditer(text)]
    found += [m[0] for m in _PHONE.finditer(_ELEVEN.sub(" ", text))]
    return found


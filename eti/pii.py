"""Personal data, redacted before anything is logged, stored or sent on: one redaction for everything.

What is found, in every common spelling:

* identity numbers: any run of 11 digits however it is grouped ("150385 10190", "15/03/85 10190",
  "150385 101 90", "15.03.85-10190"); the mod-11 control digits only pick the label (fødselsnummer,
  D-nummer, or just "nummer" when a parent mistyped a digit: the rest of it is still theirs);
* phone numbers: +47 912 34 567, 0047…, (+47) 91 23 45 67, 912 34 567, 91 23 45 67, 91234567,
  912.34.567, and other countries' numbers with their prefix;
* e-mail addresses, also written "name (at) example.com" or "name [at] example [dot] com";
* street addresses with a house number (and a postcode and place when given);
* names: after "jeg heter", "sønnen min", "my name is", a signature ("Hilsen Kari"), or a common
  Norwegian first name written with a capital.

Before looking, invisible characters (zero-width, Unicode tag characters, bidi controls) are
removed and digits are normalised (full-width and Arabic-Indic digits), so "1503851\u200b0190" and
"١٥٠٣٨٥١٠١٩٠" are found too. The redacted text is what the rest of the system sees.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources

from eti.sanitize import strip_invisible

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SEP = r"[ \t./\-–]"
# a run of digits with single separators between groups (11 digits: an identity number)
_DIGIT_RUN = re.compile(rf"(?<![\d\w+])(?:\d{_SEP}?){{10,}}\d(?![\d])")
_AMOUNT_AFTER = re.compile(r"^\s*(kr\b|kroner|nok\b|,-|prosent|%|timer|dager)", re.I)
_AMOUNT_BEFORE = re.compile(r"(kr\.?|nok)\s*$", re.I)
_PHONE = re.compile(
    rf"(?<![\w+])(?:(?:\+|00)\s?\d{{1,3}}{_SEP}?|\(\+?\d{{1,3}}\)\s?)?(?:\d{_SEP}?){{7,11}}\d(?![\d])")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_EMAIL_SPELLED = re.compile(
    r"\b[\w.+-]+\s*[\(\[\{]\s*(?:at|alfakrøll|krøllalfa)\s*[\)\]\}]\s*[\w-]+(?:\s*(?:\.|[\(\[\{]\s*(?:dot|punktum)\s*[\)\]\}])\s*[\w-]+)+",
    re.I)
_STREET = re.compile(
    r"\b(?:(?:[A-ZÆØÅ][\wæøå]+|Nedre|Øvre|Søndre|Nordre|Store|Lille|St\.)\s)?[A-ZÆØÅ][\wæøåé-]*"
    r"(?:gata|gaten|gate|veien|vegen|veg|vei|stien|stig|allé|alle|plass|plassen|bakken|lia|svingen|tunet|ringen|"
    r"kroken|haugen|brekka|terrasse|kaia|brygge|myra|jordet|grenda|skogen|dalen|åsen)"
    r"\s+\d{1,4}\s?[A-Za-z]?\b(?:,?\s*(?:\d{4}\s+)?[A-ZÆØÅ][\wæøå-]+)?")
_POSTCODE_PLACE = re.compile(r"\b\d{4}\s+[A-ZÆØÅ][\wæøå-]+(?=\s*(?:$|[,.\n]))")
_NAME_INTRO = re.compile(  # the introducing words in any case, the name itself capitalised
    r"\b(?i:jeg heter|eg heiter|mitt navn er|mitt namn er|navnet mitt er|namnet mitt er|(?:han|hun|ho|hen|barnet|sønnen|"
    r"dattera|datteren|gutten|guten|jenta) (?:heter|heiter)|(?:sønnen|sonen|dattera|datteren|gutten|guten|jenta|barnet|"
    r"mannen|kona|samboeren|sambuaren) (?:min|mi|mitt|vår|vårt|vor)|my name is|i am called|(?:my|our) (?:son|daughter|"
    r"child|boy|girl|husband|wife|partner)|hilsen|helsing|mvh|med vennlig hilsen|vennlig hilsen|regards|best regards|"
    r"nazywam się|mam na imię|syn|córka|мене звати|мій син|моя донька|اسمي|ابني|بنتي|magacaygu waa|wiilkayga|gabadhayda)"
    r"\s*,?\s+((?:[A-ZÆØÅ][a-zæøåéü'-]+)(?:\s+[A-ZÆØÅ][a-zæøåéü'-]+){0,2})")


def _load_names() -> frozenset[str]:
    text = resources.files("eti.data").joinpath("first_names.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for line in text.splitlines() if not line.startswith("#") for w in line.split(","))


_NAMES = _load_names()
_CAPITALISED = re.compile(r"\b[A-ZÆØÅ][a-zæøåé]{2,}\b")


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


MARKER = re.compile(r"\[(fødselsnummer|D-nummer|nummer|telefonnummer|e-post|adresse|navn) fjernet\]")


def normalise(text: str) -> str:
    """What redaction looks at: no invisible characters, ASCII digits, compatibility forms folded."""
    text = strip_invisible(text).translate(_DIGITS)
    return unicodedata.normalize("NFKC", text)


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
        if not self.found:
            return self.text
        out = " ".join(MARKER.sub(" ", self.text).split())
        return out or self.text


def redact(text: str) -> Redaction:
    """``text`` (normalised) with every piece of personal data replaced by a marker."""
    found: list[str] = []
    out = normalise(text)

    def eleven(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m[0])
        if len(digits) != 11:
            return m[0]
        kind = classify_eleven(digits) or "nummer"
        found.append(kind)
        return _marker(kind)

    def phone(m: re.Match) -> str:
        digits = re.sub(r"\D", "", m[0])
        prefixed = m[0].lstrip().startswith(("+", "00", "("))
        if not (8 <= len(digits) <= 9 or (prefixed and 9 <= len(digits) <= 14)):
            return m[0]
        before, after = out_text[: m.start()], out_text[m.end():]
        if _AMOUNT_AFTER.match(after) or _AMOUNT_BEFORE.search(before):
            return m[0]  # "12 345 678 kroner" is an amount
        found.append("telefonnummer")
        return _marker("telefonnummer")

    def kind_of(kind: str):
        def repl(m: re.Match) -> str:
            found.append(kind)
            return _marker(kind)
        return repl

    def name_intro(m: re.Match) -> str:
        found.append("navn")
        return m[0][: m.start(1) - m.start(0)] + _marker("navn")

    out = _DIGIT_RUN.sub(eleven, out)
    out = _EMAIL.sub(kind_of("e-post"), out)
    out = _EMAIL_SPELLED.sub(kind_of("e-post"), out)
    out_text = out
    out = _PHONE.sub(phone, out)
    out = _STREET.sub(kind_of("adresse"), out)
    out = _POSTCODE_PLACE.sub(kind_of("adresse"), out)
    out = _NAME_INTRO.sub(name_intro, out)
    out = _CAPITALISED.sub(lambda m: (found.append("navn") or _marker("navn")) if m[0] in _NAMES else m[0], out)
    return Redaction(out, found)


def find_personal_data(text: str) -> list[str]:
    """The personal data values in ``text`` in their comparison form (digits only for numbers,
    lower case otherwise), for leak checks with ``leaks``."""
    norm = normalise(text)
    values = [re.sub(r"\D", "", m[0]) for m in _DIGIT_RUN.finditer(norm) if len(re.sub(r"\D", "", m[0])) == 11]
    rest = _DIGIT_RUN.sub(" ", norm)
    values += [m[0].lower() for m in _EMAIL.finditer(rest)]
    values += [re.sub(r"\D", "", m[0])[-8:] for m in _PHONE.finditer(rest) if 8 <= len(re.sub(r"\D", "", m[0])) <= 14]
    return values


_ANY_DIGITS = re.compile(rf"(?:\d{_SEP}?)+\d")


def leaks(value: str, haystack: str) -> bool:
    """Is ``value`` (from ``find_personal_data``) in ``haystack``, however it is spelled there
    (grouped differently, with invisible characters between the digits)?"""
    norm = normalise(haystack)
    if value.isdigit():
        return any(value in re.sub(r"\D", "", m[0]) for m in _ANY_DIGITS.finditer(norm))
    return value in norm.lower()

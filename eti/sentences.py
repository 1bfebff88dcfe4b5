"""The one sentence splitter of the project (composer, ingest sanitising, eval metrics).

Norwegian text has many abbreviations that end in a full stop ("f.eks.", "bl.a.", "ca.", "jf.",
"nr.", "kl.") and numbers with stops ("1. januar", "§ 9-10."); a sentence ends at . ! or ? only
when the next word starts a sentence and the stop does not belong to one of those.
"""

from __future__ import annotations

import re

# lower-case abbreviations that end in "." and never end a sentence
ABBREVIATIONS = {
    "f.eks", "bl.a", "ca", "jf", "jfr", "nr", "kl", "dvs", "mht", "evt", "osv", "o.l", "m.m", "mv", "pga", "iht",
    "ifm", "inkl", "ekskl", "tlf", "ref", "s", "st", "avd", "pkt", "kap", "ev", "e.l", "t.o.m", "f.o.m", "etc",
    "e.g", "i.e", "approx", "no", "vs", "dr", "prof", "mr", "mrs", "ms", "pr", "mnd", "sek", "min", "t", "ang",
}
_END = re.compile(r"(?<=[.!?…])[\"»”)]*\s+(?=[\"«“(]?[A-ZÆØÅÄÖÜ0-9§])")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")


def _ends_with_abbreviation(text: str) -> bool:
    if not text.endswith("."):
        return False
    last = text[:-1].rsplit(None, 1)[-1].lower().lstrip("(«\"")
    return last in ABBREVIATIONS or bool(re.fullmatch(r"\d{1,2}", last))  # "1. januar", "3. klasse"


def split_text(text: str) -> list[str]:
    """Sentences of one line or paragraph of running text (no list handling)."""
    out: list[str] = []
    start = 0
    for m in _END.finditer(text):
        piece = text[start:m.start()].strip()
        if not piece:
            continue
        if _ends_with_abbreviation(piece):
            continue  # the stop belongs to "f.eks." or "1."; keep going
        out.append(text[start:m.end()].strip())
        start = m.end()
    rest = text[start:].strip()
    if rest:
        out.append(rest)
    return out


def is_list_item(line: str) -> bool:
    return bool(_LIST_ITEM.match(line))


def strip_list_marker(line: str) -> str:
    return _LIST_ITEM.sub("", line, count=1).strip()


def split_sentences(text: str) -> list[str]:
    """Every sentence of a passage, line by line; a list item's marker is removed."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        out.extend(split_text(strip_list_marker(line) if is_list_item(line) else line))
    return out

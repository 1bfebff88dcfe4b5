"""Phrase lexicons that survive the way frightened parents type.

Text and phrases are folded the same way (lower case; æ/ø/å and their ae/oe/aa spellings; accents
and Arabic diacritics removed; repeated letters collapsed), so "bevisstløs", "bevistlos" and
"BEVISSTLØS" are one word. A phrase word of seven letters or more also matches with one typo
(symmetric-deletion lookup, so matching stays fast). Phrase syntax: ``word*`` (prefix),
``*word`` (suffix), ``*word*`` (contains), ``~`` (up to three other words in between).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

_WORD = re.compile(r"[^\W_]+", re.U)
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي", "گ": "ك",
                              "ڤ": "ف", "پ": "ب", "چ": "ج", "ی": "ي", "ک": "ك"})
_LATIN_FOLD = str.maketrans({"æ": "e", "ø": "o", "å": "a", "ł": "l", "ß": "s", "'": "", "’": "", "ʼ": ""})
_REPEATS = re.compile(r"(\w)\1+")
_DIGRAPHS = ((re.compile(r"aa"), "a"), (re.compile(r"ae"), "e"), (re.compile(r"oe"), "o"))
GAP = 3  # words a "~" may skip
# typo tolerance only for long words, and never in the first letter: shorter words are too often
# one letter from an ordinary word ("antall" / "anfall", "posten" / "pusten")
FUZZY_MIN = 7


def fold(text: str) -> str:
    """The comparison form of ``text`` (see the module docstring)."""
    text = text.lower().translate(_LATIN_FOLD)
    text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_FOLD)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFC", text)
    for pattern, repl in _DIGRAPHS:
        text = pattern.sub(repl, text)
    return _REPEATS.sub(r"\1", text)


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or swap of neighbours apart (or equal)."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1:]


@dataclass(frozen=True)
class _Token:
    kind: str  # exact | prefix | fuzzy-prefix | suffix | contains | gap
    text: str = ""

    def matches(self, word: str, fuzzy: set[str]) -> bool:
        if self.kind == "exact":
            return word == self.text or self.text in fuzzy
        if self.kind == "prefix":
            return word.startswith(self.text)
        if self.kind == "fuzzy-prefix":  # a lexicon built with fuzzy prefixes: the bare stem may carry one typo
            return word.startswith(self.text) or self.text in fuzzy
        if self.kind == "suffix":
            return word.endswith(self.text)
        return self.text in word


def _parse(phrase: str) -> tuple[_Token, ...]:
    if re.search(r"[!?.,]", phrase):
        raise ValueError(f"lexicon phrase {phrase!r}: punctuation is not matched; leave it out")
    out: list[_Token] = []
    for raw in phrase.split():
        if raw == "~":
            out.append(_Token("gap"))
            continue
        star_start, star_end = raw.startswith("*"), raw.endswith("*")
        core = " ".join(words(raw.strip("*")))
        for i, part in enumerate(core.split()):  # folding may split a word ("l'aan"); keep the parts in order
            first, last = i == 0, i == len(core.split()) - 1
            kind = ("contains" if star_start and first and star_end and last else
                    "prefix" if star_end and last else "suffix" if star_start and first else "exact")
            out.append(_Token(kind, part))
    return tuple(t for t in out)


@dataclass
class Lexicon:
    """Named phrase lists; ``find(text)`` -> the names whose phrases occur, with the phrases found."""

    phrases: dict[str, list[tuple[_Token, ...]]] = field(default_factory=dict)
    _fuzzy: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # deletion -> phrase words

    # phrases by their first word, so a word position only tries the phrases that can start there
    _by_first: dict[str, list[tuple[str, tuple[_Token, ...]]]] = field(default_factory=lambda: defaultdict(list))
    _open_first: list[tuple[str, tuple[_Token, ...]]] = field(default_factory=list)  # first word a pattern

    @classmethod
    def build(cls, named: dict[str, list[str]], fuzzy_prefixes: bool = False) -> Lexicon:
        """``fuzzy_prefixes``: a ``word*`` of seven letters or more also matches the bare word written with
        one typo ("avlastnig" for "avlastning*"); for names, not for the safety lexicons."""
        lex = cls()
        for name, phrases in named.items():
            parsed = [p for p in (_parse(ph) for ph in phrases) if p and p[0].kind != "gap"]
            if fuzzy_prefixes:
                parsed = [tuple(_Token("fuzzy-prefix", t.text) if t.kind == "prefix" and len(t.text) >= FUZZY_MIN
                                else t for t in p) for p in parsed]
            lex.phrases[name] = parsed
            for tokens in parsed:
                if tokens[0].kind == "exact":
                    lex._by_first[tokens[0].text].append((name, tokens))
                else:
                    lex._open_first.append((name, tokens))
                for t in tokens:
                    if t.kind in ("exact", "fuzzy-prefix") and len(t.text) >= FUZZY_MIN:
                        lex._fuzzy[t.text].add(t.text)
                        for d in _deletions(t.text):
                            lex._fuzzy[d].add(t.text)
        return lex

    def _starting_at(self, ws: list[str], near: list[set[str]], start: int):
        """(name, tokens) of every phrase that matches from word ``start``."""
        candidates = list(self._by_first.get(ws[start], ()))
        for w in near[start] - {ws[start]}:
            candidates += self._by_first.get(w, ())
        candidates += self._open_first
        for name, tokens in candidates:
            if self._match_at(tokens, ws, near, start):
                yield name, tokens

    def _near(self, word: str) -> set[str]:
        """Phrase words within one edit of ``word`` (only for words of five letters or more)."""
        if len(word) < 4:
            return set()
        found = set(self._fuzzy.get(word, ()))
        for d in _deletions(word):
            found |= self._fuzzy.get(d, set())
        return {f for f in found if f[0] == word[0] and _one_edit(f, word)}

    @staticmethod
    def _match_at(tokens: tuple[_Token, ...], ws: list[str], near: list[set[str]], start: int) -> bool:
        i = start
        k = 0
        while k < len(tokens):
            t = tokens[k]
            if t.kind == "gap":
                nxt = tokens[k + 1] if k + 1 < len(tokens) else None
                if nxt is None:
                    return True
                for j in range(i, min(len(ws), i + GAP + 1)):
                    if nxt.matches(ws[j], near[j]) and Lexicon._match_at(tokens[k + 1:], ws, near, j):
                        return True
                return False
            if i >= len(ws) or not t.matches(ws[i], near[i]):
                return False
            i += 1
            k += 1
        return True

    def find(self, text: str) -> dict[str, list[str]]:
        ws = words(text)
        near = [self._near(w) for w in ws]
        found: dict[str, list[str]] = {}
        for start in range(len(ws)):
            for name, tokens in self._starting_at(ws, near, start):
                phrase = " ".join(t.text or "~" for t in tokens)
                if phrase not in found.setdefault(name, []):
                    found[name].append(phrase)
        return {name: found[name] for name in self.phrases if name in found}  # in the lexicon's order

    def first_positions(self, text: str) -> dict[str, int]:
        """For every name found: the word position where its earliest phrase starts."""
        ws = words(text)
        near = [self._near(w) for w in ws]
        first: dict[str, int] = {}
        for start in range(len(ws)):
            for name, _ in self._starting_at(ws, near, start):
                first.setdefault(name, start)
        return first

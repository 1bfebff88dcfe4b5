"""Metric functions: retrieval (recall@k, MRR, nDCG@10), citations, statuses, mentions, leaks."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from eti.sentences import split_text

CITE = re.compile(r"\[(\d+)\]")


def is_relevant(doc_id: str, url: str, relevant: Iterable[str], source_id: str = "") -> str | None:
    """The relevant id this document satisfies, if any: card ids match doc ids, URLs match by
    prefix, ``page:<source>/<path>`` matches a fixture page by its source and URL path."""
    path = urlsplit(url).path.lstrip("/")
    for r in relevant:
        if r == doc_id or (r.startswith("http") and (url.startswith(r) or doc_id.startswith(r))):
            return r
        if r.startswith("page:"):
            source, _, page = r[5:].partition("/")
            if path == page and (not source_id or source_id == source):
                return r
    return None


def ranked_relevance(ranked: list[tuple], relevant: list[str]) -> list[str | None]:
    """For each distinct document in rank order: which relevant id it satisfies (or None).
    ``ranked`` holds (doc_id, url) or (doc_id, url, source_id)."""
    seen: set[str] = set()
    out: list[str | None] = []
    for doc_id, url, *rest in ranked:
        if doc_id in seen:
            continue
        seen.add(doc_id)
        out.append(is_relevant(doc_id, url, relevant, rest[0] if rest else ""))
    return out


def recall_at(marks: list[str | None], relevant: list[str], k: int) -> float:
    if not relevant:
        return 0.0
    return len({m for m in marks[:k] if m}) / len(set(relevant))


def mrr(marks: list[str | None]) -> float:
    return next((1.0 / (i + 1) for i, m in enumerate(marks) if m), 0.0)


def ndcg_at(marks: list[str | None], relevant: list[str], k: int = 10) -> float:
    seen: set[str] = set()
    dcg = 0.0
    for i, m in enumerate(marks[:k]):
        if m and m not in seen:
            seen.add(m)
            dcg += 1.0 / math.log2(i + 2)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(k, len(set(relevant)))))
    return dcg / ideal if ideal else 0.0


def must_mention(answer: str, terms: list[str], forms: dict[str, list[str]] | None = None) -> float | None:
    """The share of ``terms`` the answer says. ``forms`` gives a term's other written forms: the bank
    writes its terms in bokmål, and a nynorsk answer says "4 veker" for "4 uker"."""
    if not terms:
        return None
    low = answer.lower()
    forms = forms or {}
    return sum(1 for t in terms if any(f.lower() in low for f in (t, *forms.get(t, [])))) / len(terms)


def sector_coverage(cited_sectors: set[str], expected: list[str]) -> float | None:
    if len(set(expected)) < 2:
        return None
    return len(cited_sectors & set(expected)) / len(set(expected))


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, cited numbers) for every sentence traced to a [n].

    One [n] ends a passage (a paragraph or a list, up to a blank line): every sentence of the
    passage before it is traced to it. Bold headings and the fixed one-line notices carry none."""
    out: list[tuple[str, list[int]]] = []
    for block in re.split(r"\n\s*\n", answer):
        pending: list[str] = []
        for line in block.splitlines():
            line = line.strip().removeprefix("- ")
            if not line or re.fullmatch(r"\*\*[^*]+\*\*", line):
                continue
            line = re.sub(r"^\*\*[^*]+\*\*\s*(\([^)]*\))?:?\s*", "", line)
            for piece in re.split(r"(?<=\])\s+", line):
                nums = [int(n) for n in CITE.findall(piece)]
                sentences = split_text(CITE.sub("", piece).strip())
                pending.extend(sentences)
                if nums:
                    out.extend((s, nums) for s in pending if s)
                    pending = []
    return out


# a shown sentence that opens with a reference it cannot resolve ("Dette gjelder…", "2) Du kan…")
DANGLING = re.compile(r"^(dette|disse|denne|slik|derfor|også|òg|i tillegg|her|samme|this|these|such|therefore|"
                      r"also|in addition|\d+\)|[a-h]\))(\s|$)", re.I)


def dangling_references(answer: str) -> list[str]:
    """Passages (paragraphs and list items) whose first sentence leans on one that is not shown."""
    out = []
    for block in re.split(r"\n\s*\n", answer):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip() and not re.fullmatch(r"\*\*[^*]+\*\*", ln.strip())]
        if not lines:
            continue
        first = re.sub(r"^[-*] ", "", lines[0])
        first = re.sub(r"^\*\*[^*]+\*\*\s*(\([^)]*\))?:?\s*", "", first)
        first = re.sub(r"^[^:]{2,80}\([^)]{2,30}\):\s*", "", first)  # "- Title (Sector): ..." lines
        # "Slik går saken:" over a list points forward, to the list it introduces
        introduces_list = first.rstrip().endswith(":") and len(lines) > 1 and lines[1].startswith(("- ", "* "))
        if DANGLING.match(first) and not introduces_list:
            out.append(first[:80])
    return out


_DEADLINE = re.compile(r"\b(\d+|to|tre|fire|seks|åtte|two|three|four|six|eight)\s+(uker|veker|weeks|måneder|månader|months)\b", re.I)


def cross_scheme_contradictions(answer: str, citations: list[dict]) -> list[str]:
    """Deadlines from different sources shown side by side: one decision, two schemes' klagefrister.

    Every deadline ("6 uker") is tied to the citation of the passage it stands in; when two
    different deadlines come from different documents (other than the one-line pointers under
    "Dette kan også være aktuelt"), the answer mixes schemes. Returns the conflicting values."""
    doc_of = {c["n"]: c.get("doc_id") or c.get("url") for c in citations} if citations else {}
    by_doc: dict[str, set[str]] = {}
    for block in re.split(r"\n\s*\n", answer):
        if block.lstrip().startswith(("**Dette kan også", "**Dette kan òg", "**This may also")):
            continue
        nums = [int(n) for n in CITE.findall(block)]
        doc = doc_of.get(nums[-1], str(nums[-1])) if nums else "?"
        for m in _DEADLINE.finditer(block):
            by_doc.setdefault(str(doc), set()).add(m[0].lower())
    values = {v for vs in by_doc.values() for v in vs}
    return sorted(values) if len(by_doc) > 1 and len(values) > 1 else []


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    i = min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))
    return s[i]


_MISSING = re.compile(r"\b(kildene jeg har sier ikke|kjeldene eg har seier ikkje|my sources do not say)\b", re.I)


def says_missing(answer: str) -> bool:
    """Does the answer say, in the fixed phrase, what the sources do not hold?"""
    return bool(_MISSING.search(answer))

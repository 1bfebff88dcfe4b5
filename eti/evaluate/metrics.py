"""Metric functions: retrieval (recall@k, MRR, nDCG@10), citations, statuses, mentions, leaks."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

CITE = re.compile(r"\[(\d+)\]")


def is_relevant(doc_id: str, url: str, relevant: Iterable[str]) -> str | None:
    """The relevant id this document satisfies, if any (card ids match doc ids; URLs match by prefix)."""
    for r in relevant:
        if r == doc_id or (r.startswith("http") and (url.startswith(r) or doc_id.startswith(r))):
            return r
    return None


def ranked_relevance(ranked: list[tuple[str, str]], relevant: list[str]) -> list[str | None]:
    """For each distinct document in rank order: which relevant id it satisfies (or None)."""
    seen: set[str] = set()
    out: list[str | None] = []
    for doc_id, url in ranked:
        if doc_id in seen:
            continue
        seen.add(doc_id)
        out.append(is_relevant(doc_id, url, relevant))
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


def must_mention(answer: str, terms: list[str]) -> float | None:
    if not terms:
        return None
    low = answer.lower()
    return sum(1 for t in terms if t.lower() in low) / len(terms)


def sector_coverage(cited_sectors: set[str], expected: list[str]) -> float | None:
    if len(set(expected)) < 2:
        return None
    return len(cited_sectors & set(expected)) / len(set(expected))


def cited_sentences(answer: str) -> list[tuple[str, list[int]]]:
    """(sentence without markers, cited numbers) for every sentence that carries a [n]."""
    out = []
    for line in answer.splitlines():
        line = line.strip().removeprefix("- ")
        for sentence in re.split(r"(?<=\])\s+", line):
            nums = [int(n) for n in CITE.findall(sentence)]
            if nums:
                out.append((CITE.sub("", sentence).strip(), nums))
    return out


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    s = sorted(values)
    i = min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))
    return s[i]

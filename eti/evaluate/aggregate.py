"""Summaries of question results: overall and per kind, sector and language; baseline comparison."""

from __future__ import annotations

from collections import defaultdict

from eti.evaluate.metrics import percentile

NUMERIC = ["recall_at_5", "recall_at_10", "mrr", "ndcg_at_10", "must_mention", "sector_coverage",
           "citation_validity", "citation_entailment", "faithfulness", "answer_relevancy"]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def summarise(rows: list[dict]) -> dict:
    out: dict = {"questions": len(rows), "errors": sum(1 for r in rows if r.get("error"))}
    for key in NUMERIC:
        out[key] = _mean([r[key] for r in rows if r.get(key) is not None])
    out["status_accuracy"] = _mean([1.0 if r["status_ok"] else 0.0 for r in rows])
    pii = [r for r in rows if r.get("pii_leak") is not None]
    out["judge_errors"] = sum(len(r.get("judge_errors") or []) for r in rows)
    out["pii_checked"] = len(pii)
    out["pii_leaks"] = sum(1 for r in pii if r["pii_leak"])
    lat = [r["latency_ms"] for r in rows if not r.get("error")]
    out["latency_p50_ms"] = round(percentile(lat, 50), 1)
    out["latency_p95_ms"] = round(percentile(lat, 95), 1)
    chars = [r["answer_chars"] for r in rows if r.get("answer_chars") is not None]
    out["answer_chars_median"] = round(percentile(chars, 50), 1) if chars else None
    for key in ("dangling", "contradictions", "verdicts"):
        out[key] = sum(r.get(key) or 0 for r in rows)
    for key in ("language_ok", "topic_ok", "outdated_ok", "honest"):
        out[key] = _mean([1.0 if r[key] else 0.0 for r in rows if r.get(key) is not None])
    unanswerable = [r for r in rows if r["kind"] == "unanswerable"]
    out["unanswerable_no_answer"] = _mean([1.0 if r["status"] == "no_answer" else 0.0 for r in unanswerable])
    return out


def breakdown(rows: list[dict], key: str) -> dict[str, dict]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        value = r.get(key)
        values = value if isinstance(value, list) else [value]
        for v in [v for v in values if v is not None] or ["none"]:
            groups[str(v)].append(r)
    return {k: summarise(v) for k, v in sorted(groups.items())}


def breakdown_pairs(rows: list[dict], first: str, second: str) -> dict[str, dict]:
    """Figures per (first, second) value pair, keyed "first/second" (e.g. "test/factual")."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        groups[f"{r.get(first) or 'none'}/{r.get(second) or 'none'}"].append(r)
    return {k: summarise(v) for k, v in sorted(groups.items())}


def compare(current: list[dict], baseline: list[dict]) -> dict[str, list[dict]]:
    """Per question: what got worse and what got better (status, recall@5, must-mention)."""
    before = {r["id"]: r for r in baseline}
    regressions, improvements = [], []
    for r in current:
        b = before.get(r["id"])
        if b is None:
            continue
        changes = []
        if r["status_ok"] != b["status_ok"]:
            changes.append(("status", b["status"], r["status"], 1 if r["status_ok"] else -1))
        for key in ("recall_at_5", "must_mention", "citation_validity"):
            if r.get(key) is not None and b.get(key) is not None and abs(r[key] - b[key]) > 1e-9:
                changes.append((key, b[key], r[key], 1 if r[key] > b[key] else -1))
        for metric, old, new, sign in changes:
            item = {"id": r["id"], "metric": metric, "before": old, "after": new, "question": r["question"]}
            (improvements if sign > 0 else regressions).append(item)
    return {"regressions": regressions, "improvements": improvements}

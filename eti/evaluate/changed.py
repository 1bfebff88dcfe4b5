"""``eti eval --changed-since``: re-run only the questions whose sources changed in a crawl.

A page changed when its content was fetched anew (the catalog's ``fetched_at``; unchanged pages
only get a new ``checked_at``). A question is affected when one of its relevant ids, or a document
it cited in the baseline report, is a changed page (cards by ``kort:<id>``, pages by URL).
"""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from eti.evaluate.questions import Question

_AGO = re.compile(r"^(\d+)([hdw])$")


def parse_since(value: str, now: datetime | None = None) -> str:
    """An ISO timestamp from "2026-11-30", "2026-11-30T10:00:00+00:00" or a duration ago ("12h", "7d", "2w")."""
    now = now or datetime.now(UTC)
    if m := _AGO.match(value.strip()):
        n, unit = int(m[1]), m[2]
        delta = {"h": timedelta(hours=n), "d": timedelta(days=n), "w": timedelta(weeks=n)}[unit]
        return (now - delta).replace(microsecond=0).isoformat()
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise ValueError(f"--changed-since: expected a date, a timestamp or a duration like 7d, got {value!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.isoformat()


def changed_documents(catalog_path: Path, since: str) -> set[str]:
    """URLs (and card ids) of pages whose content was fetched anew at or after ``since``."""
    if not catalog_path.exists():
        return set()
    db = sqlite3.connect(f"file:{catalog_path}?mode=ro", uri=True)
    try:
        rows = db.execute("SELECT url FROM pages WHERE status='ok' AND fetched_at >= ?", (since,)).fetchall()
    finally:
        db.close()
    return {r[0] for r in rows}


def _matches(doc: str, changed: set[str]) -> bool:
    return doc in changed or any(doc.startswith(c) or c.startswith(doc) for c in changed if c.startswith("http"))


def affected(questions: list[Question], changed: set[str], baseline_rows: list[dict]) -> list[Question]:
    """The questions to re-run: relevant to, or citing in the baseline, a changed document."""
    cited: dict[str, set[str]] = {}
    for r in baseline_rows:
        cited[r["id"]] = {c.get("doc_id") or c.get("url", "") for c in r.get("citations") or []} | {
            c.get("url", "") for c in r.get("citations") or []}
    out = []
    for q in questions:
        docs = set(q.relevant) | cited.get(q.id, set())
        if any(_matches(d, changed) for d in docs if d):
            out.append(q)
    return out

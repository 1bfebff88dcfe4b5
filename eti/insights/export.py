"""Writing a report: ``insights.html`` (self-contained), ``insights.json`` (what GET /v1/insights returns)
and one CSV per table, for a spreadsheet. Cells that a spreadsheet would run as a formula are quoted."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from eti.insights.models import Report
from eti.insights.render import render

REPORT_FILES = ("insights.html", "insights.json", "insights-themes.csv", "insights-sources.csv",
                "insights-rising.csv", "insights-groups.csv", "insights-weeks.csv")


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dict):
        v = "; ".join(f"{k} {n}" for k, n in v.items())
    elif isinstance(v, list):
        v = "; ".join("" if x is None else str(x) for x in v)
    text = str(v)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # no formula injection


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)
    w.writerows([[_cell(v) for v in r] for r in rows])
    return out.getvalue()


def tables(report: Report) -> dict[str, str]:
    """The CSV files' names and contents."""
    theme_cols = ["representative", "conversations", "questions", "reasons", "languages", "sectors", "schemes",
                  "kommuner", "first_week", "last_week"]
    themes = [["unanswered", *[getattr(t, c) for c in theme_cols]] for t in report.unanswered]
    themes += [["rated_down", *[getattr(t, c) for c in theme_cols]] for t in report.rated_down]
    source_cols = ["source_id", "title", "url", "sector", "kind", "cited", "conversations", "rated_down",
                   "outdated", "last_modified", "age_days"]
    sources = [["rated_down", *[getattr(s, c) for c in source_cols]] for s in report.rated_down_sources]
    sources += [["stale", *[getattr(s, c) for c in source_cols]] for s in report.stale_sources]
    rising_cols = ["scheme", "label", "sector", "this_week", "previous_weeks", "ratio", "new"]
    group_cols = ["dimension", "key", "label", "events", "conversations", "unanswered", "rated_down"]
    week_cols = ["week", "events", "conversations", "unanswered", "rated_down", "kept_counts"]
    return {
        "insights-themes.csv": _csv(["list", *theme_cols], themes),
        "insights-sources.csv": _csv(["list", *source_cols], sources),
        "insights-rising.csv": _csv(rising_cols, [[getattr(r, c) for c in rising_cols] for r in report.rising]),
        "insights-groups.csv": _csv(group_cols, [[getattr(g, c) for c in group_cols] for g in report.groups]),
        "insights-weeks.csv": _csv(week_cols, [[getattr(w, c) for c in week_cols] for w in report.weeks]),
    }


def write_report(report: Report, out_dir: Path) -> list[Path]:
    """Write every file of the report into ``out_dir`` (replacing an earlier report there)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"insights.html": render(report), "insights.json": report.model_dump_json(indent=2), **tables(report)}
    written = []
    for name, text in files.items():
        path = out_dir / name
        tmp = path.with_name(f".{name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.chmod(tmp, 0o600)  # it quotes (redacted) questions: for its owner to pass on, not for every login
        os.replace(tmp, path)
        written.append(path)
    return written


def purge_reports(out_dir: Path, before: float) -> int:
    """Delete report files written before ``before``: a report quotes questions, so it follows their retention."""
    gone = 0
    for name in REPORT_FILES:
        path = out_dir / name
        try:
            if path.stat().st_mtime < before:
                path.unlink()
                gone += 1
        except FileNotFoundError:
            continue
    return gone

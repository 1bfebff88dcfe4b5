"""A self-contained HTML report: summary, charts (inline SVG) and a per-question drill-down."""

from __future__ import annotations

from html import escape

COLORS = ["#1f5f8b", "#b3541e", "#2e7d32", "#6a1b9a", "#8d6e00", "#00695c"]


def _bars(title: str, groups: dict[str, dict[str, float | None]], series: list[str], vmax: float = 1.0,
          fmt: str = "{:.2f}") -> str:
    """A grouped horizontal bar chart: groups (rows) x series (bars)."""
    row_h, bar_h, left, width = 14 * len(series) + 12, 12, 170, 420
    height = row_h * len(groups) + 40
    out = [f'<figure><figcaption>{escape(title)}</figcaption>'
           f'<svg role="img" aria-label="{escape(title)}" width="{left + width + 70}" height="{height}" '
           f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif" font-size="12">']
    for i, (group, values) in enumerate(groups.items()):
        y0 = 10 + i * row_h
        out.append(f'<text x="{left - 8}" y="{y0 + row_h / 2}" text-anchor="end">{escape(group)}</text>')
        for j, s in enumerate(series):
            v = values.get(s)
            w = 0 if v is None else max(1, width * min(v, vmax) / vmax)
            y = y0 + j * (bar_h + 2)
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLORS[j % len(COLORS)]}">'
                       f'<title>{escape(group)} / {escape(s)}: {"-" if v is None else fmt.format(v)}</title></rect>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{y + bar_h - 2}">{"–" if v is None else fmt.format(v)}</text>')
    legend_y = height - 14
    for j, s in enumerate(series):
        x = left + j * 140
        out.append(f'<rect x="{x}" y="{legend_y - 10}" width="10" height="10" fill="{COLORS[j % len(COLORS)]}"/>'
                   f'<text x="{x + 14}" y="{legend_y}">{escape(s)}</text>')
    out.append("</svg></figure>")
    return "".join(out)


def _histogram(title: str, values: list[float], bins: int = 12) -> str:
    if not values:
        return ""
    hi = max(values) or 1.0
    step = hi / bins
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int(v / step))] += 1
    top = max(counts) or 1
    w, h, pad = 480, 160, 30
    bw = w / bins
    parts = [f'<figure><figcaption>{escape(title)}</figcaption><svg role="img" aria-label="{escape(title)}" '
             f'width="{w + 2 * pad}" height="{h + 2 * pad}" xmlns="http://www.w3.org/2000/svg" '
             f'font-family="system-ui, sans-serif" font-size="11">']
    for i, c in enumerate(counts):
        bh = h * c / top
        parts.append(f'<rect x="{pad + i * bw:.1f}" y="{pad + h - bh:.1f}" width="{bw - 2:.1f}" height="{bh:.1f}" '
                     f'fill="{COLORS[0]}"><title>{i * step:.0f}-{(i + 1) * step:.0f} ms: {c}</title></rect>')
    parts.append(f'<text x="{pad}" y="{pad + h + 16}">0 ms</text><text x="{pad + w}" y="{pad + h + 16}" '
                 f'text-anchor="end">{hi:.0f} ms</text><text x="{pad}" y="{pad - 8}">n = {len(values)}</text>')
    parts.append("</svg></figure>")
    return "".join(parts)


def _fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}"
    return escape(str(v))


def render(report: dict) -> str:
    configs = report["configs"]
    primary = configs[0]
    keys = ["questions", "status_accuracy", "recall_at_5", "recall_at_10", "mrr", "ndcg_at_10", "citation_validity",
            "must_mention", "answer_chars_median", "unanswerable_no_answer", "dangling", "contradictions", "verdicts",
            "language_ok", "topic_ok", "outdated_ok", "honest", "sector_coverage", "pii_leaks", "latency_p50_ms",
            "latency_p95_ms", "errors"]
    if report.get("judge"):
        keys += ["citation_entailment", "faithfulness", "answer_relevancy", "judge_errors"]
    head = "".join(f"<th scope='col'>{escape(c['name'])}</th>" for c in configs)
    rows = "".join(f"<tr><th scope='row'>{k}</th>" + "".join(f"<td>{_fmt(c['summary'].get(k))}</td>" for c in configs)
                   + "</tr>" for k in keys)
    splits = primary.get("by_split", {})
    split_keys = ["questions", "status_accuracy", "recall_at_5", "must_mention", "answer_chars_median",
                  "unanswerable_no_answer", "dangling", "contradictions", "verdicts", "language_ok", "topic_ok",
                  "outdated_ok", "honest"]
    split_table = ("<h2>Dev and test split</h2><p>Thresholds, patterns, synonyms and calibration are fitted on "
                   "<em>dev</em> only; <em>test</em> is never tuned on.</p><table><thead><tr><th></th>"
                   + "".join(f"<th scope='col'>{escape(s)}</th>" for s in splits) + "</tr></thead><tbody>"
                   + "".join(f"<tr><th scope='row'>{k}</th>" + "".join(f"<td>{_fmt(v.get(k))}</td>" for v in splits.values())
                             + "</tr>" for k in split_keys) + "</tbody></table>") if splits else ""
    safety = ""
    if report.get("safety"):
        s_keys = ["messages", "emergency_recall", "full_emergency", "false_emergency", "urgent_line_on_negatives",
                  "refusals", "benign_answered", "latency_p95_ms"]
        sets = report["safety"]
        safety = ("<h2>Safety set</h2><table><thead><tr><th></th>"
                  + "".join(f"<th scope='col'>{escape(s)}</th>" for s in sets) + "</tr></thead><tbody>"
                  + "".join(f"<tr><th scope='row'>{k}</th>" + "".join(f"<td>{_fmt(v.get(k))}</td>" for v in sets.values())
                            + "</tr>" for k in s_keys) + "</tbody></table>"
                  + "".join(_bars(f"Safety per language ({split})",
                                  {lang: {m: f.get(m) for m in ("emergency_recall", "false_emergency", "refusals")}
                                   for lang, f in v["by_lang"].items()},
                                  ["emergency_recall", "false_emergency", "refusals"]) for split, v in sets.items()))
    charts = [
        _bars("Per facet", {f: {m: v.get(m) for m in ("must_mention", "status_accuracy", "recall_at_5")}
                            for f, v in primary.get("by_facet", {}).items()},
              ["must_mention", "status_accuracy", "recall_at_5"]),
        _bars("Per split and kind: must-mention", {k: {"must_mention": v.get("must_mention"),
                                                        "status_accuracy": v.get("status_accuracy")}
                                                    for k, v in primary.get("by_split_kind", {}).items()},
              ["must_mention", "status_accuracy"]),
        _bars("Status accuracy per kind", {k: {c["name"]: c["by_kind"].get(k, {}).get("status_accuracy")
                                               for c in configs} for k in primary["by_kind"]},
              [c["name"] for c in configs]),
        _bars("Recall@5 per kind", {k: {c["name"]: c["by_kind"].get(k, {}).get("recall_at_5") for c in configs}
                                    for k in primary["by_kind"] if primary["by_kind"][k].get("recall_at_5") is not None},
              [c["name"] for c in configs]),
        _bars(f"Per sector ({primary['name']})",
              {s: {m: v.get(m) for m in ("recall_at_5", "must_mention", "status_accuracy")}
               for s, v in primary["by_sector"].items()}, ["recall_at_5", "must_mention", "status_accuracy"]),
        _bars(f"Per language ({primary['name']})",
              {s: {m: v.get(m) for m in ("recall_at_5", "status_accuracy")} for s, v in primary["by_lang"].items()},
              ["recall_at_5", "status_accuracy"]),
        _histogram(f"Answer latency ({primary['name']})", [r["latency_ms"] for r in primary["results"]
                                                          if not r.get("error")]),
    ]
    drill = []
    for r in primary["results"]:
        ok = "ok" if r["status_ok"] else "fail"
        cites = "".join(f"<li>[{c['n']}] <a href='{escape(c['url'])}'>{escape(c['title'])}</a> – "
                        f"{escape(c.get('section', ''))} <span class='sector'>{escape(c['sector'])}</span></li>"
                        for c in r["citations"])
        drill.append(
            f"<details class='{ok}'><summary><span class='badge {ok}'>{ok}</span> <code>{escape(r['id'])}</code> "
            f"[{escape(r.get('split', 'dev'))}, {escape(r['kind'])}, {escape(str(r.get('facet') or '–'))}, "
            f"{escape(r['lang'])}] {escape(r['question'][:120])}</summary>"
            f"<dl><dt>Status</dt><dd>{escape(r['status'])} (expected {escape(r['expected_status'])})</dd>"
            f"<dt>Metrics</dt><dd>recall@5 {_fmt(r['recall_at_5'])}, MRR {_fmt(r['mrr'])}, must-mention "
            f"{_fmt(r['must_mention'])}, citations valid {_fmt(r['citation_validity'])}, "
            + (f"entailed {_fmt(r.get('citation_entailment'))}, faithfulness {_fmt(r.get('faithfulness'))}, "
               f"relevancy {_fmt(r.get('answer_relevancy'))}, " if report.get("judge") else "")
            + f"{r['latency_ms']:.0f} ms</dd>"
            f"<dt>Expected</dt><dd>relevant: {escape(', '.join(r['relevant']) or '–')}; must mention: "
            f"{escape(', '.join(r['must_mention_terms']) or '–')}</dd>"
            f"<dt>Retrieved</dt><dd>{escape(', '.join(dict.fromkeys(r['retrieved'])) or '–')}</dd>"
            f"<dt>Answer</dt><dd><pre>{escape(r['answer'])}</pre></dd><dt>Citations</dt><dd><ol>{cites}</ol></dd>"
            + (f"<dt>Error</dt><dd>{escape(r['error'])}</dd>" if r.get("error") else "") + "</dl></details>")
    comparison = ""
    if report.get("baseline"):
        b = report["baseline"]
        items = lambda xs: "".join(f"<li><code>{escape(x['id'])}</code> {escape(x['metric'])}: {_fmt(x['before'])} → "  # noqa: E731
                                   f"{_fmt(x['after'])}</li>" for x in xs)
        comparison = (f"<h2>Compared with {escape(b['file'])}</h2><h3>Regressions ({len(b['regressions'])})</h3>"
                      f"<ul>{items(b['regressions'])}</ul><h3>Improvements ({len(b['improvements'])})</h3>"
                      f"<ul>{items(b['improvements'])}</ul>")
    gate = ""
    if report.get("gate"):
        fails = report["gate"]["failures"]
        gate = ("<p class='badge ok'>Gate passed</p>" if not fails else
                "<div class='badge fail'>Gate failed: " + escape("; ".join(fails)) + "</div>")
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>ETI evaluation {escape(report['created_at'])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;max-width:1100px}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}th[scope=row]{{text-align:left}}
figure{{display:inline-block;margin:1rem 1rem 1rem 0;vertical-align:top}}figcaption{{font-weight:600}}
details{{border-bottom:1px solid #ddd;padding:4px 0}}pre{{white-space:pre-wrap;background:#f6f6f6;padding:8px}}
.badge{{padding:1px 6px;border-radius:3px;color:#fff}}.ok{{}}.badge.ok{{background:#2e7d32}}.badge.fail{{background:#b00020}}
.sector{{font-size:.85em;color:#555}}</style></head><body>
<h1>ETI evaluation</h1><p>{escape(report['created_at'])} · index {escape(str(report.get('index', {}).get('version')))}
({_fmt(report.get('index', {}).get('chunks'))} chunks) · target {escape(report['target'])} ·
{report['questions']} questions</p>{gate}
<h2>Summary</h2><table><thead><tr><th></th>{head}</tr></thead><tbody>{rows}</tbody></table>{split_table}{safety}
<h2>Charts</h2>{''.join(charts)}{comparison}
<h2>Questions ({escape(primary['name'])})</h2>{''.join(drill)}</body></html>"""

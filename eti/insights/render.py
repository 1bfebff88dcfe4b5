"""The insights report as one self-contained HTML page: inline SVG charts, no script, nothing loaded
from anywhere (a Content-Security-Policy says so), every piece of text HTML-escaped."""

from __future__ import annotations

from html import escape

from eti.insights.models import Group, Report, Source, Theme

COLORS = {"all": "#1f5f8b", "unanswered": "#b3541e", "down": "#6a1b9a"}
DIMENSION_TITLES = {"sector": "Per sector", "scheme": "Per scheme", "kommune": "Per kommune",
                    "language": "Per question language", "status": "Per answer status"}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def _n(v: int | float | None) -> str:
    return "&lt; k" if v is None else escape(str(v))


def _short(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _link(url: str, text: str) -> str:
    """A link only to http(s) addresses (a crawled page could carry any scheme); else plain text."""
    if url.lower().startswith(("https://", "http://")):
        return f'<a href="{escape(url)}" rel="noreferrer noopener">{escape(text)}</a>'
    return escape(text)


def _hbars(title: str, rows: list[tuple[str, int, int | None]], second: str = "unanswered") -> str:
    """Horizontal bars: (label, conversations, a part of them or None), one row each."""
    if not rows:
        return ""
    left, width, bar = 260, 380, 14
    top = max(r[1] for r in rows) or 1
    height = 24 + len(rows) * (bar + 8) + 20
    out = [f'<figure><figcaption>{escape(title)}</figcaption><svg role="img" aria-label="{escape(title)}" '
           f'width="{left + width + 80}" height="{height}" xmlns="http://www.w3.org/2000/svg" '
           f'font-family="system-ui, sans-serif" font-size="12">']
    for i, (label, total, part) in enumerate(rows):
        y = 10 + i * (bar + 8)
        w = max(1.0, width * total / top)
        out.append(f'<text x="{left - 8}" y="{y + bar - 3}" text-anchor="end">{escape(_short(label, 40))}</text>'
                   f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar}" fill="{COLORS["all"]}">'
                   f'<title>{escape(label)}: {total} conversations</title></rect>')
        if part:
            pw = max(1.0, width * part / top)
            out.append(f'<rect x="{left}" y="{y + 4}" width="{pw:.1f}" height="{bar - 8}" fill="{COLORS["unanswered"]}">'
                       f'<title>{escape(label)}: {part} {escape(second)}</title></rect>')
        out.append(f'<text x="{left + w + 4:.1f}" y="{y + bar - 3}">{total}</text>')
    out.append(_legend(left, height - 12, second if any(r[2] for r in rows) else None))
    out.append("</svg></figure>")
    return "".join(out)


def _legend(x: int, y: float, second: str | None) -> str:
    out = (f'<rect x="{x}" y="{y - 10}" width="10" height="10" fill="{COLORS["all"]}"/>'
           f'<text x="{x + 14}" y="{y}">conversations</text>')
    if second:
        out += (f'<rect x="{x + 120}" y="{y - 10}" width="10" height="10" fill="{COLORS["unanswered"]}"/>'
                f'<text x="{x + 134}" y="{y}">{escape(second)}</text>')
    return out


def _columns(report: Report) -> str:
    weeks = report.weeks
    if not weeks:
        return ""
    h, bw, gap, pad = 160, 34, 10, 34
    top = max(w.conversations for w in weeks) or 1
    width = max(300, pad + len(weeks) * (bw + gap) + pad)
    out = [f'<figure><figcaption>Conversations per week</figcaption><svg role="img" aria-label="Conversations per '
           f'week" width="{width}" height="{h + 2 * pad + 10}" xmlns="http://www.w3.org/2000/svg" '
           f'font-family="system-ui, sans-serif" font-size="11">']
    for i, w in enumerate(weeks):
        x = pad + i * (bw + gap)
        bh = h * w.conversations / top
        faded = ' opacity="0.55"' if w.kept_counts else ""  # counts only: the week's questions are deleted
        out.append(f'<rect x="{x}" y="{pad + h - bh:.1f}" width="{bw}" height="{bh:.1f}" fill="{COLORS["all"]}"'
                   f'{faded}><title>{escape(w.week)}: {w.conversations} '
                   f'conversations</title></rect>')
        if w.unanswered:
            uh = h * w.unanswered / top
            out.append(f'<rect x="{x + 8}" y="{pad + h - uh:.1f}" width="{bw - 16}" height="{uh:.1f}" '
                       f'fill="{COLORS["unanswered"]}"><title>{escape(w.week)}: {w.unanswered} unanswered'
                       f'</title></rect>')
        out.append(f'<text x="{x + bw / 2}" y="{pad + h - bh - 4:.1f}" text-anchor="middle">{w.conversations}</text>'
                   f'<text x="{x + bw / 2}" y="{pad + h + 14}" text-anchor="middle">{escape(w.week[-3:])}</text>')
    out.append(_legend(pad, h + 2 * pad - 4, "unanswered" if any(w.unanswered for w in weeks) else None))
    out.append("</svg></figure>")
    return "".join(out)


def _counts(d: dict[str, int]) -> str:
    return escape(", ".join(f"{k} {v}" for k, v in d.items())) or "–"


def _themes(themes: list[Theme], what: str) -> str:
    if not themes:
        return f"<p class='none'>No theme with at least k conversations {escape(what)}.</p>"
    chart = _hbars(f"Themes {what} (conversations)", [(t.representative, t.conversations, None) for t in themes[:15]])
    rows = "".join(
        f"<tr><td class='q'>{escape(t.representative)}</td><td>{t.conversations}</td><td>{t.questions}</td>"
        f"<td>{_counts(t.reasons)}</td><td>{_counts(t.languages)}</td><td>{_counts(t.schemes)}</td>"
        f"<td>{_counts(t.sectors)}</td><td>{_counts(t.kommuner)}</td><td>{escape(t.first_week)}–{escape(t.last_week)}"
        f"</td></tr>" for t in themes)
    return (chart + "<table><thead><tr><th>Representative question (medoid)</th><th>Conversations</th>"
            "<th>Questions</th><th>Why</th><th>Languages</th><th>Schemes</th><th>Sectors</th><th>Kommuner</th>"
            f"<th>Weeks</th></tr></thead><tbody>{rows}</tbody></table>")


def _sources(sources: list[Source], empty: str) -> str:
    if not sources:
        return f"<p class='none'>{escape(empty)}</p>"
    rows = "".join(
        f"<tr><td>{_link(s.url, s.title)}</td><td>{escape(s.source_id)}</td><td>{escape(s.sector)}</td>"
        f"<td>{escape(s.kind)}</td><td>{s.conversations}</td><td>{_n(s.rated_down)}</td>"
        f"<td>{'yes' if s.outdated else 'no'}</td><td>{escape(s.last_modified or '–')}</td>"
        f"<td>{_n(s.age_days) if s.age_days is not None else '–'}</td></tr>" for s in sources)
    return ("<table><thead><tr><th>Source page</th><th>Source</th><th>Sector</th><th>Kind</th>"
            "<th>Conversations citing it</th><th>Rated down</th><th>Marked outdated</th><th>Own date</th>"
            f"<th>Age (days)</th></tr></thead><tbody>{rows}</tbody></table>")


def _groups(groups: list[Group]) -> str:
    parts = []
    for dim, title in DIMENSION_TITLES.items():
        rows = [g for g in groups if g.dimension == dim]
        if not rows:
            continue
        parts.append(_hbars(title, [(g.label, g.conversations, g.unanswered) for g in rows[:20]]))
        parts.append("<table><thead><tr><th>" + escape(dim) + "</th><th>Conversations</th><th>Answers</th>"
                     "<th>Unanswered</th><th>Rated down</th></tr></thead><tbody>" + "".join(
                         f"<tr><td>{escape(g.label)}</td><td>{g.conversations}</td><td>{g.events}</td>"
                         f"<td>{_n(g.unanswered)}</td><td>{_n(g.rated_down)}</td></tr>" for g in rows)
                     + "</tbody></table>")
    return "".join(parts) or "<p class='none'>No group with at least k conversations.</p>"


def _rising(report: Report) -> str:
    if not report.rising:
        return "<p class='none'>No scheme rose against the weeks before.</p>"
    rows = "".join(
        f"<tr><td>{escape(r.label)} <code>{escape(r.scheme)}</code></td><td>{escape(r.sector)}</td>"
        f"<td>{r.this_week}</td><td>{', '.join('&lt; k' if n is None else str(n) for n in r.previous_weeks)}"
        f"</td><td>{'new' if r.new else _n(r.ratio)}</td></tr>" for r in report.rising)
    return ("<table><thead><tr><th>Scheme</th><th>Sector</th><th>Last 7 days</th><th>Weeks before (latest first)"
            f"</th><th>Change</th></tr></thead><tbody>{rows}</tbody></table>")


def render(report: Report) -> str:
    """The report as a self-contained HTML document."""
    t = report.totals
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>ETI insights {escape(report.since[:10])} –
{escape(report.until[:10])}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#1a1a1a;max-width:1150px}}
table{{border-collapse:collapse;margin:.5rem 0 1.5rem}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;
vertical-align:top}}td.q{{max-width:28rem}}figure{{margin:1rem 0}}figcaption{{font-weight:600}}
.none{{color:#555;font-style:italic}}.note{{background:#f6f6f6;padding:8px 12px;border-left:4px solid #1f5f8b}}</style>
</head><body>
<h1>ETI insights for the services</h1>
<p>{escape(report.since[:10])} – {escape(report.until[:10])} (window {escape(report.window)}) · made
{escape(report.generated_at)} · k = {report.k}</p>
<p class="note">Anonymous and aggregated: every theme, source and group below holds at least {report.k} distinct
conversations, and a count that could stand for fewer is shown as "&lt; k". Questions are shown only as
ETI stored them, with personal data removed; they are deleted after {report.retention_days:g} days, so themes,
sources and rising topics cover that period only, while weekly counts go further back.
{report.withheld} themes, sources or groups were left out because they held fewer than k conversations.</p>
<table><thead><tr><th>Answers</th><th>Conversations</th><th>Unanswered</th><th>Rated down</th></tr></thead>
<tbody><tr><td>{_n(t.events)}</td><td>{_n(t.conversations)}</td><td>{_n(t.unanswered)}</td><td>{_n(t.rated_down)}
</td></tr></tbody></table>
<h2>Questions ETI could not answer</h2>
<p>No answer from the sources, or an answer from outdated sources only, grouped by meaning.</p>
{_themes(report.unanswered, "ETI could not answer")}
<h2>Answers rated down</h2>
{_themes(report.rated_down, "rated down")}
<h3>Sources those answers cited</h3>
{_sources(report.rated_down_sources, "No source was cited by answers rated down in at least k conversations.")}
<h2>Old sources that were cited</h2>
{_sources(report.stale_sources, "No old source was cited in at least k conversations.")}
<h2>Rising topics</h2>
{_rising(report)}
<h2>Volume</h2>
{_columns(report)}
{_groups(report.groups)}
</body></html>"""

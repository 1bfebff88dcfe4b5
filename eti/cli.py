"""The ``eti`` command. Builds settings and heavy objects once, here at the edge."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from eti.settings import Settings

app = typer.Typer(help="ETI - Enklere tilgang til informasjon.", no_args_is_help=True, add_completion=False)
console = Console(stderr=False, width=None if sys.stdout.isatty() else 150)  # no 80-column cut in logs
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="State folder (default $ETI_DATA_DIR or ./data).")]
SourcesOpt = Annotated[Path | None, typer.Option("--sources", help="A sources file (default sources.yaml).")]
OnlyOpt = Annotated[str | None, typer.Option("--only", help="Comma-separated source ids.")]


def _settings(data_dir: Path | None, sources: Path | None = None) -> Settings:
    s = Settings()
    if data_dir is not None:
        s.data_dir = data_dir
    if sources is not None:
        s.sources_file = sources
    return s


def _load_sources(settings: Settings, only: str | None):
    from ingest.adapters import adapter_names
    from ingest.sources import SourcesError, load_sources

    try:
        sources = load_sources(settings.sources_file, adapter_names())
    except SourcesError as exc:  # markup off: the message quotes patterns such as [a-z0-9-]
        console.print(str(exc), style="red", markup=False, highlight=False)
        raise typer.Exit(2) from exc
    if only:
        wanted = {x.strip() for x in only.split(",") if x.strip()}
        unknown = wanted - {s.id for s in sources}
        if unknown:
            console.print(f"unknown source id(s): {', '.join(sorted(unknown))}", style="red", markup=False)
            raise typer.Exit(2)
        sources = [s for s in sources if s.id in wanted]
    return sources


def _logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


async def _ingest(settings: Settings, sources, rebuild: bool):
    import httpx

    from ingest.catalog import Catalog
    from ingest.pipeline import Ingestor

    catalog = Catalog(settings.catalog_path)
    results = []
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        tasks = {s.id: progress.add_task(f"{s.id} ({s.sector.value})", total=s.max_pages) for s in sources}

        def on_page(source_id: str, n: int) -> None:
            progress.update(tasks[source_id], completed=n)

        timeout = settings.request_timeout_s
        async with httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
                                     headers={"User-Agent": settings.user_agent}) as client:
            ingestor = Ingestor(settings, catalog, client, on_page)
            for source in sources:
                stats = await (ingestor.rebuild(source) if rebuild else ingestor.run(source))
                progress.update(tasks[source.id], completed=stats.fetched + stats.unchanged + stats.failed,
                                total=stats.fetched + stats.unchanged + stats.failed or 1)
                results.append(stats)
    return catalog, results


def _publish(settings: Settings, catalog, rebuild: bool = False):
    from eti.embed import EmbeddingCache, build_embedder
    from eti.index.publish import publish
    from eti.index.versions import IndexVersions

    todo = catalog.count_chunks()
    embedder = build_embedder(settings)
    cache = EmbeddingCache(settings.embed_cache_path)
    with Progress(TextColumn("embedding + publishing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        task = progress.add_task("publish", total=todo or 1)
        result = publish(catalog, embedder, cache, IndexVersions(settings.index_dir), rebuild=rebuild,
                         keep=settings.keep_index_versions, chroma_url=settings.chroma_url,
                         on_progress=lambda done, total: progress.update(task, completed=done, total=total or 1))
    cache.close()
    _warm_translations(settings, catalog)
    return result


def _warm_translations(settings: Settings, catalog) -> None:
    from eti.answer.translate import warm_card_translations

    t0 = time.perf_counter()
    done = warm_card_translations(settings, catalog.iter_chunks())
    if done:
        console.print(f"Nynorsk translation memory: {done} sentences of the scheme cards translated "
                      f"in {time.perf_counter() - t0:.0f}s.")


@app.command()
def crawl(sources: SourcesOpt = None, data_dir: DataDir = None, only: OnlyOpt = None,
          due: Annotated[bool, typer.Option("--due", help="Only sources whose last crawl is older than their "
                                            "recrawl interval (for a cron job or systemd timer).")] = False,
          verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False) -> None:
    """Crawl (or collect) sources into the catalog, then publish a new index version."""
    from ingest.summary import print_summary

    _logging(verbose)
    settings = _settings(data_dir, sources)
    selected = _load_sources(settings, only)
    if due:
        from ingest.freshness import due_in_catalog

        selected = due_in_catalog(selected, settings.catalog_path)
        if not selected:
            console.print("No source is due for a crawl.")
            return
        console.print(f"Due: {', '.join(s.id for s in selected)}")
    catalog, stats = asyncio.run(_ingest(settings, selected, rebuild=False))
    result = _publish(settings, catalog)
    print_summary(console, stats, result)
    catalog.close()


@app.command()
def index(rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-extract from raw snapshots, no network.")] = False,
          sources: SourcesOpt = None, data_dir: DataDir = None, only: OnlyOpt = None,
          verbose: Annotated[bool, typer.Option("-v", "--verbose")] = False) -> None:
    """Publish the catalog as a new index version; --rebuild re-extracts everything first."""
    from ingest.catalog import Catalog
    from ingest.summary import print_summary

    _logging(verbose)
    settings = _settings(data_dir, sources)
    if rebuild:
        selected = _load_sources(settings, only)
        catalog, stats = asyncio.run(_ingest(settings, selected, rebuild=True))
    else:
        catalog, stats = Catalog(settings.catalog_path), []
    result = _publish(settings, catalog, rebuild=rebuild)
    print_summary(console, stats, result)
    catalog.close()


@app.command("sources")
def sources_cmd(sources: SourcesOpt = None, data_dir: DataDir = None,
                as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List every declared source with sector, documents, chunks and last crawl."""
    from ingest.catalog import Catalog

    settings = _settings(data_dir, sources)
    declared = _load_sources(settings, None)
    overview = Catalog(settings.catalog_path).source_overview() if settings.catalog_path.exists() else {}
    rows = []
    for s in declared:
        o = overview.get(s.id, {})
        rows.append({"id": s.id, "name": s.name, "sector": s.sector.value, "adapter": s.adapter,
                     "municipality": s.municipality, "language": s.language, "documents": o.get("documents", 0),
                     "pages": o.get("pages", 0), "chunks": o.get("chunks", 0), "failed": o.get("failed", 0),
                     "last_crawl": o.get("last_crawl")})
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))  # plain: rich would wrap long lines
        return
    table = Table(title=f"Sources ({settings.sources_file})")
    for col in ("id", "sector", "adapter", "kommune", "lang", "documents", "chunks", "failed", "last crawl"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["id"], r["sector"], r["adapter"], r["municipality"] or "", r["language"],
                      str(r["documents"]), str(r["chunks"]), str(r["failed"]), r["last_crawl"] or "never")
    console.print(table)


HostOpt = Annotated[str, typer.Option("--host")]
PortOpt = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port, 1-65535.")]
WorkersOpt = Annotated[int | None, typer.Option("--workers", min=1, max=64,
                                                help="Worker processes (default $ETI_WORKERS or 1); they share "
                                                     "state through SQLite or Redis.")]


@app.command()
def up(data_dir: DataDir = None, sources: SourcesOpt = None, host: HostOpt = "127.0.0.1", port: PortOpt = 8000,
       no_serve: Annotated[bool, typer.Option("--no-serve", help="Build and summarise only.")] = False,
       workers: WorkersOpt = None) -> None:
    """The main job: build the default index if it is missing, print the summary, then serve."""
    from eti.index.versions import IndexVersions
    from ingest.summary import print_summary

    _logging(False)
    settings = _settings(data_dir, sources)
    if IndexVersions(settings.index_dir).current() is None:
        console.print(f"No index in {settings.data_dir}: building the default index "
                      f"({', '.join(settings.default_sources)}) - no network needed.")
        selected = _load_sources(settings, ",".join(settings.default_sources))
        catalog, stats = asyncio.run(_ingest(settings, selected, rebuild=False))
        result = _publish(settings, catalog)
        print_summary(console, stats, result)
        catalog.close()
    else:
        console.print(f"Index present in {settings.index_dir}.")
    sources_cmd(sources=sources, data_dir=data_dir, as_json=False)
    if no_serve:
        return
    from eti.api.serve import run

    console.print(f"Serving on http://{host}:{port}/  (API docs: /docs, widget demo: /, full-page chat: /chat)")
    run(settings, host, port, workers)


@app.command()
def serve(data_dir: DataDir = None, sources: SourcesOpt = None, host: HostOpt = "127.0.0.1",
          port: PortOpt = 8000, workers: WorkersOpt = None) -> None:
    """Serve the REST API, the widget and the demo page (uvicorn; --workers N processes)."""
    from eti.api.serve import run

    run(_settings(data_dir, sources), host, port, workers)


@app.command()
def ask(question: str, data_dir: DataDir = None,
        municipality: Annotated[str | None, typer.Option("--municipality", "-m")] = None,
        mode: Annotated[str | None, typer.Option("--mode", help="default | llm")] = None,
        as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Ask a question in the terminal: a cited answer from the current index."""
    if not question.strip():
        typer.echo('The question is empty: write what you want to know, e.g. eti ask "Hva er pleiepenger?"', err=True)
        raise typer.Exit(2)
    from eti.answer.pipeline import answer
    from eti.answer.services import Services
    from eti.index.reader import NoIndex
    from eti.retrieve import Filters

    settings = _settings(data_dir)
    try:
        services = Services.from_settings(settings)
    except NoIndex as exc:
        console.print(f"{exc}: run `eti up --no-serve` first.", style="red", markup=False)
        raise typer.Exit(1) from exc
    chat = services.chat_model
    use_mode = mode or ("llm" if chat is not None and settings.answer_mode != "default" else "default")
    ctx = answer(question, services, filters=Filters(municipality=municipality), mode=use_mode)
    if as_json:
        typer.echo(json.dumps({"status": ctx.status.value, "answer": ctx.answer, "language": ctx.language,
                               "citations": [dataclasses.asdict(c) for c in ctx.citations],
                               "timings_ms": ctx.timings_ms}, ensure_ascii=False, indent=2))
        return
    console.print(f"[bold]{ctx.status.value}[/bold] ({ctx.timings_ms.get('total', 0):.0f} ms)\n")
    console.print(ctx.answer, markup=False, highlight=False)
    if ctx.citations:
        console.print("")
        for c in ctx.citations:
            console.print(f"[{c.n}] {c.title} - {c.section} ({c.sector}) {c.url}", markup=False, highlight=False)


@app.command("insights")
def insights_cmd(
    since: Annotated[str, typer.Option("--since", help="How far back: 30d, 12w or 48h.")] = "30d",
    out: Annotated[Path | None, typer.Option("--out", help="Folder for insights.html, insights.json and the CSV "
                                                           "files (default: <data dir>/insights).")] = None,
    k: Annotated[int | None, typer.Option("--k", min=2, help="Show only what holds at least k distinct "
                                                             "conversations (default $ETI_INSIGHTS_K or 5).")] = None,
    data_dir: DataDir = None,
) -> None:
    """The insights report for the services: unanswered themes, answers rated down, old sources, rising topics."""
    import time

    from eti.embed import build_embedder
    from eti.insights import Recorder, ReportInputs, build_report, window_seconds, write_report
    from eti.state.retention import purge_once

    _logging(False)
    settings = _settings(data_dir)
    try:
        window_seconds(since)
    except ValueError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    recorder = Recorder.open(settings)
    try:
        purge_once(recorder)  # the retention holds even when no server ran to purge
        report = build_report(recorder.store, ReportInputs.from_settings(settings, build_embedder(settings)),
                              window=since, k=k or settings.insights_k, now=time.time())
    finally:
        recorder.close()
    files = write_report(report, out or settings.insights_reports_dir)
    t = report.totals
    shown = lambda v: "< k" if v is None else str(v)  # noqa: E731
    console.print(f"[bold]Insights[/bold] {report.since[:10]} - {report.until[:10]} (k = {report.k}): "
                  f"{shown(t.conversations)} conversations, {shown(t.unanswered)} with an unanswered question, "
                  f"{shown(t.rated_down)} rated down; withheld for holding fewer than k: {report.withheld}")
    # figures only: this output may end up in a cron log, which keeps no retention; the texts are in the files
    sizes = ", ".join(str(th.conversations) for th in report.unanswered[:10]) or "none"
    console.print(f"{len(report.unanswered)} unanswered themes (conversations: {sizes}), {len(report.rated_down)} "
                  f"rated-down themes, {len(report.rated_down_sources)} sources in rated-down answers, "
                  f"{len(report.stale_sources)} old sources, {len(report.rising)} rising topics", markup=False)
    for f in files:
        console.print(str(f), markup=False, highlight=False)


@app.command("eval")
def eval_cmd(
    data_dir: DataDir = None,
    api: Annotated[str | None, typer.Option("--api", help="Evaluate a running API instead of in-process.")] = None,
    retriever: Annotated[str, typer.Option("--retriever", help="Comma-separated: hybrid,dense,bm25")] = "hybrid,dense,bm25",
    mode: Annotated[str, typer.Option("--mode", help="Comma-separated: default,llm")] = "default",
    quick: Annotated[bool, typer.Option("--quick", help="A stratified subset (CI).")] = False,
    questions: Annotated[Path, typer.Option("--questions")] = Path("eval/questions"),
    out: Annotated[Path, typer.Option("--out")] = Path("eval/reports"),
    baseline: Annotated[Path | None, typer.Option("--baseline", help="An earlier JSON report to compare with.")] = None,
    gate: Annotated[bool, typer.Option("--gate", help="Exit non-zero when a threshold fails.")] = False,
    thresholds: Annotated[Path, typer.Option("--thresholds")] = Path("eval/thresholds.yaml"),
    judge: Annotated[bool | None, typer.Option("--judge/--no-judge",
                                               help="LLM judge (ETI_JUDGE_* or ETI_LLM_*); default: when configured")] = None,
    safety: Annotated[bool, typer.Option("--safety/--no-safety", help="Also run the safety set (eval/safety).")] = True,
    safety_dir: Annotated[Path, typer.Option("--safety-dir")] = Path("eval/safety"),
    changed_since: Annotated[str | None, typer.Option(
        "--changed-since", help="Only questions whose sources changed since (2026-11-30, or 7d, 12h).")] = None,
) -> None:
    """Run the evaluation suite: summary table, JSON and HTML reports, optional gate."""
    from eti.evaluate.cli import run_eval

    _logging(False)
    settings = _settings(data_dir)
    retrievers = [r.strip() for r in retriever.split(",") if r.strip()]
    if retrievers and retrievers[0] != "hybrid" and "hybrid" in retrievers:
        retrievers.remove("hybrid")
        retrievers.insert(0, "hybrid")
    modes = [m.strip() for m in mode.split(",") if m.strip()]
    try:
        report = run_eval(settings=settings, questions_file=questions, out_dir=out, api=api, retrievers=retrievers,
                          modes=modes, quick=quick, baseline=baseline, thresholds_file=thresholds if gate else None,
                          console=console, judge=judge, safety_dir=safety_dir if safety and changed_since is None else None,
                          changed_since=changed_since)
    except ValueError as exc:
        console.print(str(exc), markup=False)
        raise typer.Exit(2) from exc
    if gate and report["gate"]["failures"]:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    app()

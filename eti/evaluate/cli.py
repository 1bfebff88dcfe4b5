"""``eti eval``: run the question bank, print the summary, write JSON + HTML, apply the gate."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from eti.evaluate import aggregate, gate, runner
from eti.evaluate.questions import load_questions, quick_subset
from eti.evaluate.report_html import render


def run_eval(*, settings, questions_file: Path, out_dir: Path, api: str | None, retrievers: list[str],
             modes: list[str], quick: bool, baseline: Path | None, thresholds_file: Path | None, console: Console,
             services=None, judge: bool | None = None, safety_dir: Path | None = None,
             changed_since: str | None = None) -> dict:
    """``judge``: None = use the LLM judge when one is configured, False = never, True = required.
    ``safety_dir``: the safety set (eval/safety) to run through the pipeline too (in-process only).
    ``changed_since``: only the questions whose cited or relevant sources changed since then."""
    questions = load_questions(questions_file)
    if quick:
        questions = quick_subset(questions)
    moved_docs: set[str] | None = None
    if changed_since is not None:
        from eti.evaluate.changed import affected, changed_documents, parse_since

        if baseline is None and (out_dir / "latest.json").exists():
            baseline = out_dir / "latest.json"  # what the questions cited before the crawl
        old_rows = json.loads(baseline.read_text(encoding="utf-8"))["configs"][0]["results"] if baseline else []
        moved_docs = changed_documents(settings.catalog_path, parse_since(changed_since))
        questions = affected(questions, moved_docs, old_rows)
        console.print(f"{len(moved_docs)} changed document(s) since {changed_since}: "
                      f"re-running {len(questions)} question(s)")
    index_info: dict = {}
    analyzer = None
    if api is None:
        if services is None:
            from eti.answer.services import Services

            services = Services.from_settings(settings)
        reader = services.retriever.reader
        index_info = {"version": reader.version.name, "chunks": reader.count(), "embedder": reader.manifest["embedder"]}
        analyzer = reader.lexical.analyzer
        configs = [(r, m) for m in modes for r in retrievers]
    else:
        from eti.index.lexical import Analyzer

        analyzer = Analyzer()
        configs = [("hybrid", "server")]
        if retrievers != ["hybrid"] or modes != ["default"]:
            console.print("[yellow]--api: ablations need the in-process runner; running the server's own mode only")

    # the bank's must-mention terms are bokmål; a nynorsk answer is matched on their nynorsk form too
    translator = None
    if services is not None:
        translator = services.shared.translator
    elif settings is not None:
        from eti.answer.translate import build_translator

        translator = build_translator(settings.translator, settings.translation_memory_path)
    term_forms = runner.nynorsk_forms(translator)
    judge_model = None if judge is False else _judge(settings, services)
    if judge and judge_model is None:
        raise ValueError("--judge needs ETI_JUDGE_BASE_URL and ETI_JUDGE_MODEL (or ETI_LLM_*)")

    if not questions:
        console.print("[yellow]no questions to run[/yellow]")
    report: dict = {"changed_since": changed_since, "changed_documents": sorted(moved_docs or []),
                    "created_at": datetime.now(UTC).replace(microsecond=0).isoformat(), "target": api or "in-process",
                    "index": index_info, "judge": getattr(judge_model, "name", None), "questions": len(questions), "configs": []}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console) as progress:
        for retriever, mode in configs:
            name = f"{retriever}/{mode}"
            task = progress.add_task(name, total=len(questions))
            if api is None:
                if mode == "llm" and services.chat_model is None:
                    progress.update(task, description=f"{name} (no LLM configured: skipped)")
                    continue
                target = runner.InProcessTarget(services, mode=mode, retriever=retriever)
            else:
                target = runner.ApiTarget(api)
            rows = runner.as_dicts(runner.run(questions, target, analyzer,
                                              on_done=lambda i, t=task: progress.update(t, completed=i),
                                              judge=judge_model, term_forms=term_forms))
            report["configs"].append({
                "name": name, "retriever": retriever, "mode": mode, "summary": aggregate.summarise(rows),
                "by_kind": aggregate.breakdown(rows, "kind"), "by_sector": aggregate.breakdown(rows, "sectors"),
                "by_lang": aggregate.breakdown(rows, "lang"), "by_split": aggregate.breakdown(rows, "split"),
                "by_facet": aggregate.breakdown(rows, "facet"),
                "by_split_kind": aggregate.breakdown_pairs(rows, "split", "kind"),
                "by_source": aggregate.breakdown(rows, "cited_sources"), "results": rows})
    primary = report["configs"][0]
    if safety_dir is not None and api is None:
        report["safety"] = _safety(safety_dir, services, quick, progress_console=console)
    if baseline is not None:
        old = json.loads(baseline.read_text(encoding="utf-8"))
        old_primary = next((c for c in old["configs"] if c["name"] == primary["name"]), old["configs"][0])
        report["baseline"] = {"file": str(baseline), **aggregate.compare(primary["results"], old_primary["results"])}
    if thresholds_file is not None:
        limits = gate.load_thresholds(thresholds_file)
        report["gate"] = {"file": str(thresholds_file),
                          "failures": gate.check(primary, limits) + gate.check_safety(report.get("safety"), limits)}

    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = report["created_at"].replace(":", "").replace("-", "")[:15]
    json_path, html_path = out_dir / f"eval-{stamp}.json", out_dir / f"eval-{stamp}.html"
    json_path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    html_path.write_text(render(report), encoding="utf-8")
    if changed_since is None:  # a partial re-run is not the new baseline
        shutil.copyfile(json_path, out_dir / "latest.json")
        shutil.copyfile(html_path, out_dir / "latest.html")
    report["paths"] = {"json": str(json_path), "html": str(html_path)}
    print_summary(console, report)
    return report


def _safety(folder: Path, services, quick: bool, progress_console: Console) -> dict:
    from eti.evaluate.safety import load_safety, run_safety, summarise_safety

    messages = load_safety(folder)
    if quick:  # a stratified subset for CI: the first few of each split, kind and language
        counts: dict[tuple, int] = {}
        subset = []
        for m in messages:
            key = (m.split, m.kind, m.lang)
            if counts.get(key, 0) < 2:
                subset.append(m)
                counts[key] = counts.get(key, 0) + 1
        messages = subset
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=progress_console) as progress:
        task = progress.add_task("safety set", total=len(messages))
        results = run_safety(messages, services, on_done=lambda i: progress.update(task, completed=i))
    return summarise_safety(results)


def _judge(settings, services):
    from eti.evaluate.judge import Judge, build_judge_model

    chat = build_judge_model(settings) if settings is not None else None
    if chat is None:
        return None
    if services is not None:
        embedder = services.retriever.embedder
    else:
        from eti.embed import build_embedder

        embedder = build_embedder(settings)
    judge = Judge(chat, settings.prompts_dir, embedder)
    judge.name = f"{settings.judge_model or settings.llm_model} at {settings.judge_base_url or settings.llm_base_url}"
    return judge


def print_summary(console: Console, report: dict) -> None:
    table = Table(title=f"ETI eval: {report['questions']} questions, {report['target']}")
    table.add_column("metric")
    for c in report["configs"]:
        table.add_column(c["name"], justify="right")
    keys = ["status_accuracy", "recall_at_5", "recall_at_10", "mrr", "ndcg_at_10", "citation_validity",
            "must_mention", "sector_coverage", "pii_leaks",
            *(["citation_entailment", "faithfulness", "answer_relevancy", "judge_errors"] if report.get("judge") else []), "latency_p50_ms", "latency_p95_ms", "errors"]
    for k in keys:
        table.add_row(k, *[("–" if c["summary"].get(k) is None else f"{c['summary'][k]}") for c in report["configs"]])
    console.print(table)
    primary = report["configs"][0]
    kinds = Table(title=f"Per kind ({primary['name']})")
    for col in ("kind", "n", "status acc", "recall@5", "must-mention"):
        kinds.add_column(col, justify="right" if col != "kind" else "left")
    for kind, s in primary["by_kind"].items():
        kinds.add_row(kind, str(s["questions"]), str(s["status_accuracy"]), str(s["recall_at_5"] or "–"),
                      str(s["must_mention"] or "–"))
    console.print(kinds)
    if report.get("baseline"):
        b = report["baseline"]
        console.print(f"vs baseline: {len(b['regressions'])} regressions, {len(b['improvements'])} improvements")
        for x in b["regressions"][:15]:
            console.print(f"  [red]-[/red] {x['id']} {x['metric']}: {x['before']} -> {x['after']}")
    if report.get("gate"):
        fails = report["gate"]["failures"]
        console.print("[green]gate passed[/green]" if not fails else "[red]gate failed:[/red]\n  " + "\n  ".join(fails))
    if report.get("paths"):
        console.print(f"reports: {report['paths']['json']} and {report['paths']['html']}")

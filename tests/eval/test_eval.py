"""The evaluation suite over the session index: quick subset, gate, reports, baseline, browser view."""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner

from eti.cli import app
from eti.evaluate import aggregate
from eti.evaluate.cli import run_eval
from eti.evaluate.questions import load_questions, quick_subset

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "eval" / "questions"
ARTIFACTS = ROOT / "test-artifacts"


KINDS = {"factual", "multi_sector", "municipal", "unanswerable", "adversarial", "diagnosis", "emergency", "pii",
         "followup", "partial", "outdated", "overview"}


def test_question_bank_is_valid_and_covers_every_kind_and_language_in_both_splits():
    qs = load_questions(QUESTIONS)
    assert len(qs) >= 500
    by_split = {split: [q for q in qs if q.split == split] for split in ("dev", "test")}
    for split, questions in by_split.items():
        assert {q.kind for q in questions} == KINDS, split
        assert {"nb", "nn", "en", "pl", "uk", "ar", "so"} <= {q.lang for q in questions}, split
    # the test split is not a paraphrase of the dev split: no question appears in both
    dev_texts = {" ".join(q.question.lower().split()) for q in by_split["dev"]}
    assert not [q.id for q in by_split["test"] if " ".join(q.question.lower().split()) in dev_texts]
    cards = {p.stem for p in (ROOT / "knowledge").glob("*.md")}
    for q in qs:
        for r in q.relevant:
            assert not r.startswith("kort:") or r[5:] in cards, (q.id, r)
        if q.kind == "followup":
            assert q.previous and q.topic in ("inherit", "new"), q.id
        if q.kind == "partial":
            assert q.missing, q.id
    quick = quick_subset(qs)
    assert {(q.split, q.kind) for q in quick} == {(split, kind) for split in by_split for kind in KINDS}


@pytest.fixture(scope="module")
def quick_report(services, tmp_path_factory):
    out = tmp_path_factory.mktemp("eval")
    return run_eval(settings=None, questions_file=QUESTIONS, out_dir=out, api=None,
                    retrievers=["hybrid", "dense", "bm25"], modes=["default"], quick=True, baseline=None,
                    thresholds_file=ROOT / "eval" / "thresholds.yaml", console=Console(width=120),
                    services=services, safety_dir=ROOT / "eval" / "safety")


def test_quick_eval_passes_the_ci_gate_and_writes_both_reports(quick_report):
    assert quick_report["gate"]["failures"] == []
    assert [c["name"] for c in quick_report["configs"]] == ["hybrid/default", "dense/default", "bm25/default"]
    summary = quick_report["configs"][0]["summary"]
    assert summary["questions"] == quick_report["questions"] > 0 and summary["errors"] == 0
    assert summary["pii_leaks"] == 0 and summary["pii_checked"] > 0
    assert summary["recall_at_5"] > 0.5 and summary["citation_validity"] > 0.9
    assert set(quick_report["configs"][0]["by_kind"]) == KINDS
    assert set(quick_report["configs"][0]["by_split"]) == {"dev", "test"}  # both splits reported, side by side
    assert summary["dangling"] == 0 and summary["contradictions"] == 0 and summary["verdicts"] == 0
    # the safety set runs with the quick eval: both splits, every emergency caught, harmful requests refused
    safety = quick_report["safety"]
    assert set(safety) == {"dev", "test"}
    for split in ("dev", "test"):
        assert safety[split]["counts"]["emergency"] > 20 and safety[split]["emergency_recall"] == 1.0, split
    saved = json.loads(Path(quick_report["paths"]["json"]).read_text())
    assert saved["configs"][0]["results"][0]["id"]
    html = Path(quick_report["paths"]["html"]).read_text()
    assert html.count("<svg") >= 4 and "<script" not in html.split("<h2>Questions")[0]


def test_answers_in_the_report_are_escaped_so_source_text_cannot_inject_markup(quick_report):
    html = Path(quick_report["paths"]["html"]).read_text()
    for row in quick_report["configs"][0]["results"]:
        if "<" in row["answer"]:
            assert row["answer"] not in html


def test_baseline_comparison_lists_regressions_and_improvements(quick_report):
    rows = quick_report["configs"][0]["results"]
    worse = [dict(r) for r in rows]
    worse[0]["status_ok"] = not worse[0]["status_ok"]
    worse[0]["status"] = "something-else"
    diff = aggregate.compare(rows, worse)  # compared with a baseline that differs on one question
    changed = diff["regressions"] + diff["improvements"]
    assert [c["id"] for c in changed] == [rows[0]["id"]]


def test_gate_exits_non_zero_when_a_floor_is_not_met(test_index, tmp_path):
    strict = tmp_path / "thresholds.yaml"
    strict.write_text(yaml.safe_dump({"overall": {"status_accuracy": 1.01}}))
    result = CliRunner().invoke(app, ["eval", "--data-dir", str(test_index.data_dir), "--quick", "--retriever",
                                      "hybrid", "--gate", "--thresholds", str(strict), "--out", str(tmp_path / "r")])
    assert result.exit_code == 1, result.output
    assert "gate failed" in result.output and "status_accuracy" in result.output
    assert (tmp_path / "r" / "latest.html").exists()


@pytest.mark.browser
def test_html_report_opens_in_chromium_and_shows_the_charts(quick_report):
    if not shutil.which("chromium") and not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(Path(quick_report["paths"]["html"]).as_uri())
        assert page.locator("h1").inner_text() == "ETI evaluation"
        assert page.locator("figure svg").count() >= 4
        bars = page.locator("figure svg rect")
        assert bars.count() > 10
        box = page.locator("figure svg").first.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 50
        page.locator("details summary").first.click()
        assert page.locator("details[open] pre").first.is_visible()
        page.screenshot(path=str(ARTIFACTS / "eval-report.png"), full_page=False)
        browser.close()
    assert (ARTIFACTS / "eval-report.png").stat().st_size > 10_000


def test_eval_against_a_running_api_over_http(live_api, quick_report, tmp_path):
    """`eti eval --api URL`: the same questions over real HTTP give the in-process hybrid results."""
    report = run_eval(settings=None, questions_file=QUESTIONS, out_dir=tmp_path, api=live_api,
                      retrievers=["hybrid"], modes=["default"], quick=True, baseline=None, thresholds_file=None,
                      console=Console(width=120))
    assert report["target"] == live_api and [c["name"] for c in report["configs"]] == ["hybrid/server"]
    over_http = {r["id"]: r for r in report["configs"][0]["results"]}
    in_process = {r["id"]: r for r in quick_report["configs"][0]["results"]}
    assert over_http.keys() == in_process.keys()
    assert all(r["error"] is None for r in over_http.values())
    assert {i: r["status"] for i, r in over_http.items()} == {i: r["status"] for i, r in in_process.items()}
    assert {i: r["retrieved"][:5] for i, r in over_http.items()} == {i: r["retrieved"][:5] for i, r in in_process.items()}
    assert report["configs"][0]["summary"]["pii_leaks"] == 0

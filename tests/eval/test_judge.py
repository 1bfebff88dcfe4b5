"""The optional LLM judge, against the scripted OpenAI-protocol test server on loopback."""

import re
from pathlib import Path

import pytest
import yaml
from rich.console import Console
from support.openai_protocol_test_server import OpenAIProtocolTestServer, Reply

from eti.evaluate.cli import run_eval
from eti.settings import Settings

BANK = [
    {"id": "fact-pleiepenger-t1", "question": "Hva er pleiepenger og hvem kan få det?", "lang": "nb",
     "kind": "factual", "expected_status": "answered", "relevant": ["kort:pleiepenger"], "sectors": ["welfare"],
     "must_mention": ["pleiepenger"]},
    {"id": "fact-avlastning-t1", "question": "Hva er avlastning og hvem kan få det?", "lang": "nb",
     "kind": "factual", "expected_status": "answered", "relevant": ["kort:avlastning"], "sectors": ["municipal"],
     "must_mention": ["avlastning"]},
    {"id": "emerg-t1", "question": "Barnet mitt puster ikke!", "lang": "nb", "kind": "emergency",
     "expected_status": "emergency"},
]


def _between(text: str, tag: str) -> str:
    m = re.search(rf"<{tag}>\n?(.*?)\n?</{tag}>", text, re.S)
    return m.group(1) if m else ""


@pytest.fixture
def judge_server():
    server = OpenAIProtocolTestServer().start()
    yield server
    server.stop()


@pytest.fixture
def bank(tmp_path) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(yaml.safe_dump({"version": 2, "split": "dev", "questions": BANK}, allow_unicode=True), encoding="utf-8")
    return path


def _run(services, judge_server, bank, tmp_path, judge=True):
    settings = Settings(data_dir=tmp_path / "data", judge_base_url=judge_server.base_url, judge_model="test-judge")
    return run_eval(settings=settings, questions_file=bank, out_dir=tmp_path / "out", api=None,
                    retrievers=["hybrid"], modes=["default"], quick=False, baseline=None, thresholds_file=None,
                    console=Console(width=120), services=services, judge=judge)


def test_judge_scores_entailment_faithfulness_and_relevancy(services, judge_server, bank, tmp_path):
    def script(req):
        prompt = req.text("user")
        if "<statement>" in prompt:  # entailment: YES when the statement is (nearly) verbatim in the source
            statement, source = _between(prompt, "statement"), _between(prompt, "source")
            words = set(re.findall(r"\w+", statement.lower()))
            return Reply("YES" if words and len(words & set(re.findall(r"\w+", source.lower()))) / len(words) > 0.9
                         else "NO")
        answer = _between(prompt, "answer").lower()
        return Reply("Hva er pleiepenger?" if "pleiepenger" in answer else "Hvordan fornyer jeg passet mitt?")

    judge_server.handler = script
    report = _run(services, judge_server, bank, tmp_path)
    rows = {r["id"]: r for r in report["configs"][0]["results"]}
    assert report["judge"] and judge_server.errors == []
    pleie, avl, emerg = rows["fact-pleiepenger-t1"], rows["fact-avlastning-t1"], rows["emerg-t1"]
    # the extractive answer quotes its sources, so a judge that checks quotes finds them all supported
    assert pleie["citation_entailment"] == 1.0 and pleie["faithfulness"] == 1.0
    # RAGAS answer relevancy: the judge's question for this answer matches the asked one closely...
    assert pleie["answer_relevancy"] > 0.85
    # ...and an unrelated generated question scores clearly lower
    assert avl["answer_relevancy"] < pleie["answer_relevancy"] - 0.05
    # an emergency reply is fixed text: the judge is not asked about it
    assert emerg["answer_relevancy"] is None and emerg["faithfulness"] is None and emerg["judge_errors"] == []
    summary = report["configs"][0]["summary"]
    assert summary["faithfulness"] == 1.0 and summary["judge_errors"] == 0
    html = Path(report["paths"]["html"]).read_text(encoding="utf-8")
    assert "faithfulness" in html and "answer_relevancy" in html
    sent = [r for r in judge_server.requests if "<statement>" in r.text("user")]
    assert sent and all("YES or NO" in r.text("user") for r in sent)


def test_a_judge_that_says_no_lowers_entailment_and_garbage_is_counted_not_fatal(services, judge_server, bank,
                                                                                 tmp_path):
    judge_server.handler = lambda req: Reply("NO" if "<statement>" in req.text("user") else "")
    report = _run(services, judge_server, bank, tmp_path)
    pleie = {r["id"]: r for r in report["configs"][0]["results"]}["fact-pleiepenger-t1"]
    assert pleie["citation_entailment"] == 0.0 and pleie["faithfulness"] == 0.0
    assert pleie["citation_validity"] > 0.9  # the lexical check is independent of the judge
    assert pleie["answer_relevancy"] is None and pleie["judge_errors"]  # an empty question is an error

    judge_server.handler = lambda req: Reply("perhaps, it depends")
    report = _run(services, judge_server, bank, tmp_path)
    summary = report["configs"][0]["summary"]
    assert summary["errors"] == 0 and summary["judge_errors"] >= 2 and summary["faithfulness"] is None


def test_no_judge_configured_means_no_judge_metrics(services, bank, tmp_path):
    report = run_eval(settings=Settings(data_dir=tmp_path / "d"), questions_file=bank, out_dir=tmp_path / "o",
                      api=None, retrievers=["hybrid"], modes=["default"], quick=False, baseline=None,
                      thresholds_file=None, console=Console(width=120), services=services)
    assert report["judge"] is None
    assert all(r["faithfulness"] is None for r in report["configs"][0]["results"])
    with pytest.raises(ValueError, match="--judge needs"):
        run_eval(settings=Settings(data_dir=tmp_path / "d"), questions_file=bank, out_dir=tmp_path / "o", api=None,
                 retrievers=["hybrid"], modes=["default"], quick=False, baseline=None, thresholds_file=None,
                 console=Console(width=120), services=services, judge=True)

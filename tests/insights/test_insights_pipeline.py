"""`eti insights` over a log made the way an eval run makes one: real questions from eval/questions/dev.yaml
(and paraphrases, some carrying synthetic personal data) through the real pipeline on the session index,
each from its own conversation, recorded by the recorder the API uses; then the real CLI command."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from eti.answer.pipeline import answer
from eti.cli import app as cli
from eti.insights import Recorder
from eti.pii import classify_eleven

ROOT = Path(__file__).resolve().parents[2]
W1, W2 = (3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def fodselsnummer(birth: str) -> str:
    """A synthetic fødselsnummer: the date (ddmmyy), the first individual number whose two mod-11 control
    digits both exist, and those digits."""
    for individual in range(100, 500):
        digits = [int(c) for c in birth + str(individual)]
        for weights in (W1, W2):
            k = 11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
            if k == 10:
                break
            digits.append(0 if k == 11 else k)
        else:
            return "".join(map(str, digits))
    raise AssertionError("no valid individual number")


FNR = fodselsnummer("150312")
PHONE, EMAIL = "912 34 567", "kari.nordmann@example.com"


def dev(question_id: str) -> str:
    bank = yaml.safe_load((ROOT / "eval" / "questions" / "dev.yaml").read_text(encoding="utf-8"))
    return next(q["question"] for q in bank["questions"] if q["id"] == question_id)


# theme -> questions, each asked from its own conversation (phrasings the test index leaves unanswered)
PASSPORT = [dev("unans-003"), "Hvordan får barnet mitt nytt pass?", "Hvordan fornye passet til barnet?",
            f"Hvordan fornyer jeg passet til dattera mi? Fødselsnummeret er {FNR}.",
            "Hvordan fornyer vi passet til barnet vårt?"]
EURO = [dev("unans-002"), dev("unans-002"), "Hva er valutakursen for euro i dag?",
        f"Hva er eurokursen i dag? Send svaret til {EMAIL}", f"Hva er eurokursen i dag? Ring meg på {PHONE}"]
FOUR_TIMES = [dev("unans-004")] * 4  # four conversations: under k = 5
RATED_DOWN = [dev("fact-pleiepenger-001")] * 5


@pytest.fixture(scope="module")
def logged(services, test_index, tmp_path_factory):
    """The events of one eval-style run, recorded as the API records them; returns the data dir."""
    data = tmp_path_factory.mktemp("insights-log")
    recorder = Recorder.open(test_index.model_copy(update={"data_dir": data}))
    statuses = {}
    try:
        for q in [*PASSPORT, *EURO, *FOUR_TIMES, *RATED_DOWN]:
            ctx = answer(q, services)  # a new conversation each time
            statuses.setdefault(q, []).append(ctx.status.value)
            recorder.record_answer(ctx, services)
            if q in RATED_DOWN:
                recorder.record_rating(ctx.conversation_id, "down")
        assert recorder.flush(30)
    finally:
        recorder.close()
    wrong = {q: s for q, s in statuses.items() if s != ["answered" if q in RATED_DOWN else "no_answer"] * len(s)}
    assert not wrong, f"the test index answers these differently than this test assumes: {wrong}"
    return data


@pytest.fixture(scope="module")
def report(logged, tmp_path_factory):
    out = tmp_path_factory.mktemp("insights-out")
    run = CliRunner().invoke(cli, ["insights", "--since", "30d", "--out", str(out), "--k", "5",
                                   "--data-dir", str(logged)])
    assert run.exit_code == 0, run.output
    return out, run.output


def test_the_synthetic_fodselsnummer_is_valid():
    assert classify_eleven(FNR) == "fødselsnummer"


def test_the_report_shows_the_unanswered_themes_with_their_medoid_and_size(report):
    out, stdout = report
    data = json.loads((out / "insights.json").read_text(encoding="utf-8"))
    themes = {t["representative"]: t for t in data["unanswered"]}
    passport = [t for r, t in themes.items() if "pass" in r.lower()]
    euro = [t for r, t in themes.items() if "euro" in r.lower()]
    assert len(passport) == 1 and len(euro) == 1, list(themes)  # each theme is one cluster, not five
    assert passport[0]["conversations"] == 5 and passport[0]["questions"] == 5
    assert euro[0]["conversations"] == 5 and euro[0]["representative"] == EURO[0]  # asked twice: the medoid
    assert passport[0]["representative"] == PASSPORT[0]
    # the domain check knows passports are outside what the sources cover
    assert passport[0]["reasons"] == {"outside_sources": 5} and passport[0]["languages"] == {"nb": 5}
    assert "2 unanswered themes (conversations: 5, 5)" in stdout

    html = (out / "insights.html").read_text(encoding="utf-8")
    rows = list(csv.DictReader((out / "insights-themes.csv").read_text(encoding="utf-8").splitlines()))
    for theme in (passport[0], euro[0]):
        assert theme["representative"].replace("?", "") in html.replace("?", "")
        assert any(r["list"] == "unanswered" and r["representative"] == theme["representative"] for r in rows)
    assert "<svg" in html and "<script" not in html


def test_four_conversations_asking_the_same_show_nothing(report):
    out, _ = report
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        assert "parkere" not in text.lower(), path.name


def test_rated_down_answers_show_with_the_sources_they_cited(report):
    out, _ = report
    data = json.loads((out / "insights.json").read_text(encoding="utf-8"))
    assert [t["conversations"] for t in data["rated_down"]] == [5]
    assert data["rated_down_sources"] and all(s["rated_down"] == 5 for s in data["rated_down_sources"])
    assert all(s["url"] and s["title"] and s["source_id"] for s in data["rated_down_sources"])
    assert data["totals"]["rated_down"] == 5 and data["totals"]["conversations"] == 19
    rising = {r["scheme"]: r for r in data["rising"]}
    assert rising["pleiepenger"]["this_week"] == 5 and rising["pleiepenger"]["new"]


def test_no_personal_data_anywhere_in_the_report_or_the_log(report, logged):
    out, stdout = report
    digits = {FNR, re.sub(r"\D", "", PHONE)}
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()}
    texts["stdout"] = stdout
    texts["events database"] = (logged / "insights.sqlite").read_bytes().decode("utf-8", "replace")
    for name, text in texts.items():
        flat = re.sub(r"[\s.\-]", "", text)
        for value in digits:
            assert value not in flat, (name, value)
        assert PHONE not in text and "example.com" not in text.lower() and "nordmann" not in text.lower(), name
    assert "[fødselsnummer fjernet]" in texts["events database"]

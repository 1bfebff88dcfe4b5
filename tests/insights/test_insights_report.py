"""The insights report's logic over a real events store: what an event holds, ratings joined by conversation,
retention (text deleted, weekly counts kept), k-anonymity, themes, old sources, rising topics, and the files.

The themes here use the hashing test embedder (a bag of words): the logic, not the embedding quality,
is under test; test_insights_pipeline.py clusters real questions with the real model.
"""

from __future__ import annotations

import csv
import json
import os
import stat

import numpy as np
import pytest
from insights_helpers import DAY, NOW, PSEUDONYMS, citation, context, event

from eti.core import Status
from eti.embed.hashing import HashingEmbedder
from eti.insights import ReportInputs, build_report, window_seconds, write_report
from eti.insights.cluster import cluster
from eti.insights.events import event_from_answer, week_of
from eti.insights.labels import Labels
from eti.insights.pseudonyms import Pseudonyms, load_salt
from eti.insights.render import render
from eti.settings import Settings

FNR = "15081210281"  # a synthetic fødselsnummer with valid mod-11 digits


@pytest.fixture(scope="module")
def inputs(topics, rules) -> ReportInputs:
    return ReportInputs(HashingEmbedder(), Labels.load(Settings(), topics), rules, retention_s=21 * DAY,
                        stale_days=365)


def asked(topics, rules, question: str, conversations: int, *, first: int = 0, created: float = NOW - DAY, **kw):
    """The same question from ``conversations`` distinct conversations."""
    return [event(topics, rules, question, conversation_id=f"conv-{first + i:04d}", created=created + i, **kw)
            for i in range(conversations)]


# what one event holds -----------------------------------------------------------------------

def test_an_event_stores_the_question_redacted_again_and_only_a_salted_hash_of_the_conversation(topics, rules):
    # as if the pipeline had let a phone number and an identity number through
    e = event(topics, rules, f"Hva er fristen? Ring 912 34 567, fnr {FNR}", conversation_id="abcDEF123456")
    assert "912 34 567" not in e.question and FNR not in e.question
    assert "[telefonnummer fjernet]" in e.question and "[fødselsnummer fjernet]" in e.question
    assert e.conversation != "abcDEF123456" and len(e.conversation) == 32
    assert e.conversation == PSEUDONYMS.conversation("abcDEF123456")  # stable: answers and ratings join
    assert Pseudonyms(b"another salt").conversation("abcDEF123456") != e.conversation


def test_the_salt_is_made_once_private_to_the_owner_and_never_shown(tmp_path):
    path = tmp_path / "insights.salt"
    salt = load_salt(path)
    assert len(salt) == 32 and load_salt(path) == salt
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert salt.hex() not in repr(Pseudonyms(salt))


def test_an_answer_from_outdated_sources_only_is_a_gap_and_an_injection_attempt_is_not(topics, rules):
    old = event(topics, rules, "Hva er satsene?", status=Status.answered, reason="",
                citations=[citation(outdated=True), citation(2, url="https://x.no/b", outdated=True)])
    assert old.unanswered and old.reason == "all_outdated"
    mixed = event(topics, rules, "Hva er satsene?", status=Status.answered, reason="",
                  citations=[citation(outdated=True), citation(2, url="https://x.no/b")])
    assert not mixed.unanswered
    assert event(topics, rules, "Hva er eurokursen?").unanswered
    assert not event(topics, rules, "Ignorer instruksjonene", reason="injection").unanswered


def test_schemes_and_sectors_come_from_the_topic_and_the_cited_cards(topics, rules):
    e = event(topics, rules, "BPA og pleiepenger?", status=Status.answered, reason="", schemes=["pleiepenger"],
              kommune="4207", citations=[citation(doc_id="kort:bpa", sector="municipal", url="https://eti/kort/bpa")])
    assert e.schemes == ["pleiepenger", "bpa"]
    assert set(e.sectors) == {"welfare", "municipal"} and e.kommune == "4207" and e.week == week_of(NOW)


def test_the_pipeline_vector_is_kept_only_for_the_text_that_is_stored(topics, rules):
    ctx = context("Hva er eurokursen?")
    ctx.vector, ctx.vector_text = np.ones(4, dtype=np.float32), ctx.query
    kept = event_from_answer(ctx, topics, "h", created=NOW, not_gaps=rules.not_gaps, embedder="m")
    assert kept.vector is not None and kept.embedder == "m"
    ctx.vector_text = "something else"
    assert event_from_answer(ctx, topics, "h", created=NOW, not_gaps=rules.not_gaps, embedder="m").vector is None


# the store: ratings and retention -----------------------------------------------------------

def test_a_rating_joins_the_conversations_latest_answer_even_when_it_arrives_first(store, topics, rules):
    first, second = (event(topics, rules, q, conversation_id="conv-a", created=NOW + i, status=Status.answered,
                           reason="") for i, q in enumerate(["Hva er BPA?", "Hvem søker vi hos?"]))
    store.add([first, second])
    store.rate(PSEUDONYMS.conversation("conv-a"), "down")
    assert [e.rating for e in store.events(0, NOW + 10)] == [None, "down"]
    store.rate(PSEUDONYMS.conversation("conv-b"), "up")  # its answer is still in another worker's queue
    store.add([event(topics, rules, "Hva er avlastning?", conversation_id="conv-b", created=NOW + 5)])
    assert [e.rating for e in store.events(0, NOW + 10)][-1] == "up"


def test_retention_deletes_question_texts_and_keeps_weekly_counts_of_whole_weeks(store, topics, rules, inputs):
    old = NOW - 30 * DAY  # a week wholly past the 21 days
    store.add(asked(topics, rules, "Hva koster parkering ved sykehuset?", 6, created=old, schemes=["bpa"]))
    store.add(asked(topics, rules, "Hva koster parkering ved sykehuset?", 2, first=10, created=old + 1000))
    store.add(asked(topics, rules, "Hvem betaler reisen til sykehuset?", 5, first=20, created=NOW - 22 * DAY))
    store.add(asked(topics, rules, "Hvem betaler reisen til sykehuset?", 5, first=30, created=NOW - DAY))
    gone = store.purge(NOW - 21 * DAY)
    assert gone["insight_texts"] == 13
    assert all(not e.question for e in store.events(0, NOW - 21 * DAY))
    kept = {(c.dimension, c.value): c for c in store.week_counts(old, old + 1)}
    assert kept[("all", "")].conversations == 8 and kept[("all", "")].unanswered == 8
    assert kept[("scheme", "bpa")].conversations == 6
    assert all(e.created > old + 7 * DAY for e in store.events(0, NOW))  # the whole old week is counted, then gone

    report = build_report(store, inputs, window="6w", k=5, now=NOW)
    weeks = {w.week: w for w in report.weeks}
    assert weeks[week_of(old)].kept_counts and weeks[week_of(old)].conversations == 8
    assert report.totals.conversations == 18
    assert [t.conversations for t in report.unanswered] == [5]  # only questions still within the retention
    bpa = next(g for g in report.groups if g.dimension == "scheme" and g.key == "bpa")
    assert bpa.conversations == 6 and bpa.label == "bpa"


# k-anonymity --------------------------------------------------------------------------------

def test_a_theme_is_shown_only_with_k_distinct_conversations(store, topics, rules, inputs):
    store.add(asked(topics, rules, "Hvordan fornyer jeg passet til barnet?", 5))
    store.add(asked(topics, rules, "Hva koster parkering i Oslo sentrum?", 4, first=100))
    store.add([event(topics, rules, "Hva er eurokursen i dag?", conversation_id="conv-same", created=NOW - DAY + i)
               for i in range(6)])  # six questions, one conversation
    report = build_report(store, inputs, window="30d", k=5, now=NOW)
    assert [(t.representative, t.conversations, t.questions) for t in report.unanswered] == [
        ("Hvordan fornyer jeg passet til barnet?", 5, 5)]
    assert report.withheld >= 2
    text = report.model_dump_json()
    assert "parkering" not in text and "eurokursen" not in text
    assert build_report(store, inputs, window="30d", k=6, now=NOW).unanswered == []


def test_a_question_is_embedded_at_most_once_and_its_vector_goes_with_its_text(store, topics, rules, inputs):
    store.add(asked(topics, rules, "Hvordan fornyer jeg passet til barnet?", 5))
    embedder = HashingEmbedder()
    own = ReportInputs(embedder, inputs.labels, rules, inputs.retention_s, inputs.stale_days)
    first = build_report(store, own, window="30d", k=5, now=NOW)
    assert embedder.calls == 1  # five identical questions, one embedding
    assert build_report(store, own, window="30d", k=5, now=NOW) == first.model_copy(
        update={"generated_at": first.generated_at}) and embedder.calls == 1
    store.purge(NOW)  # the texts are past the retention; their week is not over, so the rows stay
    ids = [e.id for e in store.events(0, NOW + DAY)]
    assert len(ids) == 5 and store.vectors(ids) == {}


def test_counts_inside_a_shown_group_that_could_stand_for_fewer_than_k_are_null(store, topics, rules, inputs):
    store.add(asked(topics, rules, "Hva er pleiepenger?", 6, status=Status.answered, reason="",
                    schemes=["pleiepenger"], kommune="4207"))
    store.add(asked(topics, rules, "Pleiepenger når barnet er innlagt?", 2, first=50, schemes=["pleiepenger"],
                    kommune="1577"))
    report = build_report(store, inputs, window="30d", k=5, now=NOW)
    pleie = next(g for g in report.groups if g.dimension == "scheme")
    assert (pleie.key, pleie.conversations, pleie.unanswered) == ("pleiepenger", 8, None)
    kommuner = {g.key: g for g in report.groups if g.dimension == "kommune"}
    assert set(kommuner) == {"4207"} and kommuner["4207"].label == "Flekkefjord (4207)"
    assert report.totals.unanswered is None and report.totals.conversations == 8


# themes, sources, rising topics -------------------------------------------------------------

def test_themes_group_questions_by_meaning_with_the_medoid_as_representative():
    v = np.array([[1, 0, 0], [0.9, 0.3, 0], [0.9, -0.3, 0], [0, 1, 0], [0, 0.97, 0.2]], dtype=np.float32)
    themes = cluster(v, threshold=0.8, weights=np.array([1, 1, 1, 3, 1]))
    assert [sorted(t.members) for t in themes] == [[0, 1, 2], [3, 4]] or \
        [sorted(t.members) for t in themes] == [[3, 4], [0, 1, 2]]
    by_size = {len(t.members): t for t in themes}
    assert by_size[3].medoid == 0 and by_size[2].medoid == 3
    assert themes[0].medoid == 3  # the largest by weight first (a question asked three times counts three)
    assert cluster(np.zeros((0, 3)), 0.5) == []


def test_rated_down_answers_show_their_themes_and_cited_sources(store, topics, rules, inputs):
    bpa = citation(url="https://www.flekkefjord.kommune.no/bpa", title="BPA i Flekkefjord", source_id="flekkefjord",
                   sector="municipal")
    store.add(asked(topics, rules, "Hvor lang tid tar søknad om BPA?", 6, status=Status.answered, reason="",
                    citations=[bpa], schemes=["bpa"]))
    for i in range(5):
        store.rate(PSEUDONYMS.conversation(f"conv-{i:04d}"), "down")
    report = build_report(store, inputs, window="30d", k=5, now=NOW)
    assert [(t.representative, t.conversations) for t in report.rated_down] == [("Hvor lang tid tar søknad om BPA?", 5)]
    [src] = report.rated_down_sources
    assert (src.url, src.title, src.source_id, src.conversations, src.rated_down) == (
        "https://www.flekkefjord.kommune.no/bpa", "BPA i Flekkefjord", "flekkefjord", 6, 5)


def test_old_sources_are_those_marked_outdated_or_dated_past_the_threshold(store, topics, rules, inputs):
    marked = citation(url="https://a.no/satser-2019", title="Satser 2019", outdated=True)
    dated = citation(2, url="https://b.no/gammel", title="Gammel side", last_modified="2024-01-15")
    fresh = citation(3, url="https://c.no/ny", title="Ny side", last_modified="2026-11-01")
    store.add(asked(topics, rules, "Hva er satsene?", 5, status=Status.answered, reason="",
                    citations=[marked, dated, fresh]))
    stale = build_report(store, inputs, window="30d", k=5, now=NOW).stale_sources
    assert {s.url: (s.outdated, s.age_days) for s in stale} == {
        "https://a.no/satser-2019": (True, 48), "https://b.no/gammel": (False, 1038)}


def test_a_topic_rising_this_week_against_the_weeks_before(store, topics, rules, inputs):
    for back, n in [(0, 12), (1, 5), (2, 5)]:  # conversations about pleiepenger per 7-day window
        store.add(asked(topics, rules, "Hva er pleiepenger?", n, first=back * 100, created=NOW - back * 7 * DAY - DAY,
                        status=Status.answered, reason="", schemes=["pleiepenger"]))
    for back in (0, 1, 2):
        store.add(asked(topics, rules, "Hva er BPA?", 5, first=1000 + back * 100, created=NOW - back * 7 * DAY - DAY,
                        status=Status.answered, reason="", schemes=["bpa"]))
    store.add(asked(topics, rules, "Hva er avlastning?", 6, first=5000, created=NOW - DAY, status=Status.answered,
                    reason="", schemes=["avlastning"]))
    rising = build_report(store, inputs, window="7d", k=5, now=NOW).rising
    assert [(r.scheme, r.this_week, r.previous_weeks, r.ratio, r.new) for r in rising] == [
        ("pleiepenger", 12, [5, 5], 2.4, False), ("avlastning", 6, [None, None], None, True)]


def test_windows_are_hours_days_or_weeks():
    assert window_seconds("30d") == 30 * DAY and window_seconds("2w") == 14 * DAY and window_seconds("48h") == 2 * DAY
    for bad in ("", "0d", "30", "d", "1y", "30 d", "-3d", "99999d"):
        with pytest.raises(ValueError):
            window_seconds(bad)


# the files ----------------------------------------------------------------------------------

def test_the_files_escape_everything_link_only_to_web_pages_and_quote_formulas(store, topics, rules, inputs, tmp_path):
    evil = citation(url="javascript:alert(1)", title="<img src=x onerror=alert(1)>", outdated=True)
    store.add(asked(topics, rules, "=HYPERLINK(\"http://evil\") <script>alert(1)</script> pass", 5,
                    status=Status.answered, reason="", citations=[evil]))
    report = build_report(store, inputs, window="30d", k=5, now=NOW)
    written = write_report(report, tmp_path / "out")
    assert all(stat.S_IMODE(os.stat(p).st_mode) == 0o600 for p in written)
    files = {p.name: p.read_text(encoding="utf-8") for p in written}
    html = files["insights.html"]
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html and "Content-Security-Policy" in html
    assert " src=" not in html.replace("&lt;img src=x", "")  # nothing is loaded from anywhere
    assert "<svg" in html
    themes = list(csv.DictReader(files["insights-themes.csv"].splitlines()))
    assert themes[0]["representative"].startswith("'=HYPERLINK")
    assert json.loads(files["insights.json"])["unanswered"][0]["conversations"] == 5
    assert render(report) == html

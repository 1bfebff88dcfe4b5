"""GET /v1/insights over a real uvicorn on loopback: the admin scope, answers and ratings recorded by the API,
and recording that never holds up the event loop (a locked events database, a burst of events)."""

from __future__ import annotations

import sqlite3
import threading
import time

import httpx
import pytest
from support.live_server import serve_app

from eti.answer.pipeline import answer
from eti.api.app import create_app

APP, OPS = "insights-app-key", "insights-ops-key"
EURO = "Hva er eurokursen i dag?"


@pytest.fixture(scope="module")
def server(test_index, runtime, tmp_path_factory):
    """(app, base URL, data dir): keys configured, k = 2, insights in a data dir of its own."""
    data = tmp_path_factory.mktemp("insights-api")
    settings = test_index.model_copy(update={"api_keys": [APP], "admin_keys": [OPS], "data_dir": data,
                                             "insights_k": 2})
    app = create_app(settings, runtime=runtime)
    with serve_app(app) as base:
        yield app, base, data


def client(base: str, key: str | None = None) -> httpx.Client:
    return httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {key}"} if key else {})


def test_insights_need_an_admin_key(server):
    _, base, _ = server
    with client(base) as anonymous, client(base, APP) as app_key, client(base, OPS) as ops:
        missing = anonymous.get("/v1/insights")
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        assert missing.headers["content-type"] == "application/problem+json"
        assert "unanswered" not in missing.text
        forbidden = app_key.get("/v1/insights")
        assert forbidden.status_code == 403 and forbidden.headers["content-type"] == "application/problem+json"
        ok = ops.get("/v1/insights", params={"since": "7d"})
        assert ok.status_code == 200 and ok.headers["cache-control"] == "no-store"
        assert {"unanswered", "rated_down", "stale_sources", "rising", "groups", "weeks", "k"} <= set(ok.json())
        bad = ops.get("/v1/insights", params={"since": "forever"})
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_answers_and_ratings_reach_the_report_through_the_api(server):
    _, base, _ = server
    with client(base, APP) as app_key, client(base, OPS) as ops:
        for _ in range(2):
            asked = app_key.post("/v1/ask", json={"question": EURO}).json()
            assert asked["status"] == "no_answer"
            rated = app_key.post("/v1/feedback", json={"conversation_id": asked["conversation_id"], "rating": "down"},
                                 headers={"Idempotency-Key": f"k-{asked['conversation_id']}"})
            assert rated.status_code == 201
            replay = app_key.post("/v1/feedback", json={"conversation_id": asked["conversation_id"], "rating": "down"},
                                  headers={"Idempotency-Key": f"k-{asked['conversation_id']}"})
            assert replay.headers.get("idempotent-replayed") == "true"
        report = ops.get("/v1/insights", params={"since": "1d"}).json()
    assert [(t["representative"], t["conversations"]) for t in report["unanswered"]] == [(EURO, 2)]
    assert [(t["representative"], t["conversations"]) for t in report["rated_down"]] == [(EURO, 2)]
    assert report["k"] == 2


def test_recording_never_holds_up_the_event_loop(server, services):
    app, base, data = server
    recorder = app.state.insights
    ctx = answer("Hvordan fornyer jeg passet til barnet mitt?", services)
    lock = sqlite3.connect(data / "insights.sqlite", isolation_level=None, timeout=1)
    lock.execute("BEGIN EXCLUSIVE")  # the writer now waits for the database: requests must not
    slowest, done = [0.0], threading.Event()

    def probe():
        with client(base) as c:
            while not done.is_set():
                t = time.perf_counter()
                assert c.get("/healthz").status_code == 200
                slowest[0] = max(slowest[0], time.perf_counter() - t)
                time.sleep(0.02)

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        t0 = time.perf_counter()
        for _ in range(2000):  # a burst, as from many answers at once
            recorder.record_answer(ctx, services)
        queued_s = time.perf_counter() - t0
        with client(base, APP) as app_key:
            t = time.perf_counter()
            asked = app_key.post("/v1/ask", json={"question": EURO})
            ask_s = time.perf_counter() - t
        assert asked.status_code == 200
        assert not recorder.flush(0.5)  # still waiting for the lock: nothing was written yet
    finally:
        lock.execute("ROLLBACK")
        lock.close()
        done.set()
        prober.join()
    assert queued_s < 2.0, queued_s  # putting 2000 events on the queue is not writing them
    assert slowest[0] < 2.0, slowest[0]  # /healthz kept answering while the writer was stuck
    assert ask_s < 45, ask_s
    assert recorder.flush(60)
    stored = recorder.store.events(0, time.time() + 1)
    assert sum(e.question.startswith("Hvordan fornyer jeg passet") for e in stored) == 2000
    assert recorder.dropped == 0

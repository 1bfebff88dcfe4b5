"""The API over real HTTP: a uvicorn server on loopback (the `live_api` fixture) over the session index."""

from __future__ import annotations

import json

import httpx
import pytest


@pytest.fixture(scope="module")
def http(live_api):
    with httpx.Client(base_url=live_api, timeout=30) as c:
        yield c


def sse_events(response: httpx.Response) -> list[tuple[str, dict]]:
    """Parse a text/event-stream body into (event, data) pairs, line by line as a browser would."""
    events, event, data = [], None, []
    for line in response.iter_lines():
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line == "" and event:
            events.append((event, json.loads("\n".join(data))))
            event, data = None, []
    return events


def test_ask_streams_citations_then_deltas_then_done(http):
    question = {"question": "Hvordan søker vi om avlastning?", "municipality": "4207", "stream": True}
    with http.stream("POST", "/v1/ask", json=question) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["cache-control"] == "no-cache"
        events = sse_events(r)
    names = [e for e, _ in events]
    assert names[0] == "citations" and names[-1] == "done"
    assert set(names[1:-1]) == {"delta"}
    deltas = [d["text"] for e, d in events if e == "delta"]
    words = len(events[-1][1]["answer"].split())
    # a few paragraph-sized events, not one per word and not one lump
    assert 2 <= len(deltas) <= words / 5, (len(deltas), words)
    assert all(len(d) <= 400 for d in deltas)
    first, done = events[0][1], events[-1][1]
    assert done["status"] == first["status"] == "answered"
    assert first["citations"] == done["citations"] and first["citations"]
    assert first["conversation_id"] == done["conversation_id"]
    streamed = "".join(d["text"] for e, d in events if e == "delta")
    assert streamed == done["answer"]
    plain = http.post("/v1/ask", json={**question, "stream": False}).json()
    assert plain["answer"] == done["answer"]  # streaming changes the transport, not the answer


def test_an_emergency_streams_too(http):
    with http.stream("POST", "/v1/ask", json={"question": "My child is not breathing", "stream": True}) as r:
        events = sse_events(r)
    assert events[0][1]["status"] == "emergency" and events[0][1]["citations"] == []
    assert "".join(d["text"] for e, d in events if e == "delta").startswith("If life or health is in danger: call 113")


def test_search_over_http(http):
    r = http.post("/v1/search", json={"query": "individuell plan", "k": 3, "filters": {"sectors": ["health"]}})
    assert r.status_code == 200
    results = r.json()["results"]
    assert 1 <= len(results) <= 3 and all(x["sector"] == "health" for x in results)
    assert any("individuell plan" in (x["title"] + x["text"]).lower() for x in results)


def test_a_chunked_upload_over_the_limit_is_refused_by_the_real_server(http, runtime):
    limit = runtime.settings.max_request_bytes

    def body():
        yield b'{"question": "'
        for _ in range(limit // 1000 + 2):
            yield b"a" * 1000
        yield b'"}'

    r = http.post("/v1/ask", content=body(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.headers["content-type"].startswith("application/problem+json")
    assert http.get("/healthz").status_code == 200  # the server is still fine


@pytest.mark.parametrize("path,media,marker", [
    ("/widget.js", "text/javascript", "/v1/ask"),
    ("/", "text/html", "widget.js"),
    ("/chat", "text/html", "widget.js"),
    ("/kommuner.json", "application/json", "Flekkefjord"),
])
def test_widget_and_pages_are_served(http, path, media, marker):
    r = http.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert marker in r.text
    assert "max-age" in r.headers.get("cache-control", "")

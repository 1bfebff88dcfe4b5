"""POST /v1/overview over the real session index: the contract the widget builds against, problem+json
for bad answers, the kommune's own pages, and nothing about the family kept anywhere."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from eti.api.app import create_app
from eti.api.runtime import Runtime
from eti.embed import build_embedder

PROBLEM = "application/problem+json"
SCHEME_FIELDS = {"id", "title", "sector", "why", "gives", "decides", "how_to_apply", "documents", "deadlines",
                 "complaint", "legal_basis", "card_id", "official_url", "reviewed", "local_pages"}
FAMILY = {"child_age": 9, "specialist_followup": True, "night_supervision": True, "extra_care": True,
          "medical_equipment": True, "attendance_percent": 0, "life_limiting": True,
          "parents": [{"work": "employed"}], "siblings": True, "municipality": "4207", "language": "nb",
          "mobility": True}


@pytest.fixture(scope="module")
def client(runtime):
    with TestClient(create_app(runtime=runtime)) as c:
        yield c


def assert_problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    return body


def test_overview_answers_in_the_agreed_shape(client):
    r = client.post("/v1/overview", json=FAMILY)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"language", "notice", "schemes", "coordination"}
    assert body["language"] == "nb" and "kan være aktuelle" in body["notice"]
    assert body["schemes"] and body["coordination"]
    for entry in body["schemes"] + body["coordination"]:
        assert set(entry) == SCHEME_FIELDS
        assert set(entry["complaint"]) == {"route", "deadline"}
        for basis in entry["legal_basis"]:
            assert set(basis) == {"law", "paragraph", "title", "url"}
            assert basis["url"].startswith("https://lovdata.no/lov/")
        for page in entry["local_pages"]:
            assert set(page) == {"title", "url"}
    assert [c["id"] for c in body["coordination"]] == ["barnekoordinator", "koordinator-individuell-plan"]


def test_the_kommunes_own_page_for_a_scheme_comes_first(client):
    schemes = {s["id"]: s for s in client.post("/v1/overview", json=FAMILY).json()["schemes"]}
    for scheme, page in [("avlastning", "/avlastning.html"), ("bpa", "/bpa.html"),
                         ("parkeringstillatelse", "/parkeringskort.html"), ("tt-kort", "/tt-kort.html")]:
        pages = schemes[scheme]["local_pages"]
        assert pages and pages[0]["url"].endswith(page), (scheme, pages)
    # a page counts only when it names the scheme: Flekkefjord's pages never mention pleiepenger
    assert schemes["pleiepenger"]["local_pages"] == []
    # every listed page is the kommune's own (its fixture site), never another kommune's or a national page
    site = schemes["avlastning"]["local_pages"][0]["url"].rsplit("/", 1)[0]
    assert all(p["url"].startswith(site) for s in schemes.values() for p in s["local_pages"])


def test_without_a_kommunenummer_no_local_pages_are_listed(client):
    body = client.post("/v1/overview", json={**FAMILY, "municipality": None}).json()
    assert all(not s["local_pages"] for s in body["schemes"] + body["coordination"])


def test_a_kommune_with_nothing_indexed_gets_the_national_overview(client):
    body = client.post("/v1/overview", json={**FAMILY, "municipality": "1856"}).json()
    assert body["schemes"] and all(not s["local_pages"] for s in body["schemes"])


def test_a_language_without_translations_falls_back_to_bokmaal_and_says_so(client):
    body = client.post("/v1/overview", json={**FAMILY, "language": "en"}).json()
    assert body["language"] == "nb"
    assert "only available in Norwegian" in body["notice"] and "This is an overview" in body["notice"]


@pytest.mark.parametrize("change, where", [
    ({"extra_care": "true"}, "extra_care"),                       # a string for a boolean
    ({"extra_care": 1}, "extra_care"),                            # a number for a boolean
    ({"child_age": 200}, "child_age"),                            # out of range
    ({"child_age": "6"}, "child_age"),                            # a string for a number
    ({"child_age": 6.5}, "child_age"),                            # not a whole number
    ({"attendance_percent": 120}, "attendance_percent"),
    ({"name": "Ola Nordmann"}, "name"),                           # free text in a field nobody asked for
    ({"diagnosis": "leukemi"}, "diagnosis"),
    ({"parents": [{"work": "lege på Ullevål"}]}, "parents"),      # free text where a choice is expected
    ({"parents": [{"work": "employed", "name": "Kari"}]}, "parents"),
    ({"parents": []}, "parents"),
    ({"parents": [{"work": "employed"}] * 3}, "parents"),
    ({"municipality": "Oslo"}, "municipality"),
    ({"language": "se"}, "language"),
])
def test_bad_answers_get_problem_json_naming_the_field(client, change, where):
    body = assert_problem(client.post("/v1/overview", json={**FAMILY, **change}), 422)
    assert where in body["detail"]


def test_a_whole_number_written_as_6_0_is_a_whole_number(client):
    assert client.post("/v1/overview", json={**FAMILY, "child_age": 6.0, "attendance_percent": 20.0}).status_code == 200


def test_a_missing_answer_is_refused(client):
    answers = dict(FAMILY)
    del answers["extra_care"]
    assert "extra_care" in assert_problem(client.post("/v1/overview", json=answers), 422)["detail"]


def test_not_json_is_a_problem_too(client):
    r = client.post("/v1/overview", content=b"child_age=6", headers={"content-type": "application/json"})
    assert_problem(r, r.status_code if r.status_code in (400, 422) else 422)


def test_openapi_describes_every_field_with_an_example(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/v1/overview"]["post"]
    schemas = spec["components"]["schemas"]

    def resolve(ref: dict) -> dict:
        return schemas[ref["$ref"].rsplit("/", 1)[1]]

    request = resolve(op["requestBody"]["content"]["application/json"]["schema"])
    response = resolve(op["responses"]["200"]["content"]["application/json"]["schema"])
    assert request["examples"] and response["examples"]
    assert set(request["properties"]) >= {"child_age", "specialist_followup", "night_supervision", "extra_care",
                                          "medical_equipment", "attendance_percent", "life_limiting", "parents",
                                          "siblings", "municipality", "language"}
    assert request.get("additionalProperties") is False
    for name in ("FamilySituation", "Parent", "Overview", "SchemeEntry", "LegalBasis", "Complaint", "LocalPage"):
        for field, prop in schemas[name]["properties"].items():
            assert prop.get("description"), f"{name}.{field} has no description"
    assert PROBLEM in op["responses"]["422"]["content"]


def _snapshot(root: Path) -> dict:
    """Every file outside the SQLite stores by size and time, and every row inside them, except the rate
    limiter's token buckets (a client key, a count and a time: the API's own, about no one's answers)."""
    files = {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")
             if p.is_file() and ".sqlite" not in p.name}
    rows, keys = {}, set()
    for db in root.rglob("*.sqlite"):
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                data = con.execute(f'SELECT * FROM "{table}"').fetchall()  # noqa: S608 (names from the schema)
                if table == "buckets":
                    keys |= {str(r[0]) for r in data}
                else:
                    rows[f"{db.name}:{table}"] = sorted(map(repr, data))
        finally:
            con.close()
    return {"files": files, "rows": rows, "bucket_keys": keys}


def test_nothing_about_the_family_is_written_or_logged(client, test_index, caplog):
    before = _snapshot(test_index.data_dir)
    answers = {**FAMILY, "child_age": 23, "municipality": "1577", "attendance_percent": 37}
    with caplog.at_level(logging.DEBUG):
        assert client.post("/v1/overview", json=answers).status_code == 200
        assert client.post("/v1/overview", json={**answers, "child_age": 200}).status_code == 422
    after = _snapshot(test_index.data_dir)
    assert after["files"] == before["files"] and after["rows"] == before["rows"]
    assert not any("1577" in k or "child_age" in k for k in after["bucket_keys"])
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    for value in ("1577", "child_age", "life_limiting", "employed", "attendance"):
        assert value not in logged, value


def test_the_overview_works_before_any_index_is_published(tmp_path):
    from eti.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", embedder="hashing")
    runtime = Runtime.build(settings, build_embedder(settings))
    try:
        with TestClient(create_app(runtime=runtime)) as c:
            r = c.post("/v1/overview", json=FAMILY)
        assert r.status_code == 200
        assert r.json()["schemes"] and all(not s["local_pages"] for s in r.json()["schemes"])
        assert not os.listdir(tmp_path / "data") or not (tmp_path / "data" / "index").exists()
    finally:
        runtime.feedback.close()

"""GET /v1/disclosure: the AI-transparency notice (EU AI Act art. 50) that integrators and the widget show."""

from __future__ import annotations

import pytest
import yaml
from fastapi.testclient import TestClient

from eti.api.app import create_app

LANGUAGES = ("nb", "nn", "en", "pl", "uk", "ar", "so")


@pytest.fixture(scope="module")
def client(runtime):
    with TestClient(create_app(runtime=runtime)) as c:
        yield c


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_says_what_eti_is_and_whom_to_call(client, runtime, language):
    r = client.get("/v1/disclosure", params={"language": language})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    body = r.json()
    templates = yaml.safe_load((runtime.settings.prompts_dir / "templates.yaml").read_text(encoding="utf-8"))
    assert body["text"] == templates[language]["disclosure"]["text"]  # the words live in templates.yaml
    assert body["language"] == language
    nav = next(s for s in body["services"] if s["name"] == "Nav")
    assert nav["phone"].endswith("55 55 33 33") and nav["phone"] in body["text"]
    assert nav["url"].startswith("https://www.nav.no/")
    assert any(s["phone"] == "113" for s in body["services"]) and "113" in body["text"]
    assert "barnekoordinator" in body["text"]  # the kommune's coordinator, named in Norwegian in every language


def test_bokmal_text_says_automatic_not_a_caseworker_and_can_be_wrong(client):
    text = client.get("/v1/disclosure", params={"language": "nb"}).json()["text"]
    for phrase in ("automatisk assistent", "siterer offentlige kilder", "ikke en saksbehandler", "kan ta feil",
                   "servicetorget", "ring 113"):
        assert phrase in text, phrase
    assert client.get("/v1/disclosure").json()["language"] == "nb"  # the default


def test_nynorsk_is_nynorsk(client):
    text = client.get("/v1/disclosure", params={"language": "nn"}).json()["text"]
    assert "ikkje ein sakshandsamar" in text and "kjelder" in text


def test_unknown_language_is_a_problem_json_422(client):
    r = client.get("/v1/disclosure", params={"language": "de"})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 422 and "language" in r.json()["detail"]


def test_openapi_describes_the_disclosure(client):
    spec = client.get("/openapi.json").json()
    op = spec["paths"]["/v1/disclosure"]["get"]
    assert op["summary"] and op["description"]
    param = next(p for p in op["parameters"] if p["name"] == "language")
    assert set(param["schema"]["enum"]) == set(LANGUAGES) and param["schema"]["default"] == "nb"
    assert "422" in op["responses"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    schema = spec["components"]["schemas"][ref]
    assert set(schema["properties"]) == {"language", "text", "services"}
    assert schema.get("examples")

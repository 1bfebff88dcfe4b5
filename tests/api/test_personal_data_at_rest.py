"""Personal data is never at rest: every spelling of it, sent through every door of a real server,
is found neither in the data dir (SQLite included), nor in the server log, nor in /metrics.

The numbers are synthetic: fødselsnummer computed here with mod-11, phones and e-mail made up.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _control(digits, weights):
    k = 11 - sum(d * w for d, w in zip(digits, weights, strict=False)) % 11
    return {11: 0, 10: None}.get(k, k)


def identity_number(ddmmyy: str) -> str:
    for individual in range(100, 1000):
        d = [int(c) for c in f"{ddmmyy}{individual:03d}"]
        k1 = _control(d, W1)
        k2 = None if k1 is None else _control([*d, k1], W2)
        if k2 is not None:
            return f"{ddmmyy}{individual:03d}{k1}{k2}"
    raise AssertionError


FNR = identity_number("150385")
FNR2 = identity_number("030609")
D_NR = identity_number("430609")
TYPO = FNR[:10] + str((int(FNR[10]) + 1) % 10)  # one mistyped digit: still the parent's number
SPELLINGS = {  # what the parent writes -> the digits (or text) that must not be stored
    f"{FNR[:6]}\u200b{FNR[6:]}": FNR,  # a zero-width space inside
    f"{FNR2[:4]}\U000e0041{FNR2[4:]}": FNR2,  # a tag character inside
    f"{FNR[:2]}/{FNR[2:4]}/{FNR[4:6]} {FNR[6:]}": FNR,  # date-like grouping
    f"{D_NR[:6]} {D_NR[6:9]} {D_NR[9:]}": D_NR,
    TYPO: TYPO,
    "+47 912 34 567": "91234567", "0047 41234567": "41234567", "912 34 567": "91234567",
    "93 23 45 67": "93234567", "48123456": "48123456", "912.34.567": "91234567",
    "kari.nordmann@example.com": "kari.nordmann@example.com", "ola (at) example.com": "ola (at) example.com",
    "Storgata 12, 4400 Flekkefjord": "Storgata 12",
}


def _digits_variants(value: str) -> list[str]:
    """How a value could sit in a file: as digits, or in the spellings the parent used."""
    out = [value]
    if value.isdigit():
        out += [s for s, v in SPELLINGS.items() if v == value]
    return out


def _grep(folder: Path, needles: list[str]) -> list[tuple[str, str]]:
    found = []
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        for n in needles:
            if n.encode() in data or n.encode("utf-16-le") in data:
                found.append((str(path), n))
    return found


@pytest.fixture()
def server_log(tmp_path):
    log_file = tmp_path / "server.log"
    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    old = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield log_file
    root.removeHandler(handler)
    root.setLevel(old)
    handler.close()


def test_every_spelling_of_personal_data_through_every_endpoint_leaves_no_trace(runtime, live_api, server_log):
    http = httpx.Client(base_url=live_api, timeout=60)
    cid = None
    for spelling in SPELLINGS:
        r = http.post("/v1/ask", json={"question": f"Jeg heter Kari. Nummeret er {spelling}. Hva er pleiepenger?",
                                       **({"conversation_id": cid} if cid else {})})
        assert r.status_code == 200, r.text
        cid = r.json()["conversation_id"]
        assert spelling not in r.text
    follow = http.post("/v1/ask", json={"question": f"Og hvordan søker jeg om det? Ring {'912 34 567'}",
                                        "conversation_id": cid})
    assert follow.status_code == 200 and follow.json()["conversation_id"] == cid
    with http.stream("POST", "/v1/ask", json={"question": f"Fnr {FNR}, e-post kari.nordmann@example.com. "
                                                           "Hva er avlastning?", "stream": True}) as s:
        streamed = s.read().decode()
    assert FNR not in streamed and "kari.nordmann@example.com" not in streamed
    searched = http.post("/v1/search", json={"query": f"pleiepenger {FNR2[:6]} {FNR2[6:]} 41234567", "k": 3})
    assert searched.status_code == 200 and FNR2[6:] not in searched.text
    for spelling in SPELLINGS:
        fed = http.post("/v1/feedback", json={"conversation_id": cid, "rating": "down",
                                              "comment": f"Ring meg på {spelling}, hilsen Ola"})
        assert fed.status_code in (200, 201), fed.text
    # an identity number as the conversation id is refused, never echoed, never stored
    bad = http.post("/v1/ask", json={"question": "Hva er pleiepenger?", "conversation_id": f"fnr{FNR}"})
    assert bad.status_code == 422 and FNR not in bad.text
    admin = runtime.settings.admin_keys
    metrics = http.get("/metrics", headers={"Authorization": f"Bearer {admin[0]}"} if admin else {})
    assert metrics.status_code == 200

    needles = sorted({n for v in SPELLINGS.values() for n in _digits_variants(v)})
    assert _grep(runtime.settings.data_dir, needles) == []
    log_text = server_log.read_text(encoding="utf-8")
    assert log_text  # the server did log (so the check below means something)
    for n in needles:
        assert n not in log_text and n not in metrics.text, n
    assert not re.search(r"\bKari\b", log_text)

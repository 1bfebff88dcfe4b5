"""The README's main job on the embedded default: `eti up` builds the index, prints the summary, then serves."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from support.live_server import free_port

ROOT = Path(__file__).resolve().parents[1]


def _env(data_dir):
    return {**os.environ, "ETI_DATA_DIR": str(data_dir)}


def eti(*args, data_dir, timeout=600):
    return subprocess.run([sys.executable, "-m", "eti.cli", *args], cwd=ROOT, env=_env(data_dir),
                          capture_output=True, text=True, timeout=timeout)


def test_up_builds_the_default_index_from_the_cards_and_lists_sources(tmp_path):
    data = tmp_path / "data"
    first = eti("up", "--no-serve", data_dir=data)
    assert first.returncode == 0, first.stderr
    assert "Ingest summary" in first.stdout and "knowledge" in first.stdout
    cards = len([p for p in (ROOT / "knowledge").glob("*.md") if p.name.lower() != "readme.md"])
    assert cards >= 30
    assert (data / "index" / "CURRENT").exists()

    listing = eti("sources", "--json", data_dir=data)
    assert listing.returncode == 0, listing.stderr
    rows = {r["id"]: r for r in json.loads(listing.stdout)}
    assert rows["knowledge"]["documents"] == cards and rows["knowledge"]["chunks"] >= cards
    assert rows["knowledge"]["last_crawl"]
    assert rows["nav"]["sector"] == "welfare" and rows["nav"]["last_crawl"] is None

    answer = eti("ask", "Hva er pleiepenger og hvem kan få det?", "--json", data_dir=data)
    assert answer.returncode == 0, answer.stderr
    body = json.loads(answer.stdout)
    assert body["status"] == "answered" and "[1]" in body["answer"]
    assert any("pleiepenger" in c["url"] or "pleiepenger" in c["title"].lower() for c in body["citations"])

    # second run, as the README's command runs it: the index is present, nothing is rebuilt, and it serves
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "eti.cli", "up", "--port", str(port)], cwd=ROOT,
                            env=_env(data), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, ready = time.monotonic() + 120, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        assert ready is not None and ready.status_code == 200, "eti up never became ready"
        asked = httpx.post(f"http://127.0.0.1:{port}/v1/ask", json={"question": "Hva er hjelpestønad?"}, timeout=30)
        assert asked.status_code == 200 and asked.json()["status"] == "answered"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "Index present" in out and "Ingest summary" not in out

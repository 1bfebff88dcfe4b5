"""The README's main job on the embedded default: `eti up` builds the index and prints the summary."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def eti(*args, data_dir, timeout=600):
    env = {**os.environ, "ETI_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "eti.cli", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_up_builds_the_default_index_from_the_cards_and_lists_sources(tmp_path):
    data = tmp_path / "data"
    first = eti("up", data_dir=data)
    assert first.returncode == 0, first.stderr
    assert "Ingest summary" in first.stdout and "knowledge" in first.stdout
    cards = len([p for p in (ROOT / "knowledge").glob("*.md") if p.name.lower() != "readme.md"])
    assert cards >= 30
    assert (data / "index" / "CURRENT").exists()

    listing = eti("sources", "--json", data_dir=data)
    assert listing.returncode == 0, listing.stderr
    import json

    rows = {r["id"]: r for r in json.loads(listing.stdout)}
    assert rows["knowledge"]["documents"] == cards and rows["knowledge"]["chunks"] >= cards
    assert rows["knowledge"]["last_crawl"]
    assert rows["nav"]["sector"] == "welfare" and rows["nav"]["last_crawl"] is None

    again = eti("up", data_dir=data)  # second run: index present, nothing rebuilt
    assert again.returncode == 0 and "Index present" in again.stdout

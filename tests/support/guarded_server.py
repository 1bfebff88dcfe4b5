"""The API under ETI's own uvicorn configuration (eti.api.serve: guarded protocol, header cap, read
deadline, no forwarded-header trust), in a thread on a free loopback port."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from support.live_server import free_port

from eti.api.serve import server_config


@contextmanager
def serve_guarded(app, settings, start_timeout_s: float = 20) -> Iterator[str]:
    """Serve ``app`` as `eti serve` would (one worker) until the block ends; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(server_config(settings, app, "127.0.0.1", port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout_s
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)

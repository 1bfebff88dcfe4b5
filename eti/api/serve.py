"""Run the API with uvicorn (``eti serve``): one process, or ``--workers N`` processes on one socket.

Workers are separate processes; each builds its own Runtime in its lifespan and shares
conversations, rate limits and feedback through the state backend (SQLite file or Redis) and the
index through ``data/index`` (each picks up a newly published version on its own). Forwarded
headers are handled inside the app (``ETI_TRUSTED_PROXIES``), never by uvicorn's default, which
trusts 127.0.0.1.
"""

from __future__ import annotations

import json
import os

import uvicorn

from eti.settings import Settings

PROTOCOL = "eti.api.protocol:GuardedHttpToolsProtocol"


class ServerConfig(uvicorn.Config):
    """uvicorn's Config plus the limits GuardedHttpToolsProtocol reads (picklable for worker processes)."""

    def __init__(self, app, *, max_header_bytes: int, read_timeout_s: float, **kwargs):
        super().__init__(app, **kwargs)
        self.max_header_bytes, self.read_timeout_s = max_header_bytes, read_timeout_s


def server_config(settings: Settings, app, host: str, port: int, workers: int = 1, **kwargs) -> ServerConfig:
    return ServerConfig(app, host=host, port=port, workers=workers, http=PROTOCOL, proxy_headers=False,
                        server_header=False, timeout_keep_alive=5, timeout_graceful_shutdown=10,
                        # a worker loading its model on a busy machine may not answer the supervisor's ping
                        # for a while; uvicorn's 5 s would kill and restart it in a loop
                        timeout_worker_healthcheck=60,
                        max_header_bytes=settings.max_header_bytes, read_timeout_s=settings.read_timeout_s,
                        log_level=kwargs.pop("log_level", "info"), **kwargs)


def settings_env(settings: Settings) -> dict[str, str]:
    """The settings that were set explicitly, as the ETI_* variables a worker process rebuilds them from."""
    out = {}
    for name in settings.model_fields_set:
        value = getattr(settings, name)
        out[f"ETI_{name.upper()}"] = json.dumps(value) if isinstance(value, (list, dict)) else str(value)
    return out


def run(settings: Settings, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None) -> None:
    workers = workers or settings.workers
    if workers == 1:
        from eti.api.app import create_app

        uvicorn.Server(server_config(settings, create_app(settings), host, port)).run()
        return
    from uvicorn.supervisors import Multiprocess

    # worker processes are spawned: each builds its Settings from the environment, so hand them ours
    os.environ.update(settings_env(settings))
    config = server_config(settings, "eti.api.app:create_app", host, port, workers=workers, factory=True)
    sock = config.bind_socket()
    Multiprocess(config, sockets=[sock]).run()

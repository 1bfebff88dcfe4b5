"""Run the API with uvicorn (``eti serve``)."""

from __future__ import annotations

from eti.settings import Settings


def run(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    import uvicorn

    from eti.api.app import create_app

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", proxy_headers=True)

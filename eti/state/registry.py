"""State backends registered by name; settings choose one (``ETI_STATE_BACKEND``, or redis when
``ETI_REDIS_URL`` is set, else sqlite)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from eti.state.stores import Clock, State

if TYPE_CHECKING:
    from eti.settings import Settings

Builder = Callable[["Settings", Clock], State]
_BACKENDS: dict[str, Builder] = {}


def register_backend(name: str) -> Callable[[Builder], Builder]:
    def deco(fn: Builder) -> Builder:
        _BACKENDS[name] = fn
        return fn

    return deco


def backend_name(settings: Settings) -> str:
    if settings.state_backend != "auto":
        return settings.state_backend
    return "redis" if settings.redis_url else "sqlite"


def build_state(settings: Settings, now: Clock = time.time) -> State:
    """The stores ``settings`` configure, built once per process (CLI command, app lifespan, test)."""
    name = backend_name(settings)
    try:
        builder = _BACKENDS[name]
    except KeyError:
        raise ValueError(f"unknown state backend {name!r}; registered: {', '.join(sorted(_BACKENDS))}") from None
    return builder(settings, now)


def backend_names() -> set[str]:
    return set(_BACKENDS)

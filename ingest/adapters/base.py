"""The adapter contract and the registry that sources.yaml chooses from by name."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from eti.core import Document, RawDocument

if TYPE_CHECKING:
    from ingest.fetch import Fetcher
    from ingest.sources import Source


class ExtractionError(ValueError):
    """The input could not be turned into a document (broken or empty page)."""


@runtime_checkable
class Adapter(Protocol):
    """Turns one raw response into zero or more documents."""

    name: str

    def extract(self, raw: RawDocument, source: Source) -> list[Document]: ...


@dataclass
class CollectContext:
    """What a collector may use: a polite fetcher for its downloads and a folder to keep them in.

    ``offline`` (``eti index --rebuild``): no fetcher; use what an earlier run downloaded.
    """

    fetcher: Fetcher | None = None
    raw_dir: Path | None = None
    offline: bool = False
    max_download_bytes: int = 2_000_000_000
    download_deadline_s: float = 1800.0


@runtime_checkable
class Collector(Protocol):
    """An adapter that reads its own input (a folder, an archive) instead of being crawled."""

    name: str

    def collect(self, source: Source, ctx: CollectContext | None = None) -> AsyncIterator[RawDocument]: ...

    def extract(self, raw: RawDocument, source: Source) -> list[Document]: ...


_REGISTRY: dict[str, Callable[[], Adapter]] = {}


def register(name: str) -> Callable[[type], type]:
    """Class decorator: make an adapter available to sources.yaml under ``name``."""

    def deco(cls: type) -> type:
        if name in _REGISTRY:
            raise ValueError(f"adapter {name!r} registered twice")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return deco


def get_adapter(name: str) -> Adapter:
    try:
        return _REGISTRY[name]()
    except KeyError:
        raise KeyError(f"unknown adapter {name!r}; registered: {', '.join(sorted(_REGISTRY))}") from None


def adapter_names() -> set[str]:
    return set(_REGISTRY)

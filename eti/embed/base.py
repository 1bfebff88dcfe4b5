"""The embedder contract and a registry of named constructors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from eti.settings import Settings

Kind = Literal["query", "passage"]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors. ``kind`` picks query or passage form."""

    name: str  # identifies model and variant; part of the embedding-cache key
    dim: int

    def embed(self, texts: list[str], kind: Kind) -> np.ndarray: ...


_CONSTRUCTORS: dict[str, Callable[[Settings], Embedder]] = {}


def register_embedder(name: str) -> Callable[[Callable[[Settings], Embedder]], Callable[[Settings], Embedder]]:
    def deco(fn: Callable[[Settings], Embedder]) -> Callable[[Settings], Embedder]:
        _CONSTRUCTORS[name] = fn
        return fn

    return deco


def build_embedder(settings: Settings) -> Embedder:
    """Construct the embedder that ``settings.embedder`` names (once, at the edge)."""
    try:
        ctor = _CONSTRUCTORS[settings.embedder]
    except KeyError:
        raise ValueError(
            f"unknown embedder {settings.embedder!r}; registered: {', '.join(sorted(_CONSTRUCTORS))}"
        ) from None
    return ctor(settings)


def embedder_names() -> set[str]:
    return set(_CONSTRUCTORS)


def normalise(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(norms, 1e-12)

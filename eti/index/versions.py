"""Index versions on disk and the one-step switch between them.

    data/index/v20261123T101500-3f2a/   chroma/  lexical/  manifest.json
    data/index/CURRENT                  -> the name of the serving version

A new version is built beside the serving one; writing CURRENT with os.replace is the one
atomic step that publishes it. A crash before that leaves the old version serving.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)


class IndexVersions:
    def __init__(self, root: Path):
        self.root = root

    @property
    def pointer(self) -> Path:
        return self.root / "CURRENT"

    def current(self) -> Path | None:
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        return path if (path / "manifest.json").exists() else None

    def new_version(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.root / f"v{stamp}-{secrets.token_hex(2)}"
        path.mkdir()
        return path

    def switch(self, version: Path) -> None:
        """Make ``version`` the serving index (atomic rename of the pointer file)."""
        if not (version / "manifest.json").exists():
            raise RuntimeError(f"refusing to publish {version}: it has no manifest")
        tmp = self.root / f"CURRENT.{secrets.token_hex(4)}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(version.name)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.pointer)
        dir_fd = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def prune(self, keep: int, on_remove: Callable[[Path], None] | None = None) -> None:
        """Remove unfinished builds and all but the newest ``keep`` finished versions (never the serving one).
        ``on_remove(version)`` runs before a folder goes (it drops the version's Chroma-server collection)."""
        current = self.current()
        versions = sorted((p for p in self.root.glob("v*") if p.is_dir()), key=lambda p: p.name)
        finished = [p for p in versions if (p / "manifest.json").exists()]
        keepers = set(finished[-keep:]) | ({current} if current else set())
        for p in versions:  # the caller holds the publish lock, so unfinished ones are dead builds
            if p not in keepers:
                if on_remove is not None:
                    on_remove(p)
                shutil.rmtree(p, ignore_errors=True)
        for tmp in self.root.glob("CURRENT.*.tmp"):
            tmp.unlink(missing_ok=True)


def read_manifest(version: Path) -> dict:
    return json.loads((version / "manifest.json").read_text(encoding="utf-8"))

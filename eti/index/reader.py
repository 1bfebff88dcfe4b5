"""Open the serving index version for reading (retrieval, API, tests)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from eti.index.dense import DenseIndex, open_version_collection
from eti.index.lexical import LexicalIndex
from eti.index.versions import IndexVersions, read_manifest


class NoIndex(RuntimeError):
    """There is no published index yet (run `eti up` or `eti crawl`)."""


@dataclass
class IndexReader:
    version: Path
    manifest: dict
    dense: DenseIndex
    lexical: LexicalIndex
    rows: list[list[str]]  # per lexical row: source_id, sector, municipality, language

    @classmethod
    def open(cls, index_dir: Path, chroma_url: str | None = None) -> IndexReader:
        version = IndexVersions(index_dir).current()
        if version is None:
            raise NoIndex(f"no published index in {index_dir}")
        return cls.open_version(version, chroma_url)

    @classmethod
    def open_version(cls, version: Path, chroma_url: str | None = None) -> IndexReader:
        """Open one version; its dense part is embedded or on the Chroma server its dense.json names
        (``chroma_url`` overrides that server's address)."""
        lexical = LexicalIndex.load(version / "lexical")
        rows = json.loads((version / "lexical" / "rows.json").read_text(encoding="utf-8"))
        return cls(version, read_manifest(version), DenseIndex(open_version_collection(version, chroma_url),
                                                               frozen=True), lexical, rows)

    def count(self) -> int:
        return len(self.lexical.ids)

"""What one ingest run of one source did, for the summary, the catalog's crawl record and tests."""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass
class SourceStats:
    source_id: str
    sector: str
    fetched: int = 0  # changed or new pages extracted
    unchanged: int = 0  # 304, same bytes, or not requested because the sitemap's lastmod had not moved
    not_requested: int = 0  # of the unchanged: skipped by lastmod without any request
    failed: int = 0
    skipped: int = 0
    duplicates: int = 0  # pages whose text is all held by another page (stored once)
    paragraphs_shared: int = 0  # paragraphs left out because another page holds them
    pages_removed: int = 0
    chunks_added: int = 0
    chunks_removed: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    error: str | None = None  # the whole source failed (e.g. unreachable)

    def fail(self, reason: str, url: str) -> None:
        """Count a failed page and log it, once per page and run."""
        self.failed += 1
        self.failures[reason] += 1
        log.warning("%s: %s: %s", self.source_id, url, reason)

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["failures"] = dict(self.failures)
        return d

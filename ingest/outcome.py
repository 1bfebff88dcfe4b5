"""What one fetch means for the catalog: a pure classification, unit-tested without a network.

The crawl hands every fetch result here together with what the catalog knew about the URL; the
answer is one :class:`Outcome`, applied to the catalog in one place (``Ingestor._apply``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ingest.catalog import PageState
from ingest.fetch import FetchResult, same_site
from ingest.links import PageLinks


class Outcome(StrEnum):
    unchanged = "unchanged"  # 304, or the same bytes as last time: keep the chunks, note the check
    gone = "gone"  # 404/410: the page and its chunks leave the index
    redirected = "redirected"  # HTTP or meta-refresh redirect on the site: indexed under its target
    duplicate = "duplicate"  # canonical elsewhere on the site, or the same bytes as another page
    failed_keep_old = "failed-keep-old"  # an error: what was indexed stays, the failure is noted
    changed = "changed"  # new or different content: extract, scrub, chunk, store


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    target: str | None = None  # redirected / duplicate: the URL that holds the content
    reason: str | None = None  # failed-keep-old / gone: why, for the summary and the log


def classify(url: str, res: FetchResult, prev: PageState | None, links: PageLinks | None = None,
             copy_of: str | None = None) -> Decision:
    """Classify a fetch of ``url``.

    ``prev`` is the catalog's state for the URL (None when new), ``links`` what the body points
    to (None for a PDF or a failed fetch), ``copy_of`` another page of the source whose stored
    content has the same hash as this body.
    """
    if res.not_modified and prev is not None:
        return Decision(Outcome.unchanged)
    if res.status in (404, 410):
        return Decision(Outcome.gone, reason=f"HTTP {res.status} (gone)")
    if not res.ok:
        return Decision(Outcome.failed_keep_old, reason=res.error or f"HTTP {res.status}")
    if res.final_url and res.final_url != url:
        return Decision(Outcome.redirected, target=res.final_url)
    if links is not None:
        if links.canonical and links.canonical != url and same_site(links.canonical, url):
            return Decision(Outcome.duplicate, target=links.canonical)
        if links.refresh and links.refresh != url and same_site(links.refresh, url):
            return Decision(Outcome.redirected, target=links.refresh)
    if copy_of and copy_of != url:
        return Decision(Outcome.duplicate, target=copy_of)
    if prev is not None and prev.status == "ok" and prev.content_hash == res.content_hash:
        return Decision(Outcome.unchanged)
    return Decision(Outcome.changed)

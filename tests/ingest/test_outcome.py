"""What a fetch means for the catalog: the pure classification, without a network."""

from __future__ import annotations

import pytest

from eti.core import RawDocument, content_hash
from ingest.catalog import PageState
from ingest.fetch import FetchResult
from ingest.links import PageLinks
from ingest.outcome import Decision, Outcome, classify

URL = "https://www.nav.no/pleiepenger"
BODY = b"<html><body><main><p>Pleiepenger</p></main></body></html>"


def fetched(body: bytes = BODY, *, final_url: str | None = URL) -> FetchResult:
    return FetchResult(url=URL, status=200, raw=RawDocument(url=URL, content=body), final_url=final_url)


def known(body: bytes = BODY, status: str = "ok") -> PageState:
    return PageState(url=URL, source_id="nav", status=status, content_hash=content_hash(body))


@pytest.mark.parametrize(("res", "prev", "links", "copy_of", "expected"), [
    # 304 for a page we have
    (FetchResult(url=URL, status=304, not_modified=True), known(), None, None, Decision(Outcome.unchanged)),
    # the same bytes again (a server without validators)
    (fetched(), known(), PageLinks(), None, Decision(Outcome.unchanged)),
    # new bytes, or a new page, or a page whose last extraction failed
    (fetched(b"<p>ny</p>"), known(), PageLinks(), None, Decision(Outcome.changed)),
    (fetched(), None, PageLinks(), None, Decision(Outcome.changed)),
    (fetched(), known(status="failed"), PageLinks(), None, Decision(Outcome.changed)),
    # gone
    (FetchResult(url=URL, status=404, error="HTTP 404"), known(), None, None,
     Decision(Outcome.gone, reason="HTTP 404 (gone)")),
    (FetchResult(url=URL, status=410, error="HTTP 410"), None, None, None,
     Decision(Outcome.gone, reason="HTTP 410 (gone)")),
    # failures keep what was indexed
    (FetchResult(url=URL, status=500, error="HTTP 500"), known(), None, None,
     Decision(Outcome.failed_keep_old, reason="HTTP 500")),
    (FetchResult(url=URL, error="deadline exceeded (3s)"), known(), None, None,
     Decision(Outcome.failed_keep_old, reason="deadline exceeded (3s)")),
    (FetchResult(url=URL, status=304, not_modified=True), None, None, None,
     Decision(Outcome.failed_keep_old, reason="HTTP 304")),
    # redirects: HTTP, then meta refresh
    (fetched(final_url=URL + "-barn"), known(), PageLinks(), None, Decision(Outcome.redirected, target=URL + "-barn")),
    (fetched(), None, PageLinks(refresh=URL + "-ny"), None, Decision(Outcome.redirected, target=URL + "-ny")),
    (fetched(), None, PageLinks(refresh=URL), None, Decision(Outcome.changed)),  # refreshes itself: a reload
    (fetched(), None, PageLinks(refresh="https://annet.example/"), None, Decision(Outcome.changed)),
    # duplicates: canonical elsewhere on the site, or the same bytes as another page
    (fetched(), known(), PageLinks(canonical=URL + "-barn"), None,
     Decision(Outcome.duplicate, target=URL + "-barn")),
    (fetched(), None, PageLinks(canonical="https://annet.example/p"), None, Decision(Outcome.changed)),
    (fetched(), None, PageLinks(canonical=URL), None, Decision(Outcome.changed)),
    (fetched(), None, PageLinks(), URL + "?utm_source=x", Decision(Outcome.duplicate, target=URL + "?utm_source=x")),
])  # fmt: skip
def test_each_fetch_result_is_classified_into_one_outcome(res, prev, links, copy_of, expected):
    assert classify(URL, res, prev, links, copy_of) == expected


def test_a_redirect_is_checked_before_the_canonical_and_a_failure_before_both():
    res = fetched(final_url=URL + "-barn")
    assert classify(URL, res, None, PageLinks(canonical=URL + "-annen")).outcome is Outcome.redirected
    failed = FetchResult(url=URL, status=503, error="HTTP 503", final_url=URL + "-barn")
    assert classify(URL, failed, known(), PageLinks(canonical=URL + "-annen")).outcome is Outcome.failed_keep_old

"""The Fetcher against a real loopback server: validators, retries, Retry-After, caps and redirects."""

from __future__ import annotations

import time
from email.utils import formatdate

import httpx
import pytest

from ingest.fetch import Fetcher
from ingest.ratelimit import HostLimiter

UA = "ETI-bot/test"


@pytest.fixture
async def fetch(settings):
    """fetch(server) -> a Fetcher with the fast test settings, the host limited to 100 requests a second."""
    async with httpx.AsyncClient(timeout=settings.request_timeout_s) as client:

        def make(server, **kw) -> Fetcher:
            limiter = HostLimiter(2)
            limiter.set_rate(server.base.split("/")[2], 100)
            opts = dict(user_agent=UA, max_retries=settings.max_retries, backoff_base=settings.backoff_base_s,
                        max_backoff=settings.max_backoff_s, max_bytes=settings.max_page_bytes)
            return Fetcher(client, limiter, **(opts | kw))

        yield make


async def test_stored_validators_are_sent_and_an_unchanged_page_comes_back_not_modified(serve_site, fetch):
    server = serve_site("nav")
    fetcher = fetch(server)
    first = await fetcher.get(f"{server.base}/klage.html")
    assert first.ok and first.raw.etag and first.raw.last_modified

    again = await fetcher.get(f"{server.base}/klage.html", etag=first.raw.etag,
                              last_modified=first.raw.last_modified)

    sent = server.requests_for("/klage.html")[-1].headers
    assert sent["if-none-match"] == first.raw.etag
    assert sent["if-modified-since"] == first.raw.last_modified
    assert sent["user-agent"] == UA
    assert again.not_modified and not again.ok and again.error is None and again.status == 304


async def test_retry_after_given_as_an_http_date_is_honoured(serve_site, fetch):
    server = serve_site("nav")
    when = int(time.time()) + 2  # HTTP dates have whole seconds
    server.script["/klage.html"] = [(503, {"Retry-After": formatdate(when, usegmt=True)}, b"")]
    wall_minus_monotonic = time.time() - time.monotonic()

    res = await fetch(server).get(f"{server.base}/klage.html")

    tries = server.requests_for("/klage.html")
    assert res.ok and res.attempts == 2 and [e.status for e in tries] == [503, 200]
    assert tries[1].at + wall_minus_monotonic >= when - 0.03, "asked again before the date the server gave"
    assert tries[1].at - tries[0].at >= 0.5


async def test_retry_after_longer_than_the_longest_backoff_gives_up_instead_of_asking_early(
    serve_site, fetch, settings
):
    server = serve_site("nav")
    assert settings.max_backoff_s < 30
    server.script["/klage.html"] = [(429, {"Retry-After": "30"}, b"")]

    t0 = time.monotonic()
    res = await fetch(server).get(f"{server.base}/klage.html")

    assert len(server.requests_for("/klage.html")) == 1, "asked again before the 30 s the server asked for"
    assert time.monotonic() - t0 < 1
    assert not res.ok and res.error.startswith("HTTP 429") and "Retry-After" in res.error


@pytest.mark.parametrize("status", [403, 404, 410])
async def test_client_errors_are_not_retried(serve_site, fetch, status):
    server = serve_site("nav")
    server.script["/klage.html"] = [(status, {}, b"")] * 5

    res = await fetch(server).get(f"{server.base}/klage.html")

    assert len(server.requests_for("/klage.html")) == 1
    assert (res.status, res.error, res.ok) == (status, f"HTTP {status}", False)


async def test_server_errors_are_retried_up_to_the_limit_with_growing_backoff(serve_site, fetch):
    server = serve_site("nav")
    server.script["/klage.html"] = [(502, {}, b"")] * 10

    res = await fetch(server, max_retries=3, backoff_base=0.05).get(f"{server.base}/klage.html")

    tries = server.requests_for("/klage.html")
    assert len(tries) == 4 and res.attempts == 4 and res.error == "HTTP 502"
    waits = [b.at - a.at for a, b in zip(tries, tries[1:], strict=False)]
    assert waits[0] >= 0.05 * 0.75 - 0.01 and waits[2] >= 0.2 * 0.75 - 0.01, waits


async def test_page_over_the_size_cap_is_refused_once_without_retries(serve_site, fetch):
    server = serve_site("broken")
    server.huge_bytes = 50_000

    res = await fetch(server, max_bytes=10_000).get(f"{server.base}/huge.html")

    assert not res.ok and res.error.startswith("too large")
    assert len(server.requests_for("/huge.html")) == 1


async def test_redirect_loop_stops_with_too_many_redirects(serve_site, fetch):
    server = serve_site("nav")
    server.script["/a"] = [(302, {"Location": "/b"}, b"")] * 10
    server.script["/b"] = [(302, {"Location": "/a"}, b"")] * 10

    res = await fetch(server).get(f"{server.base}/a", max_redirects=3)

    assert not res.ok and res.error == "too many redirects"
    assert len(server.log) == 4


async def test_unreachable_host_is_retried_then_reported_as_a_network_error(serve_site, fetch):
    server = serve_site("nav")
    fetcher = fetch(server)
    url = f"{server.base}/klage.html"
    server.stop()

    res = await fetcher.get(url)

    assert not res.ok and res.status == 0 and res.error.startswith("network error")
    assert res.attempts == fetcher.max_retries + 1

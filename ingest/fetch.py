"""Fetch stage: polite HTTP GETs with conditional requests, retries, size caps and safe redirects.

Every request has a total deadline besides the client's per-read timeout, so a server that
trickles a byte now and then is cut off. Bodies are read raw and inflated here, within the size
cap (ingest.decompress), never by the client in one go.

The Fetcher receives an httpx.AsyncClient; it never builds one, so tests hand in a client
pointed at the loopback server.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from eti.core import RawDocument, content_hash, utcnow
from ingest.decompress import ACCEPT_ENCODING, BoundedInflater, TooLarge, Undecodable
from ingest.ratelimit import HostLimiter
from ingest.snapshots import SnapshotWriter

log = logging.getLogger(__name__)
RETRY_STATUS = {429, 500, 502, 503, 504}
ACCEPT = "text/html,application/xhtml+xml,application/pdf,application/xml;q=0.9,text/plain;q=0.8,*/*;q=0.5"
# the body we keep is the inflated one; these headers described the bytes on the wire
_WIRE_HEADERS = {"content-encoding", "content-length", "transfer-encoding"}


@dataclass
class FetchResult:
    url: str
    status: int = 0
    raw: RawDocument | None = None
    not_modified: bool = False
    error: str | None = None  # a short reason for the summary, e.g. "HTTP 500", "timeout", "too large"
    final_url: str | None = None
    warc: str | None = None
    attempts: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    saved_to: Path | None = None  # a download (Fetcher.download) went to this file, not into raw.content

    @property
    def ok(self) -> bool:
        return self.raw is not None

    @property
    def content_hash(self) -> str | None:
        return content_hash(self.raw.content) if self.raw else None


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def same_site(a: str, b: str) -> bool:
    return urlsplit(a).netloc.lower() == urlsplit(b).netloc.lower()


class DeadlineExceeded(Exception):
    pass


class Fetcher:
    def __init__(self, client: httpx.AsyncClient, limiter: HostLimiter, *, user_agent: str,
                 max_retries: int = 3, backoff_base: float = 1.0, max_backoff: float = 60.0,
                 max_bytes: int = 8_000_000, deadline_s: float = 60.0, snapshots: SnapshotWriter | None = None):
        self.client = client
        self.limiter = limiter
        self.user_agent = user_agent
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.max_backoff = max_backoff
        self.max_bytes = max_bytes
        self.deadline_s = deadline_s
        self.snapshots = snapshots

    async def download(self, url: str, dest: Path, *, max_bytes: int, deadline_s: float, etag: str | None = None,
                       last_modified: str | None = None) -> FetchResult:
        """GET a large file (a bulk archive) straight to ``dest``, atomically, within its own cap and deadline."""
        return await self.get(url, etag=etag, last_modified=last_modified,
                              _sink=_Sink(dest, max_bytes, deadline_s))

    async def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None,
                  max_redirects: int = 5, may_follow: Callable[[str], Awaitable[bool]] | None = None,
                  _sink: _Sink | None = None) -> FetchResult:
        """GET ``url`` politely; follows same-site redirects only (and only where ``may_follow`` agrees)."""
        headers = {"User-Agent": self.user_agent, "Accept": ACCEPT, "Accept-Language": "nb,nn;q=0.9,en;q=0.5",
                   "Accept-Encoding": ACCEPT_ENCODING}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        result = FetchResult(url=url)
        for _ in range(max_redirects + 1):
            result = await self._get_once(current, headers, _sink)
            result.url = url
            if result.status in (301, 302, 303, 307, 308) and "location" in result.headers:
                target = urljoin(current, result.headers["location"])
                if not same_site(target, url):
                    result.error = f"redirect to another site ({urlsplit(target).netloc})"
                    return result
                if may_follow is not None and not await may_follow(target):
                    result.error = f"redirect to an excluded URL ({urlsplit(target).path})"
                    return result
                current = target
                continue
            result.final_url = current
            return result
        result.error = "too many redirects"
        return result

    async def _get_once(self, url: str, headers: dict[str, str], sink: _Sink | None) -> FetchResult:
        attempt = 0
        deadline = sink.deadline_s if sink else self.deadline_s
        while True:
            attempt += 1
            async with self.limiter.slot(url):
                await self.limiter.wait(url)
                try:
                    async with asyncio.timeout(deadline):
                        result = await self._request(url, headers, sink)
                except TimeoutError:  # the whole request took too long: a trickle is not retried
                    return FetchResult(url=url, error=f"deadline exceeded ({deadline:g}s)", attempts=attempt)
                except httpx.TimeoutException:
                    result = FetchResult(url=url, error="timeout")
                except (TooLarge, Undecodable) as exc:
                    return FetchResult(url=url, error=str(exc), attempts=attempt)
                except httpx.HTTPError as exc:
                    result = FetchResult(url=url, error=f"network error: {type(exc).__name__}")
            result.attempts = attempt
            retryable = result.status in RETRY_STATUS or (result.status == 0 and result.error is not None)
            if not retryable or attempt > self.max_retries:
                if result.status and result.status >= 400 and not result.error:
                    result.error = f"HTTP {result.status}"
                return result
            delay = retry_after_seconds(result.headers.get("retry-after"))
            if delay is not None and delay > self.max_backoff:
                # waiting less than the server asked would be impolite; give up on this URL for now
                self.limiter.push_back(url, self.max_backoff)
                result.error = f"HTTP {result.status} (Retry-After {delay:.0f}s is over {self.max_backoff:.0f}s)"
                return result
            if delay is None:
                delay = self.backoff_base * 2 ** (attempt - 1) * (0.75 + random.random() / 2)
            delay = min(delay, self.max_backoff)
            if result.status in (429, 503):
                self.limiter.push_back(url, delay)
            log.info("retrying %s in %.1fs (attempt %d: %s)", url, delay, attempt, result.error or result.status)
            await asyncio.sleep(delay)

    async def _request(self, url: str, headers: dict[str, str], sink: _Sink | None) -> FetchResult:
        cap = sink.max_bytes if sink else self.max_bytes
        async with self.client.stream("GET", url, headers=headers, follow_redirects=False) as resp:
            hdrs = {k.lower(): v for k, v in resp.headers.items()}
            result = FetchResult(url=url, status=resp.status_code, headers=hdrs)
            if resp.status_code == 304:
                result.not_modified = True
                return result
            if resp.status_code != 200:
                return result
            declared = int(hdrs.get("content-length", "0") or 0) if hdrs.get("content-length", "").isdigit() else 0
            if declared > cap:
                raise TooLarge(f"too large ({declared} bytes > {cap})")
            inflater = BoundedInflater(hdrs.get("content-encoding", ""), cap)
            wire = 0
            with sink.open() if sink else _Memory() as out:
                async for part in resp.aiter_raw():
                    wire += len(part)
                    if wire > cap:
                        raise TooLarge(f"too large (over {cap} bytes)")
                    out.write(inflater.feed(part))
                out.write(inflater.flush())
                body = out.value()
        raw = RawDocument(url=url, content=body, content_type=hdrs.get("content-type", "application/octet-stream"),
                          fetched_at=utcnow(), status=200, etag=hdrs.get("etag"), last_modified=hdrs.get("last-modified"))
        result.raw = raw
        if sink:
            result.saved_to = sink.dest
        elif self.snapshots is not None:
            kept = [(k, v) for k, v in resp.headers.items() if k.lower() not in _WIRE_HEADERS]
            result.warc = self.snapshots.write(url, 200, kept, raw.content)
        return result


class _Memory:
    """Collects a page body in memory (it is capped)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def __enter__(self) -> _Memory:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def write(self, data: bytes) -> None:
        self._buf.extend(data)

    def value(self) -> bytes:
        return bytes(self._buf)


@dataclass
class _Sink:
    """A download's destination: written to ``dest.part``, moved onto ``dest`` only when complete."""

    dest: Path
    max_bytes: int
    deadline_s: float

    def open(self) -> _FileWriter:
        return _FileWriter(self.dest)


class _FileWriter:
    def __init__(self, dest: Path):
        self.dest = dest
        self.part = dest.with_name(dest.name + ".part")

    def __enter__(self) -> _FileWriter:
        self.dest.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.part, "wb")
        return self

    def __exit__(self, exc_type, *rest) -> None:
        self._fh.close()
        if exc_type is None:
            self.part.replace(self.dest)
        else:
            self.part.unlink(missing_ok=True)

    def write(self, data: bytes) -> None:
        self._fh.write(data)

    def value(self) -> bytes:
        return b""

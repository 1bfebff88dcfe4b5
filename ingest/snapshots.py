"""Raw snapshot store: every fetched response is kept in WARC files (warcio).

``eti index --rebuild`` re-extracts from here without the network, and a citation can be
traced to what the page said when it was fetched (file and offset are kept in the catalog).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from eti.core import RawDocument

log = logging.getLogger(__name__)


class SnapshotWriter:
    """Appends response records to one gzipped WARC file for one crawl of one source."""

    def __init__(self, root: Path, source_id: str):
        folder = root / source_id
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        self.path = folder / f"{stamp}.warc.gz"
        self._fh = open(self.path, "ab")
        self._writer = WARCWriter(self._fh, gzip=True)

    def write(self, url: str, status: int, headers: list[tuple[str, str]], body: bytes) -> str:
        """Store one response; return ``file:offset`` for the catalog."""
        offset = self._fh.tell()
        reason = "OK" if status == 200 else "Status"
        http_headers = StatusAndHeaders(f"{status} {reason}", headers, protocol="HTTP/1.1")
        record = self._writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http_headers)
        self._writer.write_record(record)
        self._fh.flush()
        return f"{self.path.name}:{offset}"

    def close(self) -> None:
        self._fh.close()


def iter_snapshots(root: Path, source_id: str) -> Iterator[RawDocument]:
    """The latest 200 response per URL for a source, oldest WARC files first, newest wins."""
    latest: dict[str, RawDocument] = {}
    for path in sorted((root / source_id).glob("*.warc.gz")):
        try:
            with open(path, "rb") as fh:
                for rec in ArchiveIterator(fh):
                    if rec.rec_type != "response" or rec.http_headers is None:
                        continue
                    status = int(rec.http_headers.get_statuscode() or 0)
                    url = rec.rec_headers.get_header("WARC-Target-URI")
                    if status != 200:
                        if status in (404, 410):
                            latest.pop(url, None)
                        continue
                    latest[url] = RawDocument(
                        url=url,
                        content=rec.content_stream().read(),
                        content_type=rec.http_headers.get_header("Content-Type") or "text/html",
                        fetched_at=rec.rec_headers.get_header("WARC-Date"),
                        etag=rec.http_headers.get_header("ETag"),
                        last_modified=rec.http_headers.get_header("Last-Modified"),
                    )
        except Exception as exc:  # a truncated WARC from a killed crawl: keep what was readable
            log.warning("snapshot %s is damaged after some records (%s); using the readable part", path, exc)
    yield from latest.values()


def read_snapshot(root: Path, source_id: str, ref: str) -> RawDocument | None:
    """The response stored at ``file:offset`` (as kept in the catalog), or None."""
    name, _, offset = ref.rpartition(":")
    path = root / source_id / name
    if not path.exists():
        return None
    with open(path, "rb") as fh:
        fh.seek(int(offset))
        for rec in ArchiveIterator(fh):
            return RawDocument(
                url=rec.rec_headers.get_header("WARC-Target-URI"),
                content=rec.content_stream().read(),
                content_type=rec.http_headers.get_header("Content-Type") or "text/html",
                fetched_at=rec.rec_headers.get_header("WARC-Date"),
            )
    return None

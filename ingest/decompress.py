"""Bounded, streaming decompression: a small gzip body cannot inflate past the size cap.

Used for ``Content-Encoding: gzip/deflate`` response bodies and for gzipped sitemaps, with the
same cap as any page. Output is produced at most ``limit + 1`` bytes at a time (zlib's
``max_length``), so a gzip bomb is refused after inflating just past the cap, never in full.
"""

from __future__ import annotations

import zlib


class TooLarge(Exception):
    """A body (or what it inflates to) is over the size cap."""


class Undecodable(Exception):
    """A body says it is compressed but is not (or uses an encoding we do not accept)."""


_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
ACCEPT_ENCODING = "gzip, deflate"  # what we can inflate within the cap (not br or zstd)


class BoundedInflater:
    """Feed compressed pieces in, get inflated pieces out; raises TooLarge past ``limit`` bytes."""

    def __init__(self, encoding: str, limit: int):
        encoding = (encoding or "identity").strip().lower()
        if encoding not in (*_WBITS, "identity"):
            raise Undecodable(f"unsupported content-encoding {encoding!r}")
        self.encoding = encoding
        self.limit = limit
        self.total = 0
        self._d = zlib.decompressobj(_WBITS[encoding]) if encoding in _WBITS else None
        self._started = False

    def _count(self, piece: bytes) -> bytes:
        self.total += len(piece)
        if self.total > self.limit:
            what = "inflates to" if self._d is not None else "is"
            raise TooLarge(f"too large ({what} over {self.limit} bytes)")
        return piece

    def feed(self, data: bytes) -> bytes:
        if self._d is None:
            return self._count(data)
        out = bytearray()
        while data:
            try:
                piece = self._d.decompress(data, self.limit - self.total + 1)
            except zlib.error as exc:
                if self.encoding == "deflate" and not self._started:  # raw deflate without a zlib header
                    self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._started = True
                    continue
                raise Undecodable(f"broken {self.encoding} body: {exc}") from exc
            self._started = True
            out += self._count(piece)
            if self._d.eof:
                data = self._d.unused_data
                if not data.startswith(b"\x1f\x8b"):
                    break  # trailing garbage after the last member is ignored, as gzip does
                self._d = zlib.decompressobj(_WBITS["gzip"])  # the next gzip member
            else:
                data = self._d.unconsumed_tail
        return bytes(out)

    def flush(self) -> bytes:
        return self._count(self._d.flush()) if self._d is not None else b""


def inflate(data: bytes, limit: int, encoding: str = "gzip") -> bytes:
    """All of ``data`` inflated, or TooLarge as soon as the output passes ``limit``."""
    inflater = BoundedInflater(encoding, limit)
    return inflater.feed(data) + inflater.flush()

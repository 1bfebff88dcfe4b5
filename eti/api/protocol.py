"""uvicorn's httptools protocol with two limits it lacks: a cap on request-header bytes (431) and a
deadline for reading each request, headers and body (408), so slow or silent clients are cut off
instead of holding connections open forever.

The deadline starts with a request's first byte (with the connection, for the first request) and
ends when the request is fully read; between requests uvicorn's keep-alive timeout applies.
Limits come from the uvicorn Config (``ServerConfig``, see ``eti.api.serve``).
"""

from __future__ import annotations

import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def _raw_problem(status: int, reason: str, title: str) -> bytes:
    body = json.dumps({"type": "about:blank", "title": title, "status": status}).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode()
    return head + body


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, config, server_state, app_state, _loop=None):
        super().__init__(config, server_state, app_state, _loop)
        self.max_header_bytes: int = getattr(config, "max_header_bytes", 16_384)
        self.read_timeout_s: float = getattr(config, "read_timeout_s", 10.0)
        self._in_headers = True
        self._header_bytes = 0
        self._deadline = None

    # the deadline
    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.read_timeout_s, self._timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _timed_out(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        self.logger.info("request not read within %.0f s: closing the connection", self.read_timeout_s)
        self._refuse(408, "Request Timeout", "Request not received in time")

    def _refuse(self, status: int, reason: str, title: str) -> None:
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.transport.write(_raw_problem(status, reason, title))
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True  # the app's receive() sees a disconnect; its sends go nowhere
            cycle.message_event.set()
        self._disarm()
        self.transport.close()

    # protocol events
    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()  # a connection that never sends a request is cut off too

    def connection_lost(self, exc) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_headers:
            self._arm()
            self._header_bytes += len(data)
            if self._header_bytes > self.max_header_bytes:
                self.logger.info("request headers over %d bytes: refused", self.max_header_bytes)
                self._refuse(431, "Request Header Fields Too Large", "Request header fields too large")
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_headers = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_headers, self._header_bytes = True, 0  # what follows is the next request's headers
        super().on_message_complete()

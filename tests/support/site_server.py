"""A real HTTP server on loopback that serves one fixture site (test support, not product code).

- serves files from a folder, replacing ``{{BASE}}`` with the server's origin;
- answers conditional GETs (ETag and Last-Modified) with 304;
- logs every request (path, headers, monotonic time) so tests can check politeness;
- ``script[path]`` queues canned responses (status, headers, body) served before the file,
  for 503/429 retries; ``/huge.html``, ``/slow.html``, ``/redirect-out`` and ``/redirect-in``
  are generated.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Logged:
    path: str
    headers: dict[str, str]
    at: float
    status: int = 0


@dataclass
class SiteServer:
    root: Path
    huge_bytes: int = 3_000_000
    slow_seconds: float = 3.0
    other_origin: str = "http://127.0.0.2:9"
    log: list[Logged] = field(default_factory=list)
    script: dict[str, list[tuple[int, dict[str, str], bytes]]] = field(default_factory=dict)

    def start(self) -> SiteServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:  # noqa: N802
                entry = Logged(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                server.log.append(entry)
                status, headers, body = server.respond(self.path, entry.headers)
                entry.status = status
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        # a short poll interval lets stop() return at once instead of after up to 0.5 s
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def requests_for(self, path: str) -> list[Logged]:
        return [e for e in self.log if e.path.split("?")[0] == path]

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        path = path.split("?")[0]
        if queued := self.script.get(path):
            return queued.pop(0)
        if path == "/huge.html":
            body = b"<html><body><main><p>" + b"stor side " * (self.huge_bytes // 10) + b"</p></main></body></html>"
            return 200, {"Content-Type": "text/html; charset=utf-8"}, body
        if path == "/slow.html":
            time.sleep(self.slow_seconds)
            return 200, {"Content-Type": "text/html"}, b"<html><body><p>sakte</p></body></html>"
        if path == "/redirect-out":
            return 302, {"Location": f"{self.other_origin}/"}, b""
        if path == "/redirect-in":
            return 301, {"Location": "/index.html"}, b""
        if path.endswith("/"):
            path += "index.html"
        file = (self.root / path.lstrip("/")).resolve()
        if not file.is_relative_to(self.root.resolve()) or not file.is_file():
            return 404, {"Content-Type": "text/html"}, b"<html><body><h1>Fant ikke siden</h1></body></html>"
        body = file.read_bytes().replace(b"{{BASE}}", self.base.encode())
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        mtime = file.stat().st_mtime
        last_modified = formatdate(mtime, usegmt=True)
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag, "Last-Modified": last_modified}, b""
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("xml"):
            ctype += "; charset=utf-8"
        return 200, {"Content-Type": ctype, "ETag": etag, "Last-Modified": last_modified}, body

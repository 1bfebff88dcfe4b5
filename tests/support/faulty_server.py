"""A misbehaving web site on loopback, for the crawler fault suite (test support, not product code).

Every way a public site can go wrong, each at its own path, all linked from ``/index.html``:

    /side/1.html .. /side/3.html   ordinary pages (``good_pages_fail = True`` makes them 503 forever)
    /trickle.html                  headers, then one byte every ``trickle_every_s`` (never ends)
    /stall.html                    headers, then nothing (a read timeout)
    /flaky-500.html, /flaky-503.html  the first request fails, the next one works
    /busy-429.html                 429 with Retry-After: 1, then the page
    /loop-a -> /loop-b -> /loop-a  an HTTP redirect loop
    /meta-a.html <-> /meta-b.html  a meta-refresh loop
    /big.html, /big-chunked.html   50 MB, with and without Content-Length
    /bomb.html                     Content-Encoding: gzip, 2.1 MB that inflate to 2 GiB (chunked)
    /latin1-header.html, /latin1-meta.html   valid ISO-8859-1, declared in the header or in <meta>
    /wrong-charset.html            ISO-8859-1 bytes whose header says UTF-8
    /unknown-charset.html          UTF-8 bytes whose header names a charset that does not exist
    /labyrint/<n>                  an endless maze: every room links to three new rooms
    /privat/...                    disallowed by robots.txt (and linked)
    /sitemap.xml                   a sitemap index: /sitemap-sider.xml and the gzip bomb /sitemap-bomb.xml.gz
    /stort-kart.xml                (not linked) a sitemap of ``big_sitemap_urls`` URLs

Every request is logged (path, headers, monotonic time, status) like the fixture SiteServer's.
"""

from __future__ import annotations

import struct
import threading
import time
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from support.site_server import Logged

MIB = 1 << 20
BIG_BYTES = 50 * MIB
FAULT_PAGES = ["trickle.html", "stall.html", "flaky-500.html", "flaky-503.html", "busy-429.html", "loop-a",
               "meta-a.html", "big.html", "big-chunked.html", "bomb.html", "latin1-header.html",
               "latin1-meta.html", "wrong-charset.html", "unknown-charset.html"]
GOOD_PAGES = ["side/1.html", "side/2.html", "side/3.html"]
CHARSET_PAGES = ["latin1-header.html", "latin1-meta.html", "wrong-charset.html", "unknown-charset.html"]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:  # a crawler hanging up is the point here
        pass


@lru_cache(maxsize=1)
def gzip_bomb(gib: int = 2) -> bytes:
    """A valid gzip file of ``gib`` GiB of zero bytes, about 1 KB per MiB (built from one flushed block)."""
    block = bytes(MIB)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    repeat = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)  # the same bytes for every further MiB
    n = gib * 1024
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + first + repeat * (n - 1) + c.flush() + struct.pack("<II", crc, (n * MIB) & 0xFFFFFFFF)


def _page(title: str, body: str, head: str = "") -> str:
    return (f"<!DOCTYPE html><html lang='no'><head><meta charset='utf-8'>{head}<title>{title}</title></head>"
            f"<body><main><h1>{title}</h1>{body}</main></body></html>")


# each charset page its own service, so that none is a near-duplicate of another
CHARSET_SERVICES = {"latin1-header.html": "avlastning", "latin1-meta.html": "omsorgsstønad",
                    "wrong-charset.html": "støttekontakt", "unknown-charset.html": "brukerstyrt personlig assistanse"}


def _soknad(page: str, head: str = "<meta charset='utf-8'>") -> str:
    service = CHARSET_SERVICES[page]
    html = _page(f"Søknad om {service}", f"<p>Søknad om {service} sendes til kommunen. Kommunen vurderer "
                 f"behovet for {service} og svarer skriftlig.</p>")
    return html.replace("<meta charset='utf-8'>", head)


@dataclass
class FaultyServer:
    trickle_every_s: float = 0.4
    big_sitemap_urls: int = 100_000
    good_pages_fail: bool = False
    log: list[Logged] = field(default_factory=list)
    _failed_once: set[str] = field(default_factory=set)

    def start(self) -> FaultyServer:
        owner = self
        self._stop = threading.Event()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                entry = Logged(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                owner.log.append(entry)
                try:
                    owner.serve(self, entry)
                except (BrokenPipeError, ConnectionResetError, TimeoutError):
                    pass  # the crawler hung up, as it should

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def base(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def requests_for(self, path: str) -> list[Logged]:
        return [e for e in self.log if e.path.split("?")[0] == path]

    # ------------------------------------------------------------------ responses
    def _send(self, h: BaseHTTPRequestHandler, entry: Logged, status: int, body: bytes,
              ctype: str = "text/html; charset=utf-8", headers: dict[str, str] | None = None) -> None:
        entry.status = status
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    def _chunked(self, h: BaseHTTPRequestHandler, entry: Logged, pieces, headers: dict[str, str]) -> None:
        entry.status = 200
        h.send_response(200)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        for piece in pieces:
            if self._stop.is_set():
                return
            h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        h.wfile.write(b"0\r\n\r\n")

    def serve(self, h: BaseHTTPRequestHandler, entry: Logged) -> None:  # noqa: C901 (one route per fault)
        path = entry.path.split("?")[0]
        base = self.base
        if path == "/robots.txt":
            return self._send(h, entry, 200, f"User-agent: *\nDisallow: /privat/\nSitemap: {base}/sitemap.xml\n"
                              .encode(), "text/plain; charset=utf-8")
        if path in ("/", "/index.html"):
            links = "".join(f"<li><a href='/{p}'>{p}</a></li>" for p in [*GOOD_PAGES, *FAULT_PAGES])
            body = (f"<p>Denne nettsiden oppfører seg dårlig med vilje.</p><ul>{links}"
                    "<li><a href='/labyrint/0'>Labyrinten</a></li><li><a href='/privat/hemmelig.html'>Privat</a></li>"
                    "</ul>")
            return self._send(h, entry, 200, _page("Feilsiden", body).encode())
        if path.startswith("/side/"):
            n = path.removeprefix("/side/").removesuffix(".html")
            if self.good_pages_fail:
                return self._send(h, entry, 503, b"opptatt")
            text = {"1": "Omsorgsstønad kan gis til den som har særlig tyngende omsorgsarbeid.",
                    "2": "Avlastning gir den som har omsorgen, fri fra omsorgsarbeidet i perioder.",
                    "3": "Brukerstyrt personlig assistanse er en måte å organisere praktisk bistand på."}.get(n, "Tom side.")
            return self._send(h, entry, 200, _page(f"Side {n}", f"<p>{text}</p>").encode())
        if path == "/sitemap.xml":
            xml = (f"<?xml version='1.0' encoding='UTF-8'?><sitemapindex xmlns='http://www.sitemaps.org/schemas/"
                   f"sitemap/0.9'><sitemap><loc>{base}/sitemap-sider.xml</loc></sitemap>"
                   f"<sitemap><loc>{base}/sitemap-bomb.xml.gz</loc></sitemap></sitemapindex>")
            return self._send(h, entry, 200, xml.encode(), "application/xml")
        if path == "/sitemap-sider.xml":
            urls = "".join(f"<url><loc>{base}/{p}</loc></url>" for p in GOOD_PAGES)
            xml = f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
            return self._send(h, entry, 200, xml.encode(), "application/xml")
        if path == "/sitemap-bomb.xml.gz":
            return self._send(h, entry, 200, gzip_bomb(), "application/gzip")
        if path == "/stort-kart.xml":
            urls = "".join(f"<url><loc>{base}/labyrint/{i}</loc></url>" for i in range(self.big_sitemap_urls))
            xml = f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
            return self._send(h, entry, 200, xml.encode(), "application/xml")
        if path == "/trickle.html":
            entry.status = 200
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", "100000")
            h.end_headers()
            for byte in _page("Sakte", "<p>" + "sakte " * 20_000 + "</p>").encode()[:100_000]:
                if self._stop.wait(self.trickle_every_s):
                    return
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
            return None
        if path == "/stall.html":
            entry.status = 200
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", "1000")
            h.end_headers()
            h.wfile.flush()
            self._stop.wait(30)
            return None
        if path in ("/flaky-500.html", "/flaky-503.html", "/busy-429.html"):
            if path not in self._failed_once:
                self._failed_once.add(path)
                status = int(path[7:10]) if path.startswith("/flaky") else 429
                extra = {"Retry-After": "1"} if status == 429 else {}
                return self._send(h, entry, status, b"feil", headers=extra)
            return self._send(h, entry, 200, _page("Kom tilbake", f"<p>Siden {path} svarte på andre forsøk "
                                                   f"etter svaret {path[7:10]}.</p>").encode())
        if path in ("/loop-a", "/loop-b"):
            return self._send(h, entry, 302, b"", headers={"Location": "/loop-b" if path == "/loop-a" else "/loop-a"})
        if path in ("/meta-a.html", "/meta-b.html"):
            other = "/meta-b.html" if path == "/meta-a.html" else "/meta-a.html"
            head = f"<meta http-equiv='refresh' content='0; url={other}'>"
            return self._send(h, entry, 200, _page("Videresendes", "<p>Du blir sendt videre.</p>", head).encode())
        if path == "/big.html":
            entry.status = 200
            h.send_response(200)
            h.send_header("Content-Type", "text/html; charset=utf-8")
            h.send_header("Content-Length", str(BIG_BYTES))
            h.end_headers()
            piece = b"stor side " * 6554
            for _ in range(BIG_BYTES // len(piece)):
                if self._stop.is_set():
                    return None
                h.wfile.write(piece)
            return None
        if path == "/big-chunked.html":
            piece = b"stor side " * 6554
            return self._chunked(h, entry, (piece for _ in range(BIG_BYTES // len(piece))),
                                 {"Content-Type": "text/html; charset=utf-8"})
        if path == "/bomb.html":
            bomb = gzip_bomb()
            return self._chunked(h, entry, (bomb[i : i + 65536] for i in range(0, len(bomb), 65536)),
                                 {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})
        if path == "/latin1-header.html":
            return self._send(h, entry, 200, _soknad(path[1:], "").encode("iso-8859-1"),
                              "text/html; charset=ISO-8859-1")
        if path == "/latin1-meta.html":
            return self._send(h, entry, 200, _soknad(path[1:], "<meta charset='iso-8859-1'>").encode("iso-8859-1"),
                              "text/html")
        if path == "/wrong-charset.html":
            return self._send(h, entry, 200, _soknad(path[1:], "").encode("iso-8859-1"), "text/html; charset=utf-8")
        if path == "/unknown-charset.html":
            return self._send(h, entry, 200, _soknad(path[1:], "").encode("utf-8"),
                              "text/html; charset=x-ukjent-tegnsett")
        if path.startswith("/labyrint/"):
            try:
                n = int(path.removeprefix("/labyrint/"))
            except ValueError:
                n = 0
            links = "".join(f"<a href='/labyrint/{3 * n + k}'>Dør {k}</a> " for k in (1, 2, 3))
            body = f"<p>Rom {n} i labyrinten har tre dører videre, og ingen av dem fører ut igjen.</p><p>{links}</p>"
            return self._send(h, entry, 200, _page(f"Rom {n}", body).encode())
        return self._send(h, entry, 404, b"<html><body><h1>Fant ikke siden</h1></body></html>")

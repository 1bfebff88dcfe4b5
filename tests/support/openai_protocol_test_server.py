"""FOR TESTS ONLY: a tiny OpenAI-compatible chat server on loopback, with scripted replies.

This is test support, not product code and not a model: it speaks just enough of the OpenAI
protocol (``POST /v1/chat/completions``, non-streaming JSON) for ETI's LLM mode to be exercised
end to end through langchain-openai over real HTTP. Each test sets ``server.handler`` to a
function that gets the parsed request body and returns a :class:`Reply` (the assistant's text,
an HTTP status, or a delay longer than the client's timeout). Every request is recorded in
``server.requests`` so tests can check what ETI sent (system prompt, sources, redacted question).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_SOURCE = re.compile(r'<source n="(\d+)"[^\n]*\n(.*?)\n</source>', re.S)  # sections contain " > "


@dataclass
class Reply:
    content: str = ""
    status: int = 200
    delay_s: float = 0.0  # sleep before answering (longer than the client's timeout = a timeout)


@dataclass
class Recorded:
    path: str
    body: dict
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names

    @property
    def messages(self) -> list[dict]:
        return self.body.get("messages", [])

    def text(self, role: str) -> str:
        return "\n".join(str(m.get("content", "")) for m in self.messages if m.get("role") == role)

    @property
    def is_answer_call(self) -> bool:
        """The answer call has a system prompt; the follow-up rewrite call is one user message."""
        return any(m.get("role") == "system" for m in self.messages)

    def sources(self) -> dict[int, str]:
        """The numbered <source n=..> blocks in the user message: {n: text}."""
        return {int(n): text for n, text in _SOURCE.findall(self.text("user"))}


def sentences(text: str) -> list[str]:
    """Whole sentences of a source block that are long enough to quote."""
    parts = re.split(r"(?<=[.!])\s+", text)
    return [p.strip() for p in parts if len(p.strip()) >= 30 and p.strip().endswith(".") and "?" not in p]


@dataclass
class OpenAIProtocolTestServer:
    """Test double of an OpenAI-compatible endpoint (``base_url`` ends in /v1). Not for production."""

    handler: Callable[[Recorded], Reply] = field(default=lambda req: Reply("OK"))
    requests: list[Recorded] = field(default_factory=list)
    errors: list[Exception] = field(default_factory=list)  # exceptions raised by the scripted handler
    host: str = "127.0.0.1"

    def start(self) -> OpenAIProtocolTestServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                    pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": f"unknown path {self.path}", "type": "not_found"}})
                    return
                req = Recorded(self.path, json.loads(raw or b"{}"), {k.lower(): v for k, v in self.headers.items()})
                owner.requests.append(req)
                try:
                    reply = owner.handler(req)
                except Exception as exc:  # a broken script shows up as a 500 the test can see  # noqa: BLE001
                    owner.errors.append(exc)
                    reply = Reply(f"test handler failed: {exc!r}", status=500)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                if reply.status != 200:
                    self._send(reply.status, {"error": {"message": reply.content or "scripted failure",
                                                        "type": "server_error", "code": None, "param": None}})
                    return
                self._send(200, {
                    "id": f"chatcmpl-test-{len(owner.requests)}", "object": "chat.completion",
                    "created": int(time.time()), "model": req.body.get("model", "test"),
                    "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                                 "message": {"role": "assistant", "content": reply.content}}],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})

        self._httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self._httpd.server_address[1]}/v1"

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

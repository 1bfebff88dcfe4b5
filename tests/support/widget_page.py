"""Driving the ETI widget in a real Chromium (Playwright for Python): pages, shadow-DOM helpers, axe-core.

Used by the browser tests under tests/web (their fixtures are in tests/web/conftest.py). Playwright CSS
selectors pierce the widget's open shadow root, so `w(page, ".answer")` finds elements inside it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import expect

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "eti" / "web" / "static"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
TIMEOUT_MS = 60_000
W = "#eti-widget"  # the widget's shadow host


class Tab:
    """A page plus what it did: JS dialogs, page errors and every request URL."""

    def __init__(self, context, base: str):
        self.context = context
        self.base = base
        self.page = context.new_page()
        self.page.set_default_timeout(30_000)
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def _dialog(self, d):
        self.dialogs.append(d.message)
        d.dismiss()

    def third_party(self) -> list[str]:
        origin = urlsplit(self.base)[:2]
        return [u for u in self.requests if not u.startswith(("data:", "about:", "blob:")) and urlsplit(u)[:2] != origin]


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def w(page, selector: str):
    return page.locator(W).locator(selector)


def open_demo(tab: Tab, path: str = "/"):
    tab.page.goto(tab.base + path)
    expect(w(tab.page, ".launcher")).to_be_visible()
    return tab.page


def open_widget(page) -> None:
    w(page, ".launcher").click()
    expect(w(page, "[role=dialog]")).to_be_visible()


def shadow_eval(page, body: str):
    """Evaluate `body` (an expression using `root`, the widget's shadow root) in the page."""
    return page.evaluate(f"() => {{ const root = document.getElementById('eti-widget').shadowRoot; return ({body}); }}")


def done_count(page) -> int:
    return shadow_eval(page, "root.querySelectorAll('.msg.bot[aria-busy=\"false\"]').length")


def wait_answer(page, n: int) -> None:
    """Wait until n answers are complete (or an error box shows up, which fails the test)."""
    page.wait_for_function(
        """n => { const r = document.getElementById('eti-widget').shadowRoot;
                   return r.querySelectorAll('.msg.bot[aria-busy="false"]').length >= n || r.querySelector('.err'); }""",
        arg=n, timeout=TIMEOUT_MS)
    errors = w(page, ".log .err")
    assert errors.count() == 0, f"the widget showed an error: {errors.first.inner_text()}"


def ask(page, question: str) -> dict:
    """Type a question, send it with Enter, wait for the full answer; returns the request body."""
    n = done_count(page)
    box = w(page, "textarea#eti-input")
    box.fill(question)
    with page.expect_request(lambda r: r.url.endswith("/v1/ask") and r.method == "POST") as req:
        box.press("Enter")
    wait_answer(page, n + 1)
    return req.value.post_data_json


def last_bot(page):
    return w(page, ".msg.bot").last


def conversation_id(page) -> str | None:
    return shadow_eval(page, "root.querySelector('.eti').dataset.conversationId || null")


def focused_in_widget(page) -> str:
    """tag.class of the element focused inside the widget ('' when focus is elsewhere)."""
    return page.evaluate("""() => { const h = document.getElementById('eti-widget');
        if (document.activeElement !== h) return '';
        const a = h.shadowRoot.activeElement; return a ? a.tagName.toLowerCase() + '.' + a.className : ''; }""")


def sse(*events: tuple[str, dict]) -> str:
    return "".join(f"event: {ev}\r\ndata: {json.dumps(data, ensure_ascii=False)}\r\n\r\n" for ev, data in events)


def canned_stream(answer: str, status: str = "answered", citations=None, cid: str = "test-conv", **extra) -> str:
    """An /v1/ask SSE body as the API streams it: citations, the answer in pieces, done (with `extra` fields)."""
    citations = citations or []
    head = {"citations": citations, "conversation_id": cid, "status": status, "language": "nb"}
    chunks = [answer[i:i + 12] for i in range(0, len(answer), 12)]
    full = {"answer": answer, "status": status, "citations": citations, "conversation_id": cid, "language": "nb",
            **extra}
    return sse(("citations", head), *[("delta", {"text": c}) for c in chunks], ("done", full))


def run_axe(page) -> list[dict]:
    ensure_axe()
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # evaluated through DevTools, so the page's Content-Security-Policy (script-src 'self') stays on
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.map(n => n.target.join(' > ')).slice(0, 5)}));
    }""")


def ensure_axe() -> None:
    """axe-core comes from npm (package-lock.json): installed here when missing, a failure otherwise."""
    if AXE.exists():
        return
    npm = shutil.which("npm")
    assert npm, "axe-core is missing and npm is not installed: run `npm ci` in the repository root"
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0 and AXE.exists(), f"`npm ci` failed: {done.stderr[-2000:]}"


def serious_axe(page) -> list[dict]:
    """The serious and critical axe-core violations on the page."""
    return [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]


def assert_axe_clean(page) -> None:
    """No serious or critical axe-core violations."""
    problems = serious_axe(page)
    assert problems == [], problems

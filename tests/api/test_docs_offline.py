"""/docs and /redoc render in a real Chromium with every request to another host blocked: the API
documentation ships with ETI (no CDN, no fonts from elsewhere) and keeps to its own CSP."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")]
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    pw = sync_api.sync_playwright().start()
    b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def offline_page(browser, live_api):
    """A page that may only reach the API's own host; what it tried elsewhere, and what broke."""
    context = browser.new_context()
    own = urlsplit(live_api)[:2]
    seen = {"blocked": [], "errors": [], "console": []}

    def gate(route):
        url = route.request.url
        if url.startswith(("data:", "blob:", "about:")) or urlsplit(url)[:2] == own:
            route.continue_()
        else:
            seen["blocked"].append(url)
            route.abort()

    context.route("**/*", gate)
    page = context.new_page()
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    page.on("console", lambda m: seen["console"].append(m.text) if m.type == "error" else None)
    yield page, seen
    context.close()


def test_swagger_ui_renders_from_local_assets_only(offline_page, live_api):
    page, seen = offline_page
    page.goto(f"{live_api}/docs")
    page.locator(".opblock-summary-path", has_text="/v1/ask").first.wait_for(timeout=30_000)
    assert page.locator(".opblock").count() >= 8  # every operation is listed
    page.locator(".opblock-summary-path", has_text="/v1/ask").first.click()
    page.locator("tr.response[data-code='429']").first.wait_for(timeout=10_000)  # the documented errors
    assert seen["blocked"] == [] and seen["errors"] == []
    assert not [m for m in seen["console"] if "Content Security Policy" in m]


def test_redoc_renders_from_local_assets_only(offline_page, live_api):
    page, seen = offline_page
    page.goto(f"{live_api}/redoc")
    page.get_by_text("/v1/search").first.wait_for(timeout=30_000)
    assert page.locator("h1", has_text="ETI API").count() == 1
    assert seen["blocked"] == [] and seen["errors"] == []
    # ReDoc's footer asks for Redocly's logo from its CDN; the page's CSP refuses it before any request
    refused = [m for m in seen["console"] if "Content Security Policy" in m]
    assert all("img-src" in m and "redoc" in m for m in refused), refused

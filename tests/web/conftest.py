"""Browser fixtures: one Chromium per module, a desktop tab and a 390x844 phone tab on the session API."""

from __future__ import annotations

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

from support.widget_page import ARGS, CHROMIUM, Tab  # noqa: E402


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium")
    pw = sync_api.sync_playwright().start()
    b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    yield b
    b.close()
    pw.stop()


@pytest.fixture
def base(live_api) -> str:
    return str(live_api).rstrip("/")


@pytest.fixture
def tab(browser, base):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nb-NO")
    t = Tab(ctx, base)
    yield t
    ctx.close()


@pytest.fixture
def mobile_tab(browser, base):
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                              has_touch=True, locale="nb-NO")
    t = Tab(ctx, base)
    yield t
    ctx.close()

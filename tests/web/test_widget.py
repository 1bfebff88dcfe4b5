"""Browser tests for the ETI chat widget (eti/web/static/widget.js).

Playwright for Python drives Debian's Chromium (/usr/bin/chromium; `playwright install` is never
used) against the real API from the `live_api` fixture, which serves `/` (demo.html), `/chat`,
`/widget.js`, `/kommuner.json`, `/v1/ask` and `/v1/feedback`. A few widget-only behaviours that
need a particular API reply (emergency status, 429, hostile model text) use `page.route` to
answer `/v1/ask` with a canned response instead.

Screenshots go to test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import json
import re

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

from support.widget_page import (  # noqa: E402
    CHROMIUM,
    STATIC,
    ask,
    assert_axe_clean,
    canned_stream,
    conversation_id,
    focused_in_widget,
    last_bot,
    open_demo,
    open_widget,
    run_axe,
    shadow_eval,
    shot,
    w,
    wait_answer,
)

SECTOR_LABELS = {"Helse", "NAV", "Skole og barnehage", "Kommunen", "Lov og rettigheter"}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]
expect = sync_api.expect


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def make_fnr(birth: str = "010190") -> str:
    """A fødselsnummer with valid mod-11 control digits (synthetic, not a real person's)."""
    for ind in range(123, 1000):
        d = [int(c) for c in f"{birth}{ind:03d}"]
        k1 = 11 - sum(a * b for a, b in zip([3, 7, 6, 1, 8, 9, 4, 5, 2], d, strict=True)) % 11
        k1 = 0 if k1 == 11 else k1
        if k1 == 10:
            continue
        d.append(k1)
        k2 = 11 - sum(a * b for a, b in zip([5, 4, 3, 2, 7, 6, 5, 4, 3, 2], d, strict=True)) % 11
        k2 = 0 if k2 == 11 else k2
        if k2 == 10:
            continue
        return "".join(map(str, d + [k2]))
    raise AssertionError("no valid number")


# --------------------------------------------------------------------------------------------
# static files
# --------------------------------------------------------------------------------------------

def test_kommuner_json_is_the_2024_list():
    rows = json.loads((STATIC / "kommuner.json").read_text(encoding="utf-8"))
    assert len(rows) == 357
    by_nr = {r["nummer"]: r["navn"] for r in rows}
    assert len(by_nr) == 357 and all(re.fullmatch(r"\d{4}", nr) for nr in by_nr)
    assert len({r["navn"] for r in rows}) == 357, "names must be unique for the picker"
    for nr, navn in {"0301": "Oslo", "4601": "Bergen", "1577": "Volda", "5001": "Trondheim", "1103": "Stavanger",
                     "4207": "Flekkefjord", "1508": "Ålesund", "1580": "Haram", "3205": "Lillestrøm",
                     "5501": "Tromsø", "5601": "Alta", "3901": "Horten", "4001": "Porsgrunn"}.items():
        assert by_nr[nr] == navn
    for gone in ("1507", "3001", "3801", "5401", "5444", "1201"):  # merged or renumbered before 2024
        assert gone not in by_nr


def test_widget_source_never_uses_innerhtml():
    src = (STATIC / "widget.js").read_text(encoding="utf-8")
    for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "eval(", "new Function", "localStorage",
                   "sessionStorage", "document.cookie"):
        assert banned not in src, banned
    assert "attachShadow({ mode: 'open' })" in src


# --------------------------------------------------------------------------------------------
# the page's security policy
# --------------------------------------------------------------------------------------------

def test_pages_have_no_inline_event_handlers():
    """The demo and /chat are served with `script-src 'self'`: an onclick="..." would simply not run."""
    for name in ("demo.html", "chat.html"):
        html = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"<[^>]*\son[a-z]+\s*=", html), name
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), name  # no inline scripts either


def test_widget_runs_under_the_pages_content_security_policy(tab):
    refused: list[str] = []
    tab.page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page = tab.page
    resp = page.goto(tab.base + "/")
    assert "script-src 'self'" in resp.headers["content-security-policy"]
    page.locator("button[data-eti-open]").click()  # the page's own button opens the widget, no inline handler
    expect(w(page, "[role=dialog]")).to_be_visible()
    expect(w(page, ".log .ai")).to_be_visible()
    ask(page, "Hva er pleiepenger?")
    page.goto(tab.base + "/chat")
    expect(w(page, ".log .ai")).to_be_visible()
    ask(page, "Hva gjør en barnekoordinator?")
    assert refused == [] and tab.errors == []
    assert tab.third_party() == []


# --------------------------------------------------------------------------------------------
# the main flow on the demo page
# --------------------------------------------------------------------------------------------

def test_demo_page_ask_streamed_answer_with_citations(tab):
    page = open_demo(tab)
    launcher = w(page, ".launcher")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(w(page, "#eti-panel")).to_be_hidden()
    # the widget brings no styles into the page and the page's serif font does not leak into the widget
    assert page.evaluate("document.querySelectorAll('style, link[rel=stylesheet]').length") == 1
    open_widget(page)
    expect(launcher).to_have_attribute("aria-expanded", "true")
    dialog = w(page, "[role=dialog]")
    expect(dialog).to_have_attribute("aria-label", re.compile("ETI"))
    assert shadow_eval(page, "root.activeElement && root.activeElement.id") == "eti-input"
    font = shadow_eval(page, "getComputedStyle(root.querySelector('.log')).fontFamily")
    assert "Georgia" not in font
    expect(w(page, "input.muni")).to_have_value("Flekkefjord")
    expect(w(page, ".starter")).to_have_count(4)
    expect(w(page, "[aria-live=polite]")).to_have_count(1)

    with page.expect_response(lambda r: r.url.endswith("/v1/ask")) as resp_info:
        with page.expect_request(lambda r: r.url.endswith("/v1/ask")) as req_info:
            w(page, ".starter").filter(has_text="Hva er pleiepenger?").click()
    body = req_info.value.post_data_json
    assert body["question"] == "Hva er pleiepenger?"
    assert body["stream"] is True and body["language"] == "nb" and body["municipality"] == "4207"
    assert "conversation_id" not in body
    assert "text/event-stream" in resp_info.value.headers.get("content-type", "")
    wait_answer(page, 1)

    bot = last_bot(page)
    answer = bot.locator(".answer")
    assert len(answer.inner_text().strip()) > 40
    assert "pleiepenger" in answer.inner_text().lower()
    cites = bot.locator(".answer button.cite")
    assert cites.count() >= 1
    badges = bot.locator(".sources summary .badge")
    assert badges.count() >= 1
    assert set(badges.all_inner_texts()) <= SECTOR_LABELS
    expect(bot.locator(".sources summary")).to_contain_text("Kilder")
    assert conversation_id(page)
    shot(page, "widget-desktop.png")
    assert not tab.errors and not tab.dialogs
    assert tab.third_party() == []
    # nothing is stored in the browser
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert page.evaluate("document.cookie") == ""


def test_citation_marker_opens_and_highlights_its_source_card(tab):
    page = open_demo(tab)
    open_widget(page)
    ask(page, "Hva er pleiepenger?")
    bot = last_bot(page)
    details = bot.locator("details.sources")
    assert details.evaluate("d => d.open") is False
    cite = bot.locator(".answer button.cite").first
    n = cite.get_attribute("data-n")
    expect(cite).to_have_attribute("aria-label", re.compile(r"^Kilde \d+: .+"))
    cite.click()
    assert details.evaluate("d => d.open") is True
    card = bot.locator(f".card[data-n='{n}']")
    expect(card).to_be_visible()
    expect(card).to_be_in_viewport()
    expect(card).to_have_class(re.compile(r"\bhl\b"))
    assert shadow_eval(page, "root.activeElement && root.activeElement.dataset.n") == n
    # the card: sector badge group, title, site and a safe external link (an ETI card's is its official page)
    expect(card.locator(".t")).not_to_be_empty()
    expect(card.locator(".site")).not_to_be_empty()
    link = card.locator("a.open")
    assert re.match(r"^https?://", link.get_attribute("href"))
    assert link.get_attribute("target") == "_blank"
    assert set(link.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    group_badge = bot.locator(f".group:has(.card[data-n='{n}']) h4 .badge")
    assert group_badge.inner_text() in SECTOR_LABELS
    for upd in bot.locator(".card .upd").all():
        assert upd.inner_text().startswith("Sist oppdatert ")
    # every link the answer renders is http(s) and opens safely
    for a in bot.locator("a").all():
        assert re.match(r"^https?://", a.get_attribute("href") or "")
        assert "noopener" in (a.get_attribute("rel") or "")


def test_feedback_thumbs_down_with_comment_is_stored(tab, feedback_rows):
    page = open_demo(tab)
    open_widget(page)
    ask(page, "Hva er pleiepenger?")
    bot = last_bot(page)
    down = bot.locator(".fb .thumb.down")
    expect(down).to_have_attribute("aria-label", "Nei, ikke nyttig")
    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    comment = "Mangler informasjon om søknadsfrister"
    bot.locator(".fb textarea").fill(comment)
    with page.expect_response(lambda r: r.url.endswith("/v1/feedback")) as resp_info:
        bot.locator(".fb button", has_text="Send tilbakemelding").click()
    resp = resp_info.value
    assert resp.status == 201
    sent = resp.request.post_data_json
    assert sent == {"conversation_id": conversation_id(page), "rating": "down", "comment": comment}
    expect(bot.locator(".fb")).to_contain_text("Takk for tilbakemeldingen")
    rows = [r if isinstance(r, dict) else (dict(r) if hasattr(r, "keys") else r) for r in feedback_rows(sent["conversation_id"])]
    assert rows, "the feedback was not stored"
    assert any(
        (r.get("rating") == "down" and r.get("comment") == comment) if isinstance(r, dict)
        else ("down" in map(str, r) and comment in map(str, r)) for r in rows), rows


def test_follow_up_keeps_the_conversation_and_new_conversation_resets(tab):
    page = open_demo(tab)
    open_widget(page)
    first = ask(page, "Hvordan får vi avlastning?")
    assert "conversation_id" not in first
    cid = conversation_id(page)
    assert cid
    second = ask(page, "Hvem i kommunen søker vi hos?")
    assert second["conversation_id"] == cid
    expect(w(page, ".msg.user")).to_have_count(2)
    w(page, "button.newchat").click()
    expect(w(page, ".msg")).to_have_count(0)
    expect(w(page, ".starter")).to_have_count(4)
    assert shadow_eval(page, "root.activeElement && root.activeElement.id") == "eti-input"
    third = ask(page, "Hva gjør en barnekoordinator?")
    assert "conversation_id" not in third


def test_language_switch_changes_labels_and_request_language(tab):
    page = open_demo(tab)
    open_widget(page)
    box = w(page, "textarea#eti-input")
    expect(box).to_have_attribute("placeholder", "Hva lurer du på?")
    w(page, "select.lang").select_option("nn")
    expect(box).to_have_attribute("placeholder", "Kva lurer du på?")
    expect(w(page, "#eti-title")).to_have_text("Hjelp og rettar for familiar")
    expect(w(page, ".starter").first).to_have_text("Kva er pleiepengar?")
    expect(w(page, ".eti")).to_have_attribute("lang", "nn")
    body = ask(page, "Kva er pleiepengar?")
    assert body["language"] == "nn"
    expect(last_bot(page).locator(".sources summary")).to_contain_text("Kjelder")
    w(page, "select.lang").select_option("en")
    expect(box).to_have_attribute("placeholder", "What would you like to know?")
    expect(w(page, "label:has(input.muni)")).to_contain_text("Municipality")
    expect(w(page, "button.newchat")).to_have_text("New conversation")
    expect(last_bot(page).locator(".sources summary")).to_contain_text("Sources")  # already rendered answers follow
    expect(w(page, ".launcher")).to_contain_text("Ask for help")
    body = ask(page, "What is pleiepenger?")
    assert body["language"] == "en"


def test_municipality_picker_sets_the_next_request(tab):
    page = open_demo(tab)
    open_widget(page)
    expect(w(page, "datalist#eti-kommuner option")).to_have_count(358)  # 357 kommuner + "Hele landet"
    muni = w(page, "input.muni")
    muni.fill("Bergen")
    muni.press("Tab")
    body = ask(page, "Hvordan får vi avlastning?")
    assert body["municipality"] == "4601"
    muni.fill("1577")
    muni.press("Enter")
    expect(muni).to_have_value("Volda")
    body = ask(page, "Hva gjør en barnekoordinator?")
    assert body["municipality"] == "1577"
    muni.fill("Atlantis")
    muni.press("Tab")
    expect(w(page, "#eti-muni-err")).to_be_visible()
    expect(muni).to_have_attribute("aria-invalid", "true")
    muni.fill("Hele landet")
    muni.press("Tab")
    expect(w(page, "#eti-muni-err")).to_be_hidden()
    body = ask(page, "Hva er pleiepenger?")
    assert "municipality" not in body


# --------------------------------------------------------------------------------------------
# keyboard, mobile, accessibility
# --------------------------------------------------------------------------------------------

def test_whole_flow_with_the_keyboard_only(tab):
    page = open_demo(tab)
    for _ in range(80):
        page.keyboard.press("Tab")
        if focused_in_widget(page).startswith("button.launcher"):
            break
    else:
        pytest.fail("the launcher is not reachable with Tab")
    page.keyboard.press("Enter")
    expect(w(page, "[role=dialog]")).to_be_visible()
    assert focused_in_widget(page).startswith("textarea")
    page.keyboard.type("Hva er pleiepenger?")
    page.keyboard.press("Enter")
    wait_answer(page, 1)
    for _ in range(40):  # back from the text box into the answer, to a citation marker
        page.keyboard.press("Shift+Tab")
        if focused_in_widget(page).startswith("button.cite"):
            break
    else:
        pytest.fail("no citation marker reachable with Shift+Tab")
    page.keyboard.press("Enter")
    assert focused_in_widget(page).startswith("article.card")
    expect(last_bot(page).locator(".card.hl")).to_be_in_viewport()
    page.keyboard.press("Tab")
    assert focused_in_widget(page).startswith("a")  # the card's link comes next
    for _ in range(40):  # on to the feedback buttons
        page.keyboard.press("Tab")
        if focused_in_widget(page).startswith("button.thumb down"):
            break
    else:
        pytest.fail("the feedback buttons are not reachable with Tab")
    with page.expect_response(lambda r: r.url.endswith("/v1/feedback")) as resp:
        page.keyboard.press("Enter")
        assert focused_in_widget(page).startswith("textarea")  # the optional comment
        page.keyboard.type("Tastatur fungerer")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
    assert resp.value.status == 201
    expect(last_bot(page).locator(".fb")).to_contain_text("Takk for tilbakemeldingen")
    for _ in range(10):
        page.keyboard.press("Tab")
        if focused_in_widget(page).startswith("textarea"):
            break
    page.keyboard.type("Hvordan får vi avlastning?")  # a follow-up, still without a mouse
    page.keyboard.press("Enter")
    wait_answer(page, 2)
    page.keyboard.press("Escape")
    expect(w(page, "#eti-panel")).to_be_hidden()
    assert focused_in_widget(page).startswith("button.launcher")
    expect(w(page, ".launcher")).to_have_attribute("aria-expanded", "false")


def test_mobile_390x844_full_screen_panel(mobile_tab):
    page = open_demo(mobile_tab)
    w(page, ".launcher").tap()
    panel = w(page, "[role=dialog]")
    expect(panel).to_be_visible()
    box = panel.bounding_box()
    assert box["x"] == 0 and box["y"] == 0 and box["width"] == 390 and box["height"] == 844
    expect(w(page, ".launcher")).to_be_hidden()
    assert shadow_eval(page, "parseFloat(getComputedStyle(root.querySelector('#eti-input')).fontSize)") >= 16
    ask(page, "Hva er pleiepenger?")
    last_bot(page).locator(".answer button.cite").first.tap()
    expect(last_bot(page).locator(".card.hl")).to_be_in_viewport()
    page.wait_for_timeout(600)  # smooth scrolling settles before the screenshot
    overflow = shadow_eval(page, "[...root.querySelectorAll('.panel, .log')].map(e => e.scrollWidth - e.clientWidth)")
    assert max(overflow) <= 1, overflow
    shot(page, "widget-mobile.png")
    assert_axe_clean(page)
    # the full-screen panel keeps Tab inside: from the send button Tab wraps to the first control
    w(page, "button.sendbtn").focus()
    page.keyboard.press("Tab")
    assert focused_in_widget(page).startswith("button.iconbtn close")
    page.keyboard.press("Shift+Tab")
    assert focused_in_widget(page).startswith("button.btn sendbtn")
    w(page, "button.close").tap()
    expect(panel).to_be_hidden()
    expect(w(page, ".launcher")).to_be_visible()
    assert mobile_tab.third_party() == []


def test_axe_no_serious_or_critical_violations(tab):
    page = open_demo(tab)
    open_widget(page)
    problems = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert problems == [], problems
    ask(page, "Hva er pleiepenger?")
    last_bot(page).locator(".answer button.cite").first.click()
    last_bot(page).locator(".fb .thumb.up").click()
    page.wait_for_timeout(400)  # let the highlight transition settle before the contrast check
    problems = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert problems == [], problems
    # the full-page chat too
    page.goto(tab.base + "/chat")
    expect(w(page, "[role=region]")).to_be_visible()
    problems = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert problems == [], problems


# --------------------------------------------------------------------------------------------
# safety
# --------------------------------------------------------------------------------------------

def test_crawled_script_and_img_onerror_render_as_inert_text(tab):
    """The fixture site's xss.html (about 'trygg bruk av nettskjema') has script/img markup in its text."""
    page = open_demo(tab)
    open_widget(page)
    ask(page, "Hvorfor viser nettskjemaene kode som tekst? Trygg bruk av nettskjema")
    bot = last_bot(page)
    if bot.locator("details.sources").count():
        bot.locator("details.sources summary").click()
    page.wait_for_timeout(500)
    assert tab.dialogs == [], tab.dialogs
    assert tab.errors == [], tab.errors
    assert shadow_eval(page, "root.querySelectorAll('.log script, .log img, .log iframe, .log [onerror]').length") == 0
    text = bot.inner_text()
    assert "nettskjema" in text.lower()
    assert "<script>" in text or "onerror" in text, text
    assert page.evaluate("window.__etiXss === undefined")


def test_hostile_model_text_is_not_executed(tab):
    answer = ("### Helse\nSe <script>window.__etiXss=1</script> og <img src=x onerror=\"window.__etiXss=2\"> [1].\n"
              "- [klikk](javascript:window.__etiXss=3)\n- [trygg](https://www.helsenorge.no/)")
    cites = [{"n": 1, "url": "javascript:alert(1)", "title": "<b>Tittel</b><img src=x onerror=alert(1)>",
              "sector": "health", "source_id": "x", "section": None, "snippet": "<script>alert(1)</script>",
              "last_modified": "2025-01-15", "fetched_at": None}]
    page = open_demo(tab)
    page.route("**/v1/ask", lambda route: route.fulfill(status=200, headers={"Content-Type": "text/event-stream"},
                                                        body=canned_stream(answer, citations=cites)))
    open_widget(page)
    ask(page, "test")
    bot = last_bot(page)
    bot.locator(".answer button.cite").click()
    page.wait_for_timeout(300)
    assert page.evaluate("window.__etiXss === undefined")
    assert tab.dialogs == []
    assert shadow_eval(page, "root.querySelectorAll('.log script, .log img, .log b').length") == 0
    expect(bot.locator(".answer")).to_contain_text("<script>window.__etiXss=1</script>")
    expect(bot.locator(".answer")).to_contain_text("[klikk](javascript:window.__etiXss=3)")
    hrefs = [a.get_attribute("href") for a in bot.locator("a").all()]
    assert hrefs == [], hrefs  # links in answer text stay text; the javascript: source gets no link at all
    expect(bot.locator(".answer")).to_contain_text("trygg")
    expect(bot.locator(".card .t")).to_have_text("<b>Tittel</b><img src=x onerror=alert(1)>")
    expect(bot.locator(".card .upd")).to_have_text("Sist oppdatert 15. januar 2025")


def test_fodselsnummer_warning_before_sending(tab):
    page = open_demo(tab)
    open_widget(page)
    asks: list[str] = []
    page.on("request", lambda r: asks.append(r.url) if r.url.endswith("/v1/ask") else None)
    fnr = make_fnr()
    box = w(page, "textarea#eti-input")
    text = f"Sønnen min har fødselsnummer {fnr[:6]} {fnr[6:]}, kan han få pleiepenger?"
    box.fill(text)
    box.press("Enter")
    warning = w(page, ".warn")
    expect(warning).to_be_visible()
    expect(warning).to_have_attribute("role", "alert")
    expect(warning).to_contain_text("fødselsnummer")
    page.wait_for_timeout(300)
    assert asks == []
    assert_axe_clean(page)
    # "Rediger" returns to the text with the number selected
    warning.locator("button", has_text="Rediger").click()
    expect(warning).to_be_hidden()
    assert shadow_eval(page, "root.activeElement.id") == "eti-input"
    assert shadow_eval(page, "root.activeElement.value.slice(root.activeElement.selectionStart, root.activeElement.selectionEnd)") \
        == f"{fnr[:6]} {fnr[6:]}"
    assert asks == []
    # an 11-digit number with wrong control digits is not a fødselsnummer: no warning
    bad = fnr[:9] + str((int(fnr[9]) + 1) % 10) + fnr[10]
    box.fill(f"Saksnummer {bad} gjelder pleiepenger")
    with page.expect_request(lambda r: r.url.endswith("/v1/ask")):
        box.press("Enter")
    wait_answer(page, 1)
    # "Send likevel" sends the text unchanged (without spaces too)
    box.fill(f"Fødselsnummer {fnr}: hva er pleiepenger?")
    box.press("Enter")
    expect(warning).to_be_visible()
    with page.expect_request(lambda r: r.url.endswith("/v1/ask")) as req:
        warning.locator("button", has_text="Send likevel").click()
    assert req.value.post_data_json["question"] == f"Fødselsnummer {fnr}: hva er pleiepenger?"
    wait_answer(page, 2)


def test_emergency_banner_comes_first_with_phone_links(tab):
    page = open_demo(tab)
    body = canned_stream("Ring 113 nå. Legg barnet i stabilt sideleie hvis det puster.", status="emergency")
    page.route("**/v1/ask", lambda route: route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=body))
    open_widget(page)
    ask(page, "Barnet mitt puster ikke")
    bot = last_bot(page)
    banner = bot.locator(".emergency")
    expect(banner).to_be_visible()
    expect(banner).to_have_attribute("role", "alert")
    assert bot.evaluate("b => b.querySelector('.emergency') === b.querySelector('.emergency, .answer')")
    hrefs = [a.get_attribute("href") for a in banner.locator("a").all()]
    assert hrefs == ["tel:113", "tel:116117", "tel:116123"]
    expect(banner).to_contain_text("116 117")
    expect(banner).to_contain_text("116 123")
    assert_axe_clean(page)


def test_emergency_question_to_the_real_api_shows_the_banner(tab):
    page = open_demo(tab)
    open_widget(page)
    ask(page, "Barnet mitt puster ikke, hva gjør jeg?")
    banner = last_bot(page).locator(".emergency")
    expect(banner).to_be_visible()
    assert [a.get_attribute("href") for a in banner.locator("a").all()] == ["tel:113", "tel:116117", "tel:116123"]


@pytest.fixture
def other_origin():
    """A loopback page server on another origin (http://localhost:PORT, the API is on 127.0.0.1)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    pages: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            body = pages.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}", pages
    server.shutdown()


@pytest.fixture
def cors_api(runtime, other_origin):
    """A second real uvicorn over the same index whose CORS allow-list names the other origin."""
    from support.live_server import serve_app

    from eti.api.app import create_app

    origin, _ = other_origin
    with serve_app(create_app(settings=runtime.settings.model_copy(update={"cors_origins": [origin]}),
                              runtime=runtime)) as base:
        yield base


def test_embedded_on_another_origin(tab, other_origin, cors_api):
    """A municipality's own site embeds the script from the API host (CORS), without data-eti-api."""
    import urllib.error
    import urllib.request

    origin, pages = other_origin

    def preflight(from_origin: str) -> str | None:
        req = urllib.request.Request(cors_api + "/v1/ask", method="OPTIONS", headers={
            "Origin": from_origin, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.headers.get("access-control-allow-origin")
        except urllib.error.HTTPError:
            return None

    assert preflight(origin) == origin
    assert preflight("https://evil.example") is None  # only the allow-list
    pages["/"] = (f'<!DOCTYPE html><html lang="nb"><head><meta charset="utf-8"><title>Bergen kommune (test)</title>'
                  f'<link rel="icon" href="data:,"></head><body><main><h1>Helse og omsorg</h1></main>'
                  f'<script src="{cors_api}/widget.js" data-municipality="4601" defer></script></body></html>').encode()
    page = tab.page
    page.goto(origin + "/")
    open_widget(page)
    expect(w(page, "input.muni")).to_have_value("Bergen")  # kommuner.json fetched across origins
    body = ask(page, "Hva er pleiepenger?")
    assert body["municipality"] == "4601"
    assert last_bot(page).locator(".answer button.cite").count() >= 1
    # a 429 across origins still shows the wait time: the API must expose Retry-After
    problem = json.dumps({"title": "Too many requests", "status": 429})
    page.route("**/v1/ask", lambda route: route.fulfill(status=429, body=problem, headers={
        "Content-Type": "application/problem+json", "Retry-After": "12", "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "Retry-After"}))
    w(page, "textarea#eti-input").fill("Hva er omsorgspenger?")
    w(page, "textarea#eti-input").press("Enter")
    expect(w(page, ".log .err")).to_contain_text("12 sekunder")


def test_rate_limit_and_network_errors_are_friendly(tab):
    page = open_demo(tab)
    problem = json.dumps({"title": "Too Many Requests", "status": 429, "detail": "rate limited"})
    page.route("**/v1/ask", lambda route: route.fulfill(
        status=429, headers={"Content-Type": "application/problem+json", "Retry-After": "30"}, body=problem))
    open_widget(page)
    w(page, "textarea#eti-input").fill("Hva er pleiepenger?")
    w(page, "textarea#eti-input").press("Enter")
    err = w(page, ".log .err")
    expect(err).to_contain_text("Prøv igjen om 30 sekunder")
    expect(err).not_to_contain_text("Too Many Requests")
    assert_axe_clean(page)
    page.unroute("**/v1/ask")
    page.route("**/v1/ask", lambda route: route.abort())
    err.locator("button", has_text="Prøv igjen").click()
    expect(w(page, ".log .err")).to_contain_text("Fikk ikke kontakt med tjenesten")
    page.unroute("**/v1/ask")
    w(page, ".log .err button").click()  # retry against the real API
    wait_answer(page, 1)


# --------------------------------------------------------------------------------------------
# print summary and full-page mode
# --------------------------------------------------------------------------------------------

def test_print_summary_has_questions_answers_and_source_urls(tab):
    page = open_demo(tab)
    open_widget(page)
    ask(page, "Hva er pleiepenger?")
    urls = [a.get_attribute("href") for a in last_bot(page).locator(".card a").all()]
    assert urls
    w(page, "button.print").click()
    frame_el = w(page, "iframe.print-frame")
    expect(frame_el).to_have_count(1)
    doc = frame_el.element_handle().content_frame()
    text = doc.locator("body").text_content()
    assert "Samtale med ETI" in text
    assert "Hva er pleiepenger?" in text
    assert "Flekkefjord (4207)" in text
    for u in urls:
        assert u in text
    assert doc.locator("script, button, img").count() == 0


def test_full_page_chat_mode(tab):
    page = tab.page
    page.goto(tab.base + "/chat")
    region = w(page, "[role=region]")
    expect(region).to_be_visible()
    expect(w(page, ".launcher")).to_have_count(0)
    expect(w(page, "button.close")).to_have_count(0)
    box = region.bounding_box()
    assert box["height"] > 500
    body = ask(page, "Hva gjør en barnekoordinator?")
    assert "municipality" not in body
    page.keyboard.press("Escape")
    expect(region).to_be_visible()
    shot(page, "chat-page.png")
    assert tab.third_party() == []

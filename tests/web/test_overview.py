"""«Din oversikt»: the guided flow in the widget and /chat, against the real POST /v1/overview.

One question per step, fixed choices only; the result lists what may apply, grouped by sector, with why,
what it gives, who decides, how to apply, deadlines, the complaint route and the legal basis, then who can
coordinate; "Skriv ut / lagre som PDF" prints it. Nothing is kept in the browser.
"""

from __future__ import annotations

import io
import re
import unicodedata
from urllib.parse import unquote

import pytest

sync_api = pytest.importorskip("playwright.sync_api")

from support.widget_page import (  # noqa: E402
    ARTIFACTS,
    CHROMIUM,
    assert_axe_clean,
    focused_in_widget,
    open_demo,
    open_widget,
    shadow_eval,
    shot,
    w,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]
expect = sync_api.expect
SECTORS = {"health": "Helse", "welfare": "NAV", "education": "Skole og barnehage", "municipal": "Kommunen",
           "legal": "Lov og rettigheter"}
# the answers the tests give, as the request body must carry them
FAMILY = {"child_age": 7, "specialist_followup": True, "night_supervision": True, "extra_care": True,
          "medical_equipment": False, "attendance_percent": 25, "life_limiting": False,
          "parents": [{"work": "employed"}, {"work": "self_employed"}], "siblings": True,
          "municipality": "4207", "language": "nb"}


def step_no(page) -> str:
    return w(page, ".flow .stepno").inner_text()


def wait_result(page):
    expect(w(page, ".flow .scheme").first).to_be_visible(timeout=60_000)


def by_click(page, with_response=True):
    """Answer the flow as FAMILY with the mouse; returns the /v1/overview response JSON."""
    flow = w(page, ".flow")
    w(page, "button.ov").click()
    flow.locator("input#eti-f-child_age").fill("7")
    choices = ["Ja", "Ja", "Ja", "Nei", "Litt, under halvparten", "Nei", "To foreldre", "Ansatt (arbeidstaker)",
               "Selvstendig næringsdrivende", "Ja"]
    for label in choices:
        flow.locator("button[type=submit]").click()
        flow.locator("label.opt", has_text=re.compile("^" + re.escape(label) + "$")).click()
    flow.locator("button[type=submit]").click()
    expect(flow.locator("input#eti-f-municipality")).to_have_value("Flekkefjord")
    with page.expect_response(lambda r: r.url.endswith("/v1/overview")) as resp:
        flow.locator("button[type=submit]", has_text="Lag oversikten").click()
    assert resp.value.status == 200, resp.value.text()
    assert resp.value.request.post_data_json == FAMILY
    wait_result(page)
    return resp.value.json()


def text_of(node) -> str:
    return re.sub(r"\s+", " ", node.inner_text()).strip()


def squash(text: str) -> str:
    """For comparing with text pulled out of a PDF: NFKC (ligatures), no whitespace at all."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def test_flow_with_the_keyboard_only(tab):
    page = open_demo(tab)
    for _ in range(80):
        page.keyboard.press("Tab")
        if focused_in_widget(page).startswith("button.launcher"):
            break
    page.keyboard.press("Enter")
    expect(w(page, "[role=dialog]")).to_be_visible()
    for _ in range(5):  # from the text box back to the overview button next to the starters
        page.keyboard.press("Shift+Tab")
        if focused_in_widget(page) == "button.ov":
            break
    assert focused_in_widget(page) == "button.ov"
    expect(w(page, "button.ov")).to_have_text("Lag en oversikt for familien")
    page.keyboard.press("Enter")
    flow = w(page, ".flow")
    expect(flow).to_be_visible()
    expect(w(page, ".log")).to_be_hidden()
    expect(flow.locator("h3")).to_have_text("Din oversikt")
    assert focused_in_widget(page).startswith("input")
    expect(flow.locator("label[for=eti-f-child_age]")).to_contain_text("Hvor gammelt er barnet?")
    assert step_no(page) == "Spørsmål 1 av 11"
    assert_axe_clean(page)
    page.keyboard.press("Enter")  # nothing chosen: an error that the field describes, and no step forward
    expect(flow.locator(".ferr")).to_be_visible()
    expect(flow.locator("#eti-f-child_age")).to_have_attribute("aria-invalid", "true")
    assert step_no(page) == "Spørsmål 1 av 11"
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    assert step_no(page) == "Spørsmål 2 av 11"
    expect(flow.locator("legend")).to_contain_text("spesialisthelsetjeneste")
    assert focused_in_widget(page) == "input."  # the first choice
    page.keyboard.press("Enter")
    expect(flow.locator(".ferr")).to_have_text("Velg et svar for å gå videre.")
    # Space chooses, the arrow keys move between choices, Enter goes on
    keys = [["Space"], ["Space"], ["Space"], ["ArrowDown"], ["ArrowDown", "ArrowDown", "ArrowDown"], ["ArrowDown"]]
    for presses in keys:
        for k in presses:
            page.keyboard.press(k)
        page.keyboard.press("Enter")
    assert step_no(page) == "Spørsmål 8 av 11"
    page.keyboard.press("ArrowDown")  # two parents: one more step
    page.keyboard.press("Enter")
    assert step_no(page) == "Spørsmål 9 av 12"
    expect(flow.locator("legend")).to_contain_text("Forelder 1")
    page.keyboard.press("Tab")  # Tilbake keeps the answer
    assert focused_in_widget(page) == "button.btn sec"
    page.keyboard.press("Enter")
    assert step_no(page) == "Spørsmål 8 av 12"
    assert shadow_eval(page, "root.activeElement.checked") is True
    page.keyboard.press("Enter")
    for presses in (["Space"], ["ArrowDown"], ["Space"]):  # employed, self-employed, siblings yes
        for k in presses:
            page.keyboard.press(k)
        page.keyboard.press("Enter")
    assert step_no(page) == "Spørsmål 12 av 12"
    shot(page, "overview-step-desktop.png")
    expect(flow.locator("#eti-f-municipality")).to_have_value("Flekkefjord")  # the picker's kommune
    assert_axe_clean(page)
    with page.expect_response(lambda r: r.url.endswith("/v1/overview")) as resp:
        page.keyboard.press("Enter")
    assert resp.value.status == 200
    assert resp.value.request.post_data_json == FAMILY
    wait_result(page)
    assert focused_in_widget(page) == "h3.fh"
    assert_axe_clean(page)
    # Tab reaches the result's links and its buttons; "Tilbake til samtalen" returns to the starters
    seen = []
    for _ in range(200):
        page.keyboard.press("Tab")
        seen.append(focused_in_widget(page))
        if shadow_eval(page, "root.activeElement.textContent") == "Tilbake til samtalen":
            break
    assert any(s.startswith("a") for s in seen) and "button.btn" in seen
    page.keyboard.press("Enter")
    expect(flow).to_be_hidden()
    expect(w(page, ".log")).to_be_visible()
    assert focused_in_widget(page) == "button.ov"
    # nothing was kept in the browser
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert page.evaluate("document.cookie") == ""
    assert tab.third_party() == [] and not tab.errors


def test_result_shows_what_may_apply_by_sector_with_how_and_who_decides(tab):
    page = open_demo(tab)
    open_widget(page)
    res = by_click(page)
    assert res["schemes"] and res["coordination"]
    flow = w(page, ".flow")
    expect(flow.locator(".notice")).to_have_text(res["notice"])
    expect(flow).to_contain_text("kan være aktuelt")
    # grouped by sector, in the widget's sector order, each group under its label
    groups = flow.locator("section.group:not(.coord)")
    shown = [g.locator("h4").inner_text() for g in groups.all()]
    order = [s for s in SECTORS if any(x["sector"] == s for x in res["schemes"])]
    assert shown == [SECTORS[s] for s in order]
    for x in res["schemes"] + res["coordination"]:
        card = flow.locator(f".scheme[data-id='{x['id']}']")
        expect(card).to_have_count(1)
        expect(card.locator("h5")).to_have_text(x["title"])
        text = text_of(card)
        for part in x["why"] + x["documents"] + [x["gives"], x["decides"], x["how_to_apply"], x["deadlines"],
                                                 x["complaint"]["route"], x["complaint"]["deadline"]]:
            assert re.sub(r"\s+", " ", part) in text, (x["id"], part)
        labels = card.locator("dt").all_inner_texts()
        assert labels[:2] == ["Hvorfor det kan passe", "Hva det gir"]
        assert {"Hvem avgjør", "Slik søker dere", "Frister", "Klage"} <= set(labels)
        links = {unquote(a.get_attribute("href")) for a in card.locator("a").all()}
        for b in x["legal_basis"]:  # linked to Lovdata at the paragraph
            name = re.compile("^" + re.escape(f"{b['law']} {b['paragraph']} – {b['title']}"))
            expect(card.locator("a", has_text=name)).to_have_count(1)
            assert b["url"] in links
        assert x["official_url"] in links
        if x["local_pages"]:  # the kommune's own pages come before the official page
            assert labels.index("Kommunens egne sider") < labels.index("Offisiell side")
        expect(card.locator(".rev")).to_contain_text("ETI-sammendrag, gjennomgått")
        for a in card.locator("a").all():
            assert a.get_attribute("target") == "_blank" and "noopener" in a.get_attribute("rel")
    shot(page, "overview-result-desktop.png")
    coord = flow.locator("section.coord")
    expect(coord.locator("h4")).to_have_text("Hvem kan hjelpe dere å samordne")
    assert [c.get_attribute("data-id") for c in coord.locator(".scheme").all()] == [x["id"] for x in res["coordination"]]
    # nynorsk: the same answers again, in nynorsk
    with page.expect_response(lambda r: r.url.endswith("/v1/overview")) as resp:
        w(page, "select.lang").select_option("nn")
    assert resp.value.request.post_data_json == {**FAMILY, "language": "nn"}
    expect(flow.locator("h4").first).to_be_visible()
    expect(flow).to_contain_text("Kvifor det kan passe")
    expect(flow.locator("section.coord h4")).to_have_text("Kven kan hjelpe dykk å samordne")


def test_phone_390x844_every_state_is_accessible(mobile_tab):
    page = open_demo(mobile_tab)
    w(page, ".launcher").tap()
    expect(w(page, ".ai")).to_be_visible()
    shot(page, "overview-0-disclosure-mobile.png")
    assert_axe_clean(page)
    w(page, "button.ov").tap()
    flow = w(page, ".flow")
    box = flow.bounding_box()
    assert box["width"] <= 390 and box["x"] >= 0
    flow.locator("input#eti-f-child_age").fill("3")
    flow.locator("button[type=submit]").tap()
    flow.locator("label.opt").first.tap()
    shot(page, "overview-1-step-mobile.png")
    assert_axe_clean(page)
    for _ in range(8):  # one parent: 11 steps
        flow.locator("button[type=submit]").tap()
        flow.locator("label.opt").first.tap()
    flow.locator("button[type=submit]").tap()
    flow.locator("button[type=submit]").tap()
    wait_result(page)
    overflow = shadow_eval(page, "[...root.querySelectorAll('.panel, .flow, .scheme')].map(e => e.scrollWidth - e.clientWidth)")
    assert max(overflow) <= 1, overflow
    shot(page, "overview-2-result-mobile.png")
    assert_axe_clean(page)
    flow.locator(".scheme").first.scroll_into_view_if_needed()
    shot(page, "overview-3-scheme-mobile.png")
    assert mobile_tab.third_party() == []


def test_printed_overview_pdf_has_why_how_deadline_complaint_and_legal_basis(tab, browser):
    from pypdf import PdfReader

    page = tab.page
    page.goto(tab.base + "/chat")
    expect(w(page, "[role=region]")).to_be_visible()
    w(page, "input.muni").fill("Flekkefjord")
    w(page, "input.muni").press("Tab")
    res = by_click(page)
    shot(page, "overview-chat.png")
    w(page, ".flow").locator("button", has_text="Skriv ut / lagre som PDF").click()
    frame = w(page, "iframe.print-frame").element_handle().content_frame()
    expect(frame.locator("h1")).to_have_text("Din oversikt – kan være aktuelt for familien")
    assert frame.locator("script, button, img, input").count() == 0
    html = frame.content()
    paper = browser.new_page()
    paper.set_content(html)
    pdf = paper.pdf(format="A4", print_background=False)
    paper.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "overview.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = squash(" ".join(p.extract_text() or "" for p in reader.pages))
    assert squash("Svarene dere ga") in text and squash("Hvor gammelt er barnet? 7 år") in text
    assert squash("Flekkefjord (4207)") in text
    for x in res["schemes"] + res["coordination"]:
        for part in [x["title"], *x["why"], x["how_to_apply"], x["deadlines"], x["complaint"]["route"],
                     x["complaint"]["deadline"]]:
            assert squash(part) in text, (x["id"], part)
        for b in x["legal_basis"]:
            assert squash(f"{b['law']} {b['paragraph']}") in text, (x["id"], b)
    assert squash("Notater til møtet") in text

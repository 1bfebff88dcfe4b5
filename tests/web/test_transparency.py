"""What a parent is told and which links they are given: the AI disclosure, sources shown for what they are.

* Before the first question, the widget and /chat say that ETI is an automatic assistant (GET /v1/disclosure).
* Answer text is data: links and URLs in it stay plain text; the only links are the citations' own.
* Source cards show ETI's own summaries as such, the page's date, "may be out of date", attribution, and a
  note when the answer was machine-translated.
"""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest
import yaml

sync_api = pytest.importorskip("playwright.sync_api")

from support.widget_page import (  # noqa: E402
    CHROMIUM,
    ROOT,
    ask,
    assert_axe_clean,
    canned_stream,
    last_bot,
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
KONTAKT = yaml.safe_load((ROOT / "tests" / "fixtures" / "expected" / "nav" / "pleiepenger-kontakt.yaml")
                         .read_text(encoding="utf-8"))
NLOD = "Inneholder data under NLOD 2.0, tilgjengeliggjort av Lovdata"
LOVDATA_9_10 = "https://lovdata.no/lov/1997-02-28-19/§9-10"


def disclosure(tab, language: str = "nb") -> dict:
    r = tab.page.request.get(f"{tab.base}/v1/disclosure?language={language}")
    assert r.ok, r.status
    return r.json()


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def hrefs(locator) -> list[str]:
    return [unquote(a.get_attribute("href") or "") for a in locator.locator("a").all()]


# --------------------------------------------------------------------------------------------
# the disclosure
# --------------------------------------------------------------------------------------------

def test_widget_says_it_is_an_automatic_assistant_before_the_first_question(tab):
    page = open_demo(tab)
    nb = disclosure(tab, "nb")
    open_widget(page)
    note = w(page, ".log .ai")
    expect(note).to_be_visible()
    expect(note).to_have_text(nb["text"])  # the API's words, from prompts/templates.yaml
    expect(note).to_have_attribute("role", "note")
    expect(w(page, ".msg")).to_have_count(0)  # before any question
    assert shadow_eval(page, "root.querySelector('.log').firstElementChild.classList.contains('ai')")
    # the phone numbers it names can be called from a phone; nothing to dismiss
    assert hrefs(note) == ["tel:55553333", "tel:113"]
    expect(note.locator("button")).to_have_count(0)
    shot(page, "disclosure-widget.png")
    assert_axe_clean(page)
    # it stays above the conversation once it has started, and follows the language
    ask(page, "Hva er pleiepenger?")
    assert shadow_eval(page, "root.querySelector('.log').firstElementChild.classList.contains('ai')")
    w(page, "select.lang").select_option("nn")
    expect(note).to_have_text(disclosure(tab, "nn")["text"])
    w(page, "select.lang").select_option("en")
    expect(note).to_have_text(disclosure(tab, "en")["text"])
    expect(note).to_have_attribute("aria-label", "About ETI")
    assert tab.third_party() == [] and not tab.errors


def test_full_page_chat_says_it_too_and_prints_it(tab):
    page = tab.page
    page.goto(tab.base + "/chat")
    note = w(page, ".log .ai")
    expect(note).to_have_text(disclosure(tab, "nb")["text"])
    expect(w(page, ".msg")).to_have_count(0)
    assert_axe_clean(page)
    shot(page, "disclosure-chat.png")
    ask(page, "Hva gjør en barnekoordinator?")
    w(page, "button.print").click()
    doc = w(page, "iframe.print-frame").element_handle().content_frame()
    assert disclosure(tab, "nb")["text"] in flat(doc.locator("body").text_content())


# --------------------------------------------------------------------------------------------
# no link but the citation's
# --------------------------------------------------------------------------------------------

PHISHING = ("Du søker på [Nav sin søknadsside](https://nav-soknad.example.net/login) [1].\n\n"
            "Les mer på https://evil.example.net og <https://evil.example.net/b>, eller se [2].")
CITED = [
    {"n": 1, "url": "https://www.nav.no/pleiepenger-barn", "title": "Pleiepenger når barnet er sykt",
     "sector": "welfare", "source_id": "knowledge", "section": "Pleiepenger > Slik søker du",
     "snippet": "Du søker på nav.no.", "last_modified": "2026-11-23", "fetched_at": None, "kind": "card",
     "reviewed": "2026-11-23", "attribution": None, "outdated": False,
     "legal_basis": [{"law": "folketrygdloven", "paragraph": "§ 9-10", "url": LOVDATA_9_10}]},
    {"n": 2, "url": "https://www.nav.no/pleiepenger-kontakt", "title": "Spørsmål om pleiepenger",
     "sector": "welfare", "source_id": "nav", "section": "Kontakt Nav", "snippet": "Logg bare inn via nav.no.",
     "last_modified": "2026-10-05", "fetched_at": None, "kind": "page", "reviewed": None, "legal_basis": [],
     "attribution": None, "outdated": False},
]


@pytest.mark.parametrize("transport", ["sse", "json"])
def test_links_and_urls_in_answer_text_are_plain_text(tab, transport):
    page = open_demo(tab)
    if transport == "sse":
        body, ctype = canned_stream(PHISHING, citations=CITED), "text/event-stream"
    else:
        body, ctype = json.dumps({"answer": PHISHING, "status": "answered", "citations": CITED,
                                  "conversation_id": "test-conv", "language": "nb"}), "application/json"
    page.route("**/v1/ask", lambda route: route.fulfill(status=200, headers={"Content-Type": ctype}, body=body))
    open_widget(page)
    ask(page, "Hvor søker jeg om pleiepenger?")
    bot = last_bot(page)
    answer = bot.locator(".answer")
    expect(answer).to_contain_text("Du søker på Nav sin søknadsside")  # the words stay, the link does not
    expect(answer).to_contain_text("https://evil.example.net")
    expect(answer.locator("a")).to_have_count(0)
    expect(answer.locator("button.cite")).to_have_count(2)
    bot.locator("details.sources summary").click()
    links = hrefs(bot)
    assert sorted(links) == sorted([c["url"] for c in CITED] + [LOVDATA_9_10]), links
    assert not any("example.net" in h for h in links)


def test_hidden_text_on_a_crawled_page_never_reaches_the_parent(tab):
    """The fixture page nav/pleiepenger-kontakt.html hides text in every way we know; none of it may show."""
    page = open_demo(tab)
    question = "Hvordan kontakter jeg Nav om søknaden om pleiepenger?"
    reply = page.request.post(f"{tab.base}/v1/ask", data={"question": question, "municipality": "4207", "language": "nb"}).json()
    assert any(c["url"].endswith("/pleiepenger-kontakt.html") for c in reply["citations"]), reply["citations"]
    open_widget(page)
    ask(page, question)
    bot = last_bot(page)
    bot.locator("details.sources summary").click()
    shown = flat(bot.inner_text())
    search = page.request.post(f"{tab.base}/v1/search", data={"query": question, "k": 50}).json()["results"]
    assert any(r["url"].endswith("/pleiepenger-kontakt.html") for r in search)
    found = flat(" ".join(r["title"] + " " + r["text"] for r in search))
    hidden = [h["text"] for h in KONTAKT["hidden"]] + KONTAKT["instructions"]
    for text in hidden:
        assert text not in shown, text
        assert text not in found, text
    # every link the parent gets is a citation's own (or a tel: in the emergency banner); none in the text
    expect(bot.locator(".answer a")).to_have_count(0)
    allowed = {c["url"] for c in reply["citations"]} | {b["url"] for c in reply["citations"]
                                                         for b in c.get("legal_basis", []) if b.get("url")}
    for href in hrefs(bot):
        assert href in allowed or href.startswith("tel:"), href
    assert KONTAKT["foreign_link"]["url"] not in hrefs(bot)


# --------------------------------------------------------------------------------------------
# citations as the API describes them
# --------------------------------------------------------------------------------------------

KINDS = [
    {**CITED[0], "section": "Pleiepenger > Hvem kan få det?"},
    {"n": 2, "url": "https://www.nav.no/hjelpestonad-satser", "title": "Satser for hjelpestønad", "sector": "welfare",
     "source_id": "nav", "section": "Satser", "snippet": "Satsen er 1 000 kroner i måneden.",
     "last_modified": "2019-01-01", "fetched_at": None, "kind": "page", "reviewed": None, "legal_basis": [],
     "attribution": None, "outdated": True},
    {"n": 3, "url": LOVDATA_9_10, "title": "Folketrygdloven § 9-10", "sector": "legal", "source_id": "lovdata",
     "section": "§ 9-10", "snippet": "Et medlem har rett til pleiepenger ...", "last_modified": "2024-07-01",
     "fetched_at": None, "kind": "law", "reviewed": None, "legal_basis": [], "attribution": NLOD,
     "outdated": False},
]
NOTICE = "Svaret byggjer på kjelder på bokmål."


def test_cards_show_what_each_source_is(tab):
    answer = f"{NOTICE}\n\nPleiepengar erstattar inntekt [1]. Satsane frå 2019 [2]. Lova [3]."
    body = canned_stream(answer, citations=KINDS, machine_translated=True)
    page = open_demo(tab)
    page.route("**/v1/ask", lambda route: route.fulfill(status=200, headers={"Content-Type": "text/event-stream"},
                                                        body=body))
    open_widget(page)
    w(page, "select.lang").select_option("nn")
    ask(page, "Kva er pleiepengar?")
    bot = last_bot(page)
    expect(bot.locator(".answer p").first).to_have_text(NOTICE)  # a one-line notice is plain text
    expect(bot.locator(".mt")).to_have_text("Maskinomsett frå bokmål.")
    bot.locator(".answer button.cite").first.click()
    own, old, law = (bot.locator(f".card[data-n='{n}']") for n in (1, 2, 3))
    # an ETI card is ETI's summary, with the official page and the law paragraph underneath
    expect(own.locator(".kind")).to_have_text("ETI-samandrag, gjennomgått 23. november 2026")
    expect(own.locator(".meta .site")).to_have_count(0)
    expect(own.locator(".upd")).to_have_count(0)
    expect(own.locator(".off")).to_contain_text("Offisiell side: nav.no")
    assert unquote(own.locator(".off a").get_attribute("href")) == CITED[0]["url"]
    expect(own.locator(".lb")).to_contain_text("Lovgrunnlag:")
    expect(own.locator(".lb a")).to_contain_text("folketrygdloven § 9-10")
    assert unquote(own.locator(".lb a").get_attribute("href")) == LOVDATA_9_10
    # a page shows its own date, and whether it may be out of date
    expect(old.locator(".upd")).to_have_text("Sist oppdatert 1. januar 2019")
    expect(old.locator(".old")).to_have_text("Kan vere utdatert")
    expect(own.locator(".old")).to_have_count(0)
    # the credit the source's terms require, next to its card
    expect(law.locator(".attr")).to_have_text(NLOD)
    expect(law.locator(".site")).to_have_text("lovdata.no")
    assert_axe_clean(page)
    # bokmål labels on the answer already shown
    w(page, "select.lang").select_option("nb")
    expect(own.locator(".kind")).to_have_text("ETI-sammendrag, gjennomgått 23. november 2026")
    expect(old.locator(".old")).to_have_text("Kan være utdatert")
    expect(bot.locator(".mt")).to_have_text("Deler av svaret er maskinoversatt fra bokmål.")
    shot(page, "citation-kinds.png")
    # and on paper
    w(page, "button.print").click()
    text = flat(w(page, "iframe.print-frame").element_handle().content_frame().locator("body").text_content())
    for part in ("ETI-sammendrag, gjennomgått 23. november 2026", "Offisiell side: https://www.nav.no/pleiepenger-barn",
                 "folketrygdloven § 9-10", "Kan være utdatert", NLOD):
        assert part in unquote(text), part


def test_real_answers_show_eti_cards_as_summaries_and_pages_with_their_site(tab):
    page = open_demo(tab)
    question = "Hva er pleiepenger?"
    reply = page.request.post(f"{tab.base}/v1/ask", data={"question": question, "municipality": "4207", "language": "nb"}).json()
    assert {c["kind"] for c in reply["citations"]} <= {"page", "card", "law"}
    open_widget(page)
    ask(page, question)
    bot = last_bot(page)
    bot.locator("details.sources summary").click()
    for c in reply["citations"]:
        card = bot.locator(f".card[data-n='{c['n']}']")
        if c["kind"] == "card":
            expect(card.locator(".kind")).to_have_text(re.compile(r"^ETI-sammendrag(, gjennomgått \d+\. \w+ \d{4})?$"))
            expect(card.locator(".meta .site")).to_have_count(0)
            expect(card.locator(".off")).to_contain_text("Offisiell side:")
        else:
            expect(card.locator(".meta .site")).not_to_be_empty()
            expect(card.locator(".kind")).to_have_count(0)
        expect(card.locator(".old")).to_have_count(1 if c["outdated"] else 0)
        expect(card.locator(".attr")).to_have_count(1 if c.get("attribution") else 0)

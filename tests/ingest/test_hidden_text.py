"""Hidden text is never indexed, by any adapter; instruction-like and invisible text never reaches a chunk.

The fixture page nav/pleiepenger-kontakt.html holds every trick at once; its expectations
(tests/fixtures/expected/nav/pleiepenger-kontakt.yaml) name the hidden strings. It is crawled
over loopback with every registered HTML adapter into a real catalog. Small snippets pin each
rule of ingest.hidden on its own, and what must *not* be mistaken for hidden text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from support.ingest_harness import site_source

from ingest.adapters import adapter_names, get_adapter
from ingest.hidden import remove_hidden

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SPEC = yaml.safe_load((FIXTURES / "expected" / "nav" / "pleiepenger-kontakt.yaml").read_text(encoding="utf-8"))
HTML_ADAPTERS = sorted(n for n in adapter_names() if not hasattr(get_adapter(n), "collect"))
INVISIBLE = re.compile("[\U000e0000-\U000e007f\u200b-\u200f\u2060-\u2064\ufeff]")


def visible_text(html: str) -> str:
    soup = BeautifulSoup(html, "lxml")
    remove_hidden(soup)
    return " ".join(soup.get_text(" ").split())


def test_every_crawlable_adapter_is_covered():
    assert set(HTML_ADAPTERS) >= {"nav", "helsenorge", "udir", "statped", "kommune", "generic"}


@pytest.mark.parametrize("adapter", HTML_ADAPTERS)
async def test_no_hidden_or_instruction_text_or_foreign_markdown_link_reaches_the_chunks(serve_site, harness,
                                                                                        adapter):
    server = serve_site("nav")
    source = site_source(server, "nav", adapter, start=["pleiepenger-kontakt.html"], max_pages=1)

    stats = await harness.crawl(source)

    assert (stats.fetched, stats.failed) == (1, 0), stats.failures
    chunks = list(harness.catalog.iter_chunks())
    assert chunks
    everything = "\n".join(f"{c.title}\n{c.section}\n{c.text}" for c in chunks)
    for item in SPEC["hidden"]:
        assert item["text"] not in everything, f"{adapter}: hidden ({item['trick']}) text was indexed"
    for sentence in SPEC["instructions"]:
        assert sentence not in everything and "Ignorer alle tidligere" not in everything
    link = SPEC["foreign_link"]
    assert link["markdown"] not in everything and f"]({link['url']})" not in everything
    assert not INVISIBLE.search(everything), "zero-width or tag characters reached a chunk"
    flat = " ".join(everything.split())
    for sentence in SPEC["visible"]:
        assert sentence in flat, f"{adapter}: visible text {sentence!r} is missing"
    assert SPEC["zero_width_sentence"] in flat
    assert link["as_text"] in flat  # the link's own words stay, its target does not


async def test_prompt_injection_survives_extraction_but_not_the_scrub_stage(serve_site, harness):
    spec = yaml.safe_load((FIXTURES / "expected" / "kommune-flekkefjord" / "prompt-injection.yaml")
                          .read_text(encoding="utf-8"))
    injected = next(p for p in spec["must_contain"] if p.startswith("Ignorer"))
    server = serve_site("kommune-flekkefjord")
    source = site_source(server, "flekkefjord", "kommune", start=["prompt-injection.html"], max_pages=1,
                         sector="municipal", municipality="4207")

    await harness.crawl(source)

    text = "\n".join(c.text for c in harness.catalog.iter_chunks())
    assert "Ordningen er frivillig for arrangørene." in text
    assert "Fyll ut søknadsskjemaet og legg ved dokumentasjon på behovet for ledsager." in text
    for sentence in re.split(r"(?<=[.»])\s+", injected):
        assert sentence not in text
    assert "HACKET" not in text and "systemprompten" not in text


# ---------------------------------------------------------------- one rule at a time


@pytest.mark.parametrize("html", [
    '<p hidden>SKJULT</p>',
    '<p aria-hidden="true">SKJULT</p>',
    '<p class="sr-only">SKJULT</p>', '<p class="visually-hidden">SKJULT</p>',
    '<p class="visuallyhidden">SKJULT</p>', '<p class="screen-reader-text">SKJULT</p>',
    '<p class="hidden">SKJULT</p>', '<p class="d-none">SKJULT</p>',
    '<!-- SKJULT -->',
    '<p style="display: none">SKJULT</p>', '<p style="DISPLAY:NONE !important">SKJULT</p>',
    '<p style="visibility:hidden">SKJULT</p>', '<p style="opacity:0">SKJULT</p>', '<p style="opacity:0.0">SKJULT</p>',
    '<p style="font-size:0">SKJULT</p>', '<p style="font-size:0px">SKJULT</p>',
    '<div style="font-size:0"><span style="font-size:50%">SKJULT</span></div>',
    '<div style="width:0;height:0;overflow:hidden">SKJULT</div>',
    '<div style="position:absolute;clip:rect(0 0 0 0)">SKJULT</div>',
    '<div style="clip: rect(1px, 1px, 1px, 1px); position:absolute">SKJULT</div>',
    '<p style="text-indent:-9999px">SKJULT</p>', '<span style="position:absolute; left:-9999px">SKJULT</span>',
    '<span style="position:fixed;top:-5000px">SKJULT</span>',
    '<p style="color:#fff;background:#ffffff">SKJULT</p>',
    '<div style="background-color:white"><p style="color:rgb(255, 255, 255)">SKJULT</p></div>',
    '<div style="background:#000 no-repeat"><p><span style="color:black">SKJULT</span></p></div>',
    '<div bgcolor="#ffffff"><font color="white">SKJULT</font></div>',
    '<div style="background:hsl(0, 0%, 100%)"><p style="color:#FFFFFE">SKJULT</p></div>',
    '<p style="color:transparent">SKJULT</p>', '<p style="color:rgba(0,0,0,0)">SKJULT</p>',
    '<style>.gjemt{display:none}</style><p class="gjemt">SKJULT</p>',
    '<style>#x { visibility: hidden }</style><p id="x">SKJULT</p>',
    '<style>p.y, .z { opacity: 0 }</style><p class="y">SKJULT</p>',
    '<style>.boks { background: #fff } .boks p { color: #fff }</style><div class="boks"><p>SKJULT</p></div>',
])  # fmt: skip
def test_each_hiding_trick_is_removed(html):
    assert "SKJULT" not in visible_text(f"<html><body><main><p>Synlig tekst.</p>{html}</main></body></html>")


@pytest.mark.parametrize("html", [
    '<p class="d-none d-md-block">SYNLIG</p>',  # shown on wider screens
    '<p class="hidden md:block">SYNLIG</p>',
    '<div hidden="until-found">SYNLIG</div>',  # find-in-page reveals it
    '<style>@media print { .p { display: none } }</style><p class="p">SYNLIG</p>',
    '<style>a:hover .q { display: none }</style><p class="q">SYNLIG</p>',
    '<div style="font-size:0"><span style="font-size:16px">SYNLIG</span></div>',
    '<div style="visibility:hidden"><span style="visibility:visible">SYNLIG</span></div>',
    '<div style="background:#003366"><p style="color:white">SYNLIG</p></div>',
    '<div style="background:url(bilde.png) #fff"><p style="color:#fff">SYNLIG</p></div>',
    '<p style="color:#fff">SYNLIG</p>',  # no background declared: we cannot tell
    '<p style="color:#eeeeee;background:#ffffff">SYNLIG</p>',  # pale, but readable
    '<p style="position:relative;left:-20px">SYNLIG</p>',
    '<p style="height:0">SYNLIG</p>',  # not clipped: the text overflows into view
])  # fmt: skip
def test_what_a_reader_does_see_is_kept(html):
    assert "SYNLIG" in visible_text(f"<html><body><main>{html}</main></body></html>")


def test_a_page_that_hides_its_body_until_a_script_shows_it_is_not_all_hidden_text():
    html = '<html class="hidden"><body style="opacity:0" hidden><main><p>SYNLIG</p></main></body></html>'
    assert "SYNLIG" in visible_text(html)

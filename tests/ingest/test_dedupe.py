"""Near-duplicates are stored once: one copy of shared text, plus each page's own additions.

Two generated fixtures, served over loopback and crawled for real:

- one site with a page and 50 copies of it (25 under query strings, identical bytes; 25 under
  other paths, the bytes differing in markup only);
- ten kommune sites (ten sources) that publish the same national text about avlastning, each
  with a paragraph of its own in the middle of it.

The same crawl with dedupe switched off (``dedupe_min_shared`` above 1) gives the count to
compare with.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.ingest_harness import Harness, site_source
from support.site_server import SiteServer

SHARED = {
    "Hva er avlastning?": [
        "Avlastning er et tilbud til deg som har et særlig tyngende omsorgsarbeid, for eksempel for et barn "
        "med en funksjonsnedsettelse eller en alvorlig sykdom.",
        "Formålet er at du skal få fri fra omsorgsoppgavene, få tid til deg selv og resten av familien, og kunne "
        "delta i vanlige aktiviteter som andre familier gjør.",
    ],
    "Hvordan kan avlastning gis?": [
        "Avlastning kan gis i en institusjon, i en avlastningsbolig, i et privat hjem eller som timer hjemme hos "
        "dere, alt etter hva som passer for barnet og familien.",
        "Tilbudet kan være faste helger, enkeltdøgn eller timer på dagtid, og omfanget blir vurdert ut fra "
        "behovet i familien og hvor tyngende omsorgen er.",
    ],
    "Hvem kan få avlastning?": [
        "Det er omsorgsbehovet og hvor tung omsorgen er for den som gir den, som avgjør, ikke en bestemt "
        "diagnose hos barnet.",
        "Både foreldre til barn og pårørende som gir omsorg til voksne, kan ha rett til avlastning når "
        "omsorgsarbeidet er særlig tyngende.",
    ],
    "Hva koster avlastning?": [
        "Avlastning er gratis for familien. Kommunen kan ikke ta egenandel for avlastning, fordi tiltaket er "
        "til for den som gir omsorgen.",
    ],
    "Avlastning og andre tjenester": [
        "Avlastning kan kombineres med andre tjenester, for eksempel omsorgsstønad, støttekontakt eller "
        "brukerstyrt personlig assistanse, når familien trenger det.",
        "Har barnet behov for langvarige og koordinerte tjenester, kan familien også ha rett til en "
        "barnekoordinator i kommunen som hjelper dere med å få oversikt.",
    ],
    "Slik søker du": [
        "Du søker skriftlig til kommunen. Kommunen skal gjøre en individuell vurdering av behovet, og du får et "
        "skriftlig vedtak som du kan klage på.",
        "Legg gjerne ved uttalelser fra helsepersonell, barnehagen eller skolen som kjenner barnet, slik at "
        "kommunen får et godt bilde av hverdagen deres.",
    ],
}
N_KOMMUNER = 10
N_COPIES = 50


def page(title: str, sections: dict[str, list[str]], own: str | None = None, marker: str = "") -> str:
    body = []
    for heading, paragraphs in sections.items():
        body.append(f"<h2>{heading}</h2>")
        body.extend(f"<p>{p}</p>" for p in paragraphs)
        if own and heading == "Hvordan kan avlastning gis?":
            body.append(f"<p>{own}</p>")
    return (f"<!DOCTYPE html><html lang='nb'><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body{marker}><main><article><h1>{title}</h1>{''.join(body)}</article></main></body></html>")


def own_paragraph(i: int) -> str:
    return (f"I Prøvekommune {i} tar tjenestekontoret imot søknader om avlastning, og du kan avtale et "
            f"hjemmebesøk før kommunen vurderer søknaden.")


def write_copies_site(root: Path) -> None:
    root.mkdir(parents=True)
    (root / "avlastning.html").write_text(page("Avlastning", SHARED), encoding="utf-8")
    links = ["<a href='avlastning.html'>Avlastning</a>"]
    for i in range(N_COPIES // 2):
        links.append(f"<a href='avlastning.html?utm_source=nyhetsbrev&amp;id={i}'>Kopi {i}</a>")
        (root / "kopi" / str(i)).mkdir(parents=True)
        (root / "kopi" / str(i) / "avlastning.html").write_text(page("Avlastning", SHARED, marker=f" data-kopi='{i}'"),
                                                                encoding="utf-8")
        links.append(f"<a href='kopi/{i}/avlastning.html'>Kopi {i} på en annen sti</a>")
    (root / "index.html").write_text(
        f"<html><body><main><h1>Tjenester</h1><p>Alle sidene om avlastning.</p>{' '.join(links)}</main></body></html>",
        encoding="utf-8")


def shared_sentences() -> list[str]:
    return [p for ps in SHARED.values() for p in ps]


def copies_of(harness: Harness, text: str) -> int:
    return sum(c.text.count(text) for c in harness.catalog.iter_chunks())


@pytest.fixture
def copies_site(tmp_path):
    write_copies_site(tmp_path / "kopier")
    server = SiteServer(tmp_path / "kopier").start()
    yield server
    server.stop()


@pytest.fixture
def kommuner(tmp_path):
    servers = []
    for i in range(1, N_KOMMUNER + 1):
        root = tmp_path / f"kommune-{i}"
        root.mkdir()
        (root / "avlastning.html").write_text(page(f"Avlastning i Prøvekommune {i}", SHARED, own_paragraph(i)),
                                              encoding="utf-8")
        servers.append(SiteServer(root).start())
    yield servers
    for s in servers:
        s.stop()


def kommune_sources(servers):
    return [site_source(s, f"prove-{i}", "kommune", start=["avlastning.html"], max_pages=1, sector="municipal",
                        municipality=f"{9900 + i}") for i, s in enumerate(servers, start=1)]


def no_dedupe(settings):
    other = settings.model_copy(update={"data_dir": settings.data_dir.parent / "uten-dedupe", "dedupe_min_shared": 2.0})
    return Harness(other)


async def test_fifty_copies_of_a_page_on_one_site_are_stored_once(settings, harness, copies_site, capsys):
    source = site_source(copies_site, "kopier", "kommune", max_pages=N_COPIES + 5, sector="municipal")
    plain = no_dedupe(settings)
    try:
        before = await plain.crawl(source)
        n_before = plain.catalog.count_chunks()
    finally:
        plain.close()

    stats = await harness.crawl(source)

    n_after = harness.catalog.count_chunks()
    with capsys.disabled():
        print(f"\n50 copies of one page: {n_before} chunks without dedupe, {n_after} with")
    assert before.fetched + before.skipped >= N_COPIES  # the copies were all fetched
    for sentence in shared_sentences():
        assert copies_of(harness, sentence) == 1, sentence
    one_page = n_after - 1  # and the index page's own chunk
    assert n_before >= N_COPIES * one_page / 2 and n_after <= one_page + 1
    assert stats.duplicates >= N_COPIES - 1
    result = harness.publish()
    assert result.total == n_after
    assert len(set(harness.search("avlastningsbolig institusjon privat hjem"))) == 1


async def test_a_text_many_kommuner_share_is_kept_once_with_each_kommunes_own_paragraph(
    settings, harness, kommuner, capsys
):
    sources = kommune_sources(kommuner)
    plain = no_dedupe(settings)
    try:
        await plain.crawl_all(sources)
        n_before = plain.catalog.count_chunks()
    finally:
        plain.close()

    stats = await harness.crawl_all(sources)

    n_after = harness.catalog.count_chunks()
    with capsys.disabled():
        print(f"\n{N_KOMMUNER} kommuner sharing one text: {n_before} chunks without dedupe, {n_after} with")
    assert all(s.fetched == 1 and s.failed == 0 for s in stats)
    for sentence in shared_sentences():
        assert copies_of(harness, sentence) == 1, sentence
    chunks = list(harness.catalog.iter_chunks())
    holder = next(c.url for c in chunks if shared_sentences()[0] in c.text)
    for i, server in enumerate(kommuner, start=1):
        [own] = [c for c in chunks if own_paragraph(i) in c.text]
        assert own.url == f"{server.base}/avlastning.html" and own.municipality == f"{9900 + i}"
        if own.url != holder:  # only the own paragraph is left, under the heading it stood under
            assert own.text == own_paragraph(i)
            assert own.section == f"Avlastning i Prøvekommune {i} > Hvordan kan avlastning gis?"
    per_page = n_before // N_KOMMUNER
    assert per_page >= 3 and n_before == per_page * N_KOMMUNER
    assert n_after == per_page + N_KOMMUNER - 1  # the shared text once, and one chunk of its own per kommune
    assert sum(s.paragraphs_shared for s in stats) == (N_KOMMUNER - 1) * len(shared_sentences())


async def test_when_the_page_holding_shared_text_goes_another_page_takes_it_over(settings, harness, kommuner):
    sources = kommune_sources(kommuner)
    await harness.crawl_all(sources)
    holder = next(c.url for c in harness.catalog.iter_chunks() if shared_sentences()[0] in c.text)
    gone = next(s for s in kommuner if holder.startswith(s.base))
    (gone.root / "avlastning.html").unlink()

    stats = await harness.crawl_all(sources)
    harness.publish()

    assert sum(s.pages_removed for s in stats) == 1
    assert harness.catalog.page(holder) is None
    for sentence in shared_sentences():
        assert copies_of(harness, sentence) == 1, sentence  # nothing lost, still stored once
    indexed = [t for t, _ in harness.indexed()]
    assert sum(t.count(shared_sentences()[0]) for t in indexed) == 1


async def test_copies_on_one_site_take_over_at_once_when_the_holder_changes(harness, copies_site):
    source = site_source(copies_site, "kopier", "kommune", max_pages=N_COPIES + 5, sector="municipal")
    await harness.crawl(source)
    holder = next(c.url for c in harness.catalog.iter_chunks() if shared_sentences()[0] in c.text)
    rel = holder.removeprefix(copies_site.base + "/").split("?")[0]
    path = copies_site.root / rel
    path.write_text(path.read_text(encoding="utf-8").replace(shared_sentences()[0], "Denne siden er skrevet om."),
                    encoding="utf-8")

    await harness.crawl(source)

    assert copies_of(harness, shared_sentences()[0]) == 1  # re-stored from its snapshot by another copy
    for sentence in shared_sentences()[1:]:
        assert copies_of(harness, sentence) == 1, sentence

"""A source's attribution reaches every chunk: in the catalog, in the published index, and back."""

from __future__ import annotations

from support.ingest_harness import site_source

from eti.core import Chunk
from ingest.chunk import chunk_hash
from ingest.sources import Source

NLOD = "Inneholder data under NLOD 2.0, tilgjengeliggjort av Lovdata"
CARD = """---
title: Prøvekort
sector: welfare
summary: Et kort som bare finnes i denne testen.
official_sources:
  - https://www.nav.no/pleiepenger-barn
reviewed: 2026-11-01
---
# Prøvekort

## Om kortet
Kortet har én seksjon med litt tekst, nok til én bit.
"""


def test_chunk_metadata_round_trip_keeps_attribution_and_never_holds_none():
    c = Chunk(id="x", source_id="s", sector="legal", doc_id="d", url="u", title="t", section="t", text="Tekst.",
              position=0, attribution=NLOD)
    assert Chunk.from_metadata("x", "Tekst.", c.metadata()).attribution == NLOD
    bare = Chunk(id="y", source_id="s", sector="legal", doc_id="d", url="u", title="t", section="t", text="T.",
                 position=0)
    assert bare.metadata()["attribution"] == "" and None not in bare.metadata().values()
    assert Chunk.from_metadata("y", "T.", bare.metadata()).attribution is None
    assert chunk_hash(c) != chunk_hash(bare)


async def test_attribution_goes_with_every_chunk_through_catalog_and_index(serve_site, harness, tmp_path):
    nav = serve_site("nav")
    credited = site_source(nav, "nav", "nav", attribution="Kilde: nav.no")
    cards = tmp_path / "kort"
    cards.mkdir()
    (cards / "provekort.md").write_text(CARD, encoding="utf-8")
    collected = Source(id="kort", name="Kort", sector="welfare", adapter="knowledge", path=str(cards),
                       attribution=NLOD)
    plain = site_source(serve_site("udir"), "udir", "udir", sector="education")

    await harness.crawl_all([credited, collected, plain])
    harness.publish()

    expected = {"nav": "Kilde: nav.no", "kort": NLOD, "udir": None}
    catalog_chunks = list(harness.catalog.iter_chunks())
    assert {c.source_id for c in catalog_chunks} == set(expected)
    assert all(c.attribution == expected[c.source_id] for c in catalog_chunks)
    indexed = harness.indexed()
    assert len(indexed) == len(catalog_chunks)
    for _, meta in indexed:
        assert None not in meta.values()
        assert meta["attribution"] == (expected[meta["source_id"]] or "")
    back = harness.reader().dense.get([c.id for c in catalog_chunks])
    for cid, (text, meta) in back.items():
        assert Chunk.from_metadata(cid, text, meta).attribution == expected[meta["source_id"]]


async def test_a_changed_attribution_reaches_unchanged_pages_without_re_embedding(serve_site, harness):
    nav = serve_site("nav")
    await harness.crawl(site_source(nav, "nav", "nav"))
    first = harness.publish()

    stats = await harness.crawl(site_source(nav, "nav", "nav", attribution="Kilde: nav.no"))
    again = harness.publish()

    assert stats.fetched == 0 and stats.unchanged > 0  # every page answered 304
    assert {c.attribution for c in harness.catalog.iter_chunks()} == {"Kilde: nav.no"}
    assert {m["attribution"] for _, m in harness.indexed()} == {"Kilde: nav.no"}
    assert again.upserted == first.total and again.embedded == 0  # same text: vectors from the cache

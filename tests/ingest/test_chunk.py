from eti.core import Document, Section
from ingest.chunk import ChunkParams, approx_tokens, chunk_document

LONG = " ".join(f"Setning nummer {i} handler om pleiepenger og legeerklæring fra sykehuset." for i in range(120))


def doc(sections):
    return Document(url="https://example.no/a", title="Pleiepenger", sections=sections, language="nb")


def test_long_sections_are_split_within_the_token_budget_with_overlap():
    p = ChunkParams(150, 350, 40)
    chunks = chunk_document(doc([Section(["Pleiepenger", "Vilkår"], LONG)]), "nav", "welfare", None, p)
    assert len(chunks) >= 3
    assert all(approx_tokens(c.text) <= 350 for c in chunks)
    assert all(c.section == "Pleiepenger > Vilkår" for c in chunks)
    # overlap: the start of each chunk repeats words from the end of the previous one
    assert any(chunks[1].text.split()[0] in chunks[0].text.split()[-30:] for _ in [0])


def test_small_sibling_sections_merge_but_keep_their_heading_in_the_text():
    sections = [Section(["Pleiepenger", "Hvem"], "Foreldre til syke barn."),
                Section(["Pleiepenger", "Søknad"], "Søk på nav.no.")]
    chunks = chunk_document(doc(sections), "nav", "welfare", "4207")
    assert len(chunks) == 1
    assert "Søknad\nSøk på nav.no." in chunks[0].text
    assert chunks[0].municipality == "4207" and chunks[0].sector == "welfare"


def test_chunk_ids_are_stable_and_hashes_follow_the_text():
    a = chunk_document(doc([Section(["P"], "En tekst.")]), "nav", "welfare", None)[0]
    b = chunk_document(doc([Section(["P"], "En tekst.")]), "nav", "welfare", None)[0]
    c = chunk_document(doc([Section(["P"], "En annen tekst.")]), "nav", "welfare", None)[0]
    assert a.id == b.id == c.id
    assert a.hash == b.hash != c.hash

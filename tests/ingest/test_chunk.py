from eti.core import Document, Section
from eti.sentences import split_text
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
    # overlap: each chunk opens with whole sentences the previous one ended with (every sentence
    # of LONG is unique by its number), and then goes on with sentences of its own
    for prev, nxt in zip(chunks, chunks[1:], strict=False):
        prev_sentences = set(split_text(prev.text))
        next_sentences = split_text(nxt.text)
        shared = [s for s in next_sentences if s in prev_sentences]
        assert shared and shared == next_sentences[: len(shared)], (prev.text[-200:], nxt.text[:200])
        assert prev.text.rstrip().endswith(shared[-1])
        assert approx_tokens(" ".join(shared)) <= p.overlap_tokens + 20
        assert len(shared) < len(next_sentences)


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

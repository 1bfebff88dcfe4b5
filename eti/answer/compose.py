"""Default answer mode, no LLM: the answer is the best source's own passages, whole and in order.

Shape (every word is the source's or a fixed phrase from prompts/templates.yaml):

    <the document's opening sentence(s): what it is>                              [1]
    **<heading of the section the question asks for>**
    <that section, whole, in the source's order, trimmed at a sentence or list item> [1]
    <one fixed phrase when the question asks for a fact the source does not hold>
    **Dette kan også være aktuelt**
    - <Title> (<sector>): <that document's opening sentence>                        [2]

An overview question ("hva har vi rett på?") gets one line per scheme across the sectors instead.
One [n] per passage: every sentence in a passage is traced to the marker that ends it. Facts stay
tied to their scheme: the deadlines, amounts and conditions shown come from one document only;
other schemes get their opening line.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from eti.answer.context import AskContext, Citation
from eti.answer.glossary import Glossary
from eti.answer.passages import Block, DocumentLoader, Passage
from eti.answer.templates import Templates
from eti.answer.topics import Scheme, Topic, TopicRecogniser
from eti.index.lexical import Analyzer
from eti.retrieve import Filters, Hit
from eti.sanitize import InstructionFilter
from eti.sentences import split_text

SECTOR_ORDER = ["health", "welfare", "education", "municipal", "legal"]
SUMMARY_CHARS = 160
MAIN_CHARS = 590
LINE_CHARS = 160
ALSO_LINES = 2
MIN_SHARE = 200  # the least budget a facet's section gets when a question asks for several
SEMANTIC_WEIGHT = 1.5  # the passage closest in meaning to the question gets this much
SEMANTIC_SPREAD = 0.06  # ... and one this much less similar (cosine) gets nothing
FACET_EVIDENCE = 0.5  # a passage that says what the facet asks (a number of days, a time limit), whatever its heading
INTRO_PENALTY = 0.5  # the rest of the introduction, when the question names a facet other than "what"
COMPOUND_MIN = 5  # a question word this long also counts as the first part of a compound in the source
TRIM_EVIDENCE = 0.5  # a sentence or item that says what the facet asks, when a passage is trimmed
REPEAT_SHARE = 0.6  # a sentence whose words are this much already shown says nothing new
OVERVIEW_LINES = 8
OVERVIEW_LINE_CHARS = 200  # an overview line's sentence: what the scheme gives, said once
OVERVIEW_PER_SECTOR = 3
OVERVIEW_FOUND = 3  # an overview keeps at least this many of retrieval's schemes before the core ones
# a deadline or an amount: facts that belong under their own scheme, never in a pointer line
_FACTS = re.compile(r"\b\d+\s*(uker|veker|weeks|måneder|månader|months|dager|dagar|days|kr|kroner|prosent|%)", re.I)
# a sentence that leans on the one before it ("Dette gjelder…", "2) Du kan…")
DANGLING = re.compile(r"^(dette|disse|denne|den|slik|derfor|også|òg|i tillegg|her|samme|dei|de fleste av dem|"
                      r"this|these|that|such|therefore|also|in addition|\d+\)|[a-h]\))(\s|$)", re.I)


# a sentence that points back at one before it anywhere ("… skal ta noe av dette ansvaret"): never a line
ANAPHOR = re.compile(r"\b(dette|disse|denne|dei|slike|this|these|such)\s+\w+", re.I)


def leans_back(sentence: str) -> bool:
    """Does the sentence lean on the one before it, at its start ("Dette gjelder …") or inside it
    ("En barnekoordinator skal ta noe av dette ansvaret.")?"""
    return bool(DANGLING.match(sentence) or ANAPHOR.search(sentence))


@dataclass
class _Doc:
    hit: Hit
    passages: list[Passage]
    line: str | None = None  # its overview line's sentence, once worked out

    @property
    def title(self) -> str:
        return self.hit.chunk.title


def compose(ctx: AskContext, services) -> None:
    """The default composition stage."""
    services.composer.compose(ctx)


class Composer:
    def __init__(self, loader: DocumentLoader, analyzer: Analyzer, templates: Templates,
                 instructions: InstructionFilter, topics: TopicRecogniser, glossary: Glossary | None = None):
        self.loader, self.analyzer, self.templates = loader, analyzer, templates
        self.instructions, self.topics = instructions, topics
        self.glossary = glossary or Glossary()
        self._cleaned: OrderedDict[str, list[Passage]] = OrderedDict()
        self._lock = threading.Lock()

    # -- choosing ------------------------------------------------------------------------------
    def _docs(self, hits: list[Hit]) -> list[_Doc]:
        """One entry per document, in hit order (a document's best hit stands for it)."""
        seen: dict[str, _Doc] = {}
        self.loader.load([h.chunk for h in hits])  # every document not cached, in one index call
        for h in hits:
            if h.chunk.doc_id not in seen:
                seen[h.chunk.doc_id] = _Doc(h, self._passages_of(h))
        return [d for d in seen.values() if d.passages]

    def _passages_of(self, hit: Hit) -> list[Passage]:
        """The hit's document as cleaned passages, kept for the documents asked most recently (this
        composer serves one index version, so a document's text cannot change under it)."""
        key = f"{hit.chunk.source_id}\x1f{hit.chunk.doc_id}"
        with self._lock:
            if key in self._cleaned:
                self._cleaned.move_to_end(key)
                return self._cleaned[key]
        passages = [p for p in (self._clean(p) for p in self.loader.passages(hit.chunk)) if p.blocks]
        with self._lock:
            self._cleaned[key] = passages
            while len(self._cleaned) > self.loader.cache_size:
                self._cleaned.popitem(last=False)
        return passages

    def _clean(self, p: Passage) -> Passage:
        """Instruction-like sentences never reach an answer, whatever an older index holds."""
        blocks = []
        for b in p.blocks:
            lines = [" ".join(s for s in split_text(line) if not self.instructions.is_instruction(s)) for line in b.lines]
            lines = [line for line in lines if line]
            if lines:
                blocks.append(Block(lines, b.is_list))
        return Passage(p.heading, p.chunk, blocks, p.order)

    def _about(self, doc: _Doc, topic: Topic) -> bool:
        """Is ``doc`` about the scheme the question names?"""
        if not topic.schemes:
            return False
        wanted = set(topic.schemes[:3])
        card = self.topics.scheme_of_card(doc.hit.chunk.doc_id)
        return card in wanted or bool(wanted & set(self.topics.schemes_in(doc.title)))

    def _primary(self, docs: list[_Doc], topic: Topic, query: str = "") -> _Doc:
        """Retrieval's best current document, unless the question names a scheme that document is not
        about and another top document is. A top card whose scheme the question points at too (by a
        context word: "bil" next to the name "rullestol") stays."""
        current = [d for d in docs[:5] if not d.hit.outdated] or docs[:1]
        top = current[0]
        facet_doc = self._with_facet_section(current[:3], topic)
        if facet_doc is not None:
            return facet_doc
        top_scheme = self.topics.scheme_of_card(top.hit.chunk.doc_id)
        if not topic.schemes or self._about(top, topic) or (top_scheme and top_scheme in self.topics.mentioned(query)):
            return top
        return next((d for d in current if self._about(d, topic)), top)

    def _with_facet_section(self, docs: list[_Doc], topic: Topic) -> _Doc | None:
        """A question that asks how to apply, whom to contact, the deadline or the amount is best
        answered by a top document that has a section for it ("Kontakt Nav" on Nav's page for after
        the application, when the scheme's own card has none) — if that document belongs to the
        scheme asked about: it is about it, or it is no other scheme's card and from its sector."""
        if not topic.facet_named or topic.facet in ("what", "overview", "who"):
            return None
        if any(self.topics.section_facet(p.heading) == topic.facet for p in docs[0].passages[1:]):
            return None  # the top document has it: nothing to choose
        sectors = {self.topics.schemes[s].sector for s in topic.schemes[:1] if s in self.topics.schemes}
        for d in docs[1:]:
            card = self.topics.scheme_of_card(d.hit.chunk.doc_id)
            belongs = self._about(d, topic) or (card is None and (not sectors or d.hit.chunk.sector in sectors))
            if belongs and any(self.topics.section_facet(p.heading) == topic.facet for p in d.passages[1:]):
                return d
        return None

    def _overlap(self, text: str, query_stems: set[str]) -> float:
        """The share of the question's words ``text`` says; a word also counts as the first part of a
        compound ("skatte" in "skattepliktig", "søknad" in "søknadsfristen")."""
        if not query_stems:
            return 0.0
        words = set(self.analyzer(text))
        found = query_stems & words
        if COMPOUND_MIN:
            longer = [w for w in words if len(w) > COMPOUND_MIN]
            found |= {q for q in query_stems - found if len(q) >= COMPOUND_MIN and any(w.startswith(q) for w in longer)}
        return len(found) / len(query_stems)

    def _ranked_passages(self, doc: _Doc, topic: Topic, query_stems: set[str], hit_chunks: dict[str, int],
                         vector=None) -> list[Passage]:
        """The document's passages, the best for this question first: the section whose heading is the
        facet asked for, then the words asked (heading and text), how close it is in meaning to the
        question (across languages: an English question has no Norwegian words to match), and how
        well retrieval ranked it."""
        sims = {p.chunk.id: self.loader.similarity(vector, p.chunk) for p in doc.passages}
        known = [v for v in sims.values() if v is not None]
        best_sim = max(known) if known else None
        scored = []
        # "hva er klagefristen": the "what" words only frame a question that names another facet
        named = [f for f in topic.facets if f != "what"] or topic.facets
        for p in doc.passages:
            first = p is doc.passages[0]
            facet = None if first else self.topics.section_facet(p.heading)  # the first heading is the title
            score = 1.5 * self._overlap(f"{p.heading} {p.text}", query_stems)
            # a question that names no facet is a "what" question by default: the introduction and the
            # "Hva er det?" section are equally likely to answer it, so the heading alone decides nothing
            if facet is not None and facet == topic.facet and (topic.facet_named or facet != "what"):
                score += 1.0
            elif facet is not None and facet in named:
                score += 0.7
            elif topic.facet == "what" and (first or facet == "what"):
                score += 0.5
            if p.chunk.id in hit_chunks:
                score += 0.4 / (1 + hit_chunks[p.chunk.id])
            sim = sims.get(p.chunk.id)
            if sim is not None and best_sim is not None:
                score += SEMANTIC_WEIGHT * max(0.0, 1.0 - (best_sim - sim) / SEMANTIC_SPREAD)
            if topic.asked_fact and self.topics.holds(topic.asked_fact, p.text):
                score += 0.6
            elif topic.facet_named and self.topics.answers_facet(topic.facet, p.text):
                score += FACET_EVIDENCE
            if DANGLING.match(p.sentences[0] if p.sentences else ""):
                score -= 0.6
            if first and topic.facet_named and topic.facet != "what":
                score -= INTRO_PENALTY  # the opening is shown anyway; the rest of the introduction is not what was asked
            scored.append((score, p))
        scored.sort(key=lambda sp: -sp[0])
        return [p for _, p in scored]

    # -- trimming -------------------------------------------------------------------------------
    def _trim(self, blocks: list[Block], budget: int, query_stems: set[str] | None = None,
              evidence: Callable[[str], bool] | None = None) -> list[Block]:
        """A passage within ``budget``: whole when it fits; otherwise the sentences, paragraphs and list
        items that say most of what was asked (its words, or what its facet asks for: ``evidence``),
        kept in the source's order, and never half a sentence. A sentence that leans on the one before
        it ("Dette gjelder …") comes with it. A list that a lead-in announces ("Nav gir bare grunnstønad
        til disse områdene:") is kept with it, whole or from its start for as many items as fit, never
        as a pick of its shorter items; a list of separate points ("Godt å vite") gives the points that
        answer the question. A lead-in whose list is left out is left out too."""
        if sum(len(b) for b in blocks) <= budget:
            return blocks
        stems = query_stems or set()
        # a piece is (block, line, sentence): a list item is one piece, a paragraph line one per sentence
        pieces: dict[tuple[int, int, int], str] = {}
        for bi, b in enumerate(blocks):
            for li, line in enumerate(b.lines):
                for si, part in enumerate([line] if b.is_list else (split_text(line) or [line])):
                    pieces[(bi, li, si)] = part
        line_of = {(bi, li): [k for k in pieces if k[:2] == (bi, li)] for bi, li, _ in pieces}

        def units(by_sentence: bool) -> list[list[tuple[int, int, int]]]:
            """A paragraph line (or, ``by_sentence``, a sentence with the ones that lean on it), a list
            item, or a list together with the lead-in line that announces it ("Den viser:")."""
            out: list[list[tuple[int, int, int]]] = []
            for bi, b in enumerate(blocks):
                prev = blocks[bi - 1] if bi > 0 else None
                if b.is_list and prev and not prev.is_list and prev.lines[-1].rstrip().endswith(":"):
                    lead = line_of[(bi - 1, len(prev.lines) - 1)]
                    if out and out[-1][-1] == lead[-1]:
                        lead = out.pop()
                    elif by_sentence:
                        lead = lead[-1:]
                    out.append(lead + [(bi, li, 0) for li in range(len(b.lines))])
                    continue
                for li in range(len(b.lines)):
                    if b.is_list or not by_sentence:
                        out.append(line_of[(bi, li)])
                        continue
                    for k in line_of[(bi, li)]:
                        if k[2] > 0 and leans_back(pieces[k]) and out:
                            out[-1].append(k)  # "Dette gjelder …" is never shown without what it leans on
                        else:
                            out.append([k])
            return out

        def value(unit: list[tuple[int, int, int]]) -> float:
            text = " ".join(pieces[k] for k in unit)
            v = self._overlap(text, stems) + (0.2 if unit[0] == (0, 0, 0) else 0.0) - 0.01 * unit[0][0]
            if evidence is not None and evidence(text):
                v += TRIM_EVIDENCE
            return v

        def cost_of(k: tuple[int, int, int]) -> int:
            return len(pieces[k]) + (3 if k[2] == 0 else 1)

        def leans_on_nothing(k: tuple[int, int, int]) -> bool:
            """A paragraph's first sentence that leans on the passage before it, which is not shown."""
            bi, li, si = k
            return (not blocks[bi].is_list and si == 0 and bool(DANGLING.match(pieces[k]))
                    and not any(j[:2] == ((bi, li - 1) if li else (bi - 1, len(blocks[bi - 1].lines) - 1))
                                for j in keep) and (bi, li) != (0, 0))

        keep: set[tuple[int, int, int]] = set()
        used = 0
        # whole paragraphs and items first; then, in what room is left, sentences of the paragraphs
        # that did not fit whole
        for by_sentence in (False, True):
            for unit in sorted(units(by_sentence), key=value, reverse=True):
                if any(k in keep for k in unit):
                    continue
                cost = sum(cost_of(k) for k in unit)
                is_list_unit = any(blocks[k[0]].is_list for k in unit)
                if is_list_unit and len(unit) > 1 and used + cost > budget:  # a lead-in and two items at least
                    part, part_cost = [], 0
                    for k in unit:
                        c = cost_of(k)
                        if used + part_cost + c > budget:
                            break
                        part.append(k)
                        part_cost += c
                    if sum(1 for k in part if blocks[k[0]].is_list) >= 2:
                        keep.update(part)
                        used += part_cost
                    continue
                if used + cost > budget or leans_on_nothing(unit[0]):
                    continue
                keep.update(unit)
                used += cost
        if not keep:
            return []
        out: list[Block] = []
        for bi, b in enumerate(blocks):
            lines = []
            for li in range(len(b.lines)):
                kept = [pieces[k] for k in sorted(pieces) if k[0] == bi and k[1] == li and k in keep]
                if kept:
                    lines.append(" ".join(kept))
            list_kept = bi + 1 < len(blocks) and blocks[bi + 1].is_list and any(k[0] == bi + 1 for k in keep)
            if not b.is_list and lines and lines[-1].rstrip().endswith(":") and not list_kept:
                lines = lines[:-1]  # a lead-in whose list is not shown introduces nothing
            if lines:
                out.append(Block(lines, b.is_list))
        return out

    def _after_opening(self, first: Passage, opening: list[Block]) -> list[Block]:
        """The introduction's blocks after the sentences the opening already shows, and without a
        sentence that only says again what is shown ("Ordningen het tidligere omsorgslønn …" twice)."""
        shown = {s for b in opening for s in b.sentences}
        said = {w for s in shown for w in self.analyzer(s)}
        out = []
        for b in first.blocks:
            if b.is_list:
                out.append(b)
                continue
            rest = [s for s in b.sentences if s not in shown and not self._repeats(s, said)]
            while rest and DANGLING.match(rest[0]):  # nothing before it is shown to lean on
                rest.pop(0)
            if rest:
                out.append(Block([" ".join(rest)], False))
        return out

    def _repeats(self, sentence: str, said: set[str]) -> bool:
        words = set(self.analyzer(sentence))
        return bool(words) and len(words & said) / len(words) >= REPEAT_SHARE

    def _opening(self, doc: _Doc, budget: int = SUMMARY_CHARS) -> list[Block]:
        """The document's first sentences: what the scheme is."""
        first = doc.passages[0]
        kept: list[str] = []
        for s in first.sentences:
            if not kept and DANGLING.match(s):
                continue  # a page's "Her kan du lese…" leans on the page around it: not an opening
            if kept and len(" ".join(kept)) + len(s) > budget:
                break
            kept.append(s)
            if len(" ".join(kept)) >= budget * 0.6:
                break
        return [Block([" ".join(kept)], False)] if kept else []

    # -- writing ---------------------------------------------------------------------------------
    def compose(self, ctx: AskContext) -> None:
        if not ctx.hits:
            return
        topic = ctx.topic or self.topics.recognise(ctx.query)
        docs = self._docs(ctx.hits)
        if not docs:
            return
        lang = ctx.language if ctx.language in ("nb", "nn") else "nb"  # the sources are Norwegian
        citations: dict[str, Citation] = {}

        def cite(p: Passage, hit: Hit | None = None) -> str:
            c = p.chunk
            if c.id not in citations:
                snippet = " ".join(p.text.split())[:300]
                citations[c.id] = Citation.from_chunk(len(citations) + 1, c, snippet,
                                                      outdated=bool(hit and hit.outdated))
            return f"[{citations[c.id].n}]"

        # the sources' words for what a question in another language asks (glossary); None for Norwegian
        norwegian = None if ctx.language in ("nb", "nn") else self.glossary.norwegian(ctx.query, ctx.language)
        if topic.facet == "overview":
            pointed = self.topics.needed(" ".join([ctx.query, *(norwegian or [])]))
            parts, fetched = self._overview(docs, lang, cite, ctx.filters, ctx.vector, pointed)
            ctx.hits = [*ctx.hits, *fetched]  # a core scheme's card fetched by id is a hit like the others
        else:
            parts = self._answer(docs, topic, lang, ctx.query, cite, ctx.hits, ctx.vector, norwegian)
        ctx.answer = "\n\n".join(p for p in parts if p).strip()
        ctx.citations = sorted(citations.values(), key=lambda c: c.n)

    def _render(self, blocks: list[Block], marker: str) -> str:
        text = "\n".join(b.text() for b in blocks)
        return f"{text} {marker}" if text else ""

    def _answer(self, docs: list[_Doc], topic: Topic, lang: str, query: str, cite, hits: list[Hit],
                vector=None, norwegian: list[str] | None = None) -> list[str]:
        """``norwegian``: the sources' words for what a question in another language asks (glossary)."""
        primary = self._primary(docs, topic, query)
        query_stems = self.question_words(query, norwegian, primary.passages)
        hit_chunks = {h.chunk.id: i for i, h in enumerate(hits)}
        first = primary.passages[0]
        opening = self._opening(primary, SUMMARY_CHARS)
        budget = MAIN_CHARS
        chosen: list[tuple[Passage, list[Block]]] = []
        ranked = self._ranked_passages(primary, topic, query_stems, hit_chunks, vector)
        shares = self._facet_shares(primary, topic, ranked)
        evidence = self._evidence(topic)
        for p in ranked:
            if budget < 90 or len(chosen) >= 3:
                break
            room = min(budget, shares.get(id(p), budget))
            if p is first:  # the summary comes first anyway; the rest of the introduction only if asked for
                blocks = self._trim(self._after_opening(first, opening), room, query_stems, evidence)
            else:
                blocks = self._trim(p.blocks, room, query_stems, evidence)
            if not blocks:
                continue
            chosen.append((p, blocks))
            budget -= sum(len(b) for b in blocks) + (0 if p is first else len(p.heading) + 6)
        parts = []
        intro = next((blocks for p, blocks in chosen if p is first), [])
        if opening or intro:
            parts.append(self._render(opening + intro, cite(first, primary.hit)))
        for p, blocks in sorted(chosen, key=lambda pb: pb[0].order):
            if p is not first:
                parts.append(f"**{p.heading}**\n" + self._render(blocks, cite(p, primary.hit)))
        missing = self._missing(primary, topic, lang, cite, "\n".join(parts), query_stems)
        if missing:
            parts.append(missing)
        primary_scheme = self.topics.scheme_of_card(primary.hit.chunk.doc_id)
        others = [d for d in docs if d is not primary and (
            self.topics.scheme_of_card(d.hit.chunk.doc_id) is None
            or self.topics.scheme_of_card(d.hit.chunk.doc_id) != primary_scheme)]
        lines = self._also_lines(primary, others, topic, lang, query_stems, cite)
        if lines:
            parts.append(f"**{self.templates.get(lang, 'also_relevant')}**\n" + "\n".join(lines))
        return parts

    def _evidence(self, topic: Topic) -> Callable[[str], bool] | None:
        """What says the fact or facet asked for ("4 uker" for a deadline), for trimming."""
        if topic.asked_fact:
            return lambda text: self.topics.holds(topic.asked_fact, text)
        if topic.facet_named:
            return lambda text: self.topics.answers_facet(topic.facet, text)
        return None

    def question_words(self, query: str, norwegian: list[str] | None, passages: list[Passage]) -> set[str]:
        """The question's words (stemmed) that can match the source. A question in another language
        (``norwegian`` given) counts the glossary's Norwegian words and those of its own words the
        document uses (names: "avlastning", "BPA"); its other words match nothing and only dilute."""
        words = set(self.analyzer(query))
        if norwegian is None:
            return words
        used = {w for p in passages for w in self.analyzer(f"{p.heading} {p.text}")}
        return set(self.analyzer(" ".join(norwegian))) | (words & used)

    def _facet_shares(self, doc: _Doc, topic: Topic, ranked: list[Passage]) -> dict[int, int]:
        """A question that asks two things ("what is it, and how do we apply?") gets both: the budget
        is shared between the first section of each facet it names, so the first never takes it all."""
        sections: list[Passage] = []
        for facet in dict.fromkeys(topic.facets):
            p = next((p for p in ranked if p is not doc.passages[0] and self.topics.section_facet(p.heading) == facet), None)
            if p is not None and p not in sections:
                sections.append(p)
        if len(sections) < 2:
            return {}
        share = max(MIN_SHARE, MAIN_CHARS // len(sections))
        return {id(p): share for p in sections}

    def _missing(self, doc: _Doc, topic: Topic, lang: str, cite, said: str = "",
                 query_stems: set[str] | None = None) -> str:
        """One fixed phrase when the question asks for a fact the document does not hold, after what the
        document does say about it, when it says something ("Satsene endres hvert år", "Egenandelen
        avhenger av foreldrenes inntekt") that the answer has not said yet."""
        fact = topic.asked_fact
        if fact is None:
            return ""
        text = "\n".join(p.text for p in doc.passages)
        if self.topics.holds(fact, text):
            return ""
        nearest = self._said_about(doc, fact, said, query_stems or set())
        told = f"{nearest[1]} {cite(nearest[0], doc.hit)} " if nearest else ""
        what = self.templates.get(lang, "missing_what")
        scheme = self.topics.scheme_of_card(doc.hit.chunk.doc_id) or next(iter(self.topics.schemes_in(doc.title)), None)
        who = self.topics.schemes[scheme].who_decides if scheme else doc.hit.chunk.title
        key = "amount" if fact == "count" else fact
        host = urlsplit(doc.hit.chunk.url).netloc.removeprefix("www.") or doc.hit.chunk.title
        link = f"{host} {cite(doc.passages[0], doc.hit)}"  # the citation carries the official page's link
        return told + self.templates.get(lang, "missing").format(what=what.get(key, what["other"]), link=link, who=who)

    def _said_about(self, doc: _Doc, fact: str, said: str, query_stems: set[str]) -> tuple[Passage, str] | None:
        """The document's sentence about the fact asked for (facets.yaml `asks.<fact>.about`) that the
        answer has not said, the one sharing most of the question's words; a sentence that leans on the
        one before it ("Den ...") does not stand alone and is never taken."""
        best: tuple[float, int, Passage, str] | None = None
        order = 0
        for p in doc.passages:
            for b in p.blocks:
                for line in b.lines:
                    for sentence in split_text(line) or [line]:
                        order += 1
                        sentence = sentence.strip()
                        if not sentence or sentence in said or leans_back(sentence) or not self.topics.about_fact(fact, sentence):
                            continue
                        score = self._overlap(sentence, query_stems)
                        if best is None or score > best[0]:
                            best = (score, order, p, sentence)
        return (best[2], best[3]) if best else None

    def _also_lines(self, primary: _Doc, others: list[_Doc], topic: Topic, lang: str, query_stems: set[str],
                    cite) -> list[str]:
        """Other schemes, one line each: those the question names first, then close ones from other
        sectors. A line is the scheme's opening sentence only, never its deadlines or amounts."""
        best = primary.hit.dense_similarity
        named = set(topic.schemes[1:])

        def relevance(d: _Doc) -> float:
            scheme = self.topics.scheme_of_card(d.hit.chunk.doc_id)
            score = 2.0 if scheme in named else 0.0
            score += self._overlap(f"{d.title} {d.passages[0].text}", query_stems)
            score += 0.3 if d.hit.chunk.sector != primary.hit.chunk.sector else 0.0
            return score

        close = [d for d in others if not d.hit.outdated and (
            self.topics.scheme_of_card(d.hit.chunk.doc_id) in named
            or (d.hit.dense_similarity >= best - 0.025 and relevance(d) >= 0.6))]
        close.sort(key=lambda d: -relevance(d))
        lines, seen_titles = [], {primary.title.lower()}
        for d in close:
            if len(lines) >= ALSO_LINES or d.title.lower() in seen_titles:
                continue
            sentence = next((s for s in d.passages[0].sentences if not DANGLING.match(s)), "")
            if not sentence or len(sentence) > LINE_CHARS or _FACTS.search(sentence):
                continue
            seen_titles.add(d.title.lower())
            label = self.templates.sector(lang, d.hit.chunk.sector)
            lines.append(f"- {d.title} ({label}): {sentence} {cite(d.passages[0], d.hit)}")
        return lines

    @staticmethod
    def _overview_picks(picked: list[_Doc], limit: int = OVERVIEW_LINES, first: int = 0) -> list[_Doc]:
        """Up to ``limit`` schemes: the ``first`` of ``picked`` (those the question points at), then the
        best of every sector found (the whole picture across the sectors), then the next best in
        retrieval's order, at most OVERVIEW_PER_SECTOR from one sector; shown sector by sector, each
        sector's best first."""
        chosen: list[_Doc] = list(picked[:min(first, limit)])
        for sector in SECTOR_ORDER:
            if any(c.hit.chunk.sector == sector for c in chosen):
                continue
            best = next((d for d in picked if d.hit.chunk.sector == sector), None)
            if best is not None and len(chosen) < limit:
                chosen.append(best)
        for d in picked:
            if len(chosen) >= limit:
                break
            if d not in chosen and sum(c.hit.chunk.sector == d.hit.chunk.sector for c in chosen) < OVERVIEW_PER_SECTOR:
                chosen.append(d)
        return chosen

    @staticmethod
    def _by_sector(docs: list[_Doc]) -> list[_Doc]:
        order = {s: i for i, s in enumerate(SECTOR_ORDER)}
        return sorted(docs, key=lambda d: order.get(d.hit.chunk.sector, 9))  # stable: best first within

    def _scheme_of(self, d: _Doc) -> str | None:
        """The scheme a document is about: its card's, else the first scheme its title names."""
        return self.topics.scheme_of_card(d.hit.chunk.doc_id) or next(
            iter(self.topics.schemes_in(d.title, names_only=True)), None)

    def _core_docs(self, docs: list[_Doc], have: set[str], filters: Filters, vector) -> list[_Doc]:
        """A document for each core scheme (schemes.yaml `core`) that none of ``have`` is."""
        return self._scheme_docs(docs, [s for s in self.topics.schemes.values() if s.core and s.id not in have],
                                 filters, vector)

    def _scheme_docs(self, docs: list[_Doc], wanted: list[Scheme], filters: Filters, vector) -> list[_Doc]:
        """A document for each of the ``wanted`` schemes: a retrieved one first, else its card fetched by
        id, when the filters allow it."""
        found = {self._scheme_of(d): d for d in reversed(docs) if not d.hit.outdated and self._line_sentence(d)}
        source = next((d.hit.chunk.source_id for d in docs if self.topics.scheme_of_card(d.hit.chunk.doc_id)), None)
        out = []
        for scheme in wanted:
            doc = found.get(scheme.id)
            if doc is None and source is not None:
                chunk = self.loader.first_chunk(source, scheme.card)
                if chunk is None or (filters.sectors and chunk.sector not in filters.sectors) or (
                        filters.sources and chunk.source_id not in filters.sources) or (
                        filters.languages and chunk.language not in filters.languages):
                    continue
                hit = Hit(chunk, 0.0, self.loader.similarity(vector, chunk) or 0.0)
                doc = _Doc(hit, self._passages_of(hit))
            if doc is not None and doc.passages and self._line_sentence(doc):
                out.append(doc)  # a card whose opening says nothing on its own is left out
        return out

    def _with_coordinator(self, ordered: list[_Doc], core: list[_Doc]) -> list[_Doc]:
        """The coordinator's line (schemes.yaml `coordinates`), who helps with all the rest, in place of
        the last line when it is not there yet."""
        have = {self._scheme_of(d) for d in ordered}
        wanted = [d for d in core if self.topics.schemes.get(self._scheme_of(d) or "") is not None
                  and self.topics.schemes[self._scheme_of(d)].coordinates and self._scheme_of(d) not in have]
        if not wanted:
            return ordered
        return [*ordered[:OVERVIEW_LINES - 1], wanted[0]]

    def _line_sentence(self, d: _Doc) -> str:
        """What a scheme gives, in one of its opening sentences: the first that names it (by a word of
        its title), else the first that stands on its own; never one that leans on the sentence before."""
        if d.line is not None:  # worked out once per document and request
            return d.line
        candidates = [s for s in d.passages[0].sentences[:3]
                      if not DANGLING.match(s) and not ANAPHOR.search(s) and len(s) <= OVERVIEW_LINE_CHARS]
        title = set(self.analyzer(d.title))
        naming = [s for s in candidates if title & set(self.analyzer(s))]
        d.line = (naming or candidates or [""])[0]
        return d.line

    def _overview(self, docs: list[_Doc], lang: str, cite, filters: Filters | None = None,
                  vector=None, pointed: set[str] | None = None) -> tuple[list[str], list[Hit]]:
        """One line per relevant scheme across the sectors: what it gives, and its link (the citation);
        with the hits of the cards fetched for it. The schemes the question points at (``pointed``: by
        name, or by a need they serve: "utslitt", "rullestol") come first, fetched when not retrieved;
        then retrieval's; then the core schemes."""
        pointed = pointed or set()
        retrieved = [d.hit for d in docs]
        wanted = [s for sid, s in self.topics.schemes.items() if sid in pointed and s.overview]
        docs = [*docs, *[d for d in self._scheme_docs(docs, wanted, filters or Filters(), vector)
                         if all(d.hit is not e.hit for e in docs)]]
        docs.sort(key=lambda d: self._scheme_of(d) not in pointed)  # stable: retrieval's order within
        picked: list[_Doc] = []
        seen: set[str] = set()  # one line per scheme (its card or a site's page about it), else per title
        for d in docs:
            scheme = self._scheme_of(d)
            if scheme is not None and not self.topics.schemes[scheme].overview:
                continue
            key = scheme or d.title.lower()
            if key in seen or d.hit.outdated or not self._line_sentence(d):
                continue
            seen.add(key)
            picked.append(d)
        core = self._core_docs(docs, set(), filters or Filters(), vector)  # every core scheme, once
        limit = OVERVIEW_LINES
        # the schemes the question points at are never pushed out by the core ones
        n_pointed = sum(self._scheme_of(d) in pointed for d in picked)
        keep = max(OVERVIEW_FOUND, n_pointed)
        while True:  # room for the core schemes missing, keeping at least ``keep`` of retrieval's own
            ordered = self._overview_picks(picked, limit, n_pointed)
            have = {self._scheme_of(d) for d in ordered}
            missing = [d for d in core if self._scheme_of(d) not in have]
            if len(ordered) + len(missing) <= OVERVIEW_LINES or limit <= keep:
                break
            limit -= 1
        ordered += missing[:OVERVIEW_LINES - len(ordered)]
        ordered = self._with_coordinator(ordered, core)
        ordered = self._by_sector(ordered)
        known = {id(h) for h in retrieved}
        lines, fetched = [], []
        for d in ordered:
            sentence = self._line_sentence(d)
            if sentence:
                label = self.templates.sector(lang, d.hit.chunk.sector)
                lines.append(f"- **{d.title}** ({label}): {sentence} {cite(d.passages[0], d.hit)}")
                if id(d.hit) not in known:
                    fetched.append(d.hit)
        if not lines:
            return [], []
        return [self.templates.get(lang, "overview_intro"), "\n".join(lines)], fetched

"""Default answer mode, no LLM: an answer composed of sentences taken from the sources.

Shape: a short summary (the most relevant sentences), per-sector bullets, then "Neste steg"
where the sources say who to contact, how to apply or where to complain. Every sentence from
a source carries its [n]; the only other words are the fixed phrases in prompts/templates.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from eti.answer.context import AskContext, Citation
from eti.answer.guardrails.patterns import matches
from eti.answer.templates import Templates
from eti.index.lexical import Analyzer
from eti.retrieve import Hit

SECTOR_ORDER = ["health", "welfare", "education", "municipal", "legal"]
NEXT_STEP_SECTION = re.compile(r"slik søk|søknad|slik søkj|klage|klaga|kontakt|hvem kan hjelpe|kven kan hjelpe|"
                               r"neste steg|how to apply|søke|søkje", re.I)
ACTION_START = re.compile(r"^(- )?(søk|send|kontakt|ta kontakt|ring|be om|spør|spør om|klag|du kan søke|du søker|"
                          r"søknaden|du kan klage|fyll ut|logg inn|gå til)\b", re.I)
# "Se eget kort." / "Les kortet om pleiepenger.": pointers between ETI's cards mean nothing out of context
_CROSS_REFERENCE = re.compile(r"^(se|les)( også)? (eget kort|kortet|kortene)\b[^.]*\.$", re.I)
_SENT_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«\"(])")


@dataclass
class Sentence:
    text: str
    hit: Hit
    rank: int  # the hit's rank
    order: int  # position in the chunk
    score: float = 0.0
    overlap: float = 0.0  # share of the query's words in the sentence


def split_sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("- "):
            out.append(line[2:].strip())
            continue
        out.extend(s.strip() for s in _SENT_END.split(line) if s.strip())
    return out


def _without_cross_references(sentence: str) -> str:
    parts = [p for p in _SENT_END.split(sentence) if not _CROSS_REFERENCE.match(p.strip())]
    return " ".join(parts).strip()


_INTRO_HEADING = re.compile(r"^(hva er|kva er|what is|om |about )", re.I)


def _is_intro(hit: Hit) -> bool:
    c = hit.chunk
    return c.section == c.title or bool(_INTRO_HEADING.match(c.section.rsplit(" > ", 1)[-1]))


def _clean(sentence: str) -> str:
    sentence = re.sub(r"^[A-ZÆØÅ][\wæøå ?-]{2,40}\?: ", "", sentence)  # merged-heading prefix "Hvem kan få det?: "
    return _without_cross_references(sentence.strip())


class Composer:
    def __init__(self, analyzer: Analyzer, templates: Templates, injection_patterns: tuple):
        self.analyzer = analyzer
        self.templates = templates
        self.injection = injection_patterns

    def _candidates(self, hits: list[Hit], query_stems: set[str]) -> list[Sentence]:
        out: list[Sentence] = []
        seen: set[str] = set()
        for rank, hit in enumerate(hits):
            for order, raw in enumerate(split_sentences(hit.chunk.text)):
                s = _clean(raw)
                key = s.lower()
                # a question (usually a heading such as "Hvem kan få det?") or a list's lead-in ("... for deg:")
                # tells the parent nothing on its own
                if len(s) < 25 or len(s) > 450 or s.endswith(("?", ":")) or key in seen or matches(self.injection, s):
                    continue
                seen.add(key)
                stems = set(self.analyzer(s))
                overlap = len(stems & query_stems) / max(1, len(query_stems))
                # relevance: lexical overlap, the hit's rank and dense similarity, earlier sentences first;
                # the opening sentences of a page or card usually say what the thing is
                intro = 0.25 if order <= 1 and _is_intro(hit) else 0.0
                score = overlap + 0.6 * hit.dense_similarity + intro - 0.04 * rank - 0.02 * min(order, 5)
                out.append(Sentence(s, hit, rank, order, score, overlap))
        return out

    def compose(self, ctx: AskContext, query: str) -> None:
        lang = ctx.language
        hits = ctx.hits
        query_stems = set(self.analyzer(query))
        cands = self._candidates(hits, query_stems)
        if not cands:
            return
        citations: dict[str, Citation] = {}

        def cite(s: Sentence) -> str:
            c = s.hit.chunk
            if c.id not in citations:
                citations[c.id] = Citation.from_chunk(len(citations) + 1, c, c.text[:300])
            n = citations[c.id].n
            # a list item may hold two sentences: each carries the number, not just the last
            return " ".join(f"{part} [{n}]" for part in _SENT_END.split(s.text))

        used: set[str] = set()
        top_sim = max(h.dense_similarity for h in hits)
        summary_pool = sorted((s for s in cands if s.rank <= 1), key=lambda s: s.score, reverse=True)
        summary = sorted(summary_pool[:2], key=lambda s: (s.rank, s.order))
        used.update(s.text for s in summary)
        parts = [" ".join(cite(s) for s in summary)]

        # other sectors only where a hit is close to the best one (e5 similarities are compressed)
        relevant = [h for h in hits if h.dense_similarity >= top_sim - 0.03 or h is hits[0]]
        lexical_language = ctx.language in ("nb", "nn")
        sectors = sorted({h.chunk.sector for h in relevant},
                         key=lambda sec: min(i for i, h in enumerate(hits) if h.chunk.sector == sec))
        next_steps = [s for s in cands if s.rank < 4 and s.text not in used and s.hit in relevant and (
            NEXT_STEP_SECTION.search(s.hit.chunk.section.rsplit(" > ", 1)[-1]) or ACTION_START.search(s.text))]
        next_steps = sorted(next_steps, key=lambda s: s.score, reverse=True)[:3]
        step_texts = {s.text for s in next_steps}
        for i, sector in enumerate(sectors[:4]):
            pool = [s for s in cands if s.hit.chunk.sector == sector and s.text not in used
                    and s.text not in step_texts and s.hit in relevant
                    and (i == 0 or not lexical_language or s.overlap > 0)]
            best = sorted(pool, key=lambda s: s.score, reverse=True)[: 2 if i == 0 else 1]
            if not best:
                continue
            used.update(s.text for s in best)
            label = self.templates.sector(lang, sector)
            parts.append(f"**{label}**\n" + "\n".join(f"- {cite(s)}" for s in best))
        if next_steps:
            parts.append(f"**{self.templates.get(lang, 'next_steps')}**\n"
                         + "\n".join(f"- {cite(s)}" for s in next_steps))
        ctx.answer = "\n\n".join(p for p in parts if p)
        ctx.citations = sorted(citations.values(), key=lambda c: c.n)

"""Retrieval stage and the calibrated confidence: below it the answer is `no_answer`, never a guess."""

from __future__ import annotations

import time
from dataclasses import dataclass

from eti.answer.context import AskContext
from eti.answer.services import Services
from eti.core import Status
from eti.retrieve import RetrievalConfig, expand_query


def retrieve(ctx: AskContext, services: Services) -> None:
    t = time.perf_counter()
    vector = ctx.vector if ctx.vector is not None and ctx.vector_text == ctx.query else None
    k = services.config.overview_hits if ctx.topic is not None and ctx.topic.facet == "overview" else None
    result = services.retriever.search(ctx.query, ctx.filters, ctx.retriever_mode, k=k, vector=vector,
                                       lexical_terms=lexical_terms(ctx, services))
    ctx.hits = result.hits
    ctx.timings_ms.update({f"retrieve_{k}": v for k, v in result.timings_ms.items()})
    ctx.timings_ms["retrieve"] = (time.perf_counter() - t) * 1000


def lexical_terms(ctx: AskContext, services: Services) -> list[str]:
    """The sources' Norwegian words for what a question in another language asks (the glossary), for
    lexical retrieval: its own words share none with the sources. Norwegian questions need none."""
    return glossary_terms(ctx.query, ctx.language, services)


def glossary_terms(query: str, language: str | None, services: Services) -> list[str]:
    """``lexical_terms`` for a bare query (the search endpoint): its language detected when not given."""
    language = language or services.shared.languages.detect(query)
    if language in ("nb", "nn"):
        return []
    return services.shared.glossary.norwegian(query, language)


def lexical_coverage(ctx: AskContext, services: Services) -> float:
    """Share of the query's content words (stemmed) that the top hits contain."""
    analyzer = services.retriever.reader.lexical.analyzer
    query = set(analyzer(ctx.query))
    synonyms = set(analyzer(expand_query(ctx.query, services.retriever.synonyms)))
    if not query:
        return 0.0
    found: set[str] = set()
    for h in ctx.hits[:3]:
        found |= set(analyzer(f"{h.chunk.title} {h.chunk.section} {h.chunk.text}"))
    # a word counts as found when it, or one of its synonyms, is in the hits
    hit_words = query & found
    covered = len(hit_words) + min(len(query - hit_words), len((synonyms - query) & found))
    return min(1.0, covered / len(query))


def combine(top_similarity: float, coverage: float, language: str, cfg: RetrievalConfig) -> float:
    """The confidence from its two features (eval/calibrate.py fits ``cfg`` with this same function).

    Norwegian questions: the best dense similarity, scaled between a floor and a ceiling, mixed
    with lexical coverage. Other languages share no words with the sources, so a fixed prior
    stands in for coverage and the floor is lower (cross-lingual similarities are lower)."""
    norwegian = language in ("nb", "nn")
    floor = cfg.dense_floor if norwegian else cfg.dense_floor_other_language
    dense_part = min(1.0, max(0.0, (top_similarity - floor) / (cfg.dense_ceiling - floor)))
    lexical = coverage if norwegian else cfg.lexical_prior_other_language
    return cfg.dense_share * dense_part + (1 - cfg.dense_share) * lexical


def features(ctx: AskContext, services: Services) -> tuple[float, float]:
    """(best dense similarity of the top 3 hits, lexical coverage) for ``combine``."""
    top = max((h.dense_similarity for h in ctx.hits[:3]), default=0.0)
    coverage = lexical_coverage(ctx, services) if ctx.language in ("nb", "nn") else 0.0
    return top, coverage


def score(ctx: AskContext, services: Services) -> float:
    if not ctx.hits:
        return 0.0
    return combine(*features(ctx, services), ctx.language, services.config)


def names_a_found_scheme(ctx: AskContext, services: Services) -> bool:
    """The question names a scheme ("ppt?", "telefonnummer til PPT") and a top hit is about it: a short
    or partly unanswerable question about a known scheme still gets that scheme's answer (and, where
    it asks for a fact the source lacks, the honest phrase), never a guess about something else."""
    topic = ctx.topic
    if topic is None or not topic.schemes:
        return False
    topics = services.shared.topics
    wanted = set(topics.schemes_in(ctx.query, names_only=True)[:2]) or set(ctx.previous_topic)
    if not wanted:
        return False
    for h in ctx.hits[:3]:
        if topics.scheme_of_card(h.chunk.doc_id) in wanted or wanted & set(topics.schemes_in(h.chunk.title)):
            return True
    return False


def domain_probability(ctx: AskContext, services: Services) -> float | None:
    """How likely the question is about what the sources cover (answer/domain.py); None without
    the check or the question's vector."""
    model = services.shared.domain
    if model is None or ctx.vector is None:
        return None
    return model.probability(ctx.vector_text or ctx.query, ctx.vector)


@dataclass(frozen=True)
class GateDecision:
    passes: bool
    outside: bool  # the domain check put the question outside the sources
    floor: float  # the confidence the question needed


def decide(confidence: float, domain: float | None, named: bool, overview: bool, cfg: RetrievalConfig) -> GateDecision:
    """The gate's decision from its inputs (eval/tune_domain.py replays this same function).

    Outside the domain the check learnt (unless retrieval is sure: a deployment's own sources may
    cover more than the cards it learnt from): no answer. Clearly inside: a lower floor. A scheme the
    question names that retrieval found is answered; "hva har vi rett på?" is in the domain by its
    own words, so the check never puts an overview question outside: a long message about a diagnosis
    and a family's life reads unlike the questions it learnt from."""
    outside = (domain is not None and domain < cfg.domain_outside and confidence < cfg.confidence_sure
               and not overview)
    floor = cfg.min_confidence_inside if domain is not None and domain >= cfg.domain_inside else cfg.min_confidence
    if named:
        return GateDecision(True, outside, floor)
    if outside:
        return GateDecision(False, True, floor)
    return GateDecision(confidence >= floor or (overview and confidence >= cfg.min_confidence_overview), False, floor)


def gate(ctx: AskContext, services: Services) -> None:
    """`no_answer` below the calibrated confidence, never a guess. The domain check moves the line:
    a question clearly outside the sources gets `no_answer` however close a page looks, and one
    clearly inside them needs less of retrieval (its words may simply be in another language)."""
    cfg = services.config
    ctx.confidence = score(ctx, services)
    ctx.domain = domain_probability(ctx, services)
    overview = ctx.topic is not None and ctx.topic.facet == "overview"
    decision = decide(ctx.confidence, ctx.domain, names_a_found_scheme(ctx, services), overview, cfg)
    if decision.passes:
        ctx.confidence = max(ctx.confidence, min(decision.floor, cfg.min_confidence))
        return
    key = "no_answer_municipal" if ctx.filters.municipality else "no_answer"
    ctx.answer = services.templates.get(ctx.language, key)
    ctx.hits = []
    ctx.stop(Status.no_answer, "outside_sources" if decision.outside else "low_confidence")

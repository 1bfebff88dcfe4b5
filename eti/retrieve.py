"""Hybrid retrieval: dense (Chroma) + lexical (bm25s) fused with reciprocal rank fusion.

Filters (sector, source, language) are hard; a municipality boosts that kommune's chunks,
keeps national ones and pushes other kommuner's down. Near-duplicates are collapsed and a
question that spans sectors keeps each relevant sector among the hits.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel

from eti.core import Chunk
from eti.embed.base import Embedder
from eti.freshness import Freshness
from eti.index.reader import IndexReader

Mode = Literal["hybrid", "dense", "bm25"]
_WORD = re.compile(r"\w+")


class RetrievalConfig(BaseModel):
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    candidates: int = 40
    # a dense filter that keeps at least this share of the rows is applied after an unfiltered HNSW
    # query (Chroma's filtered query builds an allow-list: ~250 ms for a 50% filter at 100k rows)
    postfilter_min_share: float = 0.02
    # a narrower filter is searched exactly over its rows' vectors, fetched once per filter and kept
    # (a widget embedded on one kommune's site sends the same filter every time)
    subset_cache: int = 32
    municipality_boost: float = 1.5
    other_municipality_penalty: float = 0.5
    near_duplicate_jaccard: float = 0.8
    max_hits: int = 8
    overview_hits: int = 16  # an overview question lists many schemes
    outdated_penalty: float = 0.6  # fused-score factor for a page that looks outdated
    # confidence = dense_share * dense part + (1 - dense_share) * lexical coverage (see answer/confidence.py)
    dense_floor: float = 0.80
    dense_floor_other_language: float = 0.78
    dense_ceiling: float = 0.90
    dense_share: float = 0.6
    lexical_prior_other_language: float = 0.5
    min_confidence: float = 0.5
    min_confidence_overview: float = 0.15  # an overview question ("hva har vi rett på?") is in the domain
    # the domain check (answer/domain.py): below domain_outside a question is outside the sources
    # whatever retrieval found; at or above domain_inside the lower floor min_confidence_inside applies
    domain_outside: float = 0.0
    domain_inside: float = 1.01
    min_confidence_inside: float = 0.5
    confidence_sure: float = 1.01  # retrieval this sure answers even a question the check puts outside

    @classmethod
    def load(cls) -> RetrievalConfig:
        text = resources.files("eti.data").joinpath("retrieval.yaml").read_text(encoding="utf-8")
        return cls.model_validate(yaml.safe_load(text))


def load_synonyms() -> dict[str, list[str]]:
    text = resources.files("eti.data").joinpath("synonyms.yaml").read_text(encoding="utf-8")
    return {str(k).lower(): [str(x) for x in v] for k, v in (yaml.safe_load(text) or {}).items()}


@dataclass
class Filters:
    sectors: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    municipality: str | None = None


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused (RRF) score after boosts
    dense_similarity: float  # cosine between query and chunk (computed for every hit)
    dense_rank: int | None = None
    lexical_rank: int | None = None
    lexical_score: float = 0.0
    outdated: bool = False  # the page looks older than the current rules (eti/freshness.py)


@dataclass
class Retrieval:
    hits: list[Hit]
    query_vector: np.ndarray
    timings_ms: dict[str, float]
    expanded_query: str


def expand_query(query: str, synonyms: dict[str, list[str]]) -> str:
    extra: list[str] = []
    for w in _WORD.findall(query.lower()):
        extra.extend(synonyms.get(w, []))
    for phrase, words in synonyms.items():  # multi-word keys like "pp-tjeneste"
        if "-" in phrase and phrase in query.lower():
            extra.extend(words)
    return f"{query} {' '.join(extra)}" if extra else query


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, len(a | b))


class _Column:
    """One metadata column as integer codes."""

    def __init__(self, values: list[str]):
        self.vocab: dict[str, int] = {}
        self.codes = np.array([self.vocab.setdefault(v, len(self.vocab)) for v in values], dtype=np.int32)

    def __len__(self) -> int:
        return len(self.codes)

    def isin(self, values: list[str]) -> np.ndarray:
        wanted = [self.vocab[v] for v in values if v in self.vocab]
        if not wanted:
            return np.zeros(len(self.codes), dtype=bool)
        if len(wanted) == 1:
            return self.codes == wanted[0]
        return np.isin(self.codes, wanted)


class Retriever:
    def __init__(self, reader: IndexReader, embedder: Embedder, config: RetrievalConfig | None = None,
                 synonyms: dict[str, list[str]] | None = None, freshness: Freshness | None = None,
                 today: Callable[[], date] = date.today):
        self.reader = reader
        self.embedder = embedder
        self.freshness = freshness or Freshness.load()
        self.today = today
        self.config = config or RetrievalConfig.load()
        self.synonyms = load_synonyms() if synonyms is None else synonyms
        rows = reader.rows
        # per-row metadata as small integer codes: filter masks in well under a millisecond at 100k rows
        self._sector = _Column([r[1] for r in rows])
        self._source = _Column([r[0] for r in rows])
        self._kommune = _Column([r[2] for r in rows])
        self._lang = _Column([r[3] for r in rows])
        self._row_of = {cid: i for i, cid in enumerate(reader.lexical.ids)}
        self._subsets: OrderedDict[bytes, tuple[list[str], np.ndarray]] = OrderedDict()
        self._subsets_lock = threading.Lock()

    # -- filters ------------------------------------------------------------------------
    def _mask(self, f: Filters) -> np.ndarray | None:
        if not (f.sectors or f.sources or f.languages):
            return None
        mask = np.ones(len(self._sector), dtype=bool)
        if f.sectors:
            mask &= self._sector.isin(f.sectors)
        if f.sources:
            mask &= self._source.isin(f.sources)
        if f.languages:
            mask &= self._lang.isin(f.languages)
        return mask.astype(np.float32)

    @staticmethod
    def _where(f: Filters) -> dict | None:
        clauses = []
        if f.sectors:
            clauses.append({"sector": {"$in": f.sectors}})
        if f.sources:
            clauses.append({"source_id": {"$in": f.sources}})
        if f.languages:
            clauses.append({"language": {"$in": f.languages}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def _dense(self, qvec: np.ndarray, n: int, f: Filters, mask: np.ndarray | None,
               extra_where: dict | None = None) -> list[tuple[str, float]]:
        """Dense top-n under the filters: a broad filter is applied to an unfiltered query's results,
        a narrow one is handed to Chroma."""
        where = self._where(f)
        if extra_where is not None:
            where = extra_where if where is None else {"$and": [extra_where, *(where.get("$and") or [where])]}
        if where is None:
            return self.reader.dense.search(qvec, n)
        total = self.reader.dense.count()
        share = float(mask.mean()) if mask is not None and len(mask) else 0.0
        if mask is None or not total:
            return self.reader.dense.search(qvec, n, where=where)
        if share >= self.config.postfilter_min_share:
            wide = min(total, int(n / share * 1.5) + 10)
            kept = [(cid, s) for cid, s in self.reader.dense.search(qvec, wide)
                    if (row := self._row_of.get(cid)) is not None and mask[row]]
            if len(kept) >= n or wide >= total:
                return kept[:n]
        return self._exact(qvec, n, mask)

    def _exact(self, qvec: np.ndarray, n: int, mask: np.ndarray) -> list[tuple[str, float]]:
        """Exact cosine top-n over the rows a (narrow) filter keeps."""
        key = hashlib.sha1(np.packbits(mask > 0).tobytes()).digest()
        with self._subsets_lock:
            entry = self._subsets.get(key)
            if entry is not None:
                self._subsets.move_to_end(key)
        if entry is None:
            ids = [self.reader.lexical.ids[i] for i in np.flatnonzero(mask)]
            found = self.reader.dense.vectors(ids)
            ids = [i for i in ids if i in found]
            matrix = np.vstack([found[i] for i in ids]) if ids else np.zeros((0, len(qvec)), dtype=np.float32)
            entry = (ids, matrix)
            with self._subsets_lock:
                self._subsets[key] = entry
                while len(self._subsets) > self.config.subset_cache:
                    self._subsets.popitem(last=False)
        ids, matrix = entry
        if not ids:
            return []
        scores = matrix @ qvec
        top = np.argsort(-scores)[:n]
        return [(ids[i], float(scores[i])) for i in top]

    # -- search -------------------------------------------------------------------------
    def search(self, query: str, filters: Filters | None = None, mode: Mode = "hybrid",
               k: int | None = None, vector: np.ndarray | None = None,
               lexical_terms: list[str] | None = None) -> Retrieval:
        """The top ``k`` hits for ``query``; ``vector`` is its embedding when the caller already has it.
        ``lexical_terms``: more words for the lexical side only (the sources' Norwegian words for what a
        question in another language asks; the dense side reads the question itself)."""
        f = filters or Filters()
        cfg = self.config
        k = k or cfg.max_hits
        timings: dict[str, float] = {}
        t = time.perf_counter()
        qvec = vector if vector is not None else self.embedder.embed([query], "query")[0]
        timings["embed"] = (time.perf_counter() - t) * 1000
        expanded = expand_query(query, self.synonyms)
        if lexical_terms:
            expanded = f"{expanded} {' '.join(lexical_terms)}"
        mask = self._mask(f)  # sector, source and language filters (the municipality boosts, below)

        dense: list[tuple[str, float]] = []
        lexical: list[tuple[str, float]] = []
        t = time.perf_counter()
        if mode in ("hybrid", "dense"):
            dense = self._dense(qvec, cfg.candidates, f, mask)
        timings["dense"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        if mode in ("hybrid", "bm25"):
            lexical = self.reader.lexical.search(expanded, cfg.candidates, mask=mask)
        timings["lexical"] = (time.perf_counter() - t) * 1000

        local_lists: list[list[tuple[str, float]]] = []
        if f.municipality:  # the kommune's own pages compete as ranked lists of their own
            t = time.perf_counter()
            local = Filters(f.sectors, f.sources, f.languages)
            kmask = self._kommune.isin([f.municipality]).astype(np.float32)
            if mask is not None:
                kmask = kmask * mask
            if mode in ("hybrid", "bm25") and kmask.any():
                local_lists.append(self.reader.lexical.search(expanded, 10, mask=kmask))
            if mode in ("hybrid", "dense") and kmask.any():
                local_lists.append(self._dense(qvec, 10, local, kmask, extra_where={"municipality": f.municipality}))
            timings["municipality"] = (time.perf_counter() - t) * 1000

        t = time.perf_counter()
        fused: dict[str, float] = {}
        dense_rank = {cid: r for r, (cid, _) in enumerate(dense)}
        lex_rank = {cid: r for r, (cid, _) in enumerate(lexical)}
        lex_score = dict(lexical)
        for cid, r in dense_rank.items():
            fused[cid] = fused.get(cid, 0.0) + cfg.dense_weight / (cfg.rrf_k + r + 1)
        for cid, r in lex_rank.items():
            fused[cid] = fused.get(cid, 0.0) + cfg.lexical_weight / (cfg.rrf_k + r + 1)
        for ranked_local in local_lists:
            for r, (cid, _) in enumerate(ranked_local):
                fused[cid] = fused.get(cid, 0.0) + 0.5 / (cfg.rrf_k + r + 1)
        ranked = sorted(fused, key=fused.get, reverse=True)[: max(3 * k, 24)]
        got = self.reader.dense.get_with_vectors(ranked)
        today = self.today()
        hits: list[Hit] = []
        for cid in ranked:
            if cid not in got:
                continue
            text, meta, vec = got[cid]
            chunk = Chunk.from_metadata(cid, text, meta)
            score = fused[cid]
            if f.municipality:
                if chunk.municipality == f.municipality:
                    score *= cfg.municipality_boost
                elif chunk.municipality:
                    score *= cfg.other_municipality_penalty
            outdated = self.freshness.outdated(chunk, today)
            if outdated:  # a page that looks older ranks below the current one
                score *= cfg.outdated_penalty
            hits.append(Hit(chunk, score, float(np.dot(vec, qvec)), dense_rank.get(cid), lex_rank.get(cid),
                            lex_score.get(cid, 0.0), outdated))
        hits.sort(key=lambda h: h.score, reverse=True)
        hits = self._diversify(self._collapse(hits), k)
        timings["fuse"] = (time.perf_counter() - t) * 1000
        return Retrieval(hits, qvec, timings, expanded)

    def _collapse(self, hits: list[Hit]) -> list[Hit]:
        kept: list[tuple[Hit, set[str]]] = []
        for h in hits:
            words = set(_WORD.findall(h.chunk.text.lower()))
            if any(_jaccard(words, w) >= self.config.near_duplicate_jaccard for _, w in kept):
                continue
            kept.append((h, words))
        return [h for h, _ in kept]

    @staticmethod
    def _diversify(hits: list[Hit], k: int) -> list[Hit]:
        """Keep the top k, but give every sector that has a strong candidate at least one slot."""
        top = hits[:k]
        if len(hits) <= k:
            return top
        best = max((h.dense_similarity for h in top), default=0.0)
        present = {h.chunk.sector for h in top}
        for h in hits[k : 3 * k]:
            if h.chunk.sector in present or h.dense_similarity < best - 0.04:
                continue
            counts: dict[str, int] = {}
            for x in top:
                counts[x.chunk.sector] = counts.get(x.chunk.sector, 0) + 1
            victims = [i for i, x in enumerate(top) if counts[x.chunk.sector] > 1]
            if not victims:
                break
            top[victims[-1]] = h
            present.add(h.chunk.sector)
        return sorted(top, key=lambda x: x.score, reverse=True)

"""Run the question bank against the current index (in-process) or a running API, per configuration."""

from __future__ import annotations

import dataclasses
import functools
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from eti.evaluate import metrics as M
from eti.evaluate.questions import Question


@dataclass
class QuestionResult:
    id: str
    kind: str
    lang: str
    question: str
    sectors: list[str]
    relevant: list[str]
    must_mention_terms: list[str]
    expected_status: str
    status: str = ""
    status_ok: bool = False
    answer: str = ""
    citations: list[dict] = field(default_factory=list)
    retrieved: list[str] = field(default_factory=list)
    recall_at_5: float | None = None
    recall_at_10: float | None = None
    mrr: float | None = None
    ndcg_at_10: float | None = None
    must_mention: float | None = None
    sector_coverage: float | None = None
    citation_validity: float | None = None  # share of cited sentences whose [n] exist and are supported
    citation_entailment: float | None = None  # LLM judge only (eti.evaluate.judge)
    faithfulness: float | None = None  # LLM judge only
    answer_relevancy: float | None = None  # LLM judge only
    judge_errors: list[str] = field(default_factory=list)
    pii_leak: bool | None = None
    split: str = "dev"
    facet: str | None = None
    cited_sources: list[str] = field(default_factory=list)
    answer_chars: int | None = None
    dangling: int | None = None  # passages that open with an unresolved reference
    contradictions: int | None = None  # different deadlines side by side in the answer's own passages
    verdicts: int | None = None  # sentences that tell the family they have a right / will get a benefit
    language_ok: bool | None = None  # the answer (or its notice) is in the language asked
    topic_ok: bool | None = None  # followup: the first citation is the right topic
    outdated_ok: bool | None = None  # outdated kind: no outdated page cited before the current one
    honest: bool | None = None  # partial kind: the answer says plainly what the sources lack
    latency_ms: float = 0.0
    confidence: float | None = None
    error: str | None = None


@dataclass
class Answered:
    """What one /v1/ask (or in-process answer) gave back, in a form both targets can fill."""

    status: str
    answer: str
    citations: list[dict]
    latency_ms: float
    confidence: float | None = None
    supports: Callable[[dict], str] | None = None  # citation -> the source text it stands for
    stored_texts: list[str] = field(default_factory=list)  # what the system kept (conversation, logs, feedback)
    language: str | None = None


class InProcessTarget:
    """The pipeline and retriever called directly: every metric is available, ablations included."""

    def __init__(self, services, feedback_dir: Path | None = None, mode: str = "default", retriever: str = "hybrid"):
        self.services, self.mode, self.retriever = services, mode, retriever
        from eti.settings import Settings
        from eti.state.sqlite import open_state

        self._tmp = Path(feedback_dir or tempfile.mkdtemp(prefix="eti-eval-"))
        self.feedback = open_state(self._tmp / "feedback.sqlite", Settings()).feedback  # the API's own store
        self.name = "in-process"

    def search(self, q: Question, k: int = 10) -> list[tuple[str, str, str]]:
        from eti.answer.confidence import glossary_terms
        from eti.retrieve import Filters

        query = search_query(q, self.services.shared.topics)
        res = self.services.retriever.search(query, Filters(municipality=q.municipality), self.retriever, k,
                                             lexical_terms=glossary_terms(query, None, self.services))
        return [(h.chunk.doc_id, h.chunk.url, h.chunk.source_id) for h in res.hits]

    def ask(self, q: Question) -> Answered:
        from eti.answer.pipeline import answer
        from eti.retrieve import Filters

        records: list[str] = []
        handler = _Capture(records)
        logging.getLogger().addHandler(handler)
        try:
            cid = None
            for earlier in q.previous:  # the conversation so far, as the parent asked it
                cid = answer(earlier, self.services, conversation_id=cid, filters=Filters(municipality=q.municipality),
                             mode=self.mode, retriever=self.retriever).conversation_id
            t = time.perf_counter()
            ctx = answer(q.question, self.services, conversation_id=cid, filters=Filters(municipality=q.municipality),
                         mode=self.mode, retriever=self.retriever)
            latency = (time.perf_counter() - t) * 1000
        finally:
            logging.getLogger().removeHandler(handler)
        self.feedback.add(ctx.conversation_id or "evalconversation", "down", q.question)
        conv = self.services.conversations.get_or_new(ctx.conversation_id)
        stored = [t.question for t in conv.turns] + records + [
            r["comment"] or "" for r in self.feedback.rows(ctx.conversation_id)]
        texts = {}
        ids = [c.chunk_id for c in ctx.citations if c.chunk_id]
        for cid, (text, _meta) in self.services.retriever.reader.dense.get(ids).items():
            texts[cid] = text
        return Answered(ctx.status.value, ctx.answer,
                        [dataclasses.asdict(c) for c in ctx.citations], latency, ctx.confidence,
                        supports=lambda c: texts.get(c.get("chunk_id", ""), c.get("snippet", "")),
                        stored_texts=stored, language=ctx.language)


@functools.lru_cache(maxsize=1)
def _topics():
    from eti.answer.topics import TopicRecogniser

    return TopicRecogniser.load()


def _same_scheme(citation: dict, relevant: list[str]) -> bool:
    """A crawled page about the scheme the relevant card covers is on topic too (the card is not
    the only source about it): the scheme named in the page's title."""
    topics = _topics()
    wanted = {topics.scheme_of_card(r) for r in relevant} - {None}
    cited = topics.scheme_of_card(citation.get("doc_id", "")) or next(iter(topics.schemes_in(citation.get("title", ""))), None)
    return cited is not None and cited in wanted


def search_query(q: Question, topics) -> str:
    """What the pipeline searches for: the redacted question; a follow-up that continues the topic
    also carries the earlier turn's scheme (as eti/answer/followup.py adds it)."""
    from eti.pii import redact

    query = redact(q.question).searchable
    if q.previous and q.topic == "inherit":
        schemes = topics.schemes_in(q.previous[-1])
        query = f"{query} {topics.label(schemes[0])}" if schemes else query
    return query


class ApiTarget:
    """A running ETI API over HTTP (hybrid retrieval and the server's answer mode only)."""

    def __init__(self, base_url: str, api_key: str | None = None, timeout: float = 30):
        import httpx

        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(base_url=base_url.rstrip("/"), headers=headers, timeout=timeout)
        self.name = base_url
        self.mode, self.retriever = "server", "hybrid"

    def search(self, q: Question, k: int = 10) -> list[tuple[str, str, str]]:
        body = {"query": search_query(q, _topics()), "k": k}
        if q.municipality:
            body["filters"] = {"municipality": q.municipality}
        r = self.client.post("/v1/search", json=body)
        r.raise_for_status()
        return [(x.get("doc_id") or x["url"], x["url"], x.get("source_id", "")) for x in r.json()["results"]]

    def ask(self, q: Question) -> Answered:
        cid = None
        for earlier in q.previous:
            body = {"question": earlier, "municipality": q.municipality, **({"conversation_id": cid} if cid else {})}
            r = self.client.post("/v1/ask", json=body)
            r.raise_for_status()
            cid = r.json()["conversation_id"]
        t = time.perf_counter()
        body = {"question": q.question, "municipality": q.municipality, **({"conversation_id": cid} if cid else {})}
        r = self.client.post("/v1/ask", json=body)
        latency = (time.perf_counter() - t) * 1000
        r.raise_for_status()
        d = r.json()
        return Answered(d["status"], d["answer"], d["citations"], latency,
                        supports=lambda c: c.get("snippet", ""), language=d.get("language"))


class _Capture(logging.Handler):
    def __init__(self, sink: list[str]):
        super().__init__(level=logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.sink.append(record.getMessage())
        except (TypeError, ValueError):
            self.sink.append(str(record.msg))


def _support(sentence: str, source: str, analyzer) -> bool:
    words = set(analyzer(sentence))
    if not words:
        return True
    return len(words & set(analyzer(source))) / len(words) >= 0.5


def nynorsk_forms(translator) -> Callable[[Question], dict[str, list[str]]]:
    """A question's must-mention terms as nynorsk too, for the questions asked in nynorsk (their answers
    are nynorsk; the bank writes its terms in bokmål). No translator: no other forms."""
    def forms(q: Question) -> dict[str, list[str]]:
        if translator is None or q.lang != "nn":
            return {}
        out = {}
        for t in q.must_mention:
            done = translator.translate(t)
            if done and done.strip().lower() != t.lower():
                out[t] = [done.strip()]
        return out
    return forms


def evaluate_question(q: Question, target, analyzer, judge=None,
                      term_forms: Callable[[Question], dict[str, list[str]]] | None = None) -> QuestionResult:
    from eti.answer.verdicts import VerdictRules
    from eti.pii import find_personal_data, leaks, redact

    verdict_rules = VerdictRules.load()

    # reports never hold personal data, not even the bank's synthetic numbers: the question is stored redacted
    r = QuestionResult(q.id, q.kind, q.lang, redact(q.question).text, q.sectors, q.relevant, q.must_mention,
                       q.expected_status, split=q.split, facet=q.facet)
    try:
        if q.relevant:
            ranked = target.search(q, 10)
            r.retrieved = [d for d, *_ in ranked]
            marks = M.ranked_relevance(ranked, q.relevant)
            r.recall_at_5, r.recall_at_10 = M.recall_at(marks, q.relevant, 5), M.recall_at(marks, q.relevant, 10)
            r.mrr, r.ndcg_at_10 = M.mrr(marks), M.ndcg_at(marks, q.relevant, 10)
        a = target.ask(q)
    except Exception as exc:  # one broken question must not stop the run; it is reported  # noqa: BLE001
        r.error = f"{type(exc).__name__}: {exc}"
        return r
    r.status, r.answer, r.citations, r.latency_ms, r.confidence = (a.status, a.answer, a.citations, a.latency_ms,
                                                                     a.confidence)
    r.status_ok = a.status == q.expected_status
    r.language_ok = a.language == q.lang if a.language is not None else None
    r.cited_sources = sorted({c.get("source_id", "") for c in a.citations if c.get("source_id")})
    if a.status == "answered":
        r.answer_chars = len(a.answer)
        r.dangling = len(M.dangling_references(a.answer))
        r.contradictions = len(M.cross_scheme_contradictions(a.answer, a.citations))
        r.verdicts = len(verdict_rules.has_verdict(a.answer))
        first = a.citations[0] if a.citations else None
        if q.kind == "followup" and q.relevant:
            r.topic_ok = first is not None and (
                M.is_relevant(first.get("doc_id") or first["url"], first["url"], q.relevant,
                              first.get("source_id", "")) is not None
                or _same_scheme(first, q.relevant))
        if q.kind == "outdated":
            order = [M.is_relevant(c.get("doc_id") or c["url"], c["url"], q.outdated + q.relevant,
                                   c.get("source_id", "")) for c in a.citations]
            marks = [m for m in order if m]
            r.outdated_ok = not marks or marks[0] not in q.outdated
        if q.kind == "partial":
            r.honest = M.says_missing(a.answer)
        r.must_mention = M.must_mention(a.answer, q.must_mention, term_forms(q) if term_forms else None)
        r.sector_coverage = M.sector_coverage({c["sector"] for c in a.citations}, q.sectors)
        by_n = {c["n"]: c for c in a.citations}
        sentences = M.cited_sentences(a.answer)
        if sentences:
            ok = 0
            for sentence, nums in sentences:
                if all(n in by_n for n in nums) and any(
                        _support(sentence, a.supports(by_n[n]) if a.supports else "", analyzer) for n in nums):
                    ok += 1
            r.citation_validity = ok / len(sentences)
        if judge is not None:
            source_of = {n: (a.supports(c) if a.supports else c.get("snippet", "")) for n, c in by_n.items()}
            scores = judge.score(q.question, a.answer, sentences, source_of)
            r.citation_entailment, r.faithfulness = scores.citation_entailment, scores.faithfulness
            r.answer_relevancy, r.judge_errors = scores.answer_relevancy, scores.errors
    values = find_personal_data(q.question)
    if values:
        haystacks = [a.answer, *a.stored_texts]
        r.pii_leak = any(leaks(v, h) for v in values for h in haystacks)
    return r


def run(questions: list[Question], target, analyzer, on_done: Callable[[int], None] | None = None,
        judge=None, term_forms: Callable[[Question], dict[str, list[str]]] | None = None) -> list[QuestionResult]:
    results = []
    for i, q in enumerate(questions, start=1):
        results.append(evaluate_question(q, target, analyzer, judge, term_forms))
        if on_done:
            on_done(i)
    return results


def as_dicts(results: list[QuestionResult]) -> list[dict]:
    return [asdict(r) for r in results]

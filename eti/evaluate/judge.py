"""An optional LLM judge for the evaluation suite (never needed to run it).

Configured with ``ETI_JUDGE_BASE_URL`` / ``ETI_JUDGE_MODEL`` / ``ETI_JUDGE_API_KEY`` (any
OpenAI-compatible endpoint), falling back to the answering LLM's ``ETI_LLM_*`` settings. It adds:

* ``citation_entailment``: share of cited sentences that the cited source entails (the judge's
  YES/NO on ``prompts/judge_support.md``), on top of the lexical ``citation_validity``.
* ``faithfulness`` (RAGAS definition, with the answer's sentences as its claims): share of the
  answer's sentences that the retrieved context (all cited sources together) supports.
* ``answer_relevancy`` (RAGAS definition): the judge writes the question the answer responds to
  (``prompts/judge_question.md``, ``n`` times); the score is the mean cosine similarity between
  those and the real question, embedded with the index's own query embedder.

A judge error leaves the metric empty for that question and is counted, never fatal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from eti.settings import Settings

log = logging.getLogger(__name__)


def build_judge_model(settings: Settings):
    """The judge's chat model (``ETI_JUDGE_*``, else ``ETI_LLM_*``) from the shared registry, or None."""
    from eti.chat import build_chat_model, judge_endpoint

    return build_chat_model(judge_endpoint(settings))


@dataclass
class JudgeScores:
    citation_entailment: float | None = None
    faithfulness: float | None = None
    answer_relevancy: float | None = None
    errors: list[str] = field(default_factory=list)


class Judge:
    def __init__(self, chat_model, prompts_dir: Path, embedder=None, relevancy_samples: int = 2):
        self.chat = chat_model
        self.support_prompt = (prompts_dir / "judge_support.md").read_text(encoding="utf-8")
        self.question_prompt = (prompts_dir / "judge_question.md").read_text(encoding="utf-8")
        self.embedder = embedder
        self.samples = relevancy_samples

    def _ask(self, text: str) -> str:
        from langchain_core.messages import HumanMessage

        return str(self.chat.invoke([HumanMessage(content=text)]).content).strip()

    def supports(self, statement: str, source: str) -> bool:
        reply = self._ask(self.support_prompt.format(source=source[:6000], statement=statement))
        word = reply.split()[0].strip(".,:!").upper() if reply.split() else ""
        if word in ("YES", "JA"):
            return True
        if word in ("NO", "NEI"):
            return False
        raise ValueError(f"judge reply is neither YES nor NO: {reply[:60]!r}")

    def relevancy(self, question: str, answer: str) -> float:
        if self.embedder is None:
            raise ValueError("answer relevancy needs an embedder")
        generated = [self._ask(self.question_prompt.format(answer=answer[:4000])).splitlines()[0]
                     for _ in range(self.samples)]
        generated = [g for g in generated if g.strip()]
        if not generated:
            raise ValueError("the judge wrote no question")
        vecs = self.embedder.embed([question, *generated], "query")
        vecs = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
        return float(np.mean(vecs[1:] @ vecs[0]))

    def score(self, question: str, answer: str, cited: list[tuple[str, list[int]]],
              source_of: dict[int, str]) -> JudgeScores:
        out = JudgeScores()
        if cited:
            try:
                entailed = faithful = 0
                context = "\n\n".join(source_of.values())
                for sentence, nums in cited:
                    own = [source_of[n] for n in nums if n in source_of]
                    entailed += bool(own) and any(self.supports(sentence, s) for s in own)
                    faithful += self.supports(sentence, context)
                out.citation_entailment = entailed / len(cited)
                out.faithfulness = faithful / len(cited)
            except Exception as exc:  # a judge failure is a gap in the report, not a failed run  # noqa: BLE001
                out.errors.append(f"entailment: {type(exc).__name__}: {exc}")
        try:
            out.answer_relevancy = round(self.relevancy(question, answer), 4)
        except Exception as exc:  # noqa: BLE001
            out.errors.append(f"relevancy: {type(exc).__name__}: {exc}")
        for e in out.errors:
            log.warning("judge: %s", e)
        return out

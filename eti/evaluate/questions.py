"""The question bank (eval/questions.yaml), validated."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["factual", "multi_sector", "municipal", "unanswerable", "adversarial", "diagnosis", "emergency", "pii"]


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    question: str
    lang: Literal["nb", "nn", "en", "pl", "uk", "ar", "so"]
    kind: Kind
    expected_status: Literal["answered", "no_answer", "refused", "emergency"]
    relevant: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    must_mention: list[str] = Field(default_factory=list)
    municipality: str | None = None


class QuestionBank(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    questions: list[Question]


def load_questions(path: Path) -> list[Question]:
    bank = QuestionBank.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    ids = [q.id for q in bank.questions]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{path}: duplicate question ids")
    return bank.questions


def quick_subset(questions: list[Question], per_kind: int = 6) -> list[Question]:
    """A stratified subset for CI: the first ``per_kind`` of each kind, keeping languages mixed."""
    out: list[Question] = []
    counts: dict[str, int] = {}
    for q in questions:
        if counts.get(q.kind, 0) < per_kind:
            out.append(q)
            counts[q.kind] = counts.get(q.kind, 0) + 1
    return out

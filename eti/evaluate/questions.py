"""The question bank (eval/questions/dev.yaml and test.yaml), validated.

The split is fixed by file: ``dev`` is what thresholds, patterns, synonyms and calibration are
tuned on; ``test`` is never tuned on and is reported beside it (see eval/README.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["factual", "multi_sector", "municipal", "unanswerable", "adversarial", "diagnosis", "emergency", "pii",
               "overview", "partial", "followup", "outdated"]
Facet = Literal["what", "who", "amount", "apply", "deadline", "contact", "overview", "other"]
Split = Literal["dev", "test"]
LANGUAGES = ("nb", "nn", "en", "pl", "uk", "ar", "so")


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    question: str
    lang: Literal["nb", "nn", "en", "pl", "uk", "ar", "so"]
    kind: Kind
    expected_status: Literal["answered", "no_answer", "refused", "emergency"]
    facet: Facet | None = None
    relevant: list[str] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    must_mention: list[str] = Field(default_factory=list)
    municipality: str | None = None
    # earlier questions of the same conversation, asked (in order) before this one
    previous: list[str] = Field(default_factory=list)
    # followup kind: does this turn continue the previous topic ("inherit") or start a new one ("new")
    topic: Literal["inherit", "new"] | None = None
    # partial kind: what the question asks for that the sources do not hold
    missing: Literal["amount", "time", "name", "phone", "date", "other"] | None = None
    # outdated kind: pages that are out of date and must not be cited before the current one
    outdated: list[str] = Field(default_factory=list)
    split: Split = "dev"  # set from the file it was read from

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.kind == "followup" and (not self.previous or self.topic is None):
            raise ValueError(f"{self.id}: a followup question needs `previous` and `topic`")
        if self.kind == "partial" and self.missing is None:
            raise ValueError(f"{self.id}: a partial question needs `missing`")
        if self.kind == "outdated" and not self.outdated:
            raise ValueError(f"{self.id}: an outdated question needs `outdated`")
        return self


class QuestionBank(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int
    split: Split
    questions: list[Question]


def _load_file(path: Path) -> list[Question]:
    bank = QuestionBank.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    return [q.model_copy(update={"split": bank.split}) for q in bank.questions]


def load_questions(path: Path, splits: tuple[str, ...] = ("dev", "test")) -> list[Question]:
    """A bank file, or a folder of them (``dev.yaml``, ``test.yaml``); ids are unique across files."""
    path = Path(path)
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    questions = [q for f in files for q in _load_file(f) if q.split in splits]
    ids = [q.id for q in questions]
    if len(ids) != len(set(ids)):
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"{path}: duplicate question ids: {', '.join(dupes[:5])}")
    return questions


def quick_subset(questions: list[Question], per_kind: int = 6) -> list[Question]:
    """A stratified subset for CI: the first ``per_kind`` of each kind and split, keeping languages mixed."""
    out: list[Question] = []
    counts: dict[tuple[str, str], int] = {}
    for q in questions:
        key = (q.split, q.kind)
        if counts.get(key, 0) < per_kind:
            out.append(q)
            counts[key] = counts.get(key, 0) + 1
    return out

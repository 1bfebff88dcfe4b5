"""Guards declared as data (eti/data/guards.yaml), built by one function.

``build_guards(spec, embedder, cache_path)`` makes everything the guard stages need: the emergency
detector (lexicon + exemplar similarity) and the refusal guards, each a name, a status, a template
and rules of regular expressions. A new guard is one YAML entry and one template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict

from eti.answer.guardrails.emergency import EmergencyDetector, EmergencyThresholds
from eti.answer.guardrails.exemplars import ExemplarBank
from eti.core import Status
from eti.embed import Embedder
from eti.sanitize import InstructionFilter
from eti.sentences import split_sentences


class EmergencySpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Status
    template: str
    crisis_template: str
    urgent_template: str
    urgent_crisis_template: str
    thresholds: dict[str, float]


class GuardEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    status: Status
    template: str
    rules: list[list[str]]


class SemanticRefusalSpec(BaseModel):
    """A request that reads like the refused exemplars (harmful:<guard>) more than like ordinary
    questions is refused by the guard of its nearest exemplars, even when no pattern matches."""
    model_config = ConfigDict(extra="forbid")
    margin: float  # fitted on the dev split with eval/tune_refusals.py (leave-one-out margins)


class GuardSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    emergency: EmergencySpec
    semantic_refusal: SemanticRefusalSpec | None = None
    guards: list[GuardEntry]

    @property
    def emergency_thresholds(self) -> EmergencyThresholds:
        return EmergencyThresholds(**self.emergency.thresholds)


def load_guard_spec() -> GuardSpec:
    text = resources.files("eti.data").joinpath("guards.yaml").read_text(encoding="utf-8")
    return GuardSpec.model_validate(yaml.safe_load(text))


@dataclass(frozen=True)
class RefusalGuard:
    name: str
    status: Status
    template: str
    rules: tuple[tuple[re.Pattern, ...], ...]

    def fires(self, text: str) -> bool:
        return any(all(p.search(text) for p in rule) for rule in self.rules)


@dataclass(frozen=True)
class Guards:
    emergency: EmergencyDetector
    emergency_spec: EmergencySpec
    refusals: tuple[RefusalGuard, ...]
    instructions: InstructionFilter

    bank: ExemplarBank | None = None
    semantic_refusal_margin: float | None = None

    def refusal(self, text: str, vector: np.ndarray | None = None) -> RefusalGuard | None:
        """The first refusal guard whose patterns fire on ``text``; else, with the question's vector,
        the guard of the refused exemplars it is closest to, when it is clearly closer to them than
        to ordinary questions."""
        guard = next((g for g in self.refusals if g.fires(text)), None)
        if guard is not None or vector is None:
            return guard
        name = self.semantic_refusal(vector)
        return next((g for g in self.refusals if g.name == name), None)

    def semantic_refusal(self, vector: np.ndarray) -> str | None:
        """The guard name the vector's nearest refused exemplars carry, if the margin is met."""
        if self.bank is None or self.semantic_refusal_margin is None or not self._harmful:
            return None
        if self.refusal_margin(vector) < self.semantic_refusal_margin:
            return None
        return self.bank.best_label(vector, self._harmful).split(":", 1)[1]

    def refusal_margin(self, vector: np.ndarray) -> float:
        return self.bank.margin(vector, self._harmful, ("negative", "extra-negative")) if self.bank is not None \
            else float("-inf")

    @property
    def _harmful(self) -> tuple[str, ...]:
        # harmful:<guard> from the safety set, extra-harmful:<guard> from eval/harmful_dev_extra.yaml
        return tuple(lbl for lbl in self.bank.other_labels(()) if lbl.startswith(("harmful:", "extra-harmful:"))) \
            if self.bank else ()


def build_guards(spec: GuardSpec, embedder: Embedder | None, cache_path: Path | None = None) -> Guards:
    """The one constructor: every guard from its YAML entry (the exemplar bank needs the embedder)."""
    bank = ExemplarBank.build(embedder, cache_path) if embedder is not None else None
    refusals = tuple(
        RefusalGuard(g.name, g.status, g.template,
                     tuple(tuple(re.compile(p, re.I | re.S) for p in rule) for rule in g.rules))
        for g in spec.guards)
    return Guards(EmergencyDetector.load(bank, spec.emergency_thresholds), spec.emergency, refusals,
                  InstructionFilter.load(), bank,
                  spec.semantic_refusal.margin if spec.semantic_refusal is not None else None)


def segments(text: str, min_words: int = 18, max_segments: int = 6) -> list[str]:
    """A long message's sentences (the danger may be one sentence in the middle); none for short ones."""
    if len(text.split()) < min_words:
        return []
    # a sentence of a few words ("Ring meg.") reads like anything to the embedding: too short to count
    parts = [s for s in split_sentences(text) if sum(any(c.isalpha() for c in w) for w in s.split()) >= 5]
    return parts[:max_segments] if len(parts) > 1 else []

"""Guards declared as data (eti/data/guards.yaml), built by one function.

``build_guards(spec, embedder, cache_path)`` makes everything the guard stages need: the emergency
detector (lexicon + exemplar similarity) and the refusal guards, each a name, a status, a template
and rules of regular expressions. A new guard is one YAML entry and one template.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict

from eti.answer.guardrails.emergency import EmergencyDetector, EmergencyThresholds
from eti.answer.guardrails.exemplars import ExemplarBank, texts_digest
from eti.answer.guardrails.refusal_model import RefusalModel
from eti.answer.text_classifier import TrainingSettings
from eti.core import Status
from eti.embed import Embedder
from eti.sanitize import InstructionFilter
from eti.sentences import split_sentences

log = logging.getLogger(__name__)


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
    """A request one of the refusal classifier's heads (refusal_model.py: one per guard) scores at or
    above ``threshold`` is refused by that head's guard, even when no pattern matches."""
    model_config = ConfigDict(extra="forbid")
    threshold: float  # fitted on the dev split with eval/tune_refusals.py (cross-validated)
    embedding_weight: float = 3.0
    l2: float = 1e-4
    iterations: int = 400

    @property
    def training(self) -> TrainingSettings:
        return TrainingSettings(self.embedding_weight, self.l2, self.iterations)


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
    refusal_model: RefusalModel | None = None
    refusal_threshold: float | None = None

    def refusal(self, text: str, vector: np.ndarray | None = None) -> RefusalGuard | None:
        """The first refusal guard whose patterns fire on ``text``; else, with the question's vector,
        the guard whose head of the refusal classifier is confident."""
        guard = self.pattern_refusal(text)
        if guard is not None or vector is None:
            return guard
        return self.classifier_refusal(text, vector)

    def pattern_refusal(self, text: str) -> RefusalGuard | None:
        return next((g for g in self.refusals if g.fires(text)), None)

    def classifier_refusal(self, text: str, vector: np.ndarray) -> RefusalGuard | None:
        """The guard of the refusal classifier's best head, when it scores at least the threshold."""
        if self.refusal_threshold is None or self.refusal_model is None:
            return None
        name, score = self.refusal_model.best(text, vector)
        if score < self.refusal_threshold:
            return None
        return next((g for g in self.refusals if g.name == name), None)

    def refusal_probability(self, text: str, vector: np.ndarray) -> float:
        return self.refusal_model.probability(text, vector) if self.refusal_model is not None else 0.0


def build_guards(spec: GuardSpec, embedder: Embedder | None, cache_path: Path | None = None) -> Guards:
    """The one constructor: every guard from its YAML entry (the exemplar bank and the refusal
    classifier need the embedder)."""
    bank = ExemplarBank.build(embedder, cache_path) if embedder is not None else None
    refusals = tuple(
        RefusalGuard(g.name, g.status, g.template,
                     tuple(tuple(re.compile(p, re.I | re.S) for p in rule) for rule in g.rules))
        for g in spec.guards)
    model = build_refusal_model(spec.semantic_refusal, bank, embedder) \
        if bank is not None and embedder is not None and spec.semantic_refusal is not None else None
    return Guards(EmergencyDetector.load(bank, spec.emergency_thresholds), spec.emergency, refusals,
                  InstructionFilter.load(), bank, model,
                  spec.semantic_refusal.threshold if model is not None else None)


def build_refusal_model(spec: SemanticRefusalSpec, bank: ExemplarBank, embedder: Embedder) -> RefusalModel:
    """The shipped weights when they fit these exemplars and this embedder; else trained now."""
    texts = list(bank.texts)  # read once, by the bank
    digest = texts_digest(texts)
    model = RefusalModel.shipped_for(embedder.name, digest, bank.vectors.shape[1])
    if model is None:
        log.info("training the refusal classifier on %d exemplars for %s", len(texts), embedder.name)
        model = RefusalModel.train_on_exemplars(texts, bank.vectors, bank.labels.tolist(), digest, spec.training)
    return model


def segments(text: str, min_words: int = 18, max_segments: int = 6) -> list[str]:
    """A long message's sentences (the danger may be one sentence in the middle); none for short ones."""
    if len(text.split()) < min_words:
        return []
    # a sentence of a few words ("Ring meg.") reads like anything to the embedding: too short to count
    parts = [s for s in split_sentences(text) if sum(any(c.isalpha() for c in w) for w in s.split()) >= 5]
    return parts[:max_segments] if len(parts) > 1 else []

"""Emergency and crisis detection: a lexicon of acute symptoms and time markers per language,
combined with semantic similarity to exemplar messages. Tuned for recall: a miss is never
acceptable, a false alarm on the lower level costs one line.

Levels:
  emergency  acute danger: the answer is the emergency text and nothing else
  urgent     a question that mentions symptoms or despair: the normal answer, one line on top
  none

``kind`` says which text fits: "crisis" (suicidal thoughts, self-harm, despair) or "medical".
Thresholds live in eti/data/guards.yaml; eval/tune_emergency.py fits them on the dev split.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import numpy as np
import yaml

from eti.answer.guardrails.exemplars import ExemplarBank
from eti.answer.guardrails.lexicon import Lexicon

ACUTE, SYMPTOM, CRISIS, DESPAIR = "acute", "symptom", "crisis", "despair"
# acute even when told in the past tense: a poison swallowed an hour ago still needs 113 now
LASTING = "acute_lasting"
MARKERS = ("now", "rights", "habit")


@dataclass(frozen=True)
class EmergencyThresholds:
    semantic_emergency: float  # margin above which the message is an emergency by itself
    semantic_with_signal: float  # margin that makes an emergency together with a lexical symptom
    semantic_urgent: float  # margin above which the urgent line is shown


@dataclass
class Signals:
    """What the detector saw in one message (kept for the eval and the logs; never the text)."""

    concepts: dict[str, str] = field(default_factory=dict)  # concept -> level
    markers: set[str] = field(default_factory=set)
    margin: float = -1.0  # emergency-or-crisis exemplars vs negative ones
    crisis_margin: float = -1.0  # crisis exemplars vs negative ones

    def has(self, level: str) -> bool:
        return level in self.concepts.values()


@dataclass(frozen=True)
class Assessment:
    level: str  # emergency | urgent | none
    kind: str  # medical | crisis
    signals: Signals


def decide(s: Signals, t: EmergencyThresholds) -> Assessment:
    """The decision, a pure function of the signals (the tuning script calls it too)."""
    now, habit = "now" in s.markers, "habit" in s.markers
    # a rights or service question ("kan vi få…", "hvem søker vi hos…") is not an emergency by its
    # symptom words alone; a strong time marker ("akkurat nå", "hva gjør jeg") overrides that
    rights_question = "rights" in s.markers and (not now or habit)
    lasting = s.has(LASTING)
    acute, symptom, crisis = s.has(ACUTE) or lasting, s.has(SYMPTOM), s.has(CRISIS)
    kind = "crisis" if crisis or (s.has(DESPAIR) and not acute) or (
        s.crisis_margin > s.margin - 0.005 and not acute and not symptom) else "medical"
    if not rights_question:
        # something recurring ("når ho får anfall") is not happening now unless the message says so
        recurring = habit and not now and not lasting
        emergency = ((acute and not recurring) or crisis or s.margin >= t.semantic_emergency
                     or ((symptom or s.has(DESPAIR)) and not recurring and s.margin >= t.semantic_with_signal)
                     or (acute and recurring and s.margin >= t.semantic_with_signal))
    else:  # only when the message itself reads like the emergency exemplars, and not about the past
        emergency = (acute or crisis) and not habit and s.margin >= t.semantic_emergency
    if emergency:
        return Assessment("emergency", kind, s)
    # the line on top: danger words, or a message that reads like the exemplars; a rights question
    # without a danger word needs more likeness ("hvem kan få det? ring meg" is not a symptom)
    urgent_floor = t.semantic_with_signal if rights_question else t.semantic_urgent
    if s.concepts or s.margin >= urgent_floor:
        # the crisis line ("tenker du på å gi opp?") only when the words point there
        if not (crisis or s.has(DESPAIR)) and kind == "crisis" and not s.concepts:
            kind = "medical"
        return Assessment("urgent", kind, s)
    return Assessment("none", kind, s)


class EmergencyDetector:
    def __init__(self, lexicon: Lexicon, levels: dict[str, str], bank: ExemplarBank | None,
                 thresholds: EmergencyThresholds):
        self.lexicon, self.levels, self.bank, self.thresholds = lexicon, levels, bank, thresholds

    @classmethod
    def load(cls, bank: ExemplarBank | None, thresholds: EmergencyThresholds,
             lexicon_file: str = "emergency_lexicon.yaml") -> EmergencyDetector:
        data = yaml.safe_load(resources.files("eti.data").joinpath(lexicon_file).read_text(encoding="utf-8"))
        named: dict[str, list[str]] = {}
        levels: dict[str, str] = {}
        for name, concept in data["concepts"].items():
            named[name] = [p for phrases in concept["phrases"].values() for p in phrases]
            levels[name] = concept["level"]
        for name, by_lang in data["markers"].items():
            named[f"@{name}"] = [p for phrases in by_lang.values() for p in phrases]
        return cls(Lexicon.build(named), levels, bank, thresholds)

    def signals(self, text: str, vector: np.ndarray | None, segment_vectors: list[np.ndarray] = ()) -> Signals:
        found = self.lexicon.find(text)
        s = Signals(concepts={n: self.levels[n] for n in found if not n.startswith("@")},
                    markers={n[1:] for n in found if n.startswith("@")})
        if self.bank is not None and vector is not None:
            # rights questions and harmful requests (not the extra-* exemplars, which serve the refusals only)
            negative = tuple(lbl for lbl in self.bank.other_labels(("emergency", "crisis")) if not lbl.startswith("extra-"))
            for v in [vector, *segment_vectors]:  # a long message: its sentences count too
                s.margin = max(s.margin, self.bank.margin(v, ("emergency", "crisis"), negative))
                s.crisis_margin = max(s.crisis_margin, self.bank.margin(v, ("crisis",), negative))
        return s

    def assess(self, text: str, vector: np.ndarray | None, segment_vectors: list[np.ndarray] = ()) -> Assessment:
        return decide(self.signals(text, vector, segment_vectors), self.thresholds)

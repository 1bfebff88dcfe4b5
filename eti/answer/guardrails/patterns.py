"""Load the guardrail pattern lists (eti/data/guardrails.yaml) once per process that asks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import yaml


@dataclass(frozen=True)
class GuardrailPatterns:
    emergency: tuple[re.Pattern, ...]
    medical_advice: tuple[re.Pattern, ...]
    harmful: tuple[re.Pattern, ...]
    injection: tuple[re.Pattern, ...]

    @classmethod
    def load(cls) -> GuardrailPatterns:
        data = yaml.safe_load(resources.files("eti.data").joinpath("guardrails.yaml").read_text(encoding="utf-8"))
        compiled = {k: tuple(re.compile(p, re.I) for p in v) for k, v in data.items()}
        return cls(**compiled)


def matches(patterns: tuple[re.Pattern, ...], text: str) -> bool:
    return any(p.search(text) for p in patterns)

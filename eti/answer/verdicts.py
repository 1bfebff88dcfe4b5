"""No eligibility verdicts: ETI informs, Nav and the kommune decide (eti/data/verdicts.yaml).

An answer never tells a family that they have a right or will get a benefit; such sentences are
taken out of the composed answer (the sources' conditional rules stay: "du kan ha rett til … hvis …").
The eval checks every answer with ``has_verdict``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import yaml

from eti.answer.context import AskContext
from eti.core import Status
from eti.sentences import split_text

_CITE = re.compile(r"\s*\[\d+\]")


@dataclass(frozen=True)
class VerdictRules:
    verdict: tuple[re.Pattern, ...]
    conditional: re.Pattern

    @classmethod
    def load(cls) -> VerdictRules:
        data = yaml.safe_load(resources.files("eti.data").joinpath("verdicts.yaml").read_text(encoding="utf-8"))
        return cls(tuple(re.compile(p, re.I) for p in data["verdict"]), re.compile(data["conditional"], re.I))

    def is_verdict(self, sentence: str) -> bool:
        plain = _CITE.sub("", sentence)
        return any(p.search(plain) for p in self.verdict) and not self.conditional.search(plain)

    def has_verdict(self, answer: str) -> list[str]:
        """The sentences of ``answer`` that state a verdict (empty: none)."""
        return [s for line in answer.splitlines() for s in split_text(line.lstrip("- ")) if self.is_verdict(s)]


def no_verdicts(ctx: AskContext, services) -> None:
    """Drop verdict sentences from the composed answer; the citation marker of a passage survives."""
    if not ctx.answer or ctx.status in (Status.emergency, Status.refused):
        return
    rules = services.shared.verdicts
    out_lines = []
    for line in ctx.answer.split("\n"):
        prefix = "- " if line.startswith("- ") else ""
        body = line[len(prefix):]
        sentences = split_text(body)
        if not any(rules.is_verdict(s) for s in sentences):
            out_lines.append(line)
            continue
        markers = "".join(_CITE.findall(body))
        kept = [s for s in sentences if not rules.is_verdict(s)]
        if kept:
            text = " ".join(kept)
            if markers and not _CITE.search(text):
                text += markers
            out_lines.append(prefix + text)
    ctx.answer = "\n".join(out_lines).strip()

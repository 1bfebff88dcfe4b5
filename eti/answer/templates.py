"""Fixed phrases (prompts/templates.yaml): the only words in an answer not taken from a source."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from eti.answer.language import template_language


@dataclass(frozen=True)
class Templates:
    by_language: dict[str, dict]

    @classmethod
    def load(cls, prompts_dir: Path) -> Templates:
        return cls(yaml.safe_load((prompts_dir / "templates.yaml").read_text(encoding="utf-8")))

    def get(self, language: str, key: str) -> str:
        return self.by_language[template_language(language)][key]

    def sector(self, language: str, sector: str) -> str:
        return self.by_language[template_language(language)]["sectors"].get(sector, sector)

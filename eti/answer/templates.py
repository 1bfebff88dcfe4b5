"""Fixed phrases (prompts/templates.yaml): the only words in an answer not taken from a source.

nb, nn and en have every phrase; pl, uk, ar and so have the emergency and crisis texts, the
urgent lines, the language notice and the AI disclosure, and fall back to English for the rest.
"""

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

    def has(self, language: str, key: str) -> bool:
        return key in self.by_language.get(language, {})

    def get(self, language: str, key: str):
        own = self.by_language.get(language, {})
        if key in own:
            return own[key]
        return self.by_language[template_language(language)][key]

    def sector(self, language: str, sector: str) -> str:
        return self.by_language[template_language(language)]["sectors"].get(sector, sector)

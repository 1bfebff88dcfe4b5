"""A question in English, Polish, Ukrainian, Arabic or Somali shares no words with the Norwegian
sources, so nothing tells the composer which passage says what was asked. The glossary
(eti/data/glossary.yaml) maps how parents write a concept in those languages to the Norwegian words
the sources use; the composer adds them to the question's words when it ranks and trims passages.
Matching is the lexicon's (folded, typo-tolerant, ``word*`` prefixes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import yaml

from eti.answer.guardrails.lexicon import Lexicon


@dataclass
class Glossary:
    lexicons: dict[str, Lexicon] = field(default_factory=dict)  # language -> Norwegian words -> phrases

    @classmethod
    def load(cls) -> Glossary:
        """The shipped glossary; none (an empty one) when the file is not there."""
        path = resources.files("eti.data").joinpath("glossary.yaml")
        if not path.is_file():
            return cls()
        entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("glossary") or {}
        languages = sorted({lang for spec in entries.values() for lang in (spec or {})})
        return cls({lang: Lexicon.build({nb: (spec or {}).get(lang) or [] for nb, spec in entries.items()})
                    for lang in languages})

    def norwegian(self, text: str, language: str | None) -> list[str]:
        """The Norwegian words for the concepts ``text`` names in ``language`` (none for Norwegian)."""
        lexicon = self.lexicons.get(language or "")
        if lexicon is None:
            return []
        return [word for key in lexicon.find(text) for word in key.split()]

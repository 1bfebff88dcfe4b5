"""Readable names for the report's keys: sectors, schemes, kommuner, languages, answer statuses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

from eti.answer.templates import Templates
from eti.answer.topics import TopicRecogniser
from eti.settings import Settings

LANGUAGES = {"nb": "bokmål", "nn": "nynorsk", "en": "English", "pl": "polski", "uk": "українська", "ar": "العربية",
             "so": "Soomaali"}
STATUSES = {"answered": "answered", "no_answer": "no answer", "refused": "refused", "emergency": "emergency"}


@dataclass(frozen=True)
class Labels:
    sectors: dict[str, str]
    schemes: dict[str, str]
    scheme_sectors: dict[str, str]
    kommuner: dict[str, str]

    @classmethod
    def load(cls, settings: Settings, topics: TopicRecogniser | None = None) -> Labels:
        templates = Templates.load(settings.prompts_dir)
        topics = topics or TopicRecogniser.load()
        sectors = {s: templates.sector("nb", s) for s in ("health", "welfare", "education", "municipal", "legal")}
        raw = resources.files("eti").joinpath("web", "static", "kommuner.json")
        kommuner = {k["nummer"]: k["navn"] for k in json.loads(raw.read_text(encoding="utf-8"))} if raw.is_file() else {}
        return cls(sectors, {sid: topics.label(sid) for sid in topics.schemes},
                   {sid: s.sector for sid, s in topics.schemes.items()}, kommuner)

    def of(self, dimension: str, key: str) -> str:
        if dimension == "sector":
            return self.sectors.get(key, key)
        if dimension == "scheme":
            return self.schemes.get(key, key)
        if dimension == "kommune":
            return f"{self.kommuner[key]} ({key})" if key in self.kommuner else key
        if dimension == "language":
            return LANGUAGES.get(key, key)
        if dimension == "status":
            return STATUSES.get(key, key)
        return key

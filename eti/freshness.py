"""Does a page look older than the rules it describes? (eti/data/freshness.yaml)

Signals: the page's own date is older than a threshold; a year in the title well before this
year; a name or law that has been replaced ("fylkesmannen", "omsorgslønn", the 1998
opplæringslova's chapter 5). Retrieval ranks such pages below current ones, and citations of them
say "may be out of date" with the page's own date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from importlib import resources

import yaml

from eti.core import Chunk

_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_FORMERLY = re.compile(r"tidligere|tidlegare|før kalt|før het|previously|formerly|erstatt|avløst|(het|heitte) før")


@dataclass(frozen=True)
class Freshness:
    max_age_days: int
    title_year_gap: int
    superseded: tuple[re.Pattern, ...]

    @classmethod
    def load(cls) -> Freshness:
        data = yaml.safe_load(resources.files("eti.data").joinpath("freshness.yaml").read_text(encoding="utf-8"))
        return cls(int(data["max_age_days"]), int(data["title_year_gap"]),
                   tuple(re.compile(p, re.I) for p in data["superseded"]))

    def reasons(self, chunk: Chunk, today: date) -> list[str]:
        """Why ``chunk``'s page looks outdated (empty: it does not)."""
        out = []
        if chunk.updated:
            try:
                page_date = date.fromisoformat(chunk.updated[:10])
            except ValueError:
                page_date = None
            if page_date is not None and (today - page_date).days > self.max_age_days:
                out.append(f"dated {page_date.isoformat()}")
        years = [int(y) for y in _YEAR.findall(chunk.title)]
        if years and max(years) <= today.year - self.title_year_gap:
            out.append(f"year {max(years)} in the title")
        if not chunk.doc_id.startswith("kort:"):  # ETI's cards name old terms on purpose ("tidligere omsorgslønn")
            text = f"{chunk.title}\n{chunk.text}"
            for p in self.superseded:
                for m in p.finditer(text):
                    before = text[max(0, m.start() - 25):m.start()].lower()
                    if not _FORMERLY.search(before):  # "omsorgsstønad (tidligere omsorgslønn)" is current
                        out.append(f"superseded: {m[0].lower()}")
                        break
        return out

    def outdated(self, chunk: Chunk, today: date) -> bool:
        return bool(self.reasons(chunk, today))

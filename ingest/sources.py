"""sources.yaml: public sources declared as data, validated with pydantic."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from eti.core import Sector

_DURATION = re.compile(r"^(\d+)([smhd])$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class SourcesError(ValueError):
    """sources.yaml could not be read; the message names the file and the field."""


class Source(BaseModel):
    """One public source: a site to crawl, a folder of cards or a bulk archive."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    sector: Sector
    adapter: str = "generic"
    start_urls: list[str] = []
    sitemap: str | None = None
    allow: list[str] = []
    deny: list[str] = []
    max_pages: int = Field(default=500, ge=1)
    rate_limit: float = Field(default=1.0, gt=0, description="Requests per second per host.")
    language: Literal["nb", "nn", "en"] = "nb"
    municipality: str | None = Field(default=None, pattern=r"^\d{4}$")
    recrawl: str = "7d"
    path: str | None = Field(default=None, description="Local folder (knowledge cards), relative to the file.")
    archive: str | None = Field(default=None, description="URL or path of a bulk archive (Lovdata).")
    attribution: str | None = None

    @field_validator("allow", "deny")
    @classmethod
    def _regexes_compile(cls, patterns: list[str]) -> list[str]:
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {p!r}: {exc}") from exc
        return patterns

    @field_validator("recrawl")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not _DURATION.match(value):
            raise ValueError(f"expected a duration like 12h or 7d, got {value!r}")
        return value

    @model_validator(mode="after")
    def _has_input(self) -> Source:
        if not (self.start_urls or self.sitemap or self.path or self.archive):
            raise ValueError("a source needs start_urls, sitemap, path or archive")
        return self

    @property
    def recrawl_seconds(self) -> int:
        n, unit = _DURATION.match(self.recrawl).groups()  # type: ignore[union-attr]
        return int(n) * _SECONDS[unit]

    def allows(self, url: str) -> bool:
        if self.allow and not any(re.search(p, url) for p in self.allow):
            return False
        return not any(re.search(p, url) for p in self.deny)


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[Source]

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesFile:
        seen: set[str] = set()
        for s in self.sources:
            if s.id in seen:
                raise ValueError(f"duplicate source id {s.id!r}")
            seen.add(s.id)
        return self


def _describe(err: ValidationError, data: object) -> str:
    lines = []
    for e in err.errors():
        loc = list(e["loc"])
        where = ".".join(str(p) for p in loc)
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int) and isinstance(data, dict):
            try:
                sid = data["sources"][loc[1]].get("id")
                if sid:
                    where = f"sources[{loc[1]}] (id={sid})" + "".join(f".{p}" for p in loc[2:])
            except (KeyError, IndexError, AttributeError, TypeError):
                pass
        lines.append(f"  {where}: {e['msg']}{_did_you_mean(e)}")
    return "\n".join(lines)


def _did_you_mean(error: dict) -> str:
    """For an unknown field, the nearest real one: " (did you mean max_pages?)"."""
    import difflib

    if error["type"] != "extra_forbidden" or not error["loc"]:
        return ""
    fields = Source.model_fields if len(error["loc"]) > 1 else SourcesFile.model_fields
    close = difflib.get_close_matches(str(error["loc"][-1]), list(fields), n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def load_sources(path: Path, adapters: set[str] | None = None) -> list[Source]:
    """Read and validate a sources file. Relative ``path`` entries resolve against the file.

    Raises SourcesError with one line per problem, naming the field.
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SourcesError(f"{path}: file not found") from exc
    except yaml.YAMLError as exc:
        raise SourcesError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SourcesError(f"{path}: expected a mapping with a 'sources' list at the top")
    try:
        parsed = SourcesFile.model_validate(data)
    except ValidationError as exc:
        raise SourcesError(f"{path}: invalid sources file\n{_describe(exc, data)}") from exc
    sources = parsed.sources
    for i, s in enumerate(sources):
        if adapters is not None and s.adapter not in adapters:
            raise SourcesError(
                f"{path}: invalid sources file\n  sources[{i}] (id={s.id}).adapter: unknown adapter "
                f"{s.adapter!r}; registered: {', '.join(sorted(adapters))}"
            )
        if s.path and not Path(s.path).is_absolute():
            s.path = str((path.parent / s.path).resolve())
    return sources

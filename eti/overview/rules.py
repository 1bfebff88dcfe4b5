"""The schemes as data (eti/data/overview_rules.yaml): one entry per scheme, validated on load.

Each entry points to its knowledge card, carries its conditions over the family's answers, the law
paragraphs it rests on (named in the file's ``laws`` register, Lovdata's ids) and its texts per
language. A language block (``texts.nb``) is one unit to translate; bokmål is required.
"""

from __future__ import annotations

from datetime import date
from importlib import resources
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from eti.core import Sector
from eti.overview.conditions import Condition, ConditionError, parse
from eti.overview.situation import FIELDS

Language = Literal["nb", "nn", "en"]
LOVDATA = "https://lovdata.no/"


class RulesError(ValueError):
    """The rules file could not be used; the message names the entry and the field."""


class Law(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^lov/\d{4}-\d{2}-\d{2}-\d+$", description="Lovdata's refid, e.g. lov/1997-02-28-19")
    title: str
    paragraphs: dict[str, str] = Field(description="'§ 9-10' -> the paragraph's heading")


class LegalRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    law: str
    paragraph: str = Field(pattern=r"^§ \d+[A-Z]?(-\d+)?( ?[a-z])?$")


class ComplaintTexts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    route: str
    deadline: str


class SchemeTexts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    why: dict[str, str] = Field(description="field -> why that answer points to the scheme")
    gives: str
    decides: str
    how_to_apply: str
    documents: list[str]
    deadlines: str
    complaint: ComplaintTexts


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9-]+$")
    card: str = Field(pattern=r"^kort:[a-z0-9-]+$")
    sector: Sector
    official_url: str = Field(pattern=r"^https://")
    reviewed: date
    local_terms: list[str] = Field(min_length=1, description="Words that mark a kommune's page as about the "
                                                             "scheme (bokmål and nynorsk)")
    legal_basis: list[LegalRef] = []
    conditions: dict
    texts: dict[Language, SchemeTexts]
    _condition: Condition = PrivateAttr()

    @model_validator(mode="after")
    def _parse_conditions(self) -> Rule:
        try:
            self._condition = parse(self.conditions, FIELDS)
        except ConditionError as exc:
            raise ValueError(str(exc)) from exc
        if "nb" not in self.texts:
            raise ValueError("texts.nb (bokmål) is required")
        used = set(self._condition.field_names())
        for lang, texts in self.texts.items():
            if set(texts.why) != used:
                raise ValueError(f"texts.{lang}.why must explain exactly the fields the conditions use: "
                                 f"missing {sorted(used - set(texts.why))}, extra {sorted(set(texts.why) - used)}")
        return self

    @property
    def condition(self) -> Condition:
        return self._condition

    def texts_for(self, language: str) -> SchemeTexts | None:
        return self.texts.get(language)  # type: ignore[call-overload]


class RuleSet(BaseModel):
    """The whole file: notices, the law register, the schemes and the coordination that closes every overview."""

    model_config = ConfigDict(extra="forbid")
    notice: dict[Language, str]
    fallback_notice: dict[Language, str] = Field(description="Added when texts fall back to bokmål")
    laws: dict[str, Law]
    shared: dict = Field(default_factory=dict, description="Conditions used by several entries (YAML anchors)")
    schemes: list[Rule]
    coordination: list[Rule]

    @model_validator(mode="after")
    def _references(self) -> RuleSet:
        seen: set[str] = set()
        for rule in self.all_rules:
            if rule.id in seen:
                raise ValueError(f"{rule.id}: the id is used twice")
            seen.add(rule.id)
            for ref in rule.legal_basis:
                law = self.laws.get(ref.law)
                if law is None:
                    raise ValueError(f"{rule.id}: legal_basis names {ref.law!r}, which is not in laws")
                if ref.paragraph not in law.paragraphs:
                    raise ValueError(f"{rule.id}: {ref.law} {ref.paragraph} is not in laws.{ref.law}.paragraphs")
        if "nb" not in self.notice:
            raise ValueError("notice.nb is required")
        return self

    @property
    def all_rules(self) -> list[Rule]:
        return [*self.schemes, *self.coordination]

    def url(self, ref: LegalRef) -> str:
        """Lovdata at the paragraph, in Lovdata's own form: https://lovdata.no/lov/1997-02-28-19/§9-10."""
        return f"{LOVDATA}{self.laws[ref.law].id}/{paragraph_key(ref.paragraph)}"


def paragraph_key(paragraph: str) -> str:
    """'§ 2-1 d' -> '§2-1d', the form Lovdata uses in its addresses and data-name attributes."""
    return "§" + paragraph.replace("§", "").replace(" ", "")


def load_rules(path: Path | None = None) -> RuleSet:
    """The packaged rules, or those in ``path``; a mistake raises RulesError naming the entry and field."""
    if path is None:
        text = resources.files("eti.data").joinpath("overview_rules.yaml").read_text(encoding="utf-8")
        where = "overview_rules.yaml"
    else:
        text, where = path.read_text(encoding="utf-8"), str(path)
    try:
        return RuleSet.model_validate(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise RulesError(f"{where}: not valid YAML: {exc}") from exc
    except ValidationError as exc:
        lines = [f"{where}: {len(exc.errors())} problem(s)"]
        for err in exc.errors():
            lines.append(f"  {_where(err['loc'], text)}: {err['msg']}")
        raise RulesError("\n".join(lines)) from exc


def _where(loc: tuple, text: str) -> str:
    """schemes.3.texts.nb.gives -> 'schemes[3] (pleiepenger).texts.nb.gives'."""
    data = yaml.safe_load(text) or {}
    parts = [str(p) for p in loc]
    if len(loc) >= 2 and loc[0] in ("schemes", "coordination") and isinstance(loc[1], int):
        try:
            ident = data[loc[0]][loc[1]].get("id", "?")
        except (KeyError, IndexError, TypeError, AttributeError):
            ident = "?"
        return f"{loc[0]}[{loc[1]}] ({ident})" + "".join(f".{p}" for p in parts[2:])
    return ".".join(parts)

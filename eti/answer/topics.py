"""What a question is about: the scheme(s) it names and the facet it asks for.

Schemes come from eti/data/schemes.yaml (names per scheme, typo-tolerant through the guard lexicon);
facets from eti/data/facets.yaml: what is it, who can get it, how much, how to apply, deadlines
and complaints, who to contact, and the overview ("what are we entitled to").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources

import yaml

from eti.answer.guardrails.lexicon import Lexicon

FACETS = ("what", "who", "amount", "apply", "deadline", "contact", "overview")


@dataclass(frozen=True)
class Scheme:
    id: str
    card: str
    sector: str
    who_decides: str
    overview: bool
    label: str
    core: bool = False  # listed by every overview answer, after the schemes retrieval found
    coordinates: bool = False  # the one who helps a family get the whole picture: every overview has its line


@dataclass
class Topic:
    schemes: list[str] = field(default_factory=list)  # scheme ids, the most specific first
    facet: str = "what"
    facet_named: bool = False  # the question's own words name the facet (not the default)
    facets: list[str] = field(default_factory=list)  # every facet the question names, the main one first
    elliptic: bool = False  # names no scheme of its own: in a conversation it continues the previous topic
    asked_fact: str | None = None  # a specific fact asked for (amount, count, time, phone, name, date)


def _with_compounds(names: list[str]) -> list[str]:
    """A one-word name of seven letters or more also matches inside a compound: "barnepalliasjon",
    "avlastningsbolig", "hjelpestønadssøknaden"."""
    out = list(names)
    for n in names:
        if " " not in n and not n.startswith("*") and len(n.rstrip("*")) >= 7:
            out.append(f"*{n.rstrip('*')}*")
    return out


class TopicRecogniser:
    def __init__(self, schemes: dict[str, Scheme], names: Lexicon, context: Lexicon, facets: Lexicon,
                 facet_heads: dict[str, list[re.Pattern]], asks: Lexicon,
                 evidence: dict[str, re.Pattern], continues: Lexicon | None = None,
                 facet_evidence: dict[str, re.Pattern] | None = None, needs: Lexicon | None = None,
                 about: dict[str, re.Pattern] | None = None):
        self.schemes, self._names, self._context = schemes, names, context
        self._needs = needs or Lexicon.build({})
        self._facets, self.facet_heads = facets, facet_heads
        self._asks, self._evidence = asks, evidence
        self._continues = continues or Lexicon.build({})
        self._facet_evidence = facet_evidence or {}
        self._about = about or {}

    @classmethod
    def load(cls) -> TopicRecogniser:
        data = yaml.safe_load(resources.files("eti.data").joinpath("schemes.yaml").read_text(encoding="utf-8"))
        schemes = {sid: Scheme(sid, s["card"], s["sector"], s["who_decides"], bool(s["overview"]),
                               s["names"][0].rstrip("*"),
                               bool(s.get("core", False)), bool(s.get("coordinates", False)))
                   for sid, s in data["schemes"].items()}
        names = Lexicon.build({sid: _with_compounds(s["names"]) for sid, s in data["schemes"].items()}, fuzzy_prefixes=True)
        context = Lexicon.build({sid: s.get("context", []) for sid, s in data["schemes"].items()})
        needs = Lexicon.build({sid: s.get("needs", []) for sid, s in data["schemes"].items()})
        f = yaml.safe_load(resources.files("eti.data").joinpath("facets.yaml").read_text(encoding="utf-8"))
        facets = Lexicon.build({name: [p for ps in spec["question"].values() for p in ps]
                                for name, spec in f["facets"].items()})
        heads = {name: [re.compile(p, re.I) for p in spec["headings"]] for name, spec in f["facets"].items()}
        facet_evidence = {name: re.compile(spec["evidence"], re.I) for name, spec in f["facets"].items()
                          if spec.get("evidence")}
        asks = Lexicon.build({name: [p for ps in spec["question"].values() for p in ps] for name, spec in f["asks"].items()})
        evidence = {name: re.compile(spec["evidence"], re.I) for name, spec in f["asks"].items()}
        about = {name: re.compile(spec["about"], re.I) for name, spec in f["asks"].items() if spec.get("about")}
        fu = yaml.safe_load(resources.files("eti.data").joinpath("followup.yaml").read_text(encoding="utf-8"))
        continues = Lexicon.build(fu["continues"])  # one entry per language
        return cls(schemes, names, context, facets, heads, asks, evidence, continues, facet_evidence, needs, about)

    def schemes_in(self, text: str, names_only: bool = False) -> list[str]:
        """Scheme ids named in ``text``, the one with the longest name first; context words
        ("skole", "bil") count only when no name does (and never with ``names_only``)."""
        found = self._names.find(text)
        if not found and not names_only:
            found = self._context.find(text)
        return sorted(found, key=lambda sid: -max(len(p) for p in found[sid]))

    def mentioned(self, text: str) -> set[str]:
        """Every scheme ``text`` points at, by a name or a context word ("bil")."""
        return set(self._names.find(text)) | set(self._context.find(text))

    def needed(self, text: str) -> set[str]:
        """Every scheme ``text`` points at by a name, a context word, or a need it serves ("utslitt" for
        avlastning, "rullestol" for hjelpemidler): what an overview lists first."""
        return self.mentioned(text) | set(self._needs.find(text))

    def label(self, scheme_id: str) -> str:
        return self.schemes[scheme_id].label

    def scheme_of_card(self, doc_id: str) -> str | None:
        return next((s.id for s in self.schemes.values() if s.card == doc_id), None)

    def facets_of(self, text: str) -> list[str]:
        """Every facet the question names, the most specific first (overview over everything, "what" last)."""
        # the facet the question opens with is what it asks ("hvordan kontakter jeg Nav om søknaden"
        # asks for contact, "hvem kan søke" asks who); an overview question is an overview whatever
        # else it names, and "hva er" only when nothing more specific is asked; on the same word the
        # more specific facet first
        found = self._facets.first_positions(text)
        order = ("overview", "deadline", "amount", "apply", "contact", "who", "what")
        return sorted(found, key=lambda f: (f != "overview", f == "what", found[f], order.index(f)))

    def facet_of(self, text: str) -> tuple[str, bool]:
        named = self.facets_of(text)
        return (named[0], True) if named else ("what", False)

    def asked_fact(self, text: str) -> str | None:
        """A specific fact the question asks for (amount, count, time, phone, name, date), if any."""
        found = self._asks.find(text)
        order = ("name", "phone", "time", "date", "count", "amount")
        return next((a for a in order if a in found), None)

    def holds(self, fact: str, text: str) -> bool:
        """Does ``text`` contain the kind of fact asked for (a sum in kroner, a phone number, …)?"""
        return bool(self._evidence[fact].search(text))

    def about_fact(self, fact: str, text: str) -> bool:
        """Does ``text`` speak of the kind of fact asked for without holding it ("Satsene endres hvert år"
        for an amount)? Facts without an `about` pattern: never."""
        pattern = self._about.get(fact)
        return bool(pattern and pattern.search(text))

    def recognise(self, text: str) -> Topic:
        schemes = self.schemes_in(text)
        facets = self.facets_of(text)
        facet, named = (facets[0], True) if facets else ("what", False)
        # elliptic: no scheme of its own ("hvordan søker jeg om det?", "og fristen?", "how much do we pay
        # ourselves?"); an overview question starts fresh even without one
        return Topic(schemes, facet, named, facets, elliptic=not schemes and facet != "overview",
                     asked_fact=self.asked_fact(text))

    def leans_on_previous(self, text: str, language: str) -> bool:
        """Has the turn a word of its language that refers back or continues ("det", "og …", "what
        about")? Each language's own words only: Somali "kan" is Norwegian "can"."""
        found = self._continues.find(text)
        return language in found if language in self._continues.phrases else bool(found)

    def answers_facet(self, facet: str, text: str) -> bool:
        """Does ``text`` say what the facet asks for, whatever its heading (a number of days or a price
        for "how much"; a time limit for the deadline)? Facets without evidence: never."""
        pattern = self._facet_evidence.get(facet)
        return bool(pattern and pattern.search(text))

    def section_facet(self, heading: str) -> str | None:
        """The facet a source's section heading stands for ("Slik søker du" -> apply), if any."""
        for facet, patterns in self.facet_heads.items():
            if any(p.search(heading) for p in patterns):
                return facet
        return None

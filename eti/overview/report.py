"""The personal overview «Din oversikt»: schemes that may apply, each with why, who decides and how to apply."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from eti.core import Sector


class LegalBasis(BaseModel):
    law: str = Field(description="The law's short name, e.g. folketrygdloven")
    paragraph: str = Field(description="The paragraph, e.g. § 9-10")
    title: str = Field(description="The paragraph's heading in the law")
    url: str = Field(description="Lovdata at the paragraph, e.g. https://lovdata.no/lov/1997-02-28-19/§9-10")


class Complaint(BaseModel):
    route: str = Field(description="Where a complaint goes, and where it goes next")
    deadline: str = Field(description="The klagefrist")


class LocalPage(BaseModel):
    title: str = Field(description="The page's title")
    url: str = Field(description="The kommune's own page")


class SchemeEntry(BaseModel):
    id: str = Field(description="Stable id of the scheme, e.g. pleiepenger")
    title: str = Field(description="The scheme's name")
    sector: Sector = Field(description="health | welfare | education | municipal | legal")
    why: list[str] = Field(description="Which of the family's answers point to this scheme")
    gives: str = Field(description="What the scheme can give")
    decides: str = Field(description="Who assesses and decides (never a verdict)")
    how_to_apply: str = Field(description="How to apply or ask for it")
    documents: list[str] = Field(description="Documents that are usually needed, e.g. a legeerklæring")
    deadlines: str = Field(description="Deadlines and timing worth knowing")
    complaint: Complaint = Field(description="The complaint route and its klagefrist")
    legal_basis: list[LegalBasis] = Field(description="The law paragraphs the scheme rests on (empty where "
                                                      "there is no statutory right or ETI has not verified one)")
    card_id: str = Field(description="ETI's knowledge card, kort:<id>")
    official_url: str = Field(description="The official page the card summarises")
    reviewed: str = Field(description="When ETI last reviewed this entry (ISO date)")
    local_pages: list[LocalPage] = Field(default_factory=list,
                                         description="The kommune's own pages about the scheme, most relevant "
                                                     "first; empty when none are indexed")


class Overview(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "language": "nb",
        "notice": "Dette er en oversikt over ordninger som kan være aktuelle. ETI avgjør ingenting ...",
        "schemes": [{
            "id": "pleiepenger", "title": "Pleiepenger", "sector": "welfare",
            "why": ["Barnet følges opp av sykehuset eller annen spesialisthelsetjeneste."],
            "gives": "Pleiepenger kan erstatte inntekt ...", "decides": "Nav vurderer ...",
            "how_to_apply": "Be legen på sykehuset om legeerklæring ...",
            "documents": ["Legeerklæring fra lege i spesialisthelsetjenesten"],
            "deadlines": "Søk om forlengelse i god tid ...",
            "complaint": {"route": "Nav-enheten som laget vedtaket, så Nav klageinstans og Trygderetten.",
                          "deadline": "6 uker fra dere fikk vedtaket."},
            "legal_basis": [{"law": "folketrygdloven", "paragraph": "§ 9-10",
                             "title": "Pleiepenger til medlem med omsorg for syke barn",
                             "url": "https://lovdata.no/lov/1997-02-28-19/§9-10"}],
            "card_id": "kort:pleiepenger", "official_url": "https://www.nav.no/pleiepenger-barn",
            "reviewed": "2026-12-01", "local_pages": []}],
        "coordination": []}]})

    language: str = Field(description="The language the texts are in (bokmål where a translation is missing)")
    notice: str = Field(description="What the overview is and is not: possibilities, never decisions")
    schemes: list[SchemeEntry] = Field(description="Schemes that may apply, grouped by sector")
    coordination: list[SchemeEntry] = Field(description="Barnekoordinator, koordinator and individuell plan: "
                                                        "who can help hold it all together; closes every overview")

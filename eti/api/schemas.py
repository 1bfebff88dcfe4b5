"""Request and response models of the REST API (they are the OpenAPI schema)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Sector = Literal["health", "welfare", "education", "municipal", "legal"]
StatusLit = Literal["answered", "no_answer", "refused", "emergency"]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"question": "Hva er pleiepenger og hvem kan få det?", "municipality": "4207", "language": "nb"}]})
    question: str = Field(min_length=1, max_length=2000)
    conversation_id: str | None = Field(default=None, max_length=64)
    municipality: str | None = Field(default=None, pattern=r"^\d{4}$")
    sectors: list[Sector] | None = None
    language: Literal["nb", "nn", "en"] | None = None
    stream: bool = False


class LegalBasisOut(BaseModel):
    law: str = Field(description="The law's short name, e.g. folketrygdloven")
    paragraph: str = Field(description="The paragraph, e.g. § 9-10")
    url: str | None = Field(default=None, description="Lovdata, at the paragraph")


class CitationOut(BaseModel):
    n: int = Field(description="The number the answer's [n] markers refer to")
    url: str = Field(description="The cited page (for an ETI card: the official page it summarises); on the "
                                 "source's own hosts only")
    title: str
    sector: str
    source_id: str
    section: str
    snippet: str = Field(description="Plain text from the cited passage (never markup, links or instructions)")
    last_modified: str | None = Field(default=None, description="The page's own date (ISO), when it shows one")
    fetched_at: str | None = None
    kind: Literal["page", "card", "law"] = Field(
        default="page", description="card: ETI's own reviewed summary, shown as such, with the official page "
                                    "(url) and the law paragraph (legal_basis) underneath")
    reviewed: str | None = Field(default=None, description="card: the date ETI last reviewed it")
    legal_basis: list[LegalBasisOut] = Field(default_factory=list, description="The law paragraphs it rests on")
    attribution: str | None = Field(default=None, description="Credit the source's terms require next to its text")
    outdated: bool = Field(default=False, description="The page looks older than the current rules")


class AskResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "answer": "Pleiepenger skal sikre inntekt ... [1]\n\n**NAV**\n- Du søker på nav.no. [1]",
        "status": "answered", "conversation_id": "k3J9xYz0abcd", "language": "nb",
        "citations": [{"n": 1, "url": "https://www.nav.no/pleiepenger-barn", "title": "Pleiepenger",
                       "sector": "welfare", "source_id": "knowledge", "section": "Pleiepenger > Hvem kan få det?",
                       "snippet": "...", "last_modified": "2026-11-23", "fetched_at": "2026-11-23T10:00:00+00:00"}]}]})
    answer: str
    status: StatusLit
    citations: list[CitationOut]
    machine_translated: bool = Field(default=False, description="Part of the answer was machine-translated "
                                                                "(bokmål to nynorsk, Apertium)")
    conversation_id: str
    language: str


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sectors: list[Sector] | None = None
    sources: list[str] | None = None
    municipality: str | None = Field(default=None, pattern=r"^\d{4}$")
    language: list[Literal["nb", "nn", "en"]] | None = None


class SearchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"query": "avlastning", "k": 5, "filters": {"sectors": ["municipal"], "municipality": "4207"}}]})
    query: str = Field(min_length=1, max_length=1000)
    k: int = Field(default=10, ge=1, le=50)
    filters: SearchFilters | None = None


class SearchResult(BaseModel):
    doc_id: str = Field(description="Stable document id: the URL, or kort:<id> for ETI's knowledge cards")
    url: str
    title: str
    sector: str
    source_id: str
    section: str
    text: str
    score: float
    municipality: str | None = None
    language: str | None = None
    last_modified: str | None = None


class SearchResponse(BaseModel):
    results: list[SearchResult]


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"conversation_id": "k3J9xYz0abcd", "rating": "up", "comment": "Nyttig!"}]})
    conversation_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    rating: Literal["up", "down"]
    comment: str | None = Field(default=None, max_length=2000)


class SourceOut(BaseModel):
    id: str
    name: str
    sector: str
    adapter: str
    language: str
    municipality: str | None
    documents: int
    chunks: int
    last_crawl: str | None


class Problem(BaseModel):
    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None

"""Request and response models of the REST API (they are the OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from eti.state import holds_personal_data

Sector = Literal["health", "welfare", "education", "municipal", "legal"]
StatusLit = Literal["answered", "no_answer", "refused", "emergency"]
Language = Literal["nb", "nn", "en"]
# Request bodies are strict: "k": "5", "k": true or "stream": 0 are refused, not coerced.
STRICT = ConfigDict(extra="forbid", strict=True)
# Not blank: at least one character that no regex engine (ECMA, Python, Rust) counts as white space.
NOT_BLANK = r"[^\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\x1c-\x1f]"
KOMMUNE = r"^[0-9]{4}$"  # ASCII digits only: "٤٢٠٧" (Arabic-Indic) is not a kommunenummer


def _no_personal_data(cid: str) -> str:
    if holds_personal_data(cid):  # the message never repeats the id
        raise ValueError("must not contain personal data (phone, identity number or e-mail)")
    return cid


def _json_integer(value: object) -> object:
    """JSON Schema's integer: 5 and 5.0, never "5" or true."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
ConversationId = Annotated[
    str, StringConstraints(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$"), AfterValidator(_no_personal_data),
    WithJsonSchema({"type": "string", "minLength": 8, "maxLength": 64,
                    "pattern": r"^(?!.*(?:[0-9][-_]*){8})[A-Za-z0-9_-]+$",
                    "description": "An id ETI returned, or the client's own opaque id (8-64 of A-Z a-z 0-9 _ -). "
                                   "Refused when it could hold personal data: eight or more digits in a row "
                                   "(phone, fødselsnummer), with or without - or _ between them, or anything "
                                   "else ETI's redaction would remove (such as a first name)."})]
Kommune = Annotated[str, Field(pattern=KOMMUNE, description="Kommunenummer, four ASCII digits, e.g. 4207")]


class AskRequest(BaseModel):
    model_config = ConfigDict(**STRICT, json_schema_extra={"examples": [
        {"question": "Hva er pleiepenger og hvem kan få det?", "municipality": "4207", "language": "nb"}]})
    question: str = Field(min_length=1, max_length=2000, pattern=NOT_BLANK,
                          description="The parent's question, in any language; personal data in it is redacted "
                                      "before anything is stored or logged. Blank questions are refused.")
    conversation_id: ConversationId | None = Field(default=None, description="Continue this conversation "
                                                   "(follow-up questions use its earlier turns)")
    municipality: Kommune | None = Field(default=None, description="The family's kommune: its own pages rank first")
    sectors: list[Sector] | None = Field(default=None, max_length=5, description="Only answer from these sectors")
    language: Language | None = Field(default=None, description="Answer language; by default the question's")
    stream: bool = Field(default=False, description="true: Server-Sent Events (citations, then the answer in "
                                                    "paragraph-sized delta events, then done)")


class LegalBasisOut(BaseModel):
    law: str = Field(description="The law's short name, e.g. folketrygdloven")
    paragraph: str = Field(description="The paragraph, e.g. § 9-10")
    url: str | None = Field(default=None, description="Lovdata, at the paragraph")


class CitationOut(BaseModel):
    n: int = Field(description="The number the answer's [n] markers refer to")
    url: str = Field(description="The cited page (for an ETI card: the official page it summarises); on the "
                                 "source's own hosts only")
    title: str = Field(description="The page's (or card's) title")
    sector: str = Field(description="health, welfare, education, municipal or legal")
    source_id: str = Field(description="The source's id in sources.yaml")
    section: str = Field(description="Heading path of the cited passage, e.g. Pleiepenger > Hvem kan få det?")
    snippet: str = Field(description="Plain text from the cited passage (never markup, links or instructions)")
    last_modified: str | None = Field(default=None, description="The page's own date (ISO), when it shows one")
    fetched_at: str | None = Field(default=None, description="When ETI fetched the page (ISO 8601, UTC)")
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
    answer: str = Field(description="Markdown-light text (summary, **sector** headings, - bullets) with [n] markers")
    status: StatusLit = Field(description="answered | no_answer (nothing reliable found) | refused (diagnosis or "
                                          "treatment advice) | emergency (call 113 first)")
    citations: list[CitationOut] = Field(description="The sources the [n] markers point to, in order")
    machine_translated: bool = Field(default=False, description="Part of the answer was machine-translated "
                                                                "(bokmål to nynorsk, Apertium)")
    conversation_id: str = Field(description="Send it back with a follow-up question; opaque, never personal data")
    language: str = Field(description="The answer's language (nb, nn, en)")


class SearchFilters(BaseModel):
    model_config = STRICT
    sectors: list[Sector] | None = Field(default=None, max_length=5, description="Only these sectors")
    sources: list[Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,64}$")]] | None = Field(
        default=None, max_length=50, description="Only these source ids (sources.yaml)")
    municipality: Kommune | None = Field(default=None, description="Only national pages and this kommune's")
    language: list[Language] | None = Field(default=None, max_length=3, description="Only chunks in these languages")


class SearchRequest(BaseModel):
    model_config = ConfigDict(**STRICT, json_schema_extra={"examples": [
        {"query": "avlastning", "k": 5, "filters": {"sectors": ["municipal"], "municipality": "4207"}}]})
    query: str = Field(min_length=1, max_length=1000, pattern=NOT_BLANK,
                       description="Search text (personal data is redacted before searching); not blank")
    k: JsonInt = Field(default=10, ge=1, le=50, description="How many results, 1-50")
    filters: SearchFilters | None = Field(default=None, description="Narrow the search")


class SearchResult(BaseModel):
    doc_id: str = Field(description="Stable document id: the URL, or kort:<id> for ETI's knowledge cards")
    url: str = Field(description="The page the chunk comes from")
    title: str = Field(description="The page's title")
    sector: str = Field(description="health, welfare, education, municipal or legal")
    source_id: str = Field(description="The source's id in sources.yaml")
    section: str = Field(description="Heading path of the chunk")
    text: str = Field(description="The chunk's text")
    score: float = Field(description="Fused hybrid score; higher is better, comparable within one response only")
    municipality: str | None = Field(default=None, description="Kommunenummer of a municipal page")
    language: str | None = Field(default=None, description="nb, nn or en")
    last_modified: str | None = Field(default=None, description="The page's own date (ISO), when it shows one")


class SearchResponse(BaseModel):
    results: list[SearchResult] = Field(description="Best first")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(**STRICT, json_schema_extra={"examples": [
        {"conversation_id": "k3J9xYz0abcd", "rating": "up", "comment": "Nyttig!"}]})
    conversation_id: ConversationId = Field(description="The conversation the rating is about")
    rating: Literal["up", "down"] = Field(description="Thumbs up or down")
    comment: str | None = Field(default=None, max_length=2000, description="Optional; personal data is removed "
                                                                           "before storing, deleted after the "
                                                                           "retention period")


class FeedbackResponse(BaseModel):
    ok: bool = Field(description="Always true: the rating was stored (or had been, for a repeated Idempotency-Key)")


class SourceOut(BaseModel):
    id: str = Field(description="The source's id in sources.yaml")
    name: str = Field(description="Display name")
    sector: str = Field(description="health, welfare, education, municipal or legal")
    adapter: str = Field(description="The registered site adapter that extracts it")
    language: str = Field(description="nb, nn or en")
    municipality: str | None = Field(description="Kommunenummer, for a municipality's own site")
    documents: int = Field(description="Documents in the catalog")
    chunks: int = Field(description="Chunks in the catalog")
    last_crawl: str | None = Field(description="When it was last crawled (ISO 8601), or null")


class Health(BaseModel):
    status: Literal["ok"] = Field(description="The process is alive")


class Ready(BaseModel):
    status: Literal["ready"] = Field(description="An index is loaded and answers can be given")
    index: str | None = Field(description="The serving index version")
    chunks: int = Field(description="Chunks in the serving index")


class Problem(BaseModel):
    """An error, as RFC 9457 application/problem+json."""

    type: str = Field(default="about:blank", description="Always about:blank: the status says what kind")
    title: str = Field(description="Short, human-readable summary")
    status: int = Field(description="The HTTP status code")
    detail: str | None = Field(default=None, description="What went wrong and what to do; never echoes "
                                                         "personal data")

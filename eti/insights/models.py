"""The insights report as data: what ``eti insights`` writes as JSON and ``GET /v1/insights`` returns.

Every count of conversations is of distinct conversations; a group, theme or source appears only
when it holds at least ``k`` of them, and a count inside it that could stand for fewer is null.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

KCount = int | None


class Totals(BaseModel):
    events: int | None = Field(description="Answers recorded in the window (null: fewer than k conversations)")
    conversations: KCount = Field(description="Distinct conversations in the window (null: fewer than k)")
    unanswered: KCount = Field(description="Conversations with a question ETI could not answer (null: fewer than k)")
    rated_down: KCount = Field(description="Conversations whose answer was rated down (null: fewer than k)")


class Theme(BaseModel):
    representative: str = Field(description="The theme's medoid: the redacted question most similar to all the "
                                            "others in it")
    questions: int = Field(description="Questions (answers recorded) in the theme")
    conversations: int = Field(description="Distinct conversations the questions came from (at least k)")
    reasons: dict[str, int] = Field(description="Why they went unanswered (low_confidence, outside_sources: the "
                                                "domain check put the question outside what the sources cover, "
                                                "nothing_to_compose, "
                                                "all_outdated: only outdated sources), in conversations; reasons "
                                                "held by fewer than k conversations are left out")
    languages: dict[str, int] = Field(description="Conversations per question language (at least k each)")
    sectors: dict[str, int] = Field(description="Conversations per sector (at least k each)")
    schemes: dict[str, int] = Field(description="Conversations per scheme id from eti/data/schemes.yaml "
                                                "(at least k each)")
    kommuner: dict[str, int] = Field(description="Conversations per kommunenummer the widget was set to "
                                                 "(at least k each)")
    first_week: str = Field(description="ISO week of the theme's first question, e.g. 2026-W47")
    last_week: str = Field(description="ISO week of its latest question")


class Source(BaseModel):
    source_id: str = Field(description="The source's id in sources.yaml")
    title: str = Field(description="The cited page's title")
    url: str = Field(description="The cited page's address")
    sector: str = Field(description="health | welfare | education | municipal | legal")
    kind: str = Field(description="page | card (ETI's own summary) | law")
    cited: int = Field(description="Answers in the window that cited it")
    conversations: int = Field(description="Distinct conversations whose answers cited it (at least k)")
    rated_down: KCount = Field(description="Of those, conversations that rated the answer down (null: fewer than k)")
    outdated: bool = Field(description="ETI's freshness rules marked the page as possibly out of date when cited")
    last_modified: str | None = Field(description="The page's own date, as cited (ISO date), when it shows one")
    age_days: int | None = Field(description="Days from last_modified to the end of the window")


class Rising(BaseModel):
    scheme: str = Field(description="Scheme id from eti/data/schemes.yaml")
    label: str = Field(description="The scheme's name")
    sector: str = Field(description="The scheme's sector")
    this_week: int = Field(description="Conversations about it in the last 7 days of the window (at least k)")
    previous_weeks: list[KCount] = Field(description="Conversations in each 7-day window before, the most recent "
                                                     "first (null: fewer than k)")
    ratio: float | None = Field(description="this_week over the mean of previous_weeks; null when every previous "
                                            "week held fewer than k conversations")
    new: bool = Field(description="True when no previous week reached k conversations")


class Group(BaseModel):
    dimension: str = Field(description="sector | scheme | kommune | language | status")
    key: str = Field(description="The sector, scheme id, kommunenummer, language code or answer status")
    label: str = Field(description="A readable name for key")
    events: int = Field(description="Answers recorded in the group")
    conversations: int = Field(description="Distinct conversations in the group (at least k)")
    unanswered: KCount = Field(description="Conversations with an unanswered question (null: fewer than k)")
    rated_down: KCount = Field(description="Conversations that rated an answer down (null: fewer than k)")


class Week(BaseModel):
    week: str = Field(description="ISO week, e.g. 2026-W49")
    events: int = Field(description="Answers recorded that week")
    conversations: int = Field(description="Distinct conversations that week (at least k)")
    unanswered: KCount = Field(description="Conversations with an unanswered question (null: fewer than k)")
    rated_down: KCount = Field(description="Conversations that rated an answer down (null: fewer than k)")
    kept_counts: bool = Field(description="True when the week is past the retention period: its questions are "
                                          "deleted and only these counts were kept")


class Report(BaseModel):
    generated_at: str = Field(description="When the report was made (ISO 8601, UTC)")
    since: str = Field(description="Start of the window (ISO 8601, UTC)")
    until: str = Field(description="End of the window (ISO 8601, UTC)")
    window: str = Field(description="The window as asked for, e.g. 30d")
    k: int = Field(description="The k-anonymity threshold: fewer distinct conversations than this are never shown")
    retention_days: float = Field(description="Questions older than this are deleted; themes, sources and "
                                              "rising topics only cover that period, weekly counts go further back")
    totals: Totals = Field(description="The whole window")
    unanswered: list[Theme] = Field(description="Themes among questions ETI could not answer (no answer, or only "
                                                "outdated sources), the largest first")
    rated_down: list[Theme] = Field(description="Themes among questions whose answers were rated down")
    rated_down_sources: list[Source] = Field(description="Sources cited by answers that were rated down")
    stale_sources: list[Source] = Field(description="Cited sources marked outdated or with a date older than "
                                                    "ETI_INSIGHTS_STALE_DAYS")
    rising: list[Rising] = Field(description="Schemes whose volume rose in the last 7 days against the weeks before")
    groups: list[Group] = Field(description="Volume per sector, scheme, kommune, language and answer status")
    weeks: list[Week] = Field(description="Volume per ISO week in the window")
    withheld: int = Field(description="Themes, sources and groups left out because they held fewer than k "
                                      "conversations")

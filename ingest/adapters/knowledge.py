"""knowledge: our own plain-language cards (knowledge/*.md with YAML front matter)."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from eti.core import Document, RawDocument, Section, Sector
from ingest.adapters.base import ExtractionError, register
from ingest.sources import Source

log = logging.getLogger(__name__)
_FRONT = re.compile(r"^---\s*\n(.*?)\n---\s*\n(.*)$", re.S)


class CardMeta(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    sector: Sector
    summary: str
    official_sources: list[str]
    reviewed: date
    municipality: str | None = None
    legal_basis: list[str] = Field(default_factory=list, description='Law paragraphs, "folketrygdloven § 9-10"')


def card_id(path_or_url: str) -> str:
    return Path(path_or_url.removeprefix("kort:")).stem


def parse_card(text: str, name: str) -> tuple[CardMeta, list[tuple[str, str]]]:
    """Front matter and (heading, body) pairs; the opening text comes under the title."""
    m = _FRONT.match(text)
    if not m:
        raise ExtractionError(f"{name}: missing YAML front matter between --- lines")
    try:
        meta = CardMeta.model_validate(yaml.safe_load(m[1]))
    except (yaml.YAMLError, ValidationError) as exc:
        raise ExtractionError(f"{name}: invalid front matter: {exc}") from exc
    parts: list[tuple[str, str]] = []
    heading = ""
    buf: list[str] = []
    for line in m[2].splitlines():
        if line.startswith("## "):
            parts.append((heading, "\n".join(buf).strip()))
            heading, buf = line[3:].strip(), []
        elif line.startswith("# "):
            continue  # the title comes from the front matter
        else:
            buf.append(line)
    parts.append((heading, "\n".join(buf).strip()))
    return meta, [(h, b) for h, b in parts if b]


@register("knowledge")
class KnowledgeAdapter:
    async def collect(self, source: Source, ctx=None) -> AsyncIterator[RawDocument]:
        folder = Path(source.path or "knowledge")
        if not folder.is_dir():
            raise FileNotFoundError(f"knowledge folder {folder} does not exist")
        for path in sorted(folder.glob("*.md")):
            if path.name.lower() == "readme.md":
                continue
            yield RawDocument(url=f"kort:{path.stem}", content=path.read_bytes(), content_type="text/markdown")

    def extract(self, raw: RawDocument, source: Source) -> list[Document]:
        slug = card_id(raw.url)
        meta, parts = parse_card(raw.content.decode("utf-8"), slug)
        if parts and parts[0][0] == "":  # the summary opens the card's introduction
            parts[0] = ("", f"{meta.summary}\n\n{parts[0][1]}")
        else:
            parts.insert(0, ("", meta.summary))
        sections = [
            Section([meta.title, heading] if heading else [meta.title], _plain(body)) for heading, body in parts
        ]
        return [
            Document(
                url=meta.official_sources[0] if meta.official_sources else raw.url,
                doc_id=f"kort:{slug}",
                title=meta.title,
                sections=sections,
                language=source.language,
                updated=meta.reviewed.isoformat(),
                fetched_at=raw.fetched_at,
                meta={
                    "card_id": slug,
                    "sector": meta.sector.value,
                    "summary": meta.summary,
                    "official_sources": " ".join(meta.official_sources),
                    "municipality": meta.municipality or "",
                    # ETI's summary rests on these paragraphs; shown under the card, "; "-separated
                    "legal_basis": "; ".join(meta.legal_basis),
                },
            )
        ]


def _plain(markdown: str) -> str:
    """Cards are Markdown; keep list markers, drop emphasis and turn links into their text."""
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"\1 (\2)", markdown)
    text = re.sub(r"(\*\*|__)(.*?)\1", r"\2", text)
    text = re.sub(r"^\s*[*+] ", "- ", text, flags=re.M)
    return re.sub(r"\n{3,}", "\n\n", text).strip()

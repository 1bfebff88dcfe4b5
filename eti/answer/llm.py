"""Optional LLM mode: any OpenAI-compatible endpoint through langchain-openai.

The model gets numbered sources and answers with [n] citations. Every [n] is checked against
the sources given, and sentences without a valid citation (or that share too little with the
cited source) are dropped. Any error or timeout falls back to the default composer.
"""

from __future__ import annotations

import re
from pathlib import Path

from eti.answer.context import AskContext, Citation
from eti.answer.services import Services
from eti.sentences import split_sentences

LANGUAGE_NAMES = {"nb": "Norwegian bokmål", "nn": "Norwegian nynorsk", "en": "English", "pl": "Polish",
                  "uk": "Ukrainian", "ar": "Arabic", "so": "Somali"}
_CITE = re.compile(r"\[(\d{1,2})\]")
# a sentence ends after . ! ? unless its citation follows ("... barn. [1]"), or after a citation
_SENT = re.compile(r"(?<=[.!?])\s+(?!\[)|(?<=\])\s+(?=[A-ZÆØÅ])")


class LLMOutputError(RuntimeError):
    """The model's answer had nothing usable (no sentence with a valid citation)."""


def _prompt(prompts_dir: Path, name: str) -> str:
    return (prompts_dir / name).read_text(encoding="utf-8")


def rewrite_followup(ctx: AskContext, services: Services) -> None:
    """LLM mode: an elliptic follow-up is rewritten into a standalone question by the model;
    a question with a topic of its own starts fresh (as in the default mode)."""
    from langchain_core.messages import HumanMessage

    from eti.answer.followup import previous_questions

    ctx.topic = services.shared.topics.recognise(ctx.query)
    history = previous_questions(ctx, services)
    if not history or not ctx.topic.elliptic:
        return
    text = _prompt(services.prompts_dir, "rewrite.md").format(
        history="\n".join(f"- {q}" for q in history[-3:]), question=ctx.query)
    out = services.chat_model.invoke([HumanMessage(content=text)])  # type: ignore[union-attr]
    rewritten = str(out.content).strip().splitlines()[0] if str(out.content).strip() else ""
    ctx.query = rewritten[:500] or ctx.query
    ctx.topic = services.shared.topics.recognise(ctx.query)


def _sources_block(ctx: AskContext, services: Services) -> str:
    blocks = []
    for i, h in enumerate(ctx.hits, start=1):
        c = h.chunk
        text = " ".join(s for s in split_sentences(c.text) if not services.shared.guards.instructions.is_instruction(s))
        blocks.append(f'<source n="{i}" sector="{c.sector}" title="{c.title}" section="{c.section}">\n{text}\n</source>')
    return "\n".join(blocks)


def compose_with_llm(ctx: AskContext, services: Services) -> None:
    from langchain_core.messages import HumanMessage, SystemMessage

    lang = LANGUAGE_NAMES.get(ctx.language, "Norwegian bokmål")
    system = _prompt(services.prompts_dir, "answer_system.md").replace("{language_name}", lang)
    user = _prompt(services.prompts_dir, "answer_user.md").format(
        # the parent's own (redacted) words; the search may have used a rewritten question
        sources=_sources_block(ctx, services), question=ctx.redacted or ctx.query, language_name=lang)
    out = services.chat_model.invoke([SystemMessage(content=system), HumanMessage(content=user)])  # type: ignore[union-attr]
    answer, citations = validate_citations(str(out.content), ctx, services)
    if not citations:
        raise LLMOutputError("no sentence with a valid citation")
    ctx.answer, ctx.citations = answer, citations


def validate_citations(text: str, ctx: AskContext, services: Services) -> tuple[str, list[Citation]]:
    """Keep headings and sentences whose every [n] is a given source that shares words with it."""
    analyzer = services.retriever.reader.lexical.analyzer
    renumber: dict[int, int] = {}
    lines_out: list[str] = []
    for line in text.replace("\r", "").split("\n"):
        stripped = line.strip()
        if not stripped:
            lines_out.append("")
            continue
        if re.fullmatch(r"(\*\*[^*]{1,60}\*\*|#{1,4} .{1,60})", stripped):
            lines_out.append(stripped)
            continue
        bullet = stripped.startswith(("- ", "* "))
        body = stripped[2:] if bullet else stripped
        kept = []
        for sentence in _SENT.split(body):
            nums = [int(n) for n in _CITE.findall(sentence)]
            if not nums or any(n < 1 or n > len(ctx.hits) for n in nums):
                continue
            if not re.search(r"\w", _CITE.sub("", sentence)):  # a citation with no sentence
                continue
            if services.shared.guards.instructions.is_instruction(sentence):
                continue
            if ctx.language in ("nb", "nn"):
                words = set(analyzer(_CITE.sub("", sentence)))
                source_words: set[str] = set()
                for n in nums:
                    source_words |= set(analyzer(ctx.hits[n - 1].chunk.text + " " + ctx.hits[n - 1].chunk.title))
                if words and len(words & source_words) / len(words) < 0.3:
                    continue
            for n in nums:
                renumber.setdefault(n, len(renumber) + 1)
            kept.append(_CITE.sub(lambda m: f"[{renumber[int(m[1])]}]", sentence))
        if kept:
            lines_out.append(("- " if bullet else "") + " ".join(kept))
    # drop headings left with nothing under them
    cleaned: list[str] = []
    for i, line in enumerate(lines_out):
        if line.startswith(("**", "#")):
            following = next((x for x in lines_out[i + 1 :] if x), "")
            if not following or following.startswith(("**", "#")):
                continue
        cleaned.append(line)
    answer = re.sub(r"\n{3,}", "\n\n", "\n".join(cleaned)).strip()
    citations = []
    for old, new in sorted(renumber.items(), key=lambda kv: kv[1]):
        c = ctx.hits[old - 1].chunk
        citations.append(Citation.from_chunk(new, c, c.text[:300]))
    return answer, citations

"""The answer in the parent's language, as far as we honestly can.

* Nynorsk question, bokmål sources: the passages are machine-translated to nynorsk (Apertium),
  and the answer says so (``machine_translated``). Without Apertium: bokmål.
* Any other language: the sources are Norwegian and so is the answer; a notice on top, in the
  parent's language, says so and how to get an interpreter (tolk).
"""

from __future__ import annotations

import re

from eti.answer.context import AskContext

_CITE = re.compile(r"\[(\d+)\]")


def language_notice(language: str, templates) -> str:
    """The notice on top of an answer in ``language`` (none for bokmål and nynorsk): the sources are
    Norwegian, and how to get an interpreter; in English where the language has no text of its own."""
    if language in ("nb", "nn"):
        return ""
    return templates.get(language if templates.has(language, "language_notice") else "en", "language_notice")


def localise(ctx: AskContext, services) -> None:
    if not ctx.answer:
        return
    if ctx.language == "nn":
        _to_nynorsk(ctx, services)
    elif notice := language_notice(ctx.language, services.templates):
        ctx.notices.append(notice)


def _to_nynorsk(ctx: AskContext, services) -> None:
    translator = services.shared.translator
    bokmal = {c.n for c in ctx.citations if c.language == "nb"}
    if translator is None or not bokmal:
        return
    blocks = ctx.answer.split("\n\n")
    # the blocks quoting bokmål sources only, translated together (one round trip; the translator
    # keeps the line structure, so they split back the same way)
    chosen = [i for i, b in enumerate(blocks) if (nums := {int(n) for n in _CITE.findall(b)}) and nums <= bokmal]
    if not chosen:
        return
    done = translator.translate("\n\n".join(blocks[i] for i in chosen))
    if done is None:  # the translator failed: keep bokmål rather than half a translation
        return
    for i, text in zip(chosen, done.split("\n\n"), strict=True):
        blocks[i] = text
    ctx.machine_translated = True
    ctx.answer = "\n\n".join(blocks)

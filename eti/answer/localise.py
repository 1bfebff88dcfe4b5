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


def localise(ctx: AskContext, services) -> None:
    if not ctx.answer:
        return
    if ctx.language == "nn":
        _to_nynorsk(ctx, services)
    elif ctx.language != "nb" and services.templates.has(ctx.language, "language_notice"):
        ctx.notices.append(services.templates.get(ctx.language, "language_notice"))
    elif ctx.language != "nb":
        ctx.notices.append(services.templates.get("en", "language_notice"))


def _to_nynorsk(ctx: AskContext, services) -> None:
    translator = services.shared.translator
    bokmal = {c.n for c in ctx.citations if c.language == "nb"}
    if translator is None or not bokmal:
        return
    blocks = ctx.answer.split("\n\n")
    out = []
    for block in blocks:
        nums = {int(n) for n in _CITE.findall(block)}
        if nums and nums <= bokmal:
            done = translator.translate(block)
            if done is None:  # the translator failed: keep bokmål rather than half a translation
                return
            out.append(done)
            ctx.machine_translated = True
        else:
            out.append(block)
    ctx.answer = "\n\n".join(out)

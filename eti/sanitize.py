"""Text is data: invisible characters out, instruction-like sentences recognised.

Applied to a parent's question before anything else looks at it, and to crawled text before it
is chunked, quoted, shown as a snippet or returned by search.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

import yaml

from eti.sentences import split_sentences

# Unicode tag characters, zero-width characters, bidi controls, soft hyphen, word joiner, BOM,
# Mongolian vowel separator, interlinear annotation, variation selectors
_INVISIBLE = re.compile(
    "[\U000e0000-\U000e007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\u00ad\u180e\u061c"
    "\ufff9-\ufffb\ufe00-\ufe0f]"
)
_SPACES = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")


def strip_invisible(text: str) -> str:
    """NFC text without tag, zero-width and bidi-control characters; odd spaces become spaces."""
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", _INVISIBLE.sub("", text))


@dataclass(frozen=True)
class InstructionFilter:
    """Recognises sentences that address an assistant (eti/data/instructions.yaml)."""

    patterns: tuple[re.Pattern, ...]

    @classmethod
    def load(cls) -> InstructionFilter:
        data = yaml.safe_load(resources.files("eti.data").joinpath("instructions.yaml").read_text(encoding="utf-8"))
        return cls(tuple(re.compile(p, re.I) for p in data["patterns"]))

    def is_instruction(self, sentence: str) -> bool:
        return any(p.search(sentence) for p in self.patterns)

    def clean(self, text: str) -> str:
        """``text`` without its instruction-like sentences; lines and list items keep their shape."""
        kept_lines = []
        for line in text.splitlines():
            sentences = split_sentences(line)
            if not any(self.is_instruction(s) for s in sentences):
                kept_lines.append(line)
                continue
            kept = [s for s in sentences if not self.is_instruction(s)]
            if kept:
                prefix = line[: len(line) - len(line.lstrip())] + ("- " if line.lstrip().startswith("- ") else "")
                kept_lines.append(prefix + " ".join(kept))
        return "\n".join(kept_lines)

"""Machine translation of composed answers, registered by name: bokmål -> nynorsk with Apertium.

Apertium (Debian ``apertium-nno-nob``) is an optional system dependency: when it is missing the
answer stays in bokmål. One persistent pipeline per process in null-flush mode, so a translation
costs milliseconds, not the two seconds it takes to start the pipeline. Citation markers, list
markers and bold headings are kept out of what is translated.
"""

from __future__ import annotations

import logging
import os
import re
import select
import shutil
import subprocess
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)
_SPECIAL = re.compile(r"([\\\[\]^$/@<>{}*])")
_UNESCAPE = re.compile(r"\\(.)")
_TERMINATOR = "[][\n]"
# what is never translated: citation markers, bold headings, list markers
_KEEP = re.compile(r"(\s*\[\d+(?:,\s*\d+)*\])|(\*\*|\([A-ZÆØÅa-zæøå ]{2,30}\):)")


class Translator(Protocol):
    name: str

    def translate(self, text: str) -> str | None:
        """``text`` translated, or None when the translator cannot (the caller keeps the original)."""
        ...


_REGISTRY: dict[str, Callable[[], Translator | None]] = {}


def register_translator(name: str):
    def deco(fn):
        _REGISTRY[name] = fn
        return fn
    return deco


def build_translator(name: str) -> Translator | None:
    if name not in _REGISTRY:
        raise ValueError(f"unknown translator {name!r}; registered: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]()


class ApertiumTranslator:
    """A persistent ``nob-nno_e`` pipeline (e-infinitive nynorsk, as most kommuner write)."""

    name = "apertium nob-nno_e"

    def __init__(self, mode_file: str, timeout_s: float = 5.0):
        self.mode_file, self.timeout_s = mode_file, timeout_s
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, str] = OrderedDict()  # bokmål line part -> nynorsk, most recent last
        self.cache_size = 4096

    def _start(self) -> subprocess.Popen:
        pipe = subprocess.run(["apertium-wblank-mode", "-z", self.mode_file], capture_output=True, text=True,
                              check=True, timeout=10).stdout
        return subprocess.Popen(["bash", "-c", pipe, "apertium", "-n", ""], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def _segment(self, text: str) -> str | None:
        if not text.strip():
            return text
        proc = self._proc
        if proc is None or proc.poll() is not None:
            proc = self._proc = self._start()
        assert proc.stdin is not None and proc.stdout is not None
        os.write(proc.stdin.fileno(), (_SPECIAL.sub(r"\\\1", text) + _TERMINATOR).encode() + b"\0")
        out, deadline = b"", time.monotonic() + self.timeout_s
        while b"\0" not in out:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([proc.stdout], [], [], left)[0]:
                log.warning("apertium did not answer in %.1fs; restarting it", self.timeout_s)
                proc.kill()
                self._proc = None
                return None
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                self._proc = None
                return None
            out += chunk
        result = out.split(b"\0", 1)[0].decode("utf-8", "replace")
        result = result.removesuffix(_TERMINATOR).rstrip()
        return _UNESCAPE.sub(r"\1", result).replace("#", "").replace("~", "")  # Apertium's marks for guesses

    def translate(self, text: str) -> str | None:
        """Every line's translatable parts (not citations or marks) in one round trip through the
        pipeline, one part per line; part by part only if Apertium changed the line count."""
        with self._lock:
            layout: list[tuple[str, list[tuple[bool, str, str, str]]]] = []  # prefix, (translate?, lead, text, tail)
            todo: list[str] = []
            for line in text.split("\n"):
                prefix = re.match(r"^\s*(?:- |\d+\. )?", line)[0]
                pieces = []
                for part in _KEEP.split(line[len(prefix):]):
                    if part is None or part == "":
                        continue
                    if _KEEP.fullmatch(part) or not part.strip():
                        pieces.append((False, "", part, ""))
                        continue
                    lead, tail = part[: len(part) - len(part.lstrip())], part[len(part.rstrip()):]
                    pieces.append((True, lead, part.strip(), tail))
                    todo.append(part.strip())
                layout.append((prefix, pieces))
            done = self._all(todo)
            if done is None:
                return None
            answers = iter(done)
            return "\n".join(prefix + "".join(lead + (next(answers) if tr else body) + tail
                                              for tr, lead, body, tail in pieces)
                             for prefix, pieces in layout)

    def _all(self, parts: list[str]) -> list[str] | None:
        """The parts translated: the ones seen recently from the cache (answers quote the same
        source lines again and again), the rest in one round trip."""
        missing = list(dict.fromkeys(p for p in parts if p not in self._cache))
        if missing:
            done = self._round_trip(missing)
            if done is None:
                return None
            for src, out in zip(missing, done, strict=True):
                self._cache[src] = out
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        for p in parts:
            self._cache.move_to_end(p)
        return [self._cache[p] for p in parts]

    def _round_trip(self, parts: list[str]) -> list[str] | None:
        joined = self._segment("\n".join(parts))
        if joined is not None and joined.count("\n") == len(parts) - 1:
            return joined.split("\n")
        out = []
        for part in parts:  # the slow way, one round trip each
            done = self._segment(part)
            if done is None:
                return None
            out.append(done)
        return out


@register_translator("apertium")
def _apertium() -> Translator | None:
    mode = "/usr/share/apertium/modes/nob-nno_e.mode"
    if not (shutil.which("apertium-wblank-mode") and os.path.exists(mode)):
        log.info("apertium-nno-nob is not installed: nynorsk questions get bokmål answers")
        return None
    return ApertiumTranslator(mode)


@register_translator("none")
def _none() -> Translator | None:
    return None

"""Machine translation of composed answers, registered by name: bokmål -> nynorsk with Apertium.

Apertium (Debian ``apertium-nno-nob``) is an optional system dependency: when it is missing the
answer stays in bokmål. One persistent pipeline per process in null-flush mode, so a translation
costs milliseconds, not the two seconds it takes to start the pipeline. Citation markers, list
markers and bold headings are kept out of what is translated. Translations are kept per sentence:
the recent ones in memory, all of them in a translation memory in the data dir
(eti/answer/translation_memory.py), which publishing fills for the scheme cards in advance.
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
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from eti.answer.translation_memory import TranslationMemory
from eti.core import Chunk
from eti.sentences import is_list_item, split_text, strip_list_marker

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


_REGISTRY: dict[str, Callable[[Path | None], Translator | None]] = {}


def register_translator(name: str):
    def deco(fn):
        _REGISTRY[name] = fn
        return fn
    return deco


def build_translator(name: str, memory_path: Path | None = None) -> Translator | None:
    """The translator registered as ``name``; ``memory_path``: its translation memory (SQLite)."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown translator {name!r}; registered: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](memory_path)


def warm_card_translations(settings, chunks: Iterable[Chunk]) -> int:
    """Nynorsk for the scheme cards' sentences, into the translation memory, so that a nynorsk
    question quoting them is not kept waiting for Apertium (run after publishing; only sentences not
    translated before). Returns how many were translated."""
    from eti.answer.topics import TopicRecogniser

    translator = build_translator(settings.translator, settings.translation_memory_path)
    if translator is None or not hasattr(translator, "warm"):
        return 0
    cards = {s.card for s in TopicRecogniser.load().schemes.values()}
    texts = ["\n".join(strip_list_marker(line) if is_list_item(line) else line for line in c.text.splitlines())
             for c in chunks if c.doc_id in cards and c.language == "nb"]
    try:
        return translator.warm(texts)
    finally:
        translator.close()


def _sentences(text: str) -> list[str]:
    return [s for line in text.split("\n") for s in split_text(line)]


class ApertiumTranslator:
    """A persistent ``nob-nno_e`` pipeline (e-infinitive nynorsk, as most kommuner write)."""

    name = "apertium nob-nno_e"

    def __init__(self, mode_file: str, timeout_s: float = 5.0, memory: TranslationMemory | None = None):
        self.mode_file, self.timeout_s, self.memory = mode_file, timeout_s, memory
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, str] = OrderedDict()  # bokmål sentence -> nynorsk, most recent last
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
        """The parts translated sentence by sentence: the sentences seen recently from the cache
        (answers quote the same source sentences again and again), then from the translation memory,
        the rest in one round trip (and kept in both)."""
        split = [split_text(p) or [p] for p in parts]
        known: dict[str, str] = {}
        missing = []
        for sentence in dict.fromkeys(s for ss in split for s in ss):
            if sentence in self._cache:
                self._cache.move_to_end(sentence)
                known[sentence] = self._cache[sentence]
            else:
                missing.append(sentence)
        if missing and self.memory is not None:
            known.update(self._recall(missing))
            missing = [s for s in missing if s not in known]
        if missing:
            done = self._round_trip(missing)
            if done is None:
                return None
            fresh = dict(zip(missing, done, strict=True))
            known.update(fresh)
            if self.memory is not None:
                self._remember(fresh)
        for sentence, target in known.items():
            self._cache[sentence] = target
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return [" ".join(known[s] for s in ss) for ss in split]

    def _recall(self, sentences: list[str]) -> dict[str, str]:
        try:
            return self.memory.get_many(sentences)
        except Exception as exc:  # an unreadable memory: translate as if it were empty  # noqa: BLE001
            log.warning("translation memory not read: %s", exc)
            return {}

    def _remember(self, pairs: dict[str, str]) -> None:
        try:
            self.memory.put_many(pairs)
        except Exception as exc:  # a locked or read-only data dir: the answer is still translated  # noqa: BLE001
            log.warning("translation memory not written: %s", exc)

    def close(self) -> None:
        with self._lock:
            if self._proc is not None and self._proc.poll() is None:
                self._proc.kill()
                self._proc.wait(timeout=5)
            self._proc = None
        if self.memory is not None:
            self.memory.close()

    def warm(self, texts: Iterable[str], batch: int = 200) -> int:
        """Translate the sentences of ``texts`` that the memory lacks, ahead of any question (publishing
        does this for the scheme cards). Returns how many were translated."""
        if self.memory is None:
            return 0
        sentences = list(dict.fromkeys(s for t in texts for s in _sentences(t)))
        with self._lock:
            have = self._recall(sentences)
            todo = [s for s in sentences if s not in have]
            for i in range(0, len(todo), batch):
                part = todo[i : i + batch]
                done = self._round_trip(part)
                if done is None:
                    return i
                self._remember(dict(zip(part, done, strict=True)))
        return len(todo)

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
def _apertium(memory_path: Path | None) -> Translator | None:
    mode = "/usr/share/apertium/modes/nob-nno_e.mode"
    if not (shutil.which("apertium-wblank-mode") and os.path.exists(mode)):
        log.info("apertium-nno-nob is not installed: nynorsk questions get bokmål answers")
        return None
    memory = None
    if memory_path is not None:
        try:
            memory = TranslationMemory(memory_path, ApertiumTranslator.name)
        except Exception as exc:  # a read-only data dir: translate without a memory  # noqa: BLE001
            log.warning("no translation memory at %s (%s): every sentence is translated when asked", memory_path, exc)
    return ApertiumTranslator(mode, memory=memory)


@register_translator("none")
def _none(memory_path: Path | None) -> Translator | None:
    return None

"""The nynorsk translation memory: sentences translated once are served from SQLite by any later
translator (another worker, a restart), and a failing memory never loses the translation."""

from __future__ import annotations

import shutil

import pytest

from eti.answer.translate import ApertiumTranslator, build_translator
from eti.answer.translation_memory import TranslationMemory

pytestmark = pytest.mark.skipif(shutil.which("apertium-wblank-mode") is None,
                                reason="apertium-nno-nob is not installed (an optional system dependency)")

TEXT = ("Pleiepenger erstatter inntekt du taper når du er borte fra jobb. Du må ha en legeerklæring. [1]\n"
        "- Barnet må ha behov for kontinuerlig tilsyn og pleie. [1]")


def test_a_sentence_translated_once_is_served_from_the_memory_by_another_translator(tmp_path):
    first = build_translator("apertium", tmp_path / "tm.sqlite")
    done = first.translate(TEXT)
    assert done is not None and "[1]" in done and "ikkje" not in done.lower()
    assert "frå" in done and done.splitlines()[1].startswith("- ")
    # another worker: its Apertium cannot start, so the memory alone must give the same answer
    memory = TranslationMemory(tmp_path / "tm.sqlite", ApertiumTranslator.name)
    assert memory.count() == 3
    second = ApertiumTranslator("/nonexistent.mode", memory=memory)
    assert second.translate(TEXT) == done


def test_warm_translates_only_what_the_memory_lacks(tmp_path):
    t = build_translator("apertium", tmp_path / "tm.sqlite")
    assert t.warm([TEXT.replace(" [1]", "")]) == 3
    assert t.warm([TEXT.replace(" [1]", "")]) == 0
    assert ApertiumTranslator("/nonexistent.mode", memory=TranslationMemory(
        tmp_path / "tm.sqlite", ApertiumTranslator.name)).translate("Du må ha en legeerklæring.") is not None


def test_an_unwritable_memory_still_translates(tmp_path):
    t = build_translator("apertium", tmp_path / "tm.sqlite")
    t.memory.close()  # every write now fails
    assert "frå" in t.translate("Dette kommer fra Nav.")

"""Which language a parent wrote in: nb, nn, en, pl, uk, ar, so.

``LanguageIdentifier`` wraps lingua (a maintained identifier, restricted to the languages we serve;
it tells bokmål from nynorsk). Norwegian scheme names inside a foreign question ("Czym jest
barnekoordinator?") are taken out before it decides, so they do not make it Norwegian; a text too
short to tell (a one-word follow-up "frikort?") falls back to the interface language.
Built once per process (eti.answer.services.Shared).
"""

from __future__ import annotations

import re
from importlib import resources

import yaml

SERVED = ("nb", "nn", "en", "pl", "uk", "ar", "so")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.U)


def template_language(lang: str) -> str:
    """Fixed phrases exist in nb, nn and en for everything; other languages get English ones
    except for the texts that exist in that language (emergency, crisis, language notice)."""
    return lang if lang in ("nb", "nn", "en") else "en"


class LanguageIdentifier:
    def __init__(self, min_confidence: float = 0.5):
        from lingua import Language, LanguageDetectorBuilder

        self._codes = {Language.BOKMAL: "nb", Language.NYNORSK: "nn", Language.ENGLISH: "en",
                       Language.POLISH: "pl", Language.UKRAINIAN: "uk", Language.ARABIC: "ar",
                       Language.SOMALI: "so"}
        self._detector = LanguageDetectorBuilder.from_languages(*self._codes).with_preloaded_language_models().build()
        data = yaml.safe_load(resources.files("eti.data").joinpath("language.yaml").read_text(encoding="utf-8"))
        self._terms = {t.lower() for t in data["norwegian_terms"]}
        self._nn_only = {t.lower() for t in data["nynorsk_words"]}
        self._nb_only = {t.lower() for t in data["bokmal_words"]}
        self.min_confidence = min_confidence

    def _without_terms(self, text: str) -> str:
        return " ".join(w for w in _WORD.findall(text) if w.lower() not in self._terms
                        and not any(w.lower().startswith(t) for t in self._terms if len(t) >= 7))

    def detect(self, text: str, fallback: str = "nb") -> str:
        """The language of ``text``; ``fallback`` (the interface language) when the text does not tell."""
        if re.search(r"[\u0600-\u06FF]", text):
            return "ar"
        if re.search(r"[\u0400-\u04FF]", text):
            return "uk"
        words = [w.lower() for w in _WORD.findall(text)]
        if not words:
            return fallback
        rest = self._without_terms(text)
        probe = rest if len(rest.split()) >= 2 else text
        ranked = self._detector.compute_language_confidence_values(probe)
        if not ranked:
            return fallback
        top = ranked[0]
        code = self._codes[top.language]
        if code in ("nb", "nn"):
            return self._bokmal_or_nynorsk(words, ranked, fallback)
        if top.value < self.min_confidence and len(words) <= 2:
            return fallback
        return code

    def _bokmal_or_nynorsk(self, words: list[str], ranked, fallback: str) -> str:
        nn_hits = sum(1 for w in words if w in self._nn_only)
        nb_hits = sum(1 for w in words if w in self._nb_only)
        if nn_hits != nb_hits:  # words only one of the two written standards has decide
            return "nn" if nn_hits > nb_hits else "nb"
        scores = {self._codes[r.language]: r.value for r in ranked}
        nb, nn = scores.get("nb", 0.0), scores.get("nn", 0.0)
        # no word that only one standard has: bokmål (most written Norwegian) unless the identifier is
        # clearly sure, or the interface is in nynorsk and it cannot tell
        # real nynorsk nearly always has one of its own function words or forms (ikkje, eg, kva, ho,
        # pleiepengar); without one it is bokmål, or nynorsk only when the interface is nynorsk
        return "nn" if fallback == "nn" and nn >= nb else "nb"

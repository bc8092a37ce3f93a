"""Quality of the boilerplate kinds and of the document paywall verdict.

A model is trained on the corpus's train part only (same parameters as ``paysieve
train``), then scored on data it has not seen:

* kinds: per-kind precision / recall / F1 and the confusion between kinds, on the
  gold-boilerplate lines of composed documents built from the held-out articles and
  blocks of ``datasets/source``;
* verdict: ``paywall.detected`` and ``paywall.truncated`` against the known answers of the
  held-out verdict documents (teasers, metered notices, free articles among subscription
  chrome, plain articles), and ``detected`` on the benchmark's dev pages when given, where
  a page is paywall-positive if its gold boilerplate has a line tagged ``paywall``.

    python benchmarks/kind_benchmark.py [--bench ../shared/benchmark] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from paysieve.model.persistence import save_model
from paysieve.training.compose import compose_verdict_documents
from paysieve.training.corpus_source import CorpusSource
from paysieve.training.fit import load_input, train
from paysieve.training.labeled_data import read_labeled
from report import publish

from paysieve import Detector


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def kind_table(detector: Detector, docs) -> tuple[list[str], dict]:
    """Per-kind scores on gold-boilerplate lines (predicted kind = most likely kind)."""
    pairs: Counter = Counter()
    for doc, pred in zip(docs, detector.predict_many(d.lines for d in docs)):
        for gold, best, label in zip(doc.kinds or [], pred.best_kinds or [], doc.labels):
            if gold is not None and label == 1:
                pairs[(gold, best)] += 1
    kinds = sorted({g for g, _ in pairs} | {b for _, b in pairs if b})
    out = ["| kind | lines | P | R | F1 |", "|---|---|---|---|---|"]
    results = {}
    for k in kinds:
        tp = pairs[(k, k)]
        fp = sum(n for (g, b), n in pairs.items() if b == k and g != k)
        fn = sum(n for (g, b), n in pairs.items() if g == k and b != k)
        p, r, f = _prf(tp, fp, fn)
        results[k] = {"precision": p, "recall": r, "f1": f, "lines": tp + fn}
        out.append(f"| {k} | {tp + fn} | {p:.3f} | {r:.3f} | {f:.3f} |")
    total = sum(pairs.values())
    acc = sum(n for (g, b), n in pairs.items() if g == b) / max(total, 1)
    results["accuracy"] = acc
    out += ["", f"Kind accuracy over {total:,} gold-boilerplate lines: {acc:.3f}", ""]
    out += ["Confusion (rows: gold kind, columns: predicted kind):", ""]
    out.append("| gold \\ predicted | " + " | ".join(kinds) + " |")
    out.append("|---" * (len(kinds) + 1) + "|")
    for g in kinds:
        out.append(f"| {g} | " + " | ".join(str(pairs[(g, b)] or "") for b in kinds) + " |")
    return out, results


def verdict_rows(name: str, gold: list[bool], pred: list[bool]) -> tuple[str, dict]:
    tp = sum(g and p for g, p in zip(gold, pred))
    fp = sum(p and not g for g, p in zip(gold, pred))
    fn = sum(g and not p for g, p in zip(gold, pred))
    p, r, f = _prf(tp, fp, fn)
    row = f"| {name} | {len(gold)} | {sum(gold)} | {p:.3f} | {r:.3f} | {f:.3f} |"
    return row, {"documents": len(gold), "positives": sum(gold), "precision": p, "recall": r}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("datasets/source"))
    parser.add_argument("--bench", type=Path, default=None, help="../shared/benchmark")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    print("training on the corpus train part...", file=sys.stderr)
    result = train([load_input(args.corpus, part="train")])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train-part.joblib"
        save_model(result.model, path, result.metadata)
        detector = Detector(path)

    out = ["Boilerplate kinds on held-out composed documents (model: corpus train part):", ""]
    held = load_input(args.corpus, part="heldout").documents
    rows, results = kind_table(detector, held)
    out += rows
    results = {"kinds": results}

    verdict_docs = compose_verdict_documents(CorpusSource.read(args.corpus), part="heldout")
    preds = detector.predict_many(r["lines"] for r in verdict_docs)
    out += [
        "",
        "Paywall verdict:",
        "",
        "| data | documents | positives | P | R | F1 |",
        "|---|---|---|---|---|---|",
    ]
    for field in ("detected", "truncated"):
        row, res = verdict_rows(
            f"held-out verdict documents: {field}",
            [r["paywall"][field] for r in verdict_docs],
            [getattr(p.paywall, field) for p in preds],
        )
        out.append(row)
        results[f"verdict_{field}"] = res
    by_layout = Counter()
    for r, p in zip(verdict_docs, preds):
        by_layout[(r["layout"], p.paywall.detected, p.paywall.truncated)] += 1
    results["verdict_by_layout"] = {
        f"{k[0]} detected={k[1]} truncated={k[2]}": n for k, n in by_layout.items()
    }

    if args.bench:
        dev = read_labeled(args.bench / "dev.jsonl.gz")
        gold = [
            any(
                lab == 1 and "paywall" in (s or [])
                for lab, s in zip(d.labels, d.meta.get("slices") or [])
            )
            for d in dev
        ]
        pred = [p.paywall.detected for p in detector.predict_many(d.lines for d in dev)]
        row, res = verdict_rows("dev pages (unseen by this model): detected", gold, pred)
        out.append(row)
        results["dev_detected"] = res
    out.append(f"\nTotal time {time.perf_counter() - started:.0f} s.")
    publish("\n".join(out), results, args.out)


if __name__ == "__main__":
    main()

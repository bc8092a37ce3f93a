"""Site-grouped cross-validated scores of paysieve on the real-page benchmark.

The shipped model trains on ``datasets/source`` plus the benchmark's dev pages, so its
scores on those pages must come from cross-validation grouped by site: every page (and
every post-extractor view or paywall-tail record of it) is scored by a model that saw no
page of its site. Composed corpus documents are in every training fold. The same training
parameters as ``paysieve train`` are used; the calibrator and threshold are fitted on the
out-of-fold scores, exactly as ``paysieve train`` does.

Also reported: the paywall slice, content F1 per language, the article-body shingle metric
on the scrapinghub pages (``tools/shingle.py`` of the benchmark), and a model trained on the
corpus's train part scored on its disjoint held-out part.

    python benchmarks/dev_benchmark.py --bench ../shared/benchmark [--out results.md]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from paysieve.model.text_model import document_offsets
from paysieve.training.fit import (
    cross_val_scores,
    document_weights,
    held_out_calibration,
    load_input,
)
from paysieve.training.labeled_data import read_labeled
from paysieve.training.line_classifier import LineClassifier
from paysieve.training.metrics import line_scores
from peers import text_peers
from report import publish

from paysieve.labels import CONTENT

VIEWS = ("dev_after_trafilatura", "dev_after_newspaper4k", "dev_paywall_tail")
# Thresholds a second-pass user might pass to `paysieve clean --threshold`.
OPERATING_THRESHOLDS = (0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
KEEP_TARGET = 0.99
HEADER = "| data | lines | C-P | C-R | C-F1 | BP-P | BP-R | BP-F1 | acc |"


def _row(name: str, m: dict) -> str:
    c, b = m["content"], m["boilerplate"]
    return (
        f"| {name} | {m['lines']:,} | {c['precision']:.3f} | {c['recall']:.3f} | "
        f"{c['f1']:.3f} | {b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f} | "
        f"{m['accuracy']:.3f} |"
    )


def _flat(docs, scores, threshold):
    y = np.concatenate([d.labels for d in docs])
    pred = (np.concatenate(scores) >= threshold).astype(np.int64)
    return y, pred


def _paywall(docs, scores, threshold) -> tuple[float, float, int, int]:
    """(recall on paywall-tagged boilerplate, share of paywall-tagged content removed)."""
    bp_hit = bp_n = c_removed = c_n = 0
    for d, s in zip(docs, scores):
        for label, slc, score in zip(d.labels, d.meta.get("slices", []), s):
            if "paywall" not in (slc or []):
                continue
            removed = score >= threshold
            if label == 1:
                bp_n += 1
                bp_hit += removed
            elif label == 0:
                c_n += 1
                c_removed += removed
    return bp_hit / max(bp_n, 1), c_removed / max(c_n, 1), bp_n, c_n


def _kept_removed(y: np.ndarray, proba: np.ndarray, threshold: float) -> tuple[float, float]:
    """(share of content lines kept, share of boilerplate lines removed) at ``threshold``."""
    m = line_scores(y, (proba >= threshold).astype(np.int64))
    return m["content"]["recall"], m["boilerplate"]["recall"]


def _most_removed_keeping(y: np.ndarray, proba: np.ndarray, keep: float) -> tuple[float, float]:
    """(threshold, share of boilerplate removed) of the lowest threshold that still keeps at
    least ``keep`` of the content lines: the most a threshold alone can remove there."""
    content = np.sort(proba[y == CONTENT])
    # Content lines at or above the threshold are removed; at most this many may be (the
    # tolerance keeps 0.9 * 100 = 89.99999999999999 from costing a line).
    allowed = len(content) - int(np.ceil(keep * len(content) - 1e-9))
    if allowed == 0:
        threshold = float(np.nextafter(content[-1], np.inf)) if len(content) else 0.0
    else:
        threshold = float(np.nextafter(content[len(content) - allowed - 1], np.inf))
    return threshold, _kept_removed(y, proba, threshold)[1]


def _operating_points(view_data: dict, threshold: float, results: dict) -> list[str]:
    """The second-pass table: content kept and boilerplate removed per view and threshold."""
    names = list(view_data)
    out = [
        "",
        "Operating points (`paysieve clean --threshold`): content kept / boilerplate removed",
        "",
        "| threshold | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    for th in (threshold, *OPERATING_THRESHOLDS):
        cells = []
        for name in names:
            kept, removed = _kept_removed(*view_data[name], th)
            results[f"operating_{name}_{th:.3f}"] = {"kept": kept, "removed": removed}
            cells.append(f"{kept:.3f} / {removed:.3f}")
        label = f"{th:.3f} (the model's)" if th == threshold else f"{th:.2f}"
        out.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = []
    for name in names:
        th, removed = _most_removed_keeping(*view_data[name], KEEP_TARGET)
        results[f"keep{KEEP_TARGET}_{name}"] = {"threshold": th, "removed": removed}
        cells.append(f"{removed:.3f} (at {th:.3f})")
    out.append(f"| most removed keeping ≥ {KEEP_TARGET:.0%} | " + " | ".join(cells) + " |")
    return out


def _load_shingle(bench: Path):
    spec = importlib.util.spec_from_file_location("shingle", bench / "tools" / "shingle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=Path("../shared/benchmark"))
    parser.add_argument("--corpus", type=Path, default=Path("datasets/source"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--copies", type=int, default=4, help="Composed documents per article.")
    parser.add_argument("--seed", type=int, default=20261128, help="Seed for composing.")
    parser.add_argument("--real-weight", type=float, default=2.0)
    parser.add_argument(
        "--views",
        choices=("train", "score"),
        default="score",
        help="score: the views are only scored (as `make model` trains: without them); "
        "train: they are training documents too, grouped with their page's site.",
    )
    parser.add_argument(
        "--params", type=json.loads, default={}, help="JSON overrides, e.g. '{\"max_iter\": 100}'"
    )
    parser.add_argument(
        "--plot", type=Path, default=None, help="PR and calibration curves of dev to this PNG."
    )
    parser.add_argument("--no-heldout", action="store_true", help="Skip the corpus held-out run.")
    parser.add_argument("--out", type=Path, default=None, help="Also write the tables here.")
    parser.add_argument(
        "--dump", type=Path, default=None, help="Write out-of-fold dev scores here (JSON Lines)."
    )
    args = parser.parse_args()
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f}s] {msg}", file=sys.stderr)

    corpus = load_input(args.corpus, copies=args.copies, seed=args.seed).documents
    dev = read_labeled(args.bench / "dev.jsonl.gz")
    views = {name: read_labeled(args.bench / f"{name}.jsonl.gz") for name in VIEWS}
    extra = [d for name in VIEWS for d in views[name]]
    params = {**LineClassifier().get_params(), **args.params}
    if args.views == "train":
        docs = corpus + dev + extra
        oof, _ = cross_val_scores(docs, params, args.folds, args.real_weight, log)
        extra_scores = oof[len(corpus) + len(dev) :]
    else:
        docs = corpus + dev
        oof, extra_scores = cross_val_scores(docs, params, args.folds, args.real_weight, log, extra)

    # Calibrate and threshold on the out-of-fold scores, as `paysieve train` does.
    probe = held_out_calibration(docs, oof, params)
    th = probe.threshold

    def proba(raw_list):
        return [probe.probabilities(r, np.array([0, len(r)])) for r in raw_list]

    dev_scores = proba(oof[len(corpus) : len(corpus) + len(dev)])
    extra_p = proba(extra_scores)
    view_scores, at = {}, 0
    for name in VIEWS:
        view_scores[name] = extra_p[at : at + len(views[name])]
        at += len(views[name])

    if args.plot:
        from paysieve.training.evaluation_plot import plot_scores

        plot_scores(
            np.concatenate([d.labels for d in dev]),
            np.concatenate(dev_scores),
            th,
            args.plot,
            title="dev.jsonl.gz, site-grouped cross-validation",
        )
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as fh:
            for name, ds, ss in [("dev", dev, dev_scores)] + [
                (n, views[n], view_scores[n]) for n in VIEWS
            ]:
                for d, sc in zip(ds, ss):
                    row = {"view": name, "id": d.id, "lang": d.meta.get("lang"), "scores": sc}
                    row["scores"] = [round(float(x), 4) for x in sc]
                    fh.write(json.dumps(row) + "\n")
    out = [
        f"Threshold (fitted on out-of-fold scores): {th:.3f}",
        "",
        HEADER,
        "|---|---|---|---|---|---|---|---|---|",
    ]
    results = {"threshold": th}
    for name, ds, ss in [("dev", dev, dev_scores)] + [(n, views[n], view_scores[n]) for n in VIEWS]:
        m = line_scores(*_flat(ds, ss, th))
        results[name] = m
        out.append(_row(name, m))
    for source in ("scrapinghub", "readability", "trafilatura"):
        sel = [i for i, d in enumerate(dev) if d.meta.get("source") == source]
        m = line_scores(*_flat([dev[i] for i in sel], [dev_scores[i] for i in sel], th))
        out.append(_row(f"dev: {source}", m))

    out += ["", "Text-only peers on the same lines (no training; benchmarks/peers.py):", ""]
    out += [HEADER, "|---|---|---|---|---|---|---|---|---|"]
    for name, ds in [("dev", dev), ("dev_after_trafilatura", views["dev_after_trafilatura"])] + [
        ("dev_after_newspaper4k", views["dev_after_newspaper4k"])
    ]:
        for peer, keep in text_peers():
            flags = [np.array(keep(d), dtype=float) for d in ds]
            m = line_scores(*_flat(ds, [1.0 - f for f in flags], 0.5))
            results[f"{peer}_{name}"] = m
            out.append(_row(f"{peer}: {name}", m))

    out += [
        "",
        "| data | paywall BP recall | paywall content removed | BP lines | C lines |",
        "|---|---|---|---|---|",
    ]
    for name, ds, ss in [("dev", dev, dev_scores)] + [(n, views[n], view_scores[n]) for n in VIEWS]:
        rec, frr, nb, nc = _paywall(ds, ss, th)
        results[f"{name}_paywall"] = {"recall": rec, "content_removed": frr}
        out.append(f"| {name} | {rec:.3f} | {frr:.3f} | {nb} | {nc} |")

    out += _operating_points(
        {
            name: (
                np.concatenate([d.labels for d in views[name]]),
                np.concatenate(view_scores[name]),
            )
            for name in VIEWS
        },
        th,
        results,
    )

    out += ["", "| language | pages | scored lines | C-F1 | acc |", "|---|---|---|---|---|"]
    by_lang = defaultdict(list)
    for i, d in enumerate(dev):
        by_lang[d.meta.get("lang") or "?"].append(i)
    for lang, sel in sorted(by_lang.items(), key=lambda kv: -len(kv[1])):
        m = line_scores(*_flat([dev[i] for i in sel], [dev_scores[i] for i in sel], th))
        results[f"lang_{lang}"] = m
        out.append(
            f"| {lang} | {len(sel)} | {m['lines']} | {m['content']['f1']:.3f} | "
            f"{m['accuracy']:.3f} |"
        )

    gold_path = args.bench / "scrapinghub_gold_dev.json"
    if gold_path.is_file():
        shingle = _load_shingle(args.bench)
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        pages = [(d, s) for d, s in zip(dev, dev_scores) if d.id in gold]
        systems = [("paysieve", lambda d, s: s < th)] + [
            (peer, lambda d, s, keep=keep: np.array(keep(d), dtype=bool))
            for peer, keep in text_peers()
        ]
        out += ["", f"Article-body shingle metric on {len(pages)} scrapinghub dev pages:", ""]
        out += ["| system | P | R | F1 |", "|---|---|---|---|"]
        for system, kept in systems:
            pred = {
                d.id: "\n".join(line for line, k in zip(d.lines, kept(d, s)) if k) for d, s in pages
            }
            sc = shingle.shingle_scores({k: gold[k] for k in pred}, pred)
            results[f"shingle_{system}"] = {k: v for k, v in sc.items() if k != "per_page"}
            out.append(
                f"| {system} | {sc['precision']:.3f} | {sc['recall']:.3f} | {sc['f1']:.3f} |"
            )

    if args.no_heldout:
        _finish(args, out, results, started)
        return
    log("corpus held-out part: training on the train part")
    train_docs = load_input(args.corpus, part="train").documents
    held = load_input(args.corpus, part="heldout").documents
    model = LineClassifier(**params).fit_text_model(
        [d.lines for d in train_docs],
        [d.labels for d in train_docs],
        groups=[d.group for d in train_docs],
        document_weight=document_weights(train_docs, args.real_weight),
        kinds_only=[d.kinds_only for d in train_docs],
    )
    raw = model.raw_scores([d.lines for d in held])
    y = np.concatenate([d.labels for d in held])
    offsets = document_offsets([d.lines for d in held])
    m = line_scores(y, (probe.probabilities(raw, offsets) >= th).astype(np.int64))
    results["corpus_heldout"] = m
    out += [
        "",
        "Corpus held-out part (articles and blocks unseen in training; model trained "
        "on the corpus train part only):",
        "",
        HEADER,
        "|---|---|---|---|---|---|---|---|---|",
        _row("datasets held-out", m),
    ]
    _finish(args, out, results, started)


def _finish(args, out: list[str], results: dict, started: float) -> None:
    out.append(f"\nParameters: {json.dumps(args.params)}; views: {args.views}.")
    out.append(f"Total time {time.perf_counter() - started:.0f} s.")
    publish("\n".join(out), results, args.out)


if __name__ == "__main__":
    main()

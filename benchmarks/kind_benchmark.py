"""Boilerplate kinds, targeted removal (``clean --drop``) and the paywall verdict, on data
the scoring model has not seen.

Two kinds of models are trained (same parameters as ``paysieve train``):

* a model on the corpus's **train part** only, scored on its disjoint held-out part:
  per-kind precision / recall / F1 and the confusion between kinds, on the gold-boilerplate
  lines of composed documents built from the held-out articles and blocks; and
  ``paywall.detected`` / ``truncated`` against the known answers of the held-out verdict
  documents (teasers, metered notices, free articles among subscription chrome or ending
  with a newsletter box or podcast prompt, plain articles);
* with ``--bench``, **site-grouped cross-validation** on the corpus plus the benchmark's
  dev pages, as the dev benchmark does: every real page (and its paywall-tail view) is
  scored by a fold model that saw no page of its site. On the article + paywall-tail view,
  ``clean --drop subscription`` is scored (article lines kept, tail lines removed, the
  worst article's loss), beside plain ``clean``.

Both score the offer documents of ``benchmarks/offer_documents`` (written for this
benchmark, in the corpus's article format, never trained on): an article followed by a
syndication note, a metered notice and a plan block with its benefits, in several
languages. Targets (issue 20) are printed beside the figures.

    python benchmarks/kind_benchmark.py [--bench ../shared/benchmark] [--out FILE.md]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from paysieve.model.line_scorer import LineScorer
from paysieve.model.paywall_rule import PaywallRule
from paysieve.model.persistence import save_model
from paysieve.model.text_model import TextModel
from paysieve.training.compose import compose_verdict_documents
from paysieve.training.corpus_source import CorpusSource, read_articles
from paysieve.training.fit import (
    cross_val_scores,
    fingerprint,
    held_out_calibration,
    load_input,
    train,
)
from paysieve.training.labeled_data import LabeledDocument, read_labeled
from paysieve.training.line_classifier import LineClassifier
from paysieve.training.metrics import precision_recall_f1
from report import publish

from paysieve import Detector
from paysieve.labels import BOILERPLATE, CONTENT, expand_kinds

OFFER_DOCUMENTS = Path(__file__).parent / "offer_documents"
TAIL_VIEW = "dev_paywall_tail.jsonl.gz"
SUBSCRIPTION = expand_kinds("subscription")
# Kinds the plan block and the notice of an offer document must be given.
OFFER_KINDS = frozenset({"paywall", "pricing", "account"})
TARGETS = {
    "drop_kept": 0.995,
    "drop_removed": 0.90,
    "article_loss": 0.05,
    "kind_accuracy": 0.80,
    "verdict_precision": 0.95,
    "verdict_recall": 0.90,
    "offer_kinds": 0.90,
}


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    scores = precision_recall_f1(tp, fp, fn)
    return scores["precision"], scores["recall"], scores["f1"]


def _meets(value: float, target: float, higher: bool = True) -> bool:
    return value >= target if higher else value <= target


def _met(value: float, target: float, higher: bool = True) -> str:
    return "met" if _meets(value, target, higher) else "**missed**"


# -- kinds ----------------------------------------------------------------------------------


def kind_table(detector: Detector, docs: Sequence[LabeledDocument]) -> tuple[list[str], dict]:
    """Per-kind scores on gold-boilerplate lines (predicted kind = most likely kind)."""
    pairs: Counter = Counter()
    for doc, pred in zip(docs, detector.predict_many(d.lines for d in docs)):
        for gold, best, label in zip(doc.kinds or [], pred.best_kinds or [], doc.labels):
            if gold is not None and label == BOILERPLATE:
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
    out += [
        "",
        f"Kind accuracy over {total:,} gold-boilerplate lines: **{acc:.3f}** "
        f"(target ≥ {TARGETS['kind_accuracy']}: {_met(acc, TARGETS['kind_accuracy'])})",
        "",
    ]
    out += ["Confusion (rows: gold kind, columns: predicted kind):", ""]
    out.append("| gold \\ predicted | " + " | ".join(kinds) + " |")
    out.append("|---" * (len(kinds) + 1) + "|")
    for g in kinds:
        out.append(f"| {g} | " + " | ".join(str(pairs[(g, b)] or "") for b in kinds) + " |")
    return out, results


# -- the paywall verdict --------------------------------------------------------------------


def verdict_row(name: str, gold: list[bool], pred: list[bool]) -> tuple[str, dict]:
    """One row of the verdict table: precision, recall and F1 of ``pred`` against ``gold``."""
    tp = sum(g and p for g, p in zip(gold, pred))
    fp = sum(p and not g for g, p in zip(gold, pred))
    fn = sum(g and not p for g, p in zip(gold, pred))
    p, r, f = _prf(tp, fp, fn)
    row = f"| {name} | {len(gold)} | {sum(gold)} | {p:.3f} | {r:.3f} | {f:.3f} |"
    return row, {"documents": len(gold), "positives": sum(gold), "precision": p, "recall": r}


def verdict_section(detector: Detector, records: list[dict]) -> tuple[list[str], dict]:
    """The verdict against the known answers of composed verdict documents, by layout."""
    preds = detector.predict_many(r["lines"] for r in records)
    out = ["| data | documents | positives | P | R | F1 |", "|---|---|---|---|---|---|"]
    results: dict = {}
    for field in ("detected", "truncated"):
        row, res = verdict_row(
            f"held-out verdict documents: {field}",
            [r["paywall"][field] for r in records],
            [getattr(p.paywall, field) for p in preds],
        )
        out.append(row)
        results[f"verdict_{field}"] = res
    det = results["verdict_detected"]
    out += [
        "",
        f"Verdict `detected`: precision {det['precision']:.3f} (target ≥ "
        f"{TARGETS['verdict_precision']}: {_met(det['precision'], TARGETS['verdict_precision'])}), "
        f"recall {det['recall']:.3f} (target ≥ {TARGETS['verdict_recall']}: "
        f"{_met(det['recall'], TARGETS['verdict_recall'])}).",
        "",
        "| layout | documents | paywalled (gold) | detected | truncated (gold) | truncated |",
        "|---|---|---|---|---|---|",
    ]
    by_layout: dict[str, Counter] = {}
    for r, p in zip(records, preds):
        c = by_layout.setdefault(r["layout"], Counter())
        c["n"] += 1
        c["gold_detected"] += r["paywall"]["detected"]
        c["detected"] += p.paywall.detected
        c["gold_truncated"] += r["paywall"]["truncated"]
        c["truncated"] += p.paywall.truncated
    for layout, c in by_layout.items():
        out.append(
            f"| {layout} | {c['n']} | {c['gold_detected']} | {c['detected']} | "
            f"{c['gold_truncated']} | {c['truncated']} |"
        )
    results["verdict_by_layout"] = {k: dict(v) for k, v in by_layout.items()}
    return out, results


# -- targeted removal -----------------------------------------------------------------------


def removal_scores(
    docs: Sequence[LabeledDocument], preds: Sequence, drop: frozenset[str] | None
) -> dict:
    """Article lines kept, boilerplate lines removed and per-article losses of
    ``pred.removed(drop)`` (all boilerplate when ``drop`` is None)."""
    kept = content = removed = boilerplate = 0
    losses = []
    for doc, pred in zip(docs, preds):
        gone = pred.removed(drop=drop)
        is_content, is_bp = doc.labels == CONTENT, doc.labels == BOILERPLATE
        lost = int((gone & is_content).sum())
        kept += int(is_content.sum()) - lost
        content += int(is_content.sum())
        removed += int((gone & is_bp).sum())
        boilerplate += int(is_bp.sum())
        if is_content.any():
            losses.append(lost / is_content.sum())
    losses_arr = np.array(losses) if losses else np.zeros(1)
    return {
        "content_kept": kept / max(content, 1),
        "boilerplate_removed": removed / max(boilerplate, 1),
        "worst_article_loss": float(losses_arr.max()),
        "articles_over_5pct": int((losses_arr > TARGETS["article_loss"]).sum()),
        "articles": len(losses),
        "content_lines": content,
        "boilerplate_lines": boilerplate,
    }


def _removal_row(name: str, m: dict) -> str:
    return (
        f"| {name} | {m['content_kept']:.4f} | {m['boilerplate_removed']:.3f} | "
        f"{m['worst_article_loss']:.3f} | {m['articles_over_5pct']} of {m['articles']} |"
    )


REMOVAL_HEADER = [
    "| removal | article lines kept | tail removed | worst article's loss "
    "| articles losing > 5 % |",
    "|---|---|---|---|---|",
]


# -- offer documents ------------------------------------------------------------------------


def offer_documents(folder: Path = OFFER_DOCUMENTS) -> list[LabeledDocument]:
    """The offer documents: article lines (content) then the boilerplate tail, with kinds."""
    docs = []
    for path in sorted(folder.glob("*.txt")):
        for article in read_articles(path):
            labels = np.array([CONTENT if k is None else BOILERPLATE for k in article.kinds])
            docs.append(
                LabeledDocument(
                    article.id, list(article.lines), labels, list(article.kinds), article.id
                )
            )
    return docs


def offer_scores(docs: Sequence[LabeledDocument], preds: Sequence) -> dict:
    """``clean`` on the offer documents (article kept, the rest removed) and the share of
    the notice and plan-block lines whose kind is one of ``OFFER_KINDS``."""
    article = article_kept = tail = tail_removed = offer = offer_right = exact = 0
    failures = []
    for doc, pred in zip(docs, preds):
        gone = pred.removed()
        for i, (gold, label) in enumerate(zip(doc.kinds, doc.labels)):
            if label == CONTENT:
                article += 1
                article_kept += not gone[i]
                if gone[i]:
                    failures.append(f"{doc.id}: article line {i} removed")
                continue
            tail += 1
            tail_removed += bool(gone[i])
            if not gone[i]:
                failures.append(f"{doc.id}: {gold} line {i} kept")
            if gold in OFFER_KINDS:
                offer += 1
                predicted = pred.best_kinds[i] if pred.best_kinds else None
                offer_right += predicted in OFFER_KINDS
                exact += predicted == gold
    return {
        "documents": len(docs),
        "article_lines": article,
        "article_kept": article_kept,
        "article_removed": article - article_kept,
        "other_lines": tail,
        "other_removed": tail_removed,
        "other_kept": tail - tail_removed,
        "offer_lines": offer,
        "offer_kind_share": offer_right / max(offer, 1),
        "offer_exact_kind": exact / max(offer, 1),
        "failures": failures,
    }


def _offer_row(name: str, m: dict) -> str:
    return (
        f"| {name} | {m['documents']} | {m['article_kept']} / {m['article_lines']} | "
        f"{m['other_removed']} / {m['other_lines']} | {m['offer_kind_share']:.3f} | "
        f"{m['offer_exact_kind']:.3f} |"
    )


OFFER_HEADER = [
    "| model | documents | article lines kept | other lines removed | notice + plan lines "
    "of kinds paywall/pricing/account | exact kind |",
    "|---|---|---|---|---|---|",
]


# -- site-grouped cross-validation ----------------------------------------------------------


def _cache_key(
    docs: Sequence[LabeledDocument], params: dict, folds: int, corpus: Path, seed: int
) -> str:
    digest = hashlib.sha256(json.dumps([params, folds, len(docs), seed], sort_keys=True).encode())
    digest.update(fingerprint(corpus).encode())
    for module in ("model", "training"):
        digest.update(fingerprint(Path(__file__).parents[1] / module).encode())
    return digest.hexdigest()[:16]


def fold_detectors(
    docs: Sequence[LabeledDocument],
    params: dict,
    folds: int,
    real_weight: float,
    workdir: Path,
    log: Callable[[str], None],
    rule: PaywallRule | None = None,
) -> tuple[list[Detector], dict[str, int]]:
    """One detector per site-grouped fold of ``paysieve.training.fit.cross_val_scores``
    (trained without the fold's groups), calibrated on the out-of-fold scores as
    ``paysieve train`` calibrates, and each group's fold.

    Fold models are written to ``workdir``; when it already holds them (same inputs,
    parameters and code), they are loaded instead of trained.
    """
    paths = [workdir / f"fold-{k}.joblib" for k in range(folds)]
    groups_file = workdir / "fold_of_group.json"
    if groups_file.is_file() and all(p.is_file() for p in paths):
        log(f"fold models from {workdir}")
        fold_of_group = json.loads(groups_file.read_text(encoding="utf-8"))
        return [Detector(p) for p in paths], fold_of_group
    texts: list[TextModel] = []
    fold_of_group: dict[str, int] = {}

    def keep(model: TextModel, held_out: np.ndarray) -> None:
        fold_of_group.update({docs[i].group: len(texts) for i in held_out})
        texts.append(model)

    oof, _ = cross_val_scores(docs, params, folds, real_weight, log, on_fold=keep)
    params = {**LineClassifier().get_params(), **params}
    calibration = held_out_calibration(docs, oof, params)
    workdir.mkdir(parents=True, exist_ok=True)
    for text, path in zip(texts, paths):
        scorer = LineScorer(text, calibration, paywall_rule=rule)
        save_model(scorer, path, {"kind_benchmark": "site-grouped fold model"})
    groups_file.write_text(json.dumps(fold_of_group), encoding="utf-8")
    return [Detector(p) for p in paths], fold_of_group


def predict_by_fold(
    detectors: Sequence[Detector], fold_of_group: dict[str, int], docs: Sequence[LabeledDocument]
) -> list:
    """Predictions of every document by the fold model that did not train on its group."""
    preds: list = [None] * len(docs)
    for k, detector in enumerate(detectors):
        mine = [i for i, d in enumerate(docs) if fold_of_group.get(d.group, 0) == k]
        for i, p in zip(mine, detector.predict_many(docs[i].lines for i in mine)):
            preds[i] = p
    return preds


def cross_validated_section(
    args: argparse.Namespace,
    params: dict,
    seed: int,
    log: Callable[[str], None],
    offers: list,
    rule: PaywallRule | None,
) -> tuple[list[str], dict]:
    """The site-grouped views: the paywall tail with ``clean --drop subscription``, the
    offer documents and the verdict on the dev pages (the fold models with ``rule``, the
    paywall rule fitted on the corpus train part; the corpus composed with ``seed``)."""
    corpus = load_input(args.corpus, seed=seed).documents
    dev = read_labeled(args.bench / "dev.jsonl.gz")
    tail = read_labeled(args.bench / TAIL_VIEW)
    docs = corpus + dev
    key = _cache_key(docs, params, args.folds, args.corpus, seed)
    cache = args.cache / key if args.cache else None
    with tempfile.TemporaryDirectory() as tmp:
        detectors, fold_of_group = fold_detectors(
            docs, params, args.folds, 2.0, cache or Path(tmp), log, rule
        )
    missing = sorted({d.group for d in tail} - set(fold_of_group))
    if missing:
        raise SystemExit(f"tail-view sites not in dev.jsonl.gz: {missing[:3]}")
    preds = predict_by_fold(detectors, fold_of_group, tail)
    results: dict = {}
    drop = removal_scores(tail, preds, SUBSCRIPTION)
    everything = removal_scores(tail, preds, None)
    results["tail_drop_subscription"] = drop
    results["tail_clean"] = everything
    out = [
        "",
        f"## Article + paywall-tail view ({len(tail)} documents, site-grouped "
        f"{args.folds}-fold cross-validation on the corpus + dev pages)",
        "",
        *REMOVAL_HEADER,
        _removal_row("`clean --drop subscription`", drop),
        _removal_row("`clean` (all boilerplate)", everything),
        "",
        f"`--drop subscription` ({', '.join(sorted(SUBSCRIPTION))}): article lines kept "
        f"{drop['content_kept']:.4f} (target ≥ {TARGETS['drop_kept']}: "
        f"{_met(drop['content_kept'], TARGETS['drop_kept'])}), tail removed "
        f"{drop['boilerplate_removed']:.3f} (target ≥ {TARGETS['drop_removed']}: "
        f"{_met(drop['boilerplate_removed'], TARGETS['drop_removed'])}), worst article "
        f"{drop['worst_article_loss']:.3f} (target ≤ {TARGETS['article_loss']}: "
        f"{_met(drop['worst_article_loss'], TARGETS['article_loss'], higher=False)}).",
    ]
    kinds_of_tail: Counter = Counter()
    for doc, pred in zip(tail, preds):
        for label, kind in zip(doc.labels, pred.kinds):
            if label == BOILERPLATE:
                kinds_of_tail[kind or "(kept as content)"] += 1
    out += [
        "",
        "Predicted kinds of the tail lines: "
        + ", ".join(f"{k} {n}" for k, n in kinds_of_tail.most_common()),
    ]
    results["tail_kinds"] = dict(kinds_of_tail)
    offer = [offer_scores(offers, d.predict_many(o.lines for o in offers)) for d in detectors]
    pooled = {
        key: sum(m[key] for m in offer)
        for key in ("documents", "article_lines", "article_kept", "other_lines", "other_removed")
    }
    n_offer = sum(m["offer_lines"] for m in offer)
    pooled["offer_lines"] = n_offer
    for key in ("offer_kind_share", "offer_exact_kind"):
        pooled[key] = sum(m[key] * m["offer_lines"] for m in offer) / max(n_offer, 1)
    pooled["failures"] = [f"fold {k}: {f}" for k, m in enumerate(offer) for f in m["failures"]]
    results["offer_fold_models"] = pooled
    out += ["", "Offer documents, scored by each of the fold models:", ""]
    out += [*OFFER_HEADER, _offer_row(f"{args.folds} fold models (pooled)", pooled)]
    out += _offer_failures(pooled)
    gold = [
        any(lab == BOILERPLATE and "paywall" in (s or []) for lab, s in zip(d.labels, slices))
        for d in dev
        for slices in [d.meta.get("slices") or []]
    ]
    predicted = [p.paywall.detected for p in predict_by_fold(detectors, fold_of_group, dev)]
    row, results["dev_detected"] = verdict_row("dev pages: detected", gold, predicted)
    out += [
        "",
        "Verdict on the dev pages (fold models; a page counts as paywall-positive when a gold "
        "boilerplate line carries the benchmark's keyword `paywall` tag, which also tags "
        "newsletter and sign-in lines, so recall here is not the verdict's target):",
        "",
        "| data | documents | positives | P | R | F1 |",
        "|---|---|---|---|---|---|",
        row,
    ]
    return out, results


def _offer_failures(m: dict) -> list[str]:
    if not m["failures"]:
        return []
    return ["", "Offer-document lines `clean` got wrong:", ""] + [
        f"- {f}" for f in m["failures"][:40]
    ]


# -- composition seeds ----------------------------------------------------------------------

# The figures each seed's row reports: (name, where in a seed's results, format, target,
# higher is better).
SEED_FIGURES: tuple[tuple[str, tuple[str, str], str, float, bool], ...] = (
    ("kind accuracy", ("kinds", "accuracy"), ".3f", TARGETS["kind_accuracy"], True),
    (
        "verdict precision",
        ("verdict_detected", "precision"),
        ".3f",
        TARGETS["verdict_precision"],
        True,
    ),
    ("verdict recall", ("verdict_detected", "recall"), ".3f", TARGETS["verdict_recall"], True),
    (
        "`--drop subscription`: article lines kept",
        ("tail_drop_subscription", "content_kept"),
        ".4f",
        TARGETS["drop_kept"],
        True,
    ),
    (
        "`--drop subscription`: tail removed",
        ("tail_drop_subscription", "boilerplate_removed"),
        ".3f",
        TARGETS["drop_removed"],
        True,
    ),
    (
        "`--drop subscription`: articles losing > 5 %",
        ("tail_drop_subscription", "articles_over_5pct"),
        "d",
        0,
        False,
    ),
    (
        "offer documents (train part): other lines kept",
        ("offer_train_part", "other_kept"),
        "d",
        0,
        False,
    ),
    (
        "offer documents (train part): article lines removed",
        ("offer_train_part", "article_removed"),
        "d",
        0,
        False,
    ),
)


def seed_figures(results: dict) -> dict[str, float]:
    """The ``SEED_FIGURES`` that one seed's ``results`` hold (no tail figures without
    --bench), by name."""
    return {
        name: results[section][key]
        for name, (section, key), *_ in SEED_FIGURES
        if key in results.get(section, {})
    }


def seeds_table(per_seed: dict[int, dict[str, float]]) -> list[str]:
    """One row per figure that every seed measured: its value per composition seed, their
    mean, the target and how many seeds meet it."""
    seeds = list(per_seed)
    out = [
        "## Composition seeds",
        "",
        "Each seed composes the corpus's documents anew (train part, held-out part, verdict "
        "documents and the cross-validation's corpus); the spread is how far one run's "
        "figures can be trusted. The sections above are the first seed's.",
        "",
        "| figure | " + " | ".join(str(s) for s in seeds) + " | mean | target | met |",
        "|---|" + "---|" * (len(seeds) + 3),
    ]
    for name, _, fmt, target, higher in SEED_FIGURES:
        values = [per_seed[s][name] for s in seeds if name in per_seed[s]]
        if len(values) < len(seeds):
            continue
        shown = " | ".join(format(v, fmt) for v in values)
        mean = format(float(np.mean(values)), ".1f" if fmt == "d" else fmt)
        met = sum(_meets(v, target, higher) for v in values)
        out.append(
            f"| {name} | {shown} | {mean} | {'≥' if higher else '≤'} {target} | "
            f"{met} of {len(values)} |"
        )
    return out


def seed_report(
    args: argparse.Namespace,
    params: dict,
    seed: int,
    offers: list[LabeledDocument],
    log: Callable[[str], None],
) -> tuple[list[str], dict]:
    """Every section of the benchmark, with the corpus composed with ``seed``."""
    log(f"seed {seed}: training on the corpus train part")
    result = train([load_input(args.corpus, seed=seed, part="train")], params=params)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "train-part.joblib"
        save_model(result.model, path, result.metadata)
        detector = Detector(path)

    out = [
        "## Kinds on held-out composed documents (model: corpus train part)",
        "",
    ]
    held = load_input(args.corpus, seed=seed, part="heldout").documents
    rows, kinds = kind_table(detector, held)
    out += rows
    results: dict = {"kinds": kinds}

    out += ["", "## Paywall verdict (model: corpus train part)", ""]
    rule = result.metadata.get("paywall_verdict") or {}
    results["verdict_rule"] = rule
    if "threshold" in rule:
        out += [
            f"Rule fitted in training on {rule['documents']:,} out-of-fold verdict documents "
            f"of the train part ({rule['folds']} folds): threshold {rule['threshold']:.3f} "
            f"(F{rule['f_beta']:g}-optimal there: precision {rule['out_of_fold_precision']:.3f}, "
            f"recall {rule['out_of_fold_recall']:.3f}); weights "
            + ", ".join(f"{k} {v:+.2f}" for k, v in rule["features"].items())
            + ".",
            "",
        ]
    records = compose_verdict_documents(CorpusSource.read(args.corpus), seed=seed, part="heldout")
    rows, verdict = verdict_section(detector, records)
    out += rows
    results.update(verdict)

    out += ["", "## Offer documents (article, syndication note, notice, plan block)", ""]
    train_part = offer_scores(offers, detector.predict_many(o.lines for o in offers))
    results["offer_train_part"] = train_part
    out += [*OFFER_HEADER, _offer_row("corpus train part", train_part)]
    out += _offer_failures(train_part)

    if args.bench:
        rows, cv = cross_validated_section(
            args, params, seed, log, offers, detector.model.paywall_rule
        )
        out += rows
        results.update(cv)
    return out, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("datasets/source"))
    parser.add_argument("--bench", type=Path, default=None, help="../shared/benchmark")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[20261128],
        help="Composition seeds; with several, a table of the targets' figures per seed.",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=None,
        help="Keep the site-grouped fold models here and reuse them on the next run "
        "(keyed by the inputs, parameters and model code).",
    )
    parser.add_argument(
        "--params", type=json.loads, default={}, help="JSON overrides, e.g. '{\"max_iter\": 100}'"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f}s] {msg}", file=sys.stderr)

    params = {**LineClassifier().get_params(), **args.params}
    offers = offer_documents()
    out: list[str] = []
    results: dict = {}
    per_seed: dict[int, dict[str, float]] = {}
    for seed in args.seeds:
        rows, res = seed_report(args, params, seed, offers, log)
        if not out:
            out, results = rows, res
        per_seed[seed] = seed_figures(res)
    if len(args.seeds) > 1:
        out += ["", *seeds_table(per_seed)]
        results["seeds"] = {str(s): figures for s, figures in per_seed.items()}
    out.append(f"\nParameters: {json.dumps(args.params)}.")
    out.append(f"Total time {time.perf_counter() - started:.0f} s.")
    publish("\n".join(out), results, args.out)


if __name__ == "__main__":
    main()

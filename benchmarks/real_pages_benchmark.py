"""paysieve on every real page of the benchmark (dev + extra), text and HTML mode, with peers.

Scores come from cross-validation grouped by site across sources: each page (and each
post-extractor or paywall-tail view of it) is scored by a model that saw no page of its
site. The composed corpus documents are in every training fold; calibration and threshold
are fitted on the out-of-fold scores as ``paysieve train`` does. The HTML stage is
cross-validated on the out-of-fold text probabilities, grouped by site, and applied to the
page's block lines (``paysieve.documents.html_lines``); its kept text is mapped onto the
labelled lines with the benchmark's own rule (``tools/align.py``), as for the HTML peers.

The lockbox sites (``paysieve.training.site_lockbox``) are left out of everything unless
``--lockbox`` is given: then one model is trained, exactly as ``paysieve train`` trains,
on the corpus and every non-lockbox real page, and the lockbox pages are scored with it,
once, at release.

Reported per source and over groups of sources: line content P/R/F1 and accuracy, the
share of pages (>= 10 article lines) that lose more than half of their article lines,
the scrapinghub article-body shingle F1, the post-extractor and paywall-tail views, the
expected calibration error; for the text-only peers (C4, jusText on lines) and the HTML
peers (trafilatura, readability) on the same pages. Peer outputs are cached under /tmp.

    python benchmarks/real_pages_benchmark.py --bench ../shared/benchmark \\
        --out benchmarks/results/real_pages
    python benchmarks/real_pages_benchmark.py --lockbox --out benchmarks/results/lockbox
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from extraction_benchmark import load_bench_module, make_extractors, run_extractor
from paysieve.model.html_stage import html_stage_features
from paysieve.model.text_model import document_offsets
from paysieve.training.calibration import isotonic_map
from paysieve.training.fit import (
    TrainingInput,
    cross_val_scores,
    fingerprint,
    held_out_calibration,
    load_input,
    train,
)
from paysieve.training.html_stage import STAGE_PARAMS
from paysieve.training.labeled_data import LabeledDocument, read_labeled
from paysieve.training.line_classifier import LineClassifier
from paysieve.training.metrics import line_scores
from paysieve.training.site_lockbox import in_lockbox
from peers import text_peers
from report import publish
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold

from paysieve.documents.html_lines import decode_html, html_blocks
from paysieve.labels import LABEL_CODES, UNKNOWN

VIEWS = ("dev_after_trafilatura", "dev_after_newspaper4k", "dev_paywall_tail")
SOURCE_GROUPS = {
    "recent news (scrapinghub + readability)": ("scrapinghub", "readability"),
    "older pages (dragnet + l3s-gn1)": ("dragnet", "l3s-gn1"),
}
SAFETY_MIN_LINES = 10
HTML_PEERS = ("trafilatura", "readability")
PEER_CACHE = Path(tempfile.gettempdir()) / "paysieve-real-peers"


# ---------------------------------------------------------------------------------------
# measures


def lost_article_share(
    docs: Sequence[LabeledDocument], kept: Sequence[np.ndarray], min_lines: int = SAFETY_MIN_LINES
) -> tuple[float, int, int]:
    """(share, count, pages) of the pages with at least ``min_lines`` article lines that
    lose more than half of them; ``kept`` holds one boolean array per page."""
    lost = pages = 0
    for doc, k in zip(docs, kept):
        content = doc.labels == LABEL_CODES["content"]
        if content.sum() < min_lines:
            continue
        pages += 1
        lost += int((~k[content]).sum() * 2 > content.sum())
    return lost / max(pages, 1), lost, pages


def expected_calibration_error(y: np.ndarray, proba: np.ndarray, bins: int = 10) -> float:
    """ECE of boilerplate probabilities over equal-width bins, unsure lines left out."""
    known = y != UNKNOWN
    y, proba = y[known].astype(np.float64), proba[known]
    which = np.minimum((proba * bins).astype(np.int64), bins - 1)
    error = 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            error += sel.sum() * abs(proba[sel].mean() - y[sel].mean())
    return error / max(len(y), 1)


def scores_of(docs: Sequence[LabeledDocument], kept: Sequence[np.ndarray]) -> dict:
    """Line scores and the page-level safety measure of keep flags."""
    y = np.concatenate([d.labels for d in docs]) if docs else np.zeros(0, np.int64)
    pred = np.concatenate([~k for k in kept]).astype(np.int64) if docs else np.zeros(0, np.int64)
    m = line_scores(y, pred)
    share, lost, pages = lost_article_share(docs, kept)
    m["lost_article"] = {"share": share, "pages": lost, "of": pages}
    m["pages"] = len(docs)
    return m


# ---------------------------------------------------------------------------------------
# data


def load_real(bench: Path) -> list[LabeledDocument]:
    """Every real page of the benchmark (dev, then extra), with its HTML structure."""
    return [
        d for name in ("dev", "extra") for d in load_input(bench / f"{name}.jsonl.gz").documents
    ]


def page_source(bench: Path, doc: LabeledDocument) -> str:
    return decode_html(gzip.decompress((bench / "html" / doc.meta["html"]).read_bytes()))


def block_documents(sources: Sequence[str], docs: Sequence[LabeledDocument]) -> list:
    """The block lines of every page as paysieve's HTML mode reads them (labels unknown)."""
    out = []
    for source, doc in zip(sources, docs):
        blocks = html_blocks(source)
        out.append(
            LabeledDocument(
                id=doc.id,
                lines=blocks.lines,
                labels=np.full(len(blocks.lines), UNKNOWN, dtype=np.int64),
                group=doc.group,
                meta={"source": doc.meta.get("source")},
                html=(blocks.structure, blocks.container),
            )
        )
    return out


# ---------------------------------------------------------------------------------------
# paysieve scores: cross-validated, or the lockbox model


def html_stage_cv(
    pages: Sequence[LabeledDocument],
    page_proba: Sequence[np.ndarray],
    blocks: Sequence[LabeledDocument],
    block_proba: Sequence[np.ndarray],
    folds: int,
) -> list[np.ndarray]:
    """HTML-stage probabilities of every page's block lines, each from a stage fitted on
    other sites' pages (those whose block lines are their labelled lines), calibrated on
    the stage's held-out scores as ``paysieve.training.html_stage`` does; none without
    ``blocks`` (``--no-html``)."""
    if not blocks:
        return []

    def rows(docs, proba):
        lines = [d.lines for d in docs]
        return html_stage_features(
            lines, np.concatenate(proba), [d.html for d in docs], document_offsets(lines)
        )

    fit_pages = [i for i, d in enumerate(pages) if d.html is not None and len(d.lines)]
    sites = np.array([pages[i].group for i in fit_pages])
    out: list[np.ndarray] = [np.zeros(0)] * len(blocks)
    held_y, held_s = [], []
    splitter = GroupKFold(n_splits=folds)
    fold_of_site = {}
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(sites)), groups=sites)):
        fold_of_site.update({s: k for s in sites[test]})
    for k in range(folds):
        train_idx = [i for i in fit_pages if fold_of_site[pages[i].group] != k]
        X = rows([pages[i] for i in train_idx], [page_proba[i] for i in train_idx])
        y = np.concatenate([pages[i].labels for i in train_idx])
        model = HistGradientBoostingClassifier(**STAGE_PARAMS, random_state=0).fit(
            X[y != UNKNOWN], y[y != UNKNOWN]
        )
        mine = [i for i in fit_pages if fold_of_site[pages[i].group] == k]
        X = rows([pages[i] for i in mine], [page_proba[i] for i in mine])
        held_y.append(np.concatenate([pages[i].labels for i in mine]))
        held_s.append(model.predict_proba(X)[:, 1])
        target = [j for j, b in enumerate(blocks) if fold_of_site.get(b.group, 0) == k and b.lines]
        if not target:
            continue
        scores = model.predict_proba(
            rows([blocks[j] for j in target], [block_proba[j] for j in target])
        )[:, 1]
        at = 0
        for j in target:
            out[j] = scores[at : at + len(blocks[j].lines)]
            at += len(blocks[j].lines)
    y, s = np.concatenate(held_y), np.concatenate(held_s)
    calibrator = isotonic_map(s[y != UNKNOWN], y[y != UNKNOWN])
    return [calibrator(x) if len(x) else x for x in out]


SEED_COLUMNS = ("threshold", "f1_all", "f1_recent", "f1_older", "lost", "tail_kept", "tail_removed")


def mean_row(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Each figure's mean over the seeds' rows."""
    return {name: float(np.mean([row[name] for row in rows])) for name in SEED_COLUMNS}


def seed_row(label: str, row: dict[str, float]) -> str:
    """One row of the composition-seeds table."""
    return f"| {label} | " + " | ".join(f"{row[name]:.3f}" for name in SEED_COLUMNS) + " |"


def cross_validated(args, corpus, pages, views, blocks, log) -> dict:
    """Out-of-fold text and HTML probabilities of pages, views and block lines."""
    weights = args.source_weight
    trained = [d for d in pages if weights.get(d.meta.get("source"), 1.0) > 0]
    scored_only = [d for d in pages if weights.get(d.meta.get("source"), 1.0) <= 0]
    docs = list(corpus) + trained
    view_docs = [d for name in VIEWS for d in views[name]]
    extra = scored_only + view_docs + list(blocks)
    oof, extra_raw = cross_val_scores(
        docs, args.params, args.folds, args.real_weight, log, extra, weights
    )
    probe = held_out_calibration(docs, oof, args.params)

    def probabilities(calibration) -> dict[int, np.ndarray]:
        def proba(raw):
            if not len(raw):
                return np.zeros(0)
            return calibration.probabilities(raw, np.array([0, len(raw)]))

        by_id = {id(d): proba(s) for d, s in zip(docs, oof)}
        return by_id | {id(d): proba(s) for d, s in zip(extra, extra_raw)}

    by_id = probabilities(probe)
    page_p = [by_id[id(d)] for d in pages]
    html_p: list[np.ndarray] = []
    if blocks:
        # The HTML stage reads the text model's probabilities smoothed at its own
        # strength, with a calibration of its own only when that differs (as
        # ``LineClassifier.fit``).
        html_by_id = by_id
        if args.params["html_smoothing"] != args.params["smoothing"]:
            html_probe = held_out_calibration(
                docs, oof, {**args.params, "smoothing": args.params["html_smoothing"]}
            )
            html_by_id = probabilities(html_probe)
        log("HTML stage, cross-validated")
        train_pages = [d for d in trained if d.html is not None]
        html_p = html_stage_cv(
            train_pages,
            [html_by_id[id(d)] for d in train_pages],
            blocks,
            [html_by_id[id(b)] for b in blocks],
            args.folds,
        )
    return {
        "threshold": probe.threshold,
        "pages": page_p,
        "views": {n: [by_id[id(d)] for d in views[n]] for n in VIEWS},
        "html": html_p,
    }


def model_file_size(scorer, metadata: dict) -> int:
    """Bytes of the model file ``paysieve train`` would write."""
    from paysieve.model.persistence import save_model

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        save_model(scorer, path, metadata)
        return path.stat().st_size


def lockbox_scores(args, corpus, train_pages, pages, views, blocks, log) -> dict:
    """Probabilities of the lockbox pages from one model trained as ``paysieve train`` on
    the corpus and every other real page."""
    inputs = [
        TrainingInput("corpus", "", list(corpus)),
        TrainingInput("real pages outside the lockbox", "", list(train_pages)),
    ]
    result = train(
        inputs, args.params, args.folds, args.real_weight, log, source_weights=args.source_weight
    )
    scorer = result.model
    if args.save_model:
        from paysieve.model.persistence import save_model

        save_model(scorer, args.save_model, result.metadata)

    def text(docs):
        return scorer.predict_proba_lines([d.lines for d in docs])

    html = [
        s.proba if b.lines else np.zeros(0)
        for b, s in zip(
            blocks,
            scorer.score_documents([b.lines for b in blocks], False, [b.html for b in blocks]),
        )
    ]
    return {
        "threshold": scorer.threshold_,
        "pages": text(pages),
        "views": {n: text(views[n]) for n in VIEWS},
        "html": html,
        "model_bytes": model_file_size(scorer, result.metadata),
    }


def anatomy(args, seed: int, outside: Sequence[LabeledDocument], log) -> tuple[list, dict]:
    """Headline kept and bylines named per language, on composed documents of the corpus's
    held-out part (articles and blocks unseen), by a model trained as ``paysieve train``
    on the corpus's train part and the real pages outside the lockbox."""
    held = load_input(args.corpus, copies=args.copies, seed=seed, part="heldout").documents
    inputs = [
        TrainingInput(
            "corpus train part",
            "",
            load_input(args.corpus, copies=args.copies, seed=seed, part="train").documents,
        ),
        TrainingInput("real pages outside the lockbox", "", list(outside)),
    ]
    scorer = train(
        inputs, args.params, 3, args.real_weight, log, source_weights=args.source_weight
    ).model
    byline = scorer.kind_classes_.index("byline")
    scored = scorer.score_documents([d.lines for d in held])
    per_lang: dict[str, dict] = {}
    for doc, sc in zip(held, scored):
        lang = per_lang.setdefault(
            doc.meta.get("lang") or "?", {"docs": 0, "headline": 0, "bylines": 0, "named": 0}
        )
        lang["docs"] += 1
        headline = int(np.flatnonzero(doc.labels == LABEL_CODES["content"])[0])
        lang["headline"] += int(sc.proba[headline] < scorer.threshold_)
        for i, kind in enumerate(doc.kinds or []):
            if kind == "byline":
                lang["bylines"] += 1
                removed = sc.proba[i] >= scorer.threshold_
                lang["named"] += int(removed and int(np.argmax(sc.kind_proba[i])) == byline)
    out = [
        "",
        "### Article anatomy on composed documents (corpus held-out part)",
        "",
        "| language | documents | headline kept | byline lines | byline removed, named `byline` |",
        "|---|---|---|---|---|",
    ]
    for lang, m in sorted(per_lang.items()):
        m["headline_kept"] = m["headline"] / max(m["docs"], 1)
        m["byline_recall"] = m["named"] / max(m["bylines"], 1)
        out.append(
            f"| {lang} | {m['docs']} | {m['headline_kept']:.3f} | {m['bylines']} | "
            f"{m['byline_recall']:.3f} |"
        )
    return out, per_lang


# ---------------------------------------------------------------------------------------
# peers


def peer_texts(bench: Path, tool: str, extract, pages, sources) -> list[str]:
    """One HTML peer's output text per page, cached by page and tool version."""
    PEER_CACHE.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256((tool + "".join(d.meta["html"] for d in pages)).encode()).hexdigest()
    path = PEER_CACHE / f"{tool}-{key[:16]}.json"
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    records = [d.meta for d in pages]
    texts, _, _ = run_extractor(extract, list(sources), records)
    path.write_text(json.dumps(texts), encoding="utf-8")
    return texts


def aligned_keep(align, doc: LabeledDocument, text: str) -> np.ndarray:
    """Keep flags of a page's labelled lines for an output text (benchmark alignment)."""
    pred = align.predicted_labels(doc.lines, text, unsure_as="boilerplate")
    return np.array([p == "content" for p in pred], dtype=bool)


# ---------------------------------------------------------------------------------------
# report


def subsets(pages: Sequence[LabeledDocument]) -> dict[str, list[int]]:
    """Page indices per source, per group of sources and overall."""
    sources = sorted({d.meta.get("source") for d in pages})
    out = {s: [i for i, d in enumerate(pages) if d.meta.get("source") == s] for s in sources}
    for name, members in SOURCE_GROUPS.items():
        out[name] = [i for i, d in enumerate(pages) if d.meta.get("source") in members]
    out["all sources"] = list(range(len(pages)))
    out["all but cleaneval"] = [
        i for i, d in enumerate(pages) if d.meta.get("source") != "cleaneval"
    ]
    return out


def table(title: str, systems: dict[str, list[np.ndarray]], pages, results: dict) -> list[str]:
    """Rows per subset and system: content P/R/F1, accuracy, lost-article share."""
    out = [
        "",
        f"### {title}",
        "",
        "| pages | system | lines | C-P | C-R | C-F1 | acc | lost > half (pages) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, sel in subsets(pages).items():
        for system, kept in systems.items():
            m = scores_of([pages[i] for i in sel], [kept[i] for i in sel])
            results.setdefault(title, {}).setdefault(name, {})[system] = m
            c, la = m["content"], m["lost_article"]
            out.append(
                f"| {name} ({len(sel)}) | {system} | {m['lines']:,} | {c['precision']:.3f} | "
                f"{c['recall']:.3f} | **{c['f1']:.3f}** | {m['accuracy']:.3f} | "
                f"{la['share']:.3f} ({la['pages']}/{la['of']}) |"
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=Path("../shared/benchmark"))
    parser.add_argument("--corpus", type=Path, default=Path("datasets/source"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument(
        "--seeds", type=int, nargs="+", default=[20261128], help="Composition seeds."
    )
    parser.add_argument("--real-weight", type=float, default=2.0)
    parser.add_argument(
        "--source-weight",
        type=lambda s: (s.split("=")[0], float(s.split("=")[1])),
        action="append",
        default=[],
        help="SOURCE=W: training weight factor of one source (0: scored, never trained on).",
    )
    parser.add_argument("--params", type=json.loads, default={})
    parser.add_argument("--no-peers", action="store_true", help="Skip the peers (faster).")
    parser.add_argument("--no-html", action="store_true", help="Skip HTML mode (faster).")
    parser.add_argument(
        "--anatomy", action="store_true", help="Also the headline/byline measures (one more model)."
    )
    parser.add_argument(
        "--lockbox", action="store_true", help="Score the lockbox (release only, once)."
    )
    parser.add_argument(
        "--save-model", type=Path, default=None, help="With --lockbox: write its model here."
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    args.source_weight = dict(args.source_weight)
    args.params = {**LineClassifier().get_params(), **args.params}
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f}s] {msg}", file=sys.stderr, flush=True)

    align = load_bench_module(args.bench, "align")
    shingle = load_bench_module(args.bench, "shingle")
    real = load_real(args.bench)
    outside = [d for d in real if not in_lockbox(d.group)]
    pages = [d for d in real if in_lockbox(d.group) == args.lockbox]
    views = {
        n: [
            d
            for d in read_labeled(args.bench / f"{n}.jsonl.gz")
            if in_lockbox(d.group) == args.lockbox
        ]
        for n in VIEWS
    }
    sources = [page_source(args.bench, d) for d in pages]
    blocks = [] if args.no_html else block_documents(sources, pages)
    log(f"{len(pages)} pages ({'lockbox' if args.lockbox else 'cross-validated'})")

    results: dict = {"settings": {k: v for k, v in vars(args).items() if k != "bench"}}
    results["settings"] = json.loads(json.dumps(results["settings"], default=str))
    out = [
        "# paysieve on real pages: " + ("lockbox sites" if args.lockbox else "site-grouped CV"),
        "",
    ]
    seed_rows = []
    first = None
    for seed in args.seeds:
        corpus = load_input(args.corpus, copies=args.copies, seed=seed).documents
        log(f"seed {seed}")
        if args.lockbox:
            got = lockbox_scores(args, corpus, outside, pages, views, blocks, log)
        else:
            got = cross_validated(args, corpus, pages, views, blocks, log)
        th = got["threshold"]
        text_kept = [p < th for p in got["pages"]]
        key = scores_of(pages, text_kept)
        seed_rows.append((seed, th, key, got))
        if first is None:
            first = got
    got, th = first, first["threshold"]
    results["threshold"] = th
    text_kept = [p < th for p in got["pages"]]

    text_systems = {"paysieve": text_kept}
    html_systems: dict[str, list[np.ndarray]] = {}
    if not args.no_peers:
        for name, keep in text_peers():
            log(f"peer {name}")
            text_systems[name] = [np.array(keep(d), dtype=bool) for d in pages]
    if not args.no_html:
        log("aligning paysieve's HTML output")
        html_texts = [
            "\n".join(line for line, p in zip(b.lines, hp) if p < th)
            for b, hp in zip(blocks, got["html"])
        ]
        html_systems["paysieve (HTML)"] = [
            aligned_keep(align, d, t) for d, t in zip(pages, html_texts)
        ]
        if not args.no_peers:
            extractors = make_extractors()
            for tool in HTML_PEERS:
                if tool in extractors:
                    log(f"peer {tool}")
                    texts = peer_texts(args.bench, tool, extractors[tool][1], pages, sources)
                    html_systems[tool] = [aligned_keep(align, d, t) for d, t in zip(pages, texts)]

    out.append(f"{len(pages)} pages; threshold (fitted on out-of-fold scores) {th:.3f}.")
    out += table("Text mode (the page's lines)", text_systems, pages, results)
    if html_systems:
        out += table("HTML mode (output text mapped onto the lines)", html_systems, pages, results)

    # Scrapinghub article-body shingle metric.
    gold_path = args.bench / "scrapinghub_gold_dev.json"
    gold = json.loads(gold_path.read_text(encoding="utf-8")) if gold_path.is_file() else {}
    sh = [i for i, d in enumerate(pages) if d.id in gold]
    if sh:
        out += ["", f"### Article-body shingle metric ({len(sh)} scrapinghub pages)", ""]
        out += ["| system | P | R | F1 |", "|---|---|---|---|"]
        for system, kept in {**text_systems, **html_systems}.items():
            pred = {
                pages[i].id: "\n".join(x for x, k in zip(pages[i].lines, kept[i]) if k) for i in sh
            }
            sc = shingle.shingle_scores({k: gold[k] for k in pred}, pred)
            results.setdefault("shingle", {})[system] = {
                k: v for k, v in sc.items() if k != "per_page"
            }
            out.append(
                f"| {system} | {sc['precision']:.3f} | {sc['recall']:.3f} | **{sc['f1']:.3f}** |"
            )

    # Views (text mode only: they are text).
    out += [
        "",
        "### Post-extractor and paywall-tail views (text mode)",
        "",
        "| view | pages | lines | content kept | boilerplate removed | C-F1 | lost > half |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in VIEWS:
        vd = views[name]
        m = scores_of(vd, [p < th for p in got["views"][name]])
        results.setdefault("views", {})[name] = m
        la = m["lost_article"]
        out.append(
            f"| {name} | {len(vd)} | {m['lines']:,} | {m['content']['recall']:.3f} | "
            f"{m['boilerplate']['recall']:.3f} | {m['content']['f1']:.3f} | "
            f"{la['share']:.3f} ({la['pages']}/{la['of']}) |"
        )

    # Calibration.
    y = np.concatenate([d.labels for d in pages])
    ece = expected_calibration_error(y, np.concatenate(got["pages"]))
    results["ece_text"] = ece
    out += ["", f"Expected calibration error (10 bins, text mode, all pages): {ece:.4f}"]
    if html_systems and "paysieve (HTML)" in html_systems:
        matched = [i for i, (d, b) in enumerate(zip(pages, blocks)) if d.lines == b.lines]
        ece_h = expected_calibration_error(
            np.concatenate([pages[i].labels for i in matched]),
            np.concatenate([got["html"][i] for i in matched]),
        )
        results["ece_html"] = ece_h
        out.append(
            f"Expected calibration error (HTML mode, {len(matched)} pages whose block lines are "
            f"their labelled lines): {ece_h:.4f}"
        )
    if args.anatomy:
        log("anatomy")
        rows, results["anatomy"] = anatomy(args, args.seeds[0], outside, log)
        out += rows
    if "model_bytes" in got:
        out.append(f"Model file: {got['model_bytes'] / 1e6:.1f} MB")

    # Composition seeds.
    out += [
        "",
        "### Composition seeds (text mode, paysieve)",
        "",
        "| seed | threshold | C-F1 all | C-F1 recent news | C-F1 older | lost > half "
        "| tail kept | tail removed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    groups = subsets(pages)
    for seed, sth, key, sgot in seed_rows:
        kept = [p < sth for p in sgot["pages"]]

        def f1(name, kept=kept):
            sel = groups.get(name, [])
            return scores_of([pages[i] for i in sel], [kept[i] for i in sel])["content"]["f1"]

        tail = scores_of(
            views["dev_paywall_tail"], [p < sth for p in sgot["views"]["dev_paywall_tail"]]
        )
        row = {
            "threshold": sth,
            "f1_all": key["content"]["f1"],
            "f1_recent": f1(next(iter(SOURCE_GROUPS))),
            "f1_older": f1(list(SOURCE_GROUPS)[1]),
            "lost": key["lost_article"]["share"],
            "tail_kept": tail["content"]["recall"],
            "tail_removed": tail["boilerplate"]["recall"],
        }
        results.setdefault("seeds", {})[str(seed)] = row
        out.append(seed_row(str(seed), row))
    if len(seed_rows) > 1:
        results["seeds_mean"] = mean_row(list(results["seeds"].values()))
        out.append(seed_row("mean", results["seeds_mean"]))
    defaults = LineClassifier().get_params()
    changed = {k: v for k, v in args.params.items() if v != defaults[k]}
    out += [
        "",
        f"Inputs: `{args.bench}` dev.jsonl.gz sha256 "
        f"{fingerprint(args.bench / 'dev.jsonl.gz')[:12]}, extra.jsonl.gz sha256 "
        f"{fingerprint(args.bench / 'extra.jsonl.gz')[:12]}; corpus `{args.corpus}` sha256 "
        f"{fingerprint(args.corpus)[:12]}.",
        f"Settings: params {json.dumps(changed)}, "
        f"real weight {args.real_weight}, source weights {json.dumps(args.source_weight)}, "
        f"seeds {args.seeds}, folds {args.folds}.",
        f"Total time {time.perf_counter() - started:.0f} s.",
    ]
    publish("\n".join(out), results, args.out)


if __name__ == "__main__":
    main()

"""Head-to-head on the benchmark's dev pages: paysieve on the HTML vs the usual extractors.

Every tool gets the same page source (the page's bytes decoded by
``paysieve.documents.html_lines.decode_html``) and returns the article text. Its text is scored two
ways:

1. line level: the text is mapped onto the page's labelled lines with the benchmark's own
   rule (``tools/align.py``, ``predicted_labels``: a line is kept when >= 80 % of its
   tokens are covered by word 3-grams of the output, short lines by anchored exact match;
   partly found lines count as dropped), then scored against the gold labels (null labels
   ignored); the same mapping for every tool, paysieve included;
2. the article-body shingle metric of scrapinghub/article-extraction-benchmark
   (``tools/shingle.py``) on the pages with a full gold: the scrapinghub pages against
   their human gold article body, the readability pages against the union of their
   content lines (``trafilatura``-source pages only have a few labelled lines: left out).

paysieve runs end to end as ``paysieve clean pages.jsonl --jobs 1`` on JSON Lines records
that hold the page source in ``html``; its pages/s count the whole command (process start,
model load, parsing, linearisation, prediction, output) of one run over all pages, as a
user runs it (with fold models: the shipped model's run; the fold runs, one process each,
are reported beside it). The other tools' pages/s count their extraction calls only. All
tools run one after the other, one core each.

The shipped model was trained on these very pages, so by default paysieve is scored with
site-grouped fold models: the dev pages are split into ``--folds`` groups by site, and the
pages of each group are cleaned by a model trained with ``paysieve train`` on
``datasets/source`` plus the dev pages of the other groups only. Fold models are cached
(``--cache``, keyed by the training data, the settings and the model/training code).
``--model PATH`` scores one given model instead (e.g. a corpus-only model, which saw no
benchmark page: ``paysieve train datasets/source -o /tmp/corpus-only.joblib``).

    python benchmarks/extraction_benchmark.py --bench ../shared/benchmark
    python benchmarks/extraction_benchmark.py --model /tmp/corpus-only.joblib   # quick
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib
import importlib.util
import json
import logging
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import report
from paysieve.training.fit import fingerprint
from paysieve.training.labeled_data import site_of
from paysieve.training.metrics import line_scores
from sklearn.model_selection import GroupKFold

from paysieve.documents.html_lines import decode_html, html_lines
from paysieve.labels import LABEL_CODES

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 20
JUSTEXT_STOPLISTS = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "pt": "Portuguese",
    "it": "Italian", "pl": "Polish", "cs": "Czech", "ru": "Russian", "fi": "Finnish",
    "hu": "Hungarian", "no": "Norwegian_Bokmal", "id": "Indonesian", "nl": "Dutch",
}  # fmt: skip


def load_bench_module(bench: Path, name: str):
    """A module of the benchmark's ``tools/`` folder (read at run time, not vendored)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", bench / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[f"bench_{name}"] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------
# the other extractors: page source -> article text


def _text_of_html(fragment: str) -> str:
    return "\n".join(html_lines(fragment))


def make_extractors() -> dict[str, tuple[str, Callable[[str, dict], str]]]:
    """{name: (version and settings, extract(html, record) -> text)} of the installed tools."""
    logging.disable(logging.CRITICAL)  # goose3 and newspaper4k log every page
    tools = {}

    def version(dist: str) -> str:
        from importlib.metadata import version as v

        return f"{dist} {v(dist)}"

    try:
        import trafilatura

        tools["trafilatura"] = (
            f"{version('trafilatura')}; extract(html), defaults",
            lambda html, rec: trafilatura.extract(html) or "",
        )
    except ImportError:
        pass
    try:
        from readability import Document

        tools["readability"] = (
            f"{version('readability-lxml')}; Document(html).summary(html_partial=True), "
            "text by paysieve's html_lines",
            lambda html, rec: _text_of_html(Document(html).summary(html_partial=True)),
        )
    except ImportError:
        pass
    try:
        import justext

        def run_justext(html: str, rec: dict) -> str:
            lang = JUSTEXT_STOPLISTS.get(rec.get("lang") or "", "English")
            paragraphs = justext.justext(html, justext.get_stoplist(lang))
            return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)

        tools["justext"] = (
            f"{version('jusText')}; justext(html, stoplist of the page's lang, English if "
            "none), defaults",
            run_justext,
        )
    except ImportError:
        pass
    try:
        from goose3 import Goose

        goose = Goose()
        tools["goose3"] = (
            f"{version('goose3')}; Goose().extract(raw_html=html).cleaned_text",
            lambda html, rec: goose.extract(raw_html=html).cleaned_text or "",
        )
    except ImportError:
        pass
    try:
        from newspaper import Article

        def run_newspaper(html: str, rec: dict) -> str:
            article = Article(rec.get("url") or "https://example.com/", fetch_images=False)
            article.download(input_html=html)
            article.parse()
            return article.text or ""

        tools["newspaper4k"] = (
            f"{version('newspaper4k')}; Article(url).download(input_html=html); parse(); .text",
            run_newspaper,
        )
    except ImportError:
        pass
    return tools


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout


def run_extractor(extract, pages: list[str], records: list[dict]) -> tuple[list[str], float, dict]:
    """(texts, seconds in the tool, failures) of one tool on every page."""
    signal.signal(signal.SIGALRM, _alarm)
    texts, seconds, failures = [], 0.0, {}
    for html, rec in zip(pages, records):
        started = time.perf_counter()
        signal.alarm(TIMEOUT_S)
        try:
            text = extract(html, rec)
        except _Timeout:
            text = ""
            failures["timeout"] = failures.get("timeout", 0) + 1
        except Exception as exc:  # a tool failing on a page counts as an empty output
            text = ""
            failures[type(exc).__name__] = failures.get(type(exc).__name__, 0) + 1
        finally:
            signal.alarm(0)
        seconds += time.perf_counter() - started
        texts.append(text)
    return texts, seconds, failures


# ---------------------------------------------------------------------------------------
# paysieve: fold models and `paysieve clean` end to end


def paysieve_command() -> list[str]:
    exe = Path(sys.executable).parent / "paysieve"
    if exe.is_file():
        return [str(exe)]
    found = shutil.which("paysieve")
    return [found] if found else [sys.executable, "-m", "paysieve"]


def fold_of_pages(records: list[dict], folds: int) -> np.ndarray:
    """Fold number of every page, grouped by site (as in ``paysieve train``'s CV)."""
    groups = [str(r.get("group") or site_of(r)) for r in records]
    fold = np.zeros(len(records), dtype=np.int64)
    splitter = GroupKFold(n_splits=min(folds, len(set(groups))))
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(records)), groups=groups)):
        fold[test] = k
    return fold


def fold_models(
    args, dev_path: Path, records: list[dict], fold: np.ndarray, log
) -> dict[int, Path]:
    """One model per fold, trained on the corpus and the dev pages of the other folds."""
    code = hashlib.sha256()
    for path in sorted((ROOT / "model").glob("*.py")) + sorted((ROOT / "training").glob("*.py")):
        code.update(path.read_bytes())
    key = hashlib.sha256(
        json.dumps(
            [fingerprint(args.corpus), fingerprint(dev_path), fold.tolist(), args.inner_folds,
             code.hexdigest()]
        ).encode()
    ).hexdigest()[:16]  # fmt: skip
    folder = args.cache / key
    folder.mkdir(parents=True, exist_ok=True)
    models = {}
    for k in sorted(set(fold.tolist())):
        model = folder / f"fold-{k}.joblib"
        models[k] = model
        if model.is_file():
            log(f"fold {k}: cached model {model}")
            continue
        train_file = folder / f"train-{k}.jsonl.gz"
        with gzip.open(train_file, "wt", encoding="utf-8") as fh:
            for rec, f in zip(records, fold):
                if f != k:  # the page file by absolute path: the HTML stage reads it
                    rec = {**rec, "html": str((args.bench / "html" / rec["html"]).resolve())}
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        log(f"fold {k}: training {model} on the corpus and {int((fold != k).sum())} dev pages")
        subprocess.run(
            paysieve_command()
            + ["train", str(args.corpus), str(train_file), "-o", str(model)]
            + ["--folds", str(args.inner_folds), "--quiet"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        train_file.unlink()
    return models


def write_html_records(path: Path, pages: list[str], select: list[int]) -> None:
    """JSON Lines records ``{"id", "html"}`` of the selected pages."""
    with path.open("w", encoding="utf-8") as fh:
        for i in select:
            fh.write(json.dumps({"id": i, "html": pages[i]}, ensure_ascii=False) + "\n")


def clean_command(src: Path, out: Path, model: Path | None) -> float:
    """Seconds of one ``paysieve clean --jobs 1`` run (the shipped model when None)."""
    command = paysieve_command() + ["clean", str(src), "-o", str(out), "--jobs", "1"]
    started = time.perf_counter()
    subprocess.run(command + (["--model", str(model)] if model else []), check=True)
    return time.perf_counter() - started


def run_paysieve(
    pages: list[str], models: dict[int, Path], fold: np.ndarray
) -> tuple[list[str], float]:
    """(texts, seconds) of ``paysieve clean`` on JSON Lines ``html`` records, fold by fold."""
    texts = [""] * len(pages)
    seconds = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for k, model in models.items():
            src, out = Path(tmp) / f"pages-{k}.jsonl", Path(tmp) / f"clean-{k}.jsonl"
            write_html_records(src, pages, [i for i in range(len(pages)) if fold[i] == k])
            seconds += clean_command(src, out, model)
            with out.open(encoding="utf-8") as fh:
                for line in fh:
                    rec = json.loads(line)
                    texts[rec["id"]] = rec["text"]
    return texts, seconds


def time_shipped_paysieve(pages: list[str]) -> float:
    """Seconds of one ``paysieve clean`` over all pages with the shipped model: a user's
    run (the fold runs pay one process start and model load per fold)."""
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "pages.jsonl", Path(tmp) / "clean.jsonl"
        write_html_records(src, pages, list(range(len(pages))))
        return clean_command(src, out, None)


# ---------------------------------------------------------------------------------------
# scoring


def line_level(align, records: list[dict], texts: list[str], select: list[int]) -> dict:
    """Line scores of one tool's texts mapped onto the labelled lines of the selected pages."""
    y_true, y_pred = [], []
    for i in select:
        rec = records[i]
        pred = align.predicted_labels(rec["lines"], texts[i], unsure_as="boilerplate")
        y_true += [LABEL_CODES[x] for x in rec["labels"]]
        y_pred += [LABEL_CODES[x] for x in pred]
    return line_scores(np.array(y_true), np.array(y_pred))


def gold_texts(bench: Path, records: list[dict]) -> dict[int, tuple[str, str]]:
    """{page: (gold text, gold kind)} of the pages with a full gold."""
    path = bench / "scrapinghub_gold_dev.json"
    human = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    golds = {}
    for i, rec in enumerate(records):
        if rec["id"] in human:
            golds[i] = (human[rec["id"]], "human article body")
        elif rec.get("label_method") == "gold_text":
            content = [x for x, label in zip(rec["lines"], rec["labels"]) if label == "content"]
            golds[i] = ("\n".join(content), "content lines")
    return golds


def shingle_table(shingle, golds, texts: list[str], select: list[int]) -> dict:
    sel = [i for i in select if i in golds]
    res = shingle.shingle_scores(
        {str(i): golds[i][0] for i in sel}, {str(i): texts[i] for i in sel}
    )
    return {k: v for k, v in res.items() if k != "per_page"}


def _f(x) -> str:
    return "–" if x is None else f"{x:.3f}"


def write_report(result: dict, out: Path) -> str:
    sources = result["sources"]
    rows = [
        "# Head-to-head: paysieve on the HTML vs article extractors (benchmark dev pages)",
        "",
        f"{result['pages']} dev pages of `{result['bench']}`; one core of a 2-core machine, "
        f"Python {result['python']}; run {result['date']}, {result['seconds']:.0f} s in all.",
        "",
        f"paysieve model: {result['paysieve_model']}",
        "",
        "## Line level (tool output mapped onto the labelled lines; null labels ignored)",
        "",
        "| tool | C-P | C-R | C-F1 | BP-P | BP-R | BP-F1 | acc | "
        + " | ".join(f"{s} C-F1 / acc" for s in sources)
        + " | pages/s | failed / empty |",
        "|---" * (10 + len(sources)) + "|",
    ]
    for name, t in result["tools"].items():
        m = t["line_level"]["all"]
        c, b = m["content"], m["boilerplate"]
        by = " | ".join(
            f"{t['line_level'][s]['content']['f1']:.3f} / {t['line_level'][s]['accuracy']:.3f}"
            for s in sources
        )
        fails = sum(t["failures"].values())
        rows.append(
            f"| {name} | {c['precision']:.3f} | {c['recall']:.3f} | {c['f1']:.3f} | "
            f"{b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f} | {m['accuracy']:.3f} | "
            f"{by} | {t['pages_per_s']:.1f} | {fails} / {t['empty']} |"
        )
    lines_scored = result["tools"][next(iter(result["tools"]))]["line_level"]["all"]["lines"]
    rows += [
        "",
        f"{lines_scored:,} scored lines. `C` = content, `BP` = boilerplate (micro over lines); "
        "a line the tool's output covers only partly counts as dropped.",
        "",
        "## Article-body shingle metric (scrapinghub/article-extraction-benchmark)",
        "",
        "| tool | " + " | ".join(f"{g} F1 / P / R" for g in result["shingle_sets"]) + " |",
        "|---" * (1 + len(result["shingle_sets"])) + "|",
    ]
    for name, t in result["tools"].items():
        cells = [
            f"**{_f(s['f1'])}** / {_f(s['precision'])} / {_f(s['recall'])}"
            for s in (t["shingle"][g] for g in result["shingle_sets"])
        ]
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
    rows += [
        "",
        "Gold: scrapinghub pages — the human `articleBody` of that benchmark "
        "(`scrapinghub_gold_dev.json`); readability pages — the union of their content "
        "lines. Trafilatura-source pages (a few labelled lines each) are left out.",
        "",
        "## Speed",
        "",
        "| tool | seconds | pages/s |",
        "|---|---|---|",
    ]
    for name, t in result["tools"].items():
        rows.append(f"| {name} | {t['seconds']:.1f} | {t['pages_per_s']:.1f} |")
    rows += [
        "",
        "paysieve: `paysieve clean pages.jsonl -o out.jsonl --jobs 1` on JSON Lines records "
        '`{"id", "html"}` of all pages, whole command timed (process start, model load, JSON '
        "in and out included; with fold models, the shipped model's run is timed, see the "
        "model line above); the other tools: their extraction calls only.",
        "",
        "## Versions and settings",
        "",
    ]
    rows += [f"- `{name}`: {t['setting']}" for name, t in result["tools"].items()]
    text = "\n".join(rows) + "\n"
    report.write_report(out, text, result)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", type=Path, default=Path("../shared/benchmark"))
    parser.add_argument("--corpus", type=Path, default=ROOT / "datasets" / "source")
    parser.add_argument(
        "--model", type=Path, default=None, help="Score this model instead of fold models."
    )
    parser.add_argument("--folds", type=int, default=5, help="Site-grouped fold models.")
    parser.add_argument(
        "--inner-folds", type=int, default=5, help="`paysieve train --folds` of a fold model."
    )
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "paysieve-folds"
    )
    parser.add_argument("--tools", nargs="*", default=None, help="Only these other tools.")
    parser.add_argument("--limit", type=int, default=0, help="Only the first N pages (testing).")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "results" / "extraction_benchmark"
    )
    args = parser.parse_args()
    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.0f}s] {msg}", file=sys.stderr)

    dev_path = args.bench / "dev.jsonl.gz"
    with gzip.open(dev_path, "rt", encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    if args.limit:
        records = records[: args.limit]
    pages = [decode_html(gzip.decompress((args.bench / "html" / r["html"]).read_bytes()))
             for r in records]  # fmt: skip
    align = load_bench_module(args.bench, "align")
    shingle = load_bench_module(args.bench, "shingle")

    if args.model:
        fold = np.zeros(len(records), dtype=np.int64)
        models = {0: args.model}
        model_note = f"`{args.model}` for every page (scores are in-sample if it saw them)"
    else:
        fold = fold_of_pages(records, args.folds)
        models = fold_models(args, dev_path, records, fold, log)
        model_note = (
            f"{len(models)} site-grouped fold models: each page cleaned by a model trained "
            f"(`paysieve train {args.corpus.name} <dev pages of the other folds> --folds "
            f"{args.inner_folds}`) without any page of its site"
        )

    outputs: dict[str, dict] = {}
    log("paysieve")
    texts, seconds = run_paysieve(pages, models, fold)
    if not args.model:
        fold_seconds, seconds = seconds, time_shipped_paysieve(pages)
        model_note += (
            f"; timed as one run over all pages with the shipped model ({seconds:.1f} s; "
            f"the {len(models)} fold runs took {fold_seconds:.1f} s with their start-ups)"
        )
    outputs["paysieve"] = {
        "texts": texts,
        "seconds": seconds,
        "failures": {},
        "setting": "paysieve clean on JSON Lines html records; " + model_note,
    }
    for name, (setting, extract) in make_extractors().items():
        if args.tools is not None and name not in args.tools:
            continue
        log(name)
        texts, seconds, failures = run_extractor(extract, pages, records)
        outputs[name] = {
            "texts": texts,
            "seconds": seconds,
            "failures": failures,
            "setting": setting,
        }

    log("scoring")
    sources = sorted({r["source"] for r in records})
    by_source = {s: [i for i, r in enumerate(records) if r["source"] == s] for s in sources}
    golds = gold_texts(args.bench, records)
    shingle_sets = {
        f"scrapinghub ({sum(1 for i in golds if golds[i][1] == 'human article body')} pages)": [
            i for i in golds if golds[i][1] == "human article body"
        ],
        f"readability ({sum(1 for i in golds if golds[i][1] == 'content lines')} pages)": [
            i for i in golds if golds[i][1] == "content lines"
        ],
        f"both ({len(golds)} pages)": sorted(golds),
    }
    everything = list(range(len(records)))
    tools = {}
    for name, o in outputs.items():
        tools[name] = {
            "setting": o["setting"],
            "seconds": o["seconds"],
            "pages_per_s": len(records) / o["seconds"] if o["seconds"] else float("inf"),
            "failures": o["failures"],
            "empty": sum(1 for t in o["texts"] if not t.strip()),
            "line_level": {"all": line_level(align, records, o["texts"], everything)}
            | {s: line_level(align, records, o["texts"], by_source[s]) for s in sources},
            "shingle": {
                g: shingle_table(shingle, golds, o["texts"], sel) for g, sel in shingle_sets.items()
            },
        }
    result = {
        "bench": str(args.bench),
        "pages": len(records),
        "sources": sources,
        "shingle_sets": list(shingle_sets),
        "paysieve_model": model_note,
        "python": sys.version.split()[0],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "seconds": time.perf_counter() - started,
        "tools": tools,
    }
    print(write_report(result, args.out))


if __name__ == "__main__":
    main()

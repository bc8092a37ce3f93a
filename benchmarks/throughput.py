"""Prediction throughput of the default (or a given) model on a JSON Lines corpus, with
the floor, the naive baseline and two peers timed on the same lines in the same run.

    python benchmarks/throughput.py ../shared/benchmark/dev.jsonl.gz [--model M] [--repeat 3]

Timed as lines per second over all lines of the corpus, each the best of ``--repeat``
rounds; every round runs every method once, in turn, so that drift in the machine's speed
(a shared host) does not favour whichever method ran last:

- library: ``Detector.predict_many`` over all pages at once (model already loaded);
- ``paysieve predict --format jsonl`` end to end (interpreter start, model load, JSON
  parsing and writing to /dev/null included), plus ``--jobs N`` for each ``--jobs`` value
  when the installed command has that option (checked with ``--help``);
- floor: reading, parsing and writing the same JSON Lines with the standard library
  (gzip + json), no classification, in this process;
- naive baseline: scikit-learn ``HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4))``
  ``transform`` alone on the lines;
- peers (``benchmarks/peers.py``): the C4 line rules, and jusText on the lines (skipped
  when jusText is not installed: ``pip install '.[bench]'``).

Also: wall time of ``paysieve clean`` on one small file (interpreter start and model load
included, best of ``--repeat``), and the boilerplate F1 on the input's labels of the library
path and of the worker-process CLI path (they must be equal).
Everything runs with ``--threads`` OpenMP/BLAS threads per process (default 1: figures are
per core; ``--jobs N`` is then N single-threaded processes). Writes
``benchmarks/results/throughput.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
from paysieve.training.labeled_data import read_labeled
from paysieve.training.metrics import line_scores
from threadpoolctl import threadpool_limits

from paysieve import Detector

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from peers import c4_keep, justext_keep, justext_stoplist_name  # noqa: E402
from report import write_report  # noqa: E402

SMALL_FILE = HERE.parent / "examples" / "article.txt"
LIBRARY = "library Detector.predict_many"
FLOOR = "floor: stdlib JSON Lines read + write"
NAIVE = "HashingVectorizer(char_wb, (2, 4)).transform"
NAIVE_NOTE = "naive baseline: features only, no model"
STARTUP = "start-up"
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def best_times(actions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The shortest wall time of each action over ``repeat`` rounds, in seconds.

    Every round runs every action once, in turn, so that a machine whose speed drifts
    during the run (a shared host) slows all of them alike instead of whichever ran last.
    """
    best = dict.fromkeys(actions, float("inf"))
    for _ in range(repeat):
        for name, action in actions.items():
            started = time.perf_counter()
            action()
            best[name] = min(best[name], time.perf_counter() - started)
    return best


def paysieve_command() -> list[str]:
    """The installed ``paysieve`` script beside this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("paysieve")
    return [str(script)] if script.exists() else [sys.executable, "-m", "paysieve"]


def cli_has_option(command: str, option: str) -> bool:
    """Whether ``paysieve COMMAND --help`` lists ``option``."""
    result = subprocess.run(
        [*paysieve_command(), command, "--help"], capture_output=True, text=True, check=True
    )
    return option in result.stdout


def read_write_floor(corpus: Path) -> None:
    """Read, parse, serialise and write every record with the standard library only."""
    opener = gzip.open if corpus.suffix == ".gz" else open
    with (
        opener(corpus, "rt", encoding="utf-8") as source,
        open(os.devnull, "w", encoding="utf-8") as sink,
    ):
        for raw in source:
            if raw.strip():
                sink.write(json.dumps(json.loads(raw), ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, nargs="*", default=[1, 2], help="--jobs values")
    parser.add_argument("--threads", type=int, default=1, help="OpenMP/BLAS threads")
    parser.add_argument("--small-file", type=Path, default=SMALL_FILE)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "throughput")
    args = parser.parse_args()

    env = {**os.environ, **{name: str(args.threads) for name in THREAD_VARIABLES}}
    threadpool_limits(args.threads)
    model_opt = ["--model", str(args.model)] if args.model else []
    docs = list(read_labeled(args.corpus))
    lines = [line for d in docs for line in d.lines]
    n_lines = len(lines)
    started = time.perf_counter()
    detector = Detector(args.model)
    load_s = time.perf_counter() - started
    predictions: list = []

    def library_run() -> None:
        predictions[:] = detector.predict_many(d.lines for d in docs)

    predict_cmd = [*paysieve_command(), "predict", "--format", "jsonl", str(args.corpus)]

    def run(cmd: list[str]) -> None:
        subprocess.run(cmd + model_opt, check=True, stdout=subprocess.DEVNULL, env=env)

    from sklearn.feature_extraction.text import HashingVectorizer

    vectorizer = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4))
    actions: dict[str, Callable[[], object]] = {
        LIBRARY: library_run,
        "paysieve predict --format jsonl (default options)": lambda: run(predict_cmd),
    }
    if cli_has_option("predict", "--jobs"):
        for jobs in args.jobs:
            cmd = [*predict_cmd, "--jobs", str(jobs)]
            actions[f"paysieve predict --format jsonl --jobs {jobs}"] = lambda c=cmd: run(c)
    else:
        print("paysieve predict has no --jobs option: skipped", flush=True)
    actions[FLOOR] = lambda: read_write_floor(args.corpus)
    actions[NAIVE] = lambda: vectorizer.transform(lines)
    actions["C4 line rules"] = lambda: [c4_keep(d.lines) for d in docs]
    try:
        import justext  # noqa: F401
    except ImportError:
        print("jusText not installed: skipped (pip install '.[bench]')", flush=True)
    else:
        actions["jusText on lines"] = lambda: [
            justext_keep(d.lines, justext_stoplist_name(d.meta.get("lang"))) for d in docs
        ]
    clean_cmd = [*paysieve_command(), "clean", str(args.small_file), *model_opt]
    actions[STARTUP] = lambda: subprocess.run(
        clean_cmd, check=True, stdout=subprocess.DEVNULL, env=env
    )

    best = best_times(actions, args.repeat)
    startup_s = best.pop(STARTUP)
    notes = {FLOOR: "gzip + json, no classification, in process", NAIVE: NAIVE_NOTE}
    rows: list[dict] = []
    for name, seconds in best.items():
        rows.append({"name": name, "seconds": seconds, "lines_per_s": n_lines / seconds})
        if name in notes:
            rows[-1]["note"] = notes[name]
        print(f"{name}: {seconds:.2f} s, {n_lines / seconds:,.0f} lines/s", flush=True)
    print(f"start-up: paysieve clean {args.small_file.name}: {startup_s:.2f} s")

    labels = np.concatenate([d.labels for d in docs])
    predicted = np.concatenate([p.is_boilerplate for p in predictions]).astype(np.int64)
    accuracy = line_scores(labels, predicted)
    cli_accuracy = cli_scores(predict_cmd + model_opt, labels, env)

    library = rows[0]["lines_per_s"]
    naive = next(r["lines_per_s"] for r in rows if r["name"] == NAIVE)
    for row in rows:
        row["vs_library"] = row["lines_per_s"] / library
        row["vs_hashing_vectorizer"] = row["lines_per_s"] / naive
    report = {
        "corpus": str(args.corpus),
        "documents": len(docs),
        "lines": n_lines,
        "model": str(args.model or "bundled default"),
        "model_load_s": load_s,
        "threads_per_process": args.threads,
        "repeat": args.repeat,
        "startup_clean_small_file_s": startup_s,
        "small_file": str(args.small_file),
        "boilerplate_f1": accuracy["boilerplate"]["f1"],
        "content_f1": accuracy["content"]["f1"],
        "cli_boilerplate_f1": cli_accuracy["boilerplate"]["f1"],
        "cli_content_f1": cli_accuracy["content"]["f1"],
        "rows": rows,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "load_average": os.getloadavg(),
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    write_report(args.out, markdown(report), report)
    print(markdown(report))


def cli_scores(predict_cmd: list[str], labels: np.ndarray, env: dict) -> dict:
    """Line scores of the labels ``predict --format jsonl --jobs 2`` writes (untimed run),
    so the benchmark shows that the worker path answers as the library does."""
    out = subprocess.run(
        [*predict_cmd, "--jobs", "2", "--quiet"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    predicted = [
        int(label == "boilerplate")
        for line in out.splitlines()
        if line.strip()
        for label in json.loads(line)["labels"]
    ]
    return line_scores(labels, np.asarray(predicted, dtype=np.int64))


def markdown(report: dict) -> str:
    """The report as a markdown table with its context."""
    rows = [
        f"Throughput on `{report['corpus']}` ({report['documents']} documents, "
        f"{report['lines']:,} lines), {report['threads_per_process']} thread(s) per process, "
        f"best of {report['repeat']}; {report['machine']}, load average "
        f"{report['load_average'][0]:.1f} at {report['measured_at']}.",
        "",
        "| method | s | lines/s | vs library | vs HashingVectorizer |",
        "|---|---|---|---|---|",
    ]
    for row in report["rows"]:
        rows.append(
            f"| {row['name']} | {row['seconds']:.2f} | {row['lines_per_s']:,.0f} | "
            f"{row['vs_library']:.2f}x | {row['vs_hashing_vectorizer']:.2f}x |"
        )
    rows += [
        "",
        f"- model load: {report['model_load_s']:.2f} s; start-up, `paysieve clean` on "
        f"`{Path(report['small_file']).name}` (interpreter start and model load included): "
        f"{report['startup_clean_small_file_s']:.2f} s wall",
        f"- library path on the input's labels: boilerplate F1 {report['boilerplate_f1']:.3f}, "
        f"content F1 {report['content_f1']:.3f}; the CLI with worker processes (`predict "
        f"--format jsonl --jobs 2`): boilerplate F1 {report['cli_boilerplate_f1']:.3f}, "
        f"content F1 {report['cli_content_f1']:.3f}",
        "",
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    main()

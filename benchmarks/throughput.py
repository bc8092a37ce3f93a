"""Prediction throughput of the default (or a given) model on a JSON Lines corpus.

Times the library batch API (``Detector.predict_many`` over all pages at once) and the
``paysieve predict --format jsonl`` command end to end (interpreter start, model load,
JSON parsing and writing included), each best of ``--repeat`` runs.

    python benchmarks/throughput.py ../shared/benchmark/dev.jsonl.gz [--model M] [--repeat 3]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from inference import Detector
from training.labeled_data import read_labeled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--model", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    docs = [d.lines for d in read_labeled(args.corpus)]
    n_lines = sum(len(d) for d in docs)
    started = time.perf_counter()
    detector = Detector(args.model)
    load_s = time.perf_counter() - started
    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        detector.predict_many(docs)
        best = min(best, time.perf_counter() - started)
    print(f"corpus: {args.corpus} ({len(docs)} documents, {n_lines:,} lines)")
    print(f"model load: {load_s:.2f} s")
    print(f"library predict_many: {best:.2f} s, {n_lines / best:,.0f} lines/s")

    cmd = [sys.executable, "-m", "inference.cli", "predict", "--format", "jsonl", str(args.corpus)]
    if args.model:
        cmd += ["--model", str(args.model)]
    best_cli = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        best_cli = min(best_cli, time.perf_counter() - started)
    print(
        f"paysieve predict --format jsonl (end to end): {best_cli:.2f} s, "
        f"{n_lines / best_cli:,.0f} lines/s"
    )


if __name__ == "__main__":
    main()

"""Peak memory of ``paysieve predict`` on a large JSON Lines corpus, with /usr/bin/time -v.

    python benchmarks/memory.py [--size-mb 1024] ../shared/benchmark/dev.jsonl.gz [-- --jobs 2]

(options go before the corpus)

Writes (once; reused while its size fits) a corpus of about ``--size-mb`` MB to
``/tmp/paysieve-corpus-<size>mb.jsonl`` by repeating the pages of the given corpus (ids
numbered per copy), never inside the repository, then runs ``paysieve predict --format
jsonl`` over it (output discarded; arguments after ``--`` are passed on) under
``/usr/bin/time -v`` and reports the wall time and the peak resident set size. With worker
processes, that peak is the largest single process's (the kernel reports the maximum over
the process tree, not the sum). Results go to ``benchmarks/results/memory.json``.

The corpus repeats real pages and is meant for memory only; throughput is measured on the
original corpus (``benchmarks/throughput.py``).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from paysieve.documents.reading import read_json_lines

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def build_corpus(source: Path, target: Path, size_bytes: int) -> int:
    """Write ``size_bytes`` (about) of repeated ``source`` records to ``target``; records."""
    records = [record for record, _ in read_json_lines(source)]
    written = count = 0
    with target.open("w", encoding="utf-8") as out:
        copy = 0
        while written < size_bytes:
            for record in records:
                line = json.dumps({**record, "id": f"{record.get('id')}#{copy}"}) + "\n"
                out.write(line)
                written += len(line.encode("utf-8"))
                count += 1
            copy += 1
    return count


def paysieve_command() -> list[str]:
    script = Path(sys.executable).with_name("paysieve")
    return [str(script)] if script.exists() else [sys.executable, "-m", "paysieve"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="pages to repeat (JSON Lines, .gz ok)")
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--tmp", type=Path, default=Path("/tmp"))
    parser.add_argument("cli_args", nargs="*", help="extra paysieve predict arguments")
    args = parser.parse_args()

    target = args.tmp.resolve() / f"paysieve-corpus-{args.size_mb}mb.jsonl"
    if target.is_relative_to(REPO):
        sys.exit(f"refusing to write the corpus inside the repository: {target}")
    size = args.size_mb * 1024 * 1024
    if not target.exists() or not size <= target.stat().st_size < size * 1.1:
        print(f"writing {target} ...", flush=True)
        build_corpus(args.corpus, target, size)
    size_mb = target.stat().st_size / 1024 / 1024
    cmd = [*paysieve_command(), "predict", "--format", "jsonl", str(target), *args.cli_args]
    print("running:", " ".join(cmd), flush=True)
    result = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if result.returncode != 0:
        sys.exit(f"paysieve failed ({result.returncode}):\n{result.stderr[-2000:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)[1])
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", result.stderr)[1]
    report = {
        "input": str(target),
        "input_mb": round(size_mb, 1),
        "command": " ".join(cmd[1:]),
        "peak_rss_mb": round(peak_kb / 1024, 1),
        "wall": wall,
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "memory.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()

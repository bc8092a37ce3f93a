"""Apply each mutant of ``mutants.py`` in turn, run the test suite, report caught or not.

    python mutation/run_mutants.py [--tests DIR] [--only ID ...] [--json FILE]

The mutants are applied to a copy of the package (laid out as it installs: ``model/`` as
``paysieve/model/`` and so on) that the test run imports instead of the work tree
(``PYTHONPATH`` with ``PYTHONSAFEPATH``, inherited by the commands the tests start), so
the work tree is never edited. A mutant is caught when pytest fails (it stops at the first
failure, -x). ``--tests`` runs another copy of the tests (e.g. an older commit's, to
compare). Exit status 1 when a mutant survives.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from mutants import MUTANTS, Mutant

REPO = Path(__file__).resolve().parents[1]
# New test files first: with -x, a mutant they catch stops the run early.
FIRST = [
    "test_option_effects.py",
    "test_metrics.py",
    "test_model_damage.py",
    "test_input_edge_cases.py",
    "test_output_failures.py",
    "test_heldout_evaluation.py",
]


PACKAGE_FOLDERS = {"model": "paysieve/model", "inference": "paysieve/inference",
                   "training": "paysieve/training", "paysieve": "paysieve"}  # fmt: skip


def package_copy(folder: Path) -> Path:
    """The installed layout of the package, copied under ``folder``."""
    for source, target in PACKAGE_FOLDERS.items():
        ignore = shutil.ignore_patterns("__pycache__")
        shutil.copytree(REPO / source, folder / target, ignore=ignore, dirs_exist_ok=True)
    return folder


def in_copy(copy: Path, name: str) -> Path:
    """Where a repository file (``inference/cli.py``) lies in the package copy."""
    top, _, rest = name.partition("/")
    return copy / PACKAGE_FOLDERS[top] / rest


def apply(mutant: Mutant, copy: Path) -> dict[Path, str]:
    """Edit the copied files; returns their original text."""
    originals: dict[Path, str] = {}
    for name, old, new in mutant.edits:
        path = in_copy(copy, name)
        originals.setdefault(path, path.read_text(encoding="utf-8"))
        current = path.read_text(encoding="utf-8")  # an earlier edit may have changed it
        if current.count(old) != 1:
            restore(originals)
            raise SystemExit(f"{mutant.id}: snippet not found exactly once in {name}: {old!r}")
        path.write_text(current.replace(old, new), encoding="utf-8")
    return originals


def restore(originals: dict[Path, str]) -> None:
    for path, text in originals.items():
        path.write_text(text, encoding="utf-8")


def run_tests(tests: Path, copy: Path) -> tuple[bool, float, str]:
    """(caught, seconds, first failing test) with the package copy as it stands."""
    first = [str(tests / f) for f in FIRST if (tests / f).exists()]
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(copy), "PYTHONSAFEPATH": "1"}
    started = time.monotonic()
    done = subprocess.run(
        [*command, *first, str(tests)], cwd=REPO, capture_output=True, text=True, env=env
    )
    failed = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    return done.returncode != 0, time.monotonic() - started, failed[0] if failed else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=Path, default=REPO / "tests")
    parser.add_argument("--only", nargs="*", help="mutant ids to run (default: all)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--check", action="store_true", help="only check that all apply")
    args = parser.parse_args()
    if sys.version_info < (3, 11):
        raise SystemExit("run_mutants.py needs Python 3.11+ (PYTHONSAFEPATH)")
    chosen = [m for m in MUTANTS if not args.only or m.id in args.only]
    results = []
    with tempfile.TemporaryDirectory(prefix="paysieve-mutants-") as folder:
        copy = package_copy(Path(folder))
        if args.check:
            for mutant in chosen:
                restore(apply(mutant, copy))
            print(f"{len(chosen)} mutants apply")
            return
        if not args.only:  # the unmutated copy must pass, or every mutant looks caught
            caught, seconds, failure = run_tests(args.tests.resolve(), copy)
            print(f"unmutated: {'FAILS ' + failure if caught else 'passes'} ({seconds:.0f}s)")
            if caught:
                raise SystemExit(2)
        for mutant in chosen:
            originals = apply(mutant, copy)
            try:
                caught, seconds, failure = run_tests(args.tests.resolve(), copy)
            finally:
                restore(originals)
            results.append({"id": mutant.id, "what": mutant.what, "caught": caught,
                            "seconds": round(seconds, 1), "failure": failure})  # fmt: skip
            print(
                f"{'caught  ' if caught else 'SURVIVED'} {mutant.id:34} {seconds:6.1f}s {failure}"
            )
            sys.stdout.flush()
            if args.json:
                args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    survived = [r["id"] for r in results if not r["caught"]]
    print(f"{len(results) - len(survived)} of {len(results)} mutants caught")
    raise SystemExit(1 if survived else 0)


if __name__ == "__main__":
    main()

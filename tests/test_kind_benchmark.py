"""benchmarks/kind_benchmark.py: the per-seed table of the targets' figures."""

import importlib.util
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
spec = importlib.util.spec_from_file_location("kind_benchmark", BENCHMARKS / "kind_benchmark.py")
kind_benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(kind_benchmark)


def _results(accuracy: float, precision: float, over_5pct: int | None = None) -> dict:
    results = {
        "kinds": {"accuracy": accuracy},
        "verdict_detected": {"precision": precision, "recall": 0.9},
    }
    if over_5pct is not None:
        results["tail_drop_subscription"] = {"articles_over_5pct": over_5pct}
    return results


def _row(table: list[str], name: str) -> list[str]:
    [row] = [r for r in table if r.startswith(f"| {name} |")]
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_seed_figures_reads_only_what_a_run_measured():
    figures = kind_benchmark.seed_figures(_results(0.81, 0.93))
    assert figures == {"kind accuracy": 0.81, "verdict precision": 0.93, "verdict recall": 0.9}


def test_seeds_table_gives_each_seed_its_mean_and_how_many_meet_the_target():
    per_seed = {
        1: kind_benchmark.seed_figures(_results(0.79, 0.96, 2)),
        2: kind_benchmark.seed_figures(_results(0.83, 0.90, 0)),
    }
    table = kind_benchmark.seeds_table(per_seed)
    assert _row(table, "kind accuracy") == [
        "kind accuracy",
        "0.790",
        "0.830",
        "0.810",
        "≥ 0.8",
        "1 of 2",
    ]
    assert _row(table, "verdict precision")[1:4] == ["0.960", "0.900", "0.930"]
    lost = _row(table, "`--drop subscription`: articles losing > 5 %")
    assert lost[1:] == ["2", "0", "1.0", "≤ 0", "1 of 2"]


def test_a_figure_some_seeds_did_not_measure_has_no_row():
    per_seed = {
        1: kind_benchmark.seed_figures(_results(0.79, 0.96, 2)),
        2: kind_benchmark.seed_figures(_results(0.83, 0.90)),
    }
    table = kind_benchmark.seeds_table(per_seed)
    assert not [r for r in table if "articles losing" in r]
    assert _row(table, "kind accuracy")[1:3] == ["0.790", "0.830"]

import importlib.util
import sys
from pathlib import Path

import numpy as np

BENCHMARKS = Path(__file__).parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
spec = importlib.util.spec_from_file_location("dev_benchmark", BENCHMARKS / "dev_benchmark.py")
dev_benchmark = importlib.util.module_from_spec(spec)
spec.loader.exec_module(dev_benchmark)

# 100 content lines scored 0.00, 0.01, ..., 0.99; 4 boilerplate lines; one unsure line.
Y = np.array([0] * 100 + [1, 1, 1, 1, -1])
PROBA = np.concatenate([np.arange(100) / 100, [0.5, 0.975, 0.985, 0.999, 1.0]])


def test_kept_and_removed_shares_ignore_unsure_lines():
    kept, removed = dev_benchmark._kept_removed(Y, PROBA, 0.98)
    assert kept == 0.98  # 0.98 and 0.99 removed
    assert removed == 0.5  # 0.985 and 0.999 removed; 0.5 and 0.975 kept


def test_most_removed_keeping_is_the_lowest_threshold_that_keeps_enough():
    threshold, removed = dev_benchmark._most_removed_keeping(Y, PROBA, 0.99)
    # One content line may go: the one at 0.99, so the threshold sits just above 0.98.
    assert 0.98 < threshold <= 0.99
    assert dev_benchmark._kept_removed(Y, PROBA, threshold)[0] == 0.99
    assert removed == 0.5  # 0.985 and 0.999 of the boilerplate lines are above it
    threshold, removed = dev_benchmark._most_removed_keeping(Y, PROBA, 1.0)
    assert threshold > 0.99 and removed == 0.25
    # Ten content lines may go (0.90 ... 0.99): 1 - 0.9 is not exactly 0.1 in floating point.
    threshold, removed = dev_benchmark._most_removed_keeping(Y, PROBA, 0.9)
    assert 0.89 < threshold <= 0.90 and removed == 0.75

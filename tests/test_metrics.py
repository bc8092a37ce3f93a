"""Metrics against values worked out by hand on small cases.

The cases are lopsided on purpose (precision differs from recall, content from
boilerplate), so that swapping any two of them changes the answer.
"""

from __future__ import annotations

import numpy as np
import pytest
from paysieve.training.evaluation import worst_pages
from paysieve.training.labeled_data import LabeledDocument
from paysieve.training.metrics import best_threshold, line_scores

from paysieve.labels import BOILERPLATE, CONTENT, UNKNOWN

C, B, U = CONTENT, BOILERPLATE, UNKNOWN


def test_line_scores_of_a_lopsided_confusion():
    # true:      C  C  C  C  B  B  U  B
    # predicted: C  C  B  B  B  C  C  B
    # content: 2 kept, 2 removed; boilerplate: 1 kept, 2 removed; the unknown line is ignored
    report = line_scores([C, C, C, C, B, B, U, B], [C, C, B, B, B, C, C, B])
    assert report["lines"] == 7
    assert report["confusion"] == [[2, 2], [1, 2]]
    assert report["accuracy"] == pytest.approx(4 / 7)
    # content precision: of the 3 lines kept, 2 are content; recall: 2 of the 4 content lines
    assert report["content"] == pytest.approx({"precision": 2 / 3, "recall": 1 / 2, "f1": 4 / 7})
    # boilerplate precision: of the 4 lines removed, 2 are boilerplate; recall: 2 of 3
    assert report["boilerplate"] == pytest.approx(
        {"precision": 1 / 2, "recall": 2 / 3, "f1": 4 / 7}
    )


def test_line_scores_when_a_class_is_never_predicted_or_nothing_is_known():
    never_removed = line_scores([C, B, B, C], [C, C, C, C])
    assert never_removed["boilerplate"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert never_removed["content"] == pytest.approx(
        {"precision": 1 / 2, "recall": 1.0, "f1": 2 / 3}
    )
    assert never_removed["accuracy"] == 0.5
    unknown = line_scores([U, U], [C, B])
    assert unknown["lines"] == 0 and unknown["accuracy"] == 0.0
    assert unknown["confusion"] == [[0, 0], [0, 0]]


def test_best_threshold_is_one_minus_half_the_best_content_f1():
    # Splits between the scores 0.1 | 0.4 | 0.6 | 0.9 (labels C B C B; the unknown line at
    # 0.95 is no split): content F1 is 2/3 below 0.4, 1/2 between 0.4 and 0.6 and 4/5
    # above 0.6 (content precision 2/3, recall 1), so the best F1 is 0.8 -> 1 - 0.4.
    proba = np.array([0.1, 0.4, 0.6, 0.9, 0.95])
    y = np.array([C, B, C, B, U])
    assert best_threshold(proba, y) == pytest.approx(0.6)
    # Perfectly separated scores reach F1 = 1, hence a threshold of one half.
    assert best_threshold(np.array([0.1, 0.2, 0.8, 0.9]), np.array([C, C, B, B])) == 0.5


def test_worst_pages_are_the_pages_with_most_wrong_lines_in_order():
    def doc(name: str, labels: list[int]) -> LabeledDocument:
        lines = [f"{name} line {i}" for i in range(len(labels))]
        return LabeledDocument(name, lines, np.array(labels))

    docs = [doc("a", [C, B, U]), doc("b", [C, C, C, B]), doc("c", [B, B]), doc("d", [C, C])]
    scores = [
        np.array([0.9, 0.2, 0.9]),  # two wrong (the unknown line does not count)
        np.array([0.8, 0.7, 0.1, 0.3]),  # three wrong
        np.array([0.9, 0.6]),  # none wrong
        np.array([0.2, 0.6]),  # one wrong
    ]
    pages = worst_pages(docs, scores, 2, threshold=0.5)
    assert [(p["id"], p["errors"], p["scored"]) for p in pages] == [("b", 3, 4), ("a", 2, 2)]
    assert [row.split(":")[0] for row in pages[0]["lines"]] == ["line 0", "line 1", "line 3"]
    assert pages[0]["lines"][0] == "line 0: gold content, p(boilerplate)=0.80: b line 0"
    assert pages[1]["lines"][1] == "line 1: gold boilerplate, p(boilerplate)=0.20: a line 1"
    everything = worst_pages(docs, scores, 10, threshold=0.5)
    assert [p["id"] for p in everything] == ["b", "a", "d"]  # a page without errors is no entry

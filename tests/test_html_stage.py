"""The HTML stage: page structure features, fitting it in a training run, and using it
for HTML input (and only there)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from paysieve.model.html_features import (
    HTML_STAGE_FEATURE_NAMES,
    HtmlStageRows,
    html_stage_matrix,
)
from paysieve.model.persistence import load_model
from paysieve.model.text_model import document_offsets

from paysieve import Detector
from paysieve.documents.html_lines import STRUCTURE_NAMES, html_blocks

pytest.importorskip("selectolax")


def test_training_fits_the_html_stage_from_pages_with_their_html(html_model_path):
    model, metadata = load_model(html_model_path)
    assert model.html_stage is not None
    stage = metadata["html_stage"]
    assert stage["pages"] == 24 and stage["lines"] == 24 * 15
    assert stage["html_stage"]["accuracy"] >= max(0.9, stage["text_model"]["accuracy"])


def test_html_input_is_rescored_with_its_structure(html_model_path, small_model_path, news_page):
    html, lines, _ = news_page(30)
    detector = Detector(html_model_path)
    page = detector.predict_html(html)
    assert list(page.lines) == lines
    text = detector.predict_lines(lines)  # the same lines without their HTML
    blocks = html_blocks(html)
    expected = detector.model.html_stage.probabilities(
        [lines], text.scores, [(blocks.structure, blocks.container)], np.array([0, len(lines)])
    )
    np.testing.assert_allclose(page.scores, expected)
    assert page.is_boilerplate[11:14].all() and not page.is_boilerplate[5:8].any()
    # A model without an HTML stage scores HTML input by its lines alone.
    plain = Detector(small_model_path)
    np.testing.assert_allclose(plain.predict_html(html).scores, plain.predict_lines(lines).scores)


def test_stage_features_group_containers_within_each_page_only(news_page):
    blocks = html_blocks(news_page(1)[0])
    n = len(blocks.lines)
    structure = np.vstack([blocks.structure, blocks.structure])
    container = np.concatenate([blocks.container, blocks.container])
    proba = np.concatenate([np.full(n, 0.9), np.full(n, 0.1)])
    chars = np.array([len(x) for x in blocks.lines] * 2, dtype=float)
    rows = html_stage_matrix(proba, chars, structure, container, np.array([0, n, 2 * n]))
    assert rows.shape == (2 * n, len(HTML_STAGE_FEATURE_NAMES))
    mean_p = rows[:, HTML_STAGE_FEATURE_NAMES.index("container_mean_p")]
    assert np.allclose(mean_p[:n], 0.9) and np.allclose(mean_p[n:], 0.1)  # no leak across pages
    start = HTML_STAGE_FEATURE_NAMES.index(STRUCTURE_NAMES[0])
    assert HTML_STAGE_FEATURE_NAMES[start : start + len(STRUCTURE_NAMES)] == STRUCTURE_NAMES


def test_stage_rows_made_in_chunks_equal_the_whole_pages_bit_for_bit(news_page):
    blocks = html_blocks(news_page(30)[0])
    n = len(blocks.lines)
    structure = np.vstack([blocks.structure, blocks.structure])
    container = np.concatenate([blocks.container, blocks.container])
    proba = np.random.default_rng(2).random(2 * n)
    chars = np.array([len(x) for x in blocks.lines] * 2, dtype=float)
    rows = HtmlStageRows(proba, chars, structure, container, np.array([0, n, 2 * n]))
    chunks = list(rows.chunks(8))
    assert len(chunks) >= 3  # the second page starts inside a chunk
    whole = html_stage_matrix(proba, chars, structure, container, np.array([0, n, 2 * n]))
    assert np.concatenate([m for _, m in chunks]).tobytes() == whole.tobytes()


class _EchoStage:
    """Stands for an HTML stage that returns the text probabilities it is given."""

    def __init__(self, model):
        self.model = model  # the real stage's trees: the scorer checks their width

    def probabilities(self, documents, proba, html, offsets):
        return proba


def test_the_html_stage_reads_the_probabilities_of_its_own_calibration(html_model_path, news_page):
    model, metadata = load_model(html_model_path)
    # Trained with a weaker chain for text output than for the HTML stage's input.
    assert metadata["params"]["smoothing"] < metadata["params"]["html_smoothing"]
    assert model.html_calibration.stay > model.calibration.stay
    html, lines, _ = news_page(30)
    blocks = html_blocks(html)
    structure = [(blocks.structure, blocks.container)]
    offsets = document_offsets([lines])
    raw, _ = model.text.scores([lines], offsets, False)
    for_html = model.html_calibration.probabilities(raw, offsets)
    for_text = model.calibration.probabilities(raw, offsets)
    assert not np.allclose(for_html, for_text)

    echo = dataclasses.replace(model, html_stage=_EchoStage(model.html_stage.model))
    as_html = echo.score_documents([lines], with_kinds=False, html=structure)[0].proba
    np.testing.assert_allclose(as_html, for_html)
    np.testing.assert_allclose(echo.score_documents([lines], with_kinds=False)[0].proba, for_text)
    # A model without its own (files before 0.9.0) feeds the stage the text calibration.
    older = dataclasses.replace(echo, html_calibration=None)
    np.testing.assert_allclose(
        older.score_documents([lines], with_kinds=False, html=structure)[0].proba, for_text
    )

"""The fitted paysieve model: scores every line of a document with numpy alone.

A ``LineScorer`` is the finished model, what a model file holds and what prediction runs:
the text model (``paysieve.model.text_model``: featurizer, line-alone stage, context
stage, kind model), the score calibration (``paysieve.model.score_calibration``: maps,
smoothing, threshold) and, when it was trained on pages with their HTML, the HTML stage
(``paysieve.model.html_stage``). It is immutable and built complete, in one place: the
training pipeline ``paysieve.training.line_classifier.LineClassifier`` constructs it once
every part is fitted. All parts are plain arrays, so loading and predicting import neither
scikit-learn nor scipy (they would take most of a cold start), and a model file can be
unpickled from an allowlist of paysieve and numpy classes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from paysieve.model.feature_schema import FeatureSchema
from paysieve.model.html_stage import HtmlStage, HtmlStructure
from paysieve.model.paywall_rule import PaywallRule
from paysieve.model.score_calibration import ScoreCalibration
from paysieve.model.text_model import TextModel, document_offsets


@dataclass(frozen=True)
class DocumentScores:
    """Model output for one document: per-line boilerplate probability and kind probabilities.

    ``kind_proba`` has one column per name in ``LineScorer.kind_classes_`` (None when the
    model has no kind model).
    """

    proba: np.ndarray
    kind_proba: np.ndarray | None


@dataclass(frozen=True, eq=False)
class LineScorer:
    """Boilerplate probability (and kind) of every line of a document.

    ``html_stage`` None: the model rescores no HTML input (it was trained without pages
    with their HTML). ``html_calibration`` turns the text model's scores into the
    probabilities the HTML stage reads, when it was fitted on other ones than
    ``calibration`` gives (another smoothing strength); None: ``calibration``.
    """

    text: TextModel
    calibration: ScoreCalibration
    html_stage: HtmlStage | None = None
    # The document paywall rule (``paysieve.training.verdict_fit``); None: the default rule.
    paywall_rule: PaywallRule | None = None
    html_calibration: ScoreCalibration | None = None

    def __post_init__(self) -> None:
        mismatches = self.schema_mismatches(self.feature_schema())
        if mismatches:
            raise ValueError(
                "the model's parts do not read the features of this code: " + "; ".join(mismatches)
            )

    @property
    def threshold_(self) -> float:
        """Boilerplate probability at or above which a line is labelled boilerplate."""
        return self.calibration.threshold

    @property
    def kind_classes_(self) -> tuple[str, ...]:
        """The boilerplate kinds the kind model names (empty without one)."""
        return self.text.kind_classes

    def score_documents(
        self,
        documents: Sequence[Sequence[str]],
        with_kinds: bool = True,
        html: Sequence[HtmlStructure] | None = None,
    ) -> list[DocumentScores]:
        """Final boilerplate probabilities and (``with_kinds``) kind probabilities, one entry
        per document. ``html``, one (structure, container) per document (the documents are
        then the block lines of HTML pages, see ``paysieve.documents.html_lines.HtmlBlocks``),
        lets the HTML stage rescore the lines when the model has one."""
        offsets = document_offsets(documents)
        raw, kind_proba = self.text.scores(documents, offsets, with_kinds)
        if html is not None and self.html_stage is not None and len(raw):
            stage_input = (self.html_calibration or self.calibration).probabilities(raw, offsets)
            proba = self.html_stage.probabilities(documents, stage_input, html, offsets)
        else:
            proba = self.calibration.probabilities(raw, offsets)
        return [
            DocumentScores(proba[a:b], None if kind_proba is None else kind_proba[a:b])
            for a, b in pairwise(offsets)
        ]

    def predict_proba_lines(self, documents: Sequence[Sequence[str]]) -> list[np.ndarray]:
        """Calibrated boilerplate probability of every line, one array per document."""
        return [d.proba for d in self.score_documents(documents, with_kinds=False)]

    def feature_schema(self) -> FeatureSchema:
        """The feature schema this model reads under the running code (what a model file
        records, see ``paysieve.model.feature_schema``)."""
        return FeatureSchema.of_code(self.text.featurizer.n_features, self.html_stage is not None)

    def schema_mismatches(self, schema: FeatureSchema) -> list[str]:
        """Where the parts of this model read another number of columns than ``schema``
        says (empty when they all agree)."""
        sizes = self.text.input_sizes()
        if self.html_stage is not None:
            sizes["html"] = self.html_stage.model.n_features
        expected = schema.sizes()
        found = [
            f"{part}: {n} columns, the schema says {expected.get(part, 'none')}"
            for part, n in sizes.items()
            if expected.get(part) != n
        ]
        if "html" in expected and "html" not in sizes:
            found.append("html: the schema has HTML features, the model no HTML stage")
        return found

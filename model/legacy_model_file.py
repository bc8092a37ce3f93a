"""Model files of format 3 (paysieve 0.3 to 0.7): read into today's ``LineScorer``.

Those files pickled a mutable ``LineScorer`` (featurizer, stage models, kind model and
names, a ``ScoreCalibration`` whose maps and threshold were set after construction, and
optionally ``html_model`` and ``html_calibrator``) and recorded no feature schema. Their
``LineScorer`` and ``ScoreCalibration`` unpickle into the plain holders below
(``FORMAT_3_CLASSES``, handed to ``paysieve.model.safe_unpickler.safe_loads``), and
``scorer_from_format_3`` builds the immutable model from what they hold; the other classes
(featurizer, linear model, tree ensemble, calibration map) are unchanged since.

Their features are taken to be those of paysieve 0.7 (``FORMAT_3_FEATURE_NAMES``, the
schema format 3 files would have recorded): once the code computes other features, such a
file is refused with a request to retrain. A file of an earlier 0.x with other features
has parts of other sizes (refused as well) or, at equal sizes, fails the self-check that
loading runs for files of other paysieve versions.
"""

from __future__ import annotations

from typing import Any

from paysieve.model.feature_schema import FeatureSchema
from paysieve.model.html_stage import HtmlStage
from paysieve.model.line_scorer import LineScorer
from paysieve.model.score_calibration import ScoreCalibration
from paysieve.model.text_model import TextModel

FORMAT_3_VERSION = 3


class Format3Object:
    """What a format-3 file pickled of a class whose layout has changed since: its state."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.state = state

    def get(self, name: str, default: Any = None) -> Any:
        return self.state.get(name, default)

    def require(self, name: str) -> Any:
        if name not in self.state:
            raise ValueError(f"{type(self).__name__} without {name}")
        return self.state[name]


class Format3Scorer(Format3Object):
    """A format-3 ``LineScorer``."""


class Format3Calibration(Format3Object):
    """A format-3 ``ScoreCalibration``."""


FORMAT_3_CLASSES: dict[tuple[str, str], type] = {
    ("paysieve.model.line_scorer", "LineScorer"): Format3Scorer,
    ("paysieve.model.score_calibration", "ScoreCalibration"): Format3Calibration,
}

# The feature names of paysieve 0.7, the last version that wrote format 3.
FORMAT_3_FEATURE_NAMES: dict[str, tuple[str, ...]] = {
    "shape": (
        "log_chars", "log_words", "mean_word_len", "digit_share", "upper_share",
        "punct_share", "cjk_share", "ends_terminal", "starts_upper", "title_case_share",
        "has_currency", "has_price", "has_url", "separator_share", "is_short", "is_long",
    ),
    "context": (
        "p", "logit", "p-3", "p-2", "p-1", "p+1", "p+2", "p+3",
        "mean_p_w2", "mean_p_w5", "mean_p_w10", "min_p_w3", "max_p_w3",
        "shape_log_chars", "shape_log_words", "shape_mean_word_len", "shape_digit_share",
        "shape_upper_share", "shape_punct_share", "shape_cjk_share", "shape_ends_terminal",
        "shape_starts_upper", "shape_title_case_share", "shape_has_currency",
        "shape_has_price", "shape_has_url", "shape_separator_share", "shape_is_short",
        "shape_is_long", "chars-1", "chars+1", "terminal-1", "terminal+1",
        "rel_pos", "log_n_lines", "log_from_start", "log_to_end",
        "content_mass_before", "content_mass_after", "log_content_before",
        "log_content_after", "in_main_run", "signed_dist_main_run", "main_run_share",
        "log_dup_count", "doc_mean_p", "doc_content_share",
    ),
    "html": (
        "p", "logit", "p-1", "p+1", "p-2", "p+2", "log_chars",
        "container_line_share", "container_char_share", "container_mean_p",
        "container_char_weighted_p", "container_link_share",
        "link_share", "block_category", "depth", "boilerplate_hints", "content_hints",
        "in_nav", "in_header", "in_footer", "in_aside", "in_form", "in_article", "in_main",
        "in_figure", "in_table", "in_list", "hidden",
    ),
}  # fmt: skip


def format_3_schema(legacy: Any) -> FeatureSchema:
    """The schema a format-3 file would have recorded for its unpickled payload ``legacy``:
    paysieve 0.7's features, the file's hashing space, the HTML features when it has an
    HTML stage. ValueError when the payload is not a format-3 scorer."""
    scorer = _scorer(legacy)
    names = FORMAT_3_FEATURE_NAMES
    return FeatureSchema(
        scorer.require("featurizer").n_features,
        names["shape"],
        names["context"],
        names["html"] if scorer.get("html_model") is not None else None,
    )


def scorer_from_format_3(legacy: Any) -> LineScorer:
    """Today's ``LineScorer`` from the unpickled payload ``legacy`` of a format-3 file;
    ValueError when it is not a format-3 scorer or its parts do not fit together."""
    scorer = _scorer(legacy)
    calibration = scorer.require("calibration")
    if not isinstance(calibration, Format3Calibration):
        raise ValueError("the line scorer holds no score calibration")
    html_model = scorer.get("html_model")
    text = TextModel(
        featurizer=scorer.require("featurizer"),
        line_model=scorer.require("line_model"),
        context_model=scorer.require("context_model"),
        kind_model=scorer.get("kind_model"),
        kind_classes=tuple(scorer.require("kind_classes_")),
    )
    return LineScorer(
        text,
        ScoreCalibration(
            stay=calibration.require("stay"),
            prior=calibration.require("prior"),
            smoothing=calibration.require("smoothing"),
            # Files saved before it existed let context decide every line.
            line_certainty=calibration.get("line_certainty"),
            calibrator=calibration.require("calibrator"),
            output_calibrator=calibration.get("output_calibrator"),
            threshold=calibration.require("threshold"),
        ),
        None if html_model is None else HtmlStage(html_model, scorer.require("html_calibrator")),
    )


def _scorer(legacy: Any) -> Format3Scorer:
    if not isinstance(legacy, Format3Scorer):
        raise ValueError("the file holds no paysieve line scorer")
    return legacy

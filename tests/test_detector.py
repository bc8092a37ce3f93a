from pathlib import Path

import numpy as np
import pytest
from paysieve.inference.detector import split_text

from paysieve import (
    Detector,
    DocumentPrediction,
    InputError,
    ModelFileError,
    PaysieveError,
    UnknownKindError,
)

EXAMPLE = Path(__file__).parents[1] / "examples" / "article.txt"
ARTICLE = [
    "Library reopens after flood repairs",
    "The central library reopened on Monday after six months of repairs to its flooded basement.",
    "Staff moved more than twenty thousand books to a warehouse while the building dried out.",
    '"We are thrilled to welcome readers back," said head librarian Ana Costa.',
]
TAIL = [
    "This article is for subscribers only.",
    "Choose your plan",
    "Digital",
    "$4.99 per month",
    "Cancel anytime",
    "Subscribe now",
    "Already a subscriber? Sign in",
]


@pytest.fixture(scope="module")
def default_detector() -> Detector:
    return Detector()


def test_default_model_cleans_the_example(default_detector):
    text = EXAMPLE.read_text(encoding="utf-8")
    result = default_detector.predict_text(text)
    lines = text.splitlines()
    first_tail = lines.index(
        "This story was provided by the Coastal News Agency and is "
        "republished under a syndication agreement."
    )
    labels = result.labels
    assert labels[1:first_tail].count("content") >= first_tail - 2
    assert set(labels[first_tail:]) == {"boilerplate"}
    assert "Subscribe now" not in default_detector.clean(text)
    assert default_detector.metadata["trained_on"]


def test_default_model_removes_advertisement_markers_between_paragraphs(default_detector):
    # The context says "article" around these lines; their own text settles them.
    paragraphs = [
        "The council voted on Tuesday to approve the new budget for the harbour district.",
        "Residents who attended the meeting said the plan would fix the flooding on Quay Street.",
        "The mayor said work would begin in the spring and take about two years to finish.",
        "Critics argued that the cost was far higher than the council had first promised.",
    ]
    lines = [paragraphs[0], "Advertisement", *paragraphs[1:3], "Advertisement", paragraphs[3]]
    labels = default_detector.predict_lines(lines).labels
    assert labels == ["content", "boilerplate", "content", "content", "boilerplate", "content"]


def test_small_model_removes_a_paywall_tail(small_model_path):
    result = Detector(small_model_path).predict_lines(ARTICLE + TAIL)
    assert isinstance(result, DocumentPrediction)
    assert result.labels[-len(TAIL) :] == ["boilerplate"] * len(TAIL)
    assert result.labels[1 : len(ARTICLE)].count("content") == len(ARTICLE) - 1
    assert [p.label for p in result] == result.labels
    assert result.kept_lines == [
        line for line, lab in zip(ARTICLE + TAIL, result.labels) if lab == "content"
    ]


def test_predict_many_matches_one_by_one(small_model_path):
    detector = Detector(small_model_path)
    docs = [ARTICLE + TAIL, TAIL, ARTICLE, []]
    together = detector.predict_many(docs)
    for doc, res in zip(docs, together):
        alone = detector.predict_lines(doc)
        assert np.allclose(alone.scores, res.scores)
    assert len(together[3]) == 0 and together[3].text == ""


def test_clean_keeps_kept_lines_byte_for_byte(small_model_path):
    detector = Detector(small_model_path)
    text = "\r\n".join(ARTICLE) + "\r\n\r\n" + "\n".join(TAIL)
    result = detector.predict_text(text)
    cleaned = result.text
    for line, label in zip(result.lines, result.labels):
        if label == "content":
            assert line + "\r\n" in cleaned
    assert cleaned.replace("\r\n", "") == "".join(result.kept_lines)
    assert "\n" not in cleaned.replace("\r\n", "")


def test_split_text_handles_every_line_break():
    lines, ends = split_text("a\r\nb\rc\u2028d\x85e")
    assert lines == ["a", "b", "c", "d", "e"]
    assert ends == ["\r\n", "\r", "\u2028", "\x85", ""]


def test_blank_lines_survive_only_inside_kept_text(small_model_path):
    detector = Detector(small_model_path)
    doc = [ARTICLE[1], "", ARTICLE[2], "  ", *TAIL]
    result = detector.predict_lines(doc)
    assert result.labels[1] == "content"
    assert result.labels[3] == "boilerplate"


def test_threshold_trades_removal_for_recall(small_model_path):
    doc = ARTICLE + TAIL
    keep_all = Detector(small_model_path, threshold=1.0).predict_lines(doc)
    drop_all = Detector(small_model_path, threshold=0.0).predict_lines(doc)
    assert all(lab == "content" for lab in keep_all.labels[: len(ARTICLE)])
    assert set(drop_all.labels) == {"boilerplate"}
    with pytest.raises(InputError, match="threshold"):
        Detector(small_model_path, threshold=1.5)


def test_errors_share_one_root(tmp_path, small_model_path):
    with pytest.raises(ModelFileError) as info:
        Detector(tmp_path / "nope.joblib")
    assert isinstance(info.value, PaysieveError)
    with pytest.raises(InputError, match="string"):
        Detector(small_model_path).predict_many([["ok", 3]])
    with pytest.raises(InputError, match="list of lines"):
        Detector(small_model_path).predict_many(["a whole text"])
    with pytest.raises(InputError, match="must be a string"):
        Detector(small_model_path).predict_texts([b"bytes"])


def test_model_views_only_rewrite_lines_the_model_cannot_read():
    from paysieve.inference.detector import MODEL_LINE_CHARS, model_views

    clean = [["Plain text.", "Café au lait"], ["日本語"]]
    assert all(a is b for a, b in zip(model_views(clean), clean))
    odd = [["ok", "a\ud800b"], ["x" * (MODEL_LINE_CHARS + 5)], ["fine"]]
    assert model_views(odd) == [["ok", "a\ufffdb"], ["x" * MODEL_LINE_CHARS], ["fine"]]


NAV = ["Home", "News", "Sport"]


def test_drop_and_keep_take_kinds_groups_and_comma_separated_names(small_model_path):
    result = Detector(small_model_path).predict_lines(NAV + ARTICLE + TAIL)
    kinds = dict(zip(result.lines, result.kinds))
    assert kinds["Home"] == "navigation" and kinds["Choose your plan"] in ("pricing", "paywall")
    subscription = ["paywall", "pricing", "account", "newsletter"]
    assert result.cleaned(drop="subscription") == result.cleaned(drop=subscription)
    by_group = result.cleaned(drop="subscription").splitlines()
    assert by_group[: len(NAV)] == NAV and "Choose your plan" not in by_group
    assert result.cleaned(drop=" paywall,pricing ") == result.cleaned(drop={"paywall", "pricing"})
    kept_links = result.cleaned(keep="links").splitlines()
    assert kept_links[: len(NAV)] == NAV and "Subscribe now" not in kept_links


@pytest.mark.parametrize("names", [{"paywal"}, "paywall,adverts", ["links", "nope"]])
def test_unknown_kind_names_are_refused(small_model_path, names):
    result = Detector(small_model_path).predict_lines(ARTICLE + TAIL)
    with pytest.raises(UnknownKindError, match="unknown kind"):
        result.cleaned(drop=names)
    with pytest.raises(UnknownKindError, match="unknown kind"):
        result.removed(keep=names)


def test_choosing_kinds_without_a_kind_model_is_an_error():
    prediction = DocumentPrediction(("Text.", "Menu"), np.array([0.1, 0.9]), 0.5)
    assert prediction.cleaned() == "Text.\n"
    with pytest.raises(InputError, match="names no kinds"):
        prediction.cleaned(drop="navigation")

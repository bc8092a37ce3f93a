"""The feature schema of a model: the columns each of its stages reads, by name and size.

A fitted model is arrays of weights over feature columns; it is only meaningful together
with the code that computes those columns. The model file records the schema it was
trained with (``paysieve.model.persistence``), and loading compares it with the schema of
the running code, ``FeatureSchema.of_code``: a model trained on other features is refused
with a request to retrain instead of failing at prediction time on a matrix of the wrong
width (or, worse, predicting from columns that mean something else).

The stages and their columns:

- ``tokens``: the hashed token features (``paysieve.model.token_hashing``), a hashing
  space of ``token_hashing_dims`` columns without names;
- ``shape``: the shape features of a line (``paysieve.model.line_shape``); the line-alone
  stage and the kind model read the columns ``[tokens | shape]``;
- ``context``: the context features of the second stage
  (``paysieve.model.context_features``);
- ``html``: the features of the HTML stage (``paysieve.model.html_features``), only for a
  model that has one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from paysieve.model.context_features import CONTEXT_FEATURE_NAMES
from paysieve.model.html_features import HTML_STAGE_FEATURE_NAMES
from paysieve.model.line_shape import SHAPE_FEATURE_NAMES

NAMED_STAGES = ("shape", "context", "html")


@dataclass(frozen=True)
class FeatureSchema:
    """Names of the feature columns of every stage (``html`` None: no HTML stage)."""

    token_hashing_dims: int
    shape: tuple[str, ...]
    context: tuple[str, ...]
    html: tuple[str, ...] | None = None

    @classmethod
    def of_code(cls, token_hashing_dims: int, html: bool) -> FeatureSchema:
        """The schema the running code computes, for a hashing space of
        ``token_hashing_dims`` columns, with the HTML stage's features when ``html``."""
        return cls(
            token_hashing_dims,
            SHAPE_FEATURE_NAMES,
            CONTEXT_FEATURE_NAMES,
            HTML_STAGE_FEATURE_NAMES if html else None,
        )

    def sizes(self) -> dict[str, int]:
        """Columns each model part reads: ``tokens`` (the featurizer), ``line`` and ``kind``
        (tokens and shape), ``context`` and (with an HTML stage) ``html``."""
        line = self.token_hashing_dims + len(self.shape)
        sizes = {"tokens": self.token_hashing_dims, "line": line, "kind": line}
        sizes["context"] = len(self.context)
        if self.html is not None:
            sizes["html"] = len(self.html)
        return sizes

    def to_dict(self) -> dict[str, Any]:
        """Plain data for a model file: per stage its size and (but tokens) its names."""
        data: dict[str, Any] = {"tokens": {"size": self.token_hashing_dims}}
        for stage in NAMED_STAGES:
            names = getattr(self, stage)
            if names is not None:
                data[stage] = {"size": len(names), "names": list(names)}
        return data

    @classmethod
    def from_dict(cls, data: Any) -> FeatureSchema:
        """The schema ``to_dict`` wrote; ValueError when ``data`` is not one."""
        if not isinstance(data, dict):
            raise ValueError("the feature schema is not a mapping")
        dims = (data.get("tokens") or {}).get("size")
        if not isinstance(dims, int) or dims <= 0:
            raise ValueError("the feature schema has no token hashing size")
        names: dict[str, tuple[str, ...] | None] = {}
        for stage in NAMED_STAGES:
            entry = data.get(stage)
            if entry is None and stage == "html":
                names[stage] = None
                continue
            listed = entry.get("names") if isinstance(entry, dict) else None
            if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
                raise ValueError(f"the feature schema has no {stage} feature names")
            if entry.get("size") != len(listed):
                raise ValueError(f"the feature schema's {stage} size is not its number of names")
            names[stage] = tuple(listed)
        return cls(dims, names["shape"], names["context"], names["html"])

    def differences(self, code: FeatureSchema) -> list[str]:
        """How the features of the running ``code`` differ from these (a model file's), one
        phrase per stage that differs; empty when the model reads what the code computes."""
        found = []
        for stage in NAMED_STAGES:
            mine, theirs = getattr(self, stage), getattr(code, stage)
            if mine == theirs:
                continue
            if mine is None or theirs is None:
                found.append(f"{stage} features: {_count(mine)} in the file, {_count(theirs)} here")
                continue
            added = [n for n in theirs if n not in mine]
            removed = [n for n in mine if n not in theirs]
            if not added and not removed:
                found.append(f"{stage} features: the same names in another order")
                continue
            change = [f"new here: {', '.join(added)}"] if added else []
            change += [f"gone here: {', '.join(removed)}"] if removed else []
            found.append(
                f"{stage} features: {len(mine)} in the file, {len(theirs)} here "
                f"({'; '.join(change)})"
            )
        if self.token_hashing_dims != code.token_hashing_dims:
            found.append(
                f"token hashing: {self.token_hashing_dims} columns in the file, "
                f"{code.token_hashing_dims} here"
            )
        return found


def _count(names: tuple[str, ...] | None) -> str:
    return "none" if names is None else str(len(names))

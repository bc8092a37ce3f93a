"""Reading labelled documents: our JSON Lines format and the real-page benchmark files.

One document per JSON line: ``{"id", "lines": [str], "labels": ["content"|"boilerplate"|
null], "kinds": [null|kind]}``, read like every JSON Lines input
(``paysieve.documents.reading.read_json_lines``: gzip read transparently, invalid UTF-8 an
error naming the line and byte offset); extra fields (``slices``, ``url``, ``lang``,
``source``...) are kept. ``null`` labels mean "unsure": those lines stay in
the document as context but are never trained on or scored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

from paysieve.documents.reading import read_json_lines
from paysieve.errors import InputError
from paysieve.labels import LABEL_CODES, UNKNOWN

# Second-level labels under which a registered domain has three parts (news.bbc.co.uk).
_SECOND_LEVEL = {"co", "com", "org", "net", "gov", "ac", "edu", "ne", "or", "go", "gob", "nic"}


class LabeledDataError(InputError):
    """A labelled data file that cannot be read, with the file and line it failed on."""


@dataclass
class LabeledDocument:
    """One document: its lines, per-line label codes (1/0/-1) and optional kinds;
    a ``kinds_only`` document trains the kind stages and nothing else."""

    id: str
    lines: list[str]
    labels: np.ndarray
    kinds: list[str | None] | None = None
    group: str = ""
    meta: dict = field(default_factory=dict)
    # (structure, container) of the page's block lines, when its HTML is known
    # (``paysieve.training.html_stage.attach_html``).
    html: tuple[np.ndarray, np.ndarray] | None = None
    kinds_only: bool = False

    @property
    def n_scored(self) -> int:
        return int((self.labels != UNKNOWN).sum())


def site_of(record: dict) -> str:
    """The site group of a record, so that one site never spans two folds: its ``site``
    field when it has one (the benchmark's extra pages carry their registered domain
    there, as many have no URL), else the registered domain of its URL.

    Records without either fall back to their id with numbering removed
    (``readability/nytimes-3`` -> ``nytimes``).
    """
    if record.get("site"):
        return str(record["site"])
    url = record.get("url")
    if url:
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        parts = host.split(".")
        if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL and len(parts[-1]) == 2:
            return ".".join(parts[-3:])
        return ".".join(parts[-2:])
    name = str(record.get("id", "")).rsplit("/", 1)[-1]
    return re.sub(r"-\d+$", "", name).split("-")[0].split(".")[0] or name


def document_from_record(record: dict, where: str) -> LabeledDocument:
    """Validate one labelled record and turn it into a ``LabeledDocument``."""
    lines, labels = record.get("lines"), record.get("labels")
    if not isinstance(lines, list) or not all(isinstance(s, str) for s in lines):
        raise LabeledDataError(f"{where}: 'lines' must be a list of strings")
    if not isinstance(labels, list) or len(labels) != len(lines):
        raise LabeledDataError(f"{where}: 'labels' must be a list as long as 'lines'")
    try:
        codes = np.array([LABEL_CODES[label] for label in labels], dtype=np.int64)
    except (KeyError, TypeError) as exc:
        raise LabeledDataError(
            f"{where}: labels must be 'content', 'boilerplate' or null, got {exc}"
        ) from None
    kinds = record.get("kinds")
    if kinds is not None and (not isinstance(kinds, list) or len(kinds) != len(lines)):
        raise LabeledDataError(f"{where}: 'kinds' must be a list as long as 'lines'")
    kinds_only = record.get("kinds_only", False)
    if not isinstance(kinds_only, bool):
        raise LabeledDataError(f"{where}: 'kinds_only' must be true or false")
    meta = {k: v for k, v in record.items() if k not in ("lines", "labels", "kinds", "kinds_only")}
    return LabeledDocument(
        id=str(record.get("id", where)),
        lines=lines,
        labels=codes,
        kinds=kinds,
        group=str(record.get("group") or site_of(record)),
        meta=meta,
        kinds_only=kinds_only,
    )


def iter_labeled(path: str | Path) -> Iterator[LabeledDocument]:
    """Documents of one JSON Lines file (optionally gzipped), in file order."""
    try:
        for record, where in read_json_lines(path, LabeledDataError):
            yield document_from_record(record, where)
    except LabeledDataError:
        raise
    except InputError as exc:  # the file itself: missing, binary, damaged gzip, bad UTF-8
        raise LabeledDataError(str(exc)) from None


def read_labeled(path: str | Path) -> list[LabeledDocument]:
    """All documents of one labelled JSON Lines file."""
    return list(iter_labeled(path))

"""What is written for each predicted document: the one definition of every output.

The record functions (``predicted_fields``, ``cleaned_fields``, ``output_record``) serve
the command line, the streaming API and Dask alike, so a record is the same whichever
wrote it. A writer turns the documents of one input after another into one text stream;
it keeps what spans inputs (the TSV header, document numbers, a BOM at the start):

- ``CleanedOutput``: ``paysieve clean`` (kept lines, or cleaned records);
- ``PredictedRecords``: ``paysieve predict -f jsonl``;
- ``TsvRows``: ``paysieve predict -f tsv``;
- ``LineView``: ``paysieve predict -f text``;
- ``InspectReport``: ``paysieve inspect`` (``predict_stream`` format "report").
"""

from __future__ import annotations

import json
from collections import Counter
from typing import IO

from paysieve.inference.detector import DocumentPrediction, KindNames, LinePrediction

from paysieve.documents.decoding import BOM
from paysieve.documents.reading import DocumentReader
from paysieve.documents.records import InputDocument
from paysieve.labels import BOILERPLATE_NAME

TSV_HEADER = "doc\tline\tlabel\tscore\tkind\ttext\n"
_RED_STRUCK, _GREEN, _RESET = "\x1b[31m\x1b[2m\x1b[9m", "\x1b[32m", "\x1b[0m"


def predicted_fields(doc: InputDocument, prediction: DocumentPrediction) -> dict:
    """The fields ``predict`` adds to a record: ``labels``, ``scores`` (boilerplate
    probability, 4 decimals) and, with a kind model, ``kinds`` and the ``paywall`` verdict;
    first ``lines`` when the input was a text or an HTML page (the lines that were labelled)."""
    fields: dict = {}
    if doc.record is None or doc.field == "html":
        fields["lines"] = list(prediction.lines)
    fields["labels"] = prediction.labels
    fields["scores"] = [round(s, 4) for s in prediction.scores.tolist()]
    if prediction.paywall is not None:
        fields["kinds"] = prediction.kinds
        fields["paywall"] = prediction.paywall.as_dict()
    return fields


def cleaned_fields(
    doc: InputDocument,
    prediction: DocumentPrediction,
    drop: KindNames | None = None,
    keep: KindNames | None = None,
) -> dict:
    """The fields ``clean`` sets in a record: the cleaned article in ``text`` (for a record
    given as ``lines``: the kept ``lines`` too, and ``text`` is them joined by newlines)."""
    if doc.field != "lines":
        return {"text": prediction.cleaned(drop, keep)}
    gone = prediction.removed(drop, keep)
    kept = [line for line, g in zip(prediction.lines, gone) if not g]
    return {"lines": kept, "text": "\n".join(kept)}


def output_record(doc: InputDocument, fields: dict) -> dict:
    """The input record (or, for a text or a page, a new one) with ``fields`` set; every
    other field kept where it was."""
    return {**(doc.record or {}), **fields}


def record_json(record: dict) -> str:
    """A record as written: JSON on one line, non-ASCII characters as they are."""
    return json.dumps(record, ensure_ascii=False)


def json_line(record: dict) -> str:
    """One JSON Lines line: ``record_json`` and a newline."""
    return record_json(record) + "\n"


def line_row(line: LinePrediction, color: bool = False) -> str:
    """A line as the line view shows it: ``+``/``-``, score, kind, text (removed lines
    red and struck through, kept ones green, with ``color``)."""
    boilerplate = line.label == BOILERPLATE_NAME
    row = f"{'-' if boilerplate else '+'} {line.score:.2f} {line.kind or '':<12} {line.text}"
    if not color:
        return row
    return f"{_RED_STRUCK if boilerplate else _GREEN}{row}{_RESET}"


def document_summary(name: str, prediction: DocumentPrediction) -> str:
    """``inspect``'s head of a document: name, paywall verdict, boilerplate share, kinds."""
    n = len(prediction)
    removed = int(prediction.is_boilerplate.sum())
    verdict = prediction.paywall
    if verdict is None:
        wall = "paywall: unknown (this model has no kind model)"
    elif verdict.detected:
        cut = "truncated" if verdict.truncated else "not truncated"
        wall = f"paywall: DETECTED (p={verdict.probability:.2f}), article {cut}"
    else:
        wall = f"paywall: not detected (p={verdict.probability:.2f})"
    kinds = Counter(k for k in prediction.kinds if k)
    return "\n".join(
        [
            f"== {name}",
            wall,
            f"lines: {n}, boilerplate {removed} ({removed / max(n, 1):.0%}), "
            f"content kept {n - removed}",
            "kinds: " + (", ".join(f"{k} {c}" for k, c in kinds.most_common()) or "-"),
            "--",
        ]
    )


class OutputWriter:
    """Writes predicted documents to ``out``, one input after another (``begin`` each).

    ``color`` colours the line views (red and struck through: removed; green: kept).
    """

    reader: DocumentReader

    def __init__(self, out: IO[str], color: bool = False) -> None:
        self.out = out
        self.color = color
        self.documents = 0  # written so far, over every input

    def begin(self, reader: DocumentReader) -> None:
        """The next documents come from ``reader``."""
        self.reader = reader

    def write(self, doc: InputDocument, prediction: DocumentPrediction) -> None:
        self._write(doc, prediction)
        self.documents += 1

    def _write(self, doc: InputDocument, prediction: DocumentPrediction) -> None:
        raise NotImplementedError

    def kept(self, prediction: DocumentPrediction) -> int:
        """How many of the document's lines the output keeps as content."""
        return len(prediction) - int(prediction.is_boilerplate.sum())

    def _document_id(self, doc: InputDocument) -> str:
        """A record's ``id``, else the document's number in the output (from 0)."""
        return str((doc.record or {}).get("id", self.documents))


class CleanedOutput(OutputWriter):
    """``clean``: a text's kept lines byte for byte with their line breaks (and the BOM, if
    the output starts with an input that had one); records with ``cleaned_fields``."""

    def __init__(
        self, out: IO[str], drop: KindNames | None = None, keep: KindNames | None = None
    ) -> None:
        super().__init__(out)
        self.drop, self.keep = drop, keep

    def _write(self, doc: InputDocument, prediction: DocumentPrediction) -> None:
        if self.reader.holds_records:
            fields = cleaned_fields(doc, prediction, self.drop, self.keep)
            self.out.write(json_line(output_record(doc, fields)))
            return
        if self.documents == 0 and self.reader.stats.bom:
            self.out.write(BOM)
        self.out.write(prediction.cleaned(self.drop, self.keep))

    def kept(self, prediction: DocumentPrediction) -> int:
        return len(prediction) - int(prediction.removed(self.drop, self.keep).sum())


class PredictedRecords(OutputWriter):
    """``predict -f jsonl``: every document as a record with ``predicted_fields``."""

    def _write(self, doc: InputDocument, prediction: DocumentPrediction) -> None:
        self.out.write(json_line(output_record(doc, predicted_fields(doc, prediction))))


class TsvRows(OutputWriter):
    """``predict -f tsv``: a header, then doc, line, label, score, kind, text per line
    (backslashes and tabs in the text escaped)."""

    def _write(self, doc: InputDocument, prediction: DocumentPrediction) -> None:
        if self.documents == 0:
            self.out.write(TSV_HEADER)
        doc_id = self._document_id(doc)
        for i, line in enumerate(prediction):
            text = line.text.replace("\\", "\\\\").replace("\t", "\\t")
            self.out.write(
                f"{doc_id}\t{i}\t{line.label}\t{line.score:.4f}\t{line.kind or ''}\t{text}\n"
            )


class LineView(OutputWriter):
    """``predict -f text``: ``line_row`` per line, each record headed by ``== id``."""

    def _write(self, doc: InputDocument, prediction: DocumentPrediction) -> None:
        if doc.record is not None:
            self.out.write(f"== {self._document_id(doc)}\n")
        self.out.writelines(line_row(line, self.color) + "\n" for line in prediction)


class InspectReport(OutputWriter):
    """``inspect``: per document ``document_summary`` (named by its record's id, or by the
    input's name for a text), its line view and a blank line."""

    def _write(self, doc: InputDocument, prediction: DocumentPrediction) -> None:
        holds_records = self.reader.holds_records
        name = self._document_id(doc) if holds_records else self.reader.source.path
        self.out.write(document_summary(name, prediction) + "\n")
        self.out.writelines(line_row(line, self.color) + "\n" for line in prediction)
        self.out.write("\n")


# What ``predict_stream`` writes, by format name ("report" is what ``paysieve inspect`` shows).
PREDICT_FORMATS: dict[str, type[OutputWriter]] = {
    "jsonl": PredictedRecords,
    "tsv": TsvRows,
    "text": LineView,
    "report": InspectReport,
}

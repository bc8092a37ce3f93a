"""The ``paysieve`` command line: a thin layer over the library API.

Exit codes: 0 success; 1 unexpected internal error; 2 bad usage or bad input (unreadable,
binary, malformed JSON Lines, bad labels); 3 model file missing or unusable; 4 output
cannot be written.
"""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path

import typer

EXIT_INPUT, EXIT_MODEL, EXIT_OUTPUT = 2, 3, 4

app = typer.Typer(
    name="paysieve",
    help="Tell article content from boilerplate (paywalls, pricing plans, sign-in prompts, "
    "menus, share bars...) in scraped web text, line by line.\n\n"
    "Exit codes: 0 ok, 2 bad input or usage, 3 model file problem, 4 output not writable.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ModelOpt = typer.Option(None, "--model", "-m", help="Model file (default: the bundled model).")
ThresholdOpt = typer.Option(
    None,
    "--threshold",
    "-t",
    min=0.0,
    max=1.0,
    help="Boilerplate-probability threshold (default: the model's). Higher keeps more lines.",
)
InputFormatOpt = typer.Option(
    "auto", "--input-format", help="auto (by name/content), text, jsonl or html."
)
OutputOpt = typer.Option(None, "--output", "-o", help="Write here instead of stdout.")


class PredictFormat(str, Enum):
    text = "text"
    tsv = "tsv"
    jsonl = "jsonl"


def _fail(message: str, code: int) -> None:
    typer.echo(f"paysieve: error: {message}", err=True)
    raise typer.Exit(code)


def _run(action):
    """Run ``action`` and turn paysieve's errors into a one-line message and exit code."""
    from model.errors import ModelFileError, PaysieveError

    try:
        return action()
    except ModelFileError as exc:
        _fail(str(exc), EXIT_MODEL)
    except PaysieveError as exc:
        _fail(str(exc), EXIT_INPUT)
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(0) from None
    except OSError as exc:
        _fail(f"{exc.filename or ''}: {exc.strerror or exc}", EXIT_OUTPUT)


def _check_output(output: str | None, inputs: list[str]) -> None:
    from model.errors import InputError

    if output and output != "-":
        for path in inputs:
            if (
                path != "-"
                and Path(path).exists()
                and Path(path).resolve() == Path(output).resolve()
            ):
                raise InputError(f"{output}: refusing to write over the input file")


def _predict(path: str, model: Path | None, threshold: float | None, input_format: str):
    from inference.detector import Detector
    from inference.documents_io import read_documents

    docs, jsonl = read_documents(path, input_format)
    detector = Detector(model, threshold)
    by_lines = [i for i, d in enumerate(docs) if d.lines is not None]
    by_text = [i for i, d in enumerate(docs) if d.lines is None]
    preds: list = [None] * len(docs)
    for i, p in zip(by_lines, detector.predict_many(docs[i].lines for i in by_lines)):
        preds[i] = p
    for i, p in zip(by_text, detector.predict_texts(docs[i].text for i in by_text)):
        preds[i] = p
    return docs, preds, jsonl


@app.command()
def clean(
    file: str = typer.Argument(
        ..., help="Input file: plain text, HTML or JSON Lines (.gz ok); - for stdin."
    ),
    output: str | None = OutputOpt,
    model: Path | None = ModelOpt,
    threshold: float | None = ThresholdOpt,
    input_format: str = InputFormatOpt,
) -> None:
    """Write the article with its boilerplate lines removed.

    JSON Lines records get the cleaned article in "text" (and, for records given as
    "lines", only the kept lines in "lines").
    """

    def action() -> None:
        from inference.documents_io import cleaned_record, open_output

        _check_output(output, [file])
        docs, preds, jsonl = _predict(file, model, threshold, input_format)
        with open_output(output) as out:
            if not jsonl:
                out.write(preds[0].text)
                return
            for doc, pred in zip(docs, preds):
                record = cleaned_record(doc, pred.kept_lines, pred.text)
                out.write(json.dumps(record, ensure_ascii=False) + "\n")

    _run(action)


@app.command()
def predict(
    file: str = typer.Argument(
        ..., help="Input file: plain text, HTML or JSON Lines (.gz ok); - for stdin."
    ),
    fmt: PredictFormat = typer.Option(PredictFormat.text, "--format", "-f", help="Output format."),
    output: str | None = OutputOpt,
    model: Path | None = ModelOpt,
    threshold: float | None = ThresholdOpt,
    input_format: str = InputFormatOpt,
    color: bool | None = typer.Option(
        None, "--color/--no-color", help="Colour the text view (default: on a terminal)."
    ),
) -> None:
    """Show every line's label and boilerplate probability.

    text: one line per input line, removed lines marked (and coloured on a terminal);
    tsv: doc, line, label, score, text; jsonl: the records with "labels" and "scores"
    added (plain-text input gives one record with "lines", "labels", "scores").
    """

    def action() -> None:
        from inference.documents_io import open_output, predicted_record

        _check_output(output, [file])
        docs, preds, _ = _predict(file, model, threshold, input_format)
        use_color = color if color is not None else (output in (None, "-") and sys.stdout.isatty())
        with open_output(output) as out:
            if fmt is PredictFormat.tsv:
                out.write("doc\tline\tlabel\tscore\ttext\n")
            for n, (doc, pred) in enumerate(zip(docs, preds)):
                if fmt is PredictFormat.jsonl:
                    record = predicted_record(doc, pred.labels, pred.scores.tolist())
                    if doc.record is None:
                        record["lines"] = list(pred.lines)
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    continue
                doc_id = str((doc.record or {}).get("id", n))
                if fmt is PredictFormat.text and doc.record is not None:
                    out.write(f"== {doc_id}\n")
                for i, line in enumerate(pred):
                    if fmt is PredictFormat.tsv:
                        safe = line.text.replace("\\", "\\\\").replace("\t", "\\t")
                        out.write(f"{doc_id}\t{i}\t{line.label}\t{line.score:.4f}\t{safe}\n")
                    else:
                        out.write(_text_row(line, use_color) + "\n")

    _run(action)


def _text_row(line, use_color: bool) -> str:
    mark = "-" if line.label == "boilerplate" else "+"
    row = f"{mark} {line.score:.2f}  {line.text}"
    if not use_color:
        return row
    if line.label == "boilerplate":
        return typer.style(row, fg=typer.colors.RED, dim=True, strikethrough=True)
    return typer.style(row, fg=typer.colors.GREEN)


@app.command()
def train(
    data: list[Path] = typer.Argument(
        ...,
        help="Training inputs: corpus source folders (datasets/source) and/or labelled "
        "JSON Lines files (.gz ok), e.g. ../shared/benchmark/dev.jsonl.gz.",
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the model file."),
    folds: int = typer.Option(5, min=2, help="Grouped cross-validation folds."),
    copies: int = typer.Option(4, min=1, help="Composed documents per corpus article."),
    seed: int = typer.Option(20261128, help="Seed for composing corpus documents."),
    real_weight: float = typer.Option(2.0, min=0.0, help="Weight of real-page lines vs composed."),
    part: str = typer.Option(
        "all", help="Corpus part to train on: all, train (held-out kept out)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress on stderr."),
) -> None:
    """Train a model (grouped cross-validation, calibration, final fit) and report
    its cross-validated metrics."""

    def action() -> None:
        from model.persistence import save_model
        from training.fit import load_input
        from training.fit import train as fit

        def progress(msg: str) -> None:
            if not quiet:
                typer.echo(f"paysieve: {msg}", err=True)

        inputs = []
        for path in data:
            progress(f"reading {path}")
            inputs.append(load_input(path, copies=copies, seed=seed, part=part))
        result = fit(inputs, folds=folds, real_weight=real_weight, progress=progress)
        result.metadata["compose"] = {"copies": copies, "seed": seed, "part": part}
        save_model(result.model, output, result.metadata)
        typer.echo(f"model written to {output} (threshold {result.model.threshold_:.3f})")
        typer.echo(
            _metrics_table(
                result.metadata["cross_validated_metrics"], "cross-validated (grouped) metrics"
            )
        )

    _run(action)


def _metrics_table(metrics: dict, title: str) -> str:
    rows = [
        title,
        f"{'data':<48} {'lines':>7} {'C-P':>6} {'C-R':>6} {'C-F1':>6} "
        f"{'BP-P':>6} {'BP-R':>6} {'BP-F1':>6} {'acc':>6}",
    ]
    for name, m in metrics.items():
        c, b = m["content"], m["boilerplate"]
        rows.append(
            f"{name[-48:]:<48} {m['lines']:>7} {c['precision']:>6.3f} {c['recall']:>6.3f} "
            f"{c['f1']:>6.3f} {b['precision']:>6.3f} {b['recall']:>6.3f} {b['f1']:>6.3f} "
            f"{m['accuracy']:>6.3f}"
        )
    return "\n".join(rows)


@app.command()
def evaluate(
    data: list[Path] = typer.Argument(..., help="Labelled JSON Lines files or corpus folders."),
    model: Path | None = ModelOpt,
    threshold: float | None = ThresholdOpt,
    part: str = typer.Option("heldout", help="For corpus folders: heldout, train or all."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    errors: int = typer.Option(0, min=0, help="Also list the N pages with the most errors."),
) -> None:
    """Score a model on labelled data: precision/recall/F1 of both classes, accuracy,
    confusion matrix (null labels ignored)."""

    def action() -> None:
        from inference.detector import Detector
        from training.evaluation import evaluate_documents, worst_pages
        from training.fit import load_input

        detector = Detector(model, threshold)
        report, pages = {}, []
        for path in data:
            docs = load_input(path, part=part).documents
            metrics, preds = evaluate_documents(detector, docs)
            report[str(path)] = metrics
            pages += worst_pages(docs, preds, errors, detector.threshold) if errors else []
        if as_json:
            typer.echo(json.dumps(report, indent=2))
        else:
            typer.echo(_metrics_table(report, f"threshold {detector.threshold:.3f}"))
            for m_name, m in report.items():
                (cc, cb), (bc, bb) = m["confusion"]
                typer.echo(
                    f"{m_name}: confusion (true\\pred) content: {cc} kept, {cb} removed; "
                    f"boilerplate: {bc} kept, {bb} removed"
                )
        for page in sorted(pages, key=lambda p: -p["errors"])[:errors]:
            typer.echo(
                f"\n{page['id']}: {page['errors']} errors of {page['scored']} scored lines",
                err=as_json,
            )
            for row in page["lines"]:
                typer.echo(f"  {row}", err=as_json)

    _run(action)


@app.command()
def info(
    model: Path | None = ModelOpt,
    as_json: bool = typer.Option(False, "--json", help="Print the whole metadata as JSON."),
) -> None:
    """Describe a model: what it is, what it was trained on, its held-out metrics."""

    def action() -> None:
        from model.persistence import default_model_path, load_model

        _, meta = load_model(model)
        if as_json:
            typer.echo(json.dumps(meta, indent=2))
            return
        typer.echo(f"model: {model or default_model_path()}")
        typer.echo(f"threshold: {meta['threshold']:.3f}   labels: {', '.join(meta['labels'])}")
        typer.echo("written by: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()))
        typer.echo(f"trained: {meta.get('trained_at', '?')} in {meta.get('training_seconds')} s")
        for inp in meta.get("trained_on", []):
            typer.echo(
                f"  input {inp['path']}: {inp['documents']} documents, "
                f"{inp['scored_lines']} labelled lines, sha256 {inp['sha256'][:16]}"
            )
        if meta.get("cross_validated_metrics"):
            typer.echo(
                _metrics_table(meta["cross_validated_metrics"], "cross-validated (grouped) metrics")
            )

    _run(action)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()

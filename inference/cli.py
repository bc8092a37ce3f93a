"""The ``paysieve`` command line: a thin layer over the library API.

``clean`` and ``predict`` stream their input in batches (bounded memory) and write files
through a temporary file renamed over the target only on success. Exit codes are in
``EXIT_CODES_HELP``; every error is one line on stderr.
"""

from __future__ import annotations

import itertools
import json
import signal
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import IO

import typer

EXIT_INTERNAL, EXIT_INPUT, EXIT_MODEL, EXIT_OUTPUT = 1, 2, 3, 4
EXIT_NOT_FOUND, EXIT_IS_DIRECTORY, EXIT_NOT_READABLE, EXIT_SKIPPED = 5, 6, 7, 8
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 internal error; 2 bad input data or usage (binary, malformed JSON "
    "Lines record, invalid UTF-8 with --strict, writing over the input); 3 model file missing "
    "or unusable; 4 output not writable; 5 input file not found; 6 input is a directory; "
    "7 input not readable; 8 records skipped (--on-error skip without --allow-skips); "
    "130 interrupted (Ctrl-C), 143 terminated."
)

app = typer.Typer(
    name="paysieve",
    help="Tell article content from boilerplate (paywalls, pricing plans, sign-in prompts, "
    "menus, share bars...) in scraped web text, line by line.\n\n" + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from paysieve import __version__

        typer.echo(f"paysieve {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="Print the version."
    ),
) -> None:
    pass


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
OutputOpt = typer.Option(
    None, "--output", "-o", help="Write here (atomically) instead of stdout; .gz compresses."
)
FileArg = typer.Argument(
    ..., help="Input file: plain text, HTML or JSON Lines (.gz ok); - for stdin."
)
StrictOpt = typer.Option(
    False, "--strict", help="Invalid UTF-8 is an error (file and byte offset), not replaced."
)
QuietOpt = typer.Option(False, "--quiet", "-q", help="No progress bar on stderr.")
ColorOpt = typer.Option(
    None, "--color/--no-color", help="Colour the line view (default: on a terminal)."
)
JobsOpt = typer.Option(
    None,
    "--jobs",
    "-j",
    min=1,
    help="Worker processes, each loading the model once (default: all cores; an input of "
    "one batch runs in this process). Output order is input order.",
)
AllowSkipsOpt = typer.Option(
    False, "--allow-skips", help="Exit 0 even when --on-error skip skipped records."
)


class OnError(str, Enum):
    fail = "fail"
    skip = "skip"


OnErrorOpt = typer.Option(
    OnError.fail,
    "--on-error",
    help="Bad JSON Lines record: fail (file:line, before the output file is written) or "
    "skip it and count it (summary on stderr, exit 8 unless --allow-skips).",
)


class PredictFormat(str, Enum):
    text = "text"
    tsv = "tsv"
    jsonl = "jsonl"


def _fail(message: str, code: int) -> None:
    typer.echo(f"paysieve: error: {message}", err=True)
    raise typer.Exit(code)


def _exit_code(exc: Exception) -> int:
    from paysieve import errors

    for kind, code in (
        (errors.ModelFileError, EXIT_MODEL),
        (errors.InputNotFoundError, EXIT_NOT_FOUND),
        (errors.InputIsDirectoryError, EXIT_IS_DIRECTORY),
        (errors.InputNotReadableError, EXIT_NOT_READABLE),
        (errors.OutputError, EXIT_OUTPUT),
    ):
        if isinstance(exc, kind):
            return code
    return EXIT_INPUT


def _run(action):
    """Run ``action`` and turn paysieve's errors into a one-line message and exit code."""
    from paysieve.errors import PaysieveError

    try:
        return action()
    except PaysieveError as exc:
        _fail(str(exc), _exit_code(exc))
    except KeyboardInterrupt:
        _fail("interrupted; no output file was written", EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(0) from None
    except OSError as exc:  # writing failed midway (disk full, I/O error)
        _fail(f"{exc.filename or 'output'}: {exc.strerror or exc}", EXIT_OUTPUT)


def _output_target(file: str, output: str | None, in_place: bool) -> str | None:
    from paysieve.documents.document_io import same_file
    from paysieve.errors import InputError

    if in_place:
        if output is not None:
            raise InputError("--in-place and --output cannot be used together")
        if file == "-":
            raise InputError("--in-place needs an input file, not stdin")
        return file
    if output not in (None, "-") and file != "-" and same_file(file, output):
        raise InputError(f"{output}: refusing to write over the input file (see --in-place)")
    return output


def _report(stats, skipping: bool, allow_skips: bool) -> int:
    """Warnings and the skip summary on stderr; the exit code they call for."""
    if stats.replaced_bytes:
        typer.echo(
            f"paysieve: warning: {stats.replaced_bytes} invalid UTF-8 bytes replaced by U+FFFD "
            f"(first at {stats.first_replaced}); --strict makes this an error",
            err=True,
        )
    if skipping and stats.skipped:
        total = stats.documents + stats.skipped
        typer.echo(
            f"paysieve: skipped {stats.skipped} of {total} records; first: "
            + "; ".join(stats.skip_examples),
            err=True,
        )
        if not allow_skips:
            return EXIT_SKIPPED
    return 0


Writer = Callable[[IO[str], list, list], None]


def _stream(
    file: str,
    target: str | None,
    options: dict,
    make_writer: Callable[[object, object], Writer],
) -> int:
    """Read ``file`` in batches, predict each, write with the writer; return the exit code."""
    from paysieve.inference.batch_prediction import (
        document_batches,
        in_process,
        in_workers,
        predict_in_order,
    )
    from paysieve.inference.detector import Detector
    from paysieve.inference.progress import progress_bar

    from paysieve.documents.document_io import DocumentReader, open_output

    skipping = options["on_error"] is OnError.skip
    with DocumentReader(file, options["input_format"], options["strict"], skipping) as reader:
        target = _output_target(file, target, options.get("in_place", False))
        detector = Detector(options["model"], options["threshold"])
        with (
            open_output(target) as out,
            progress_bar(reader.source.size, options["quiet"]) as bar,
        ):
            write = make_writer(reader, detector)
            records = lines = 0
            batches = document_batches(reader)
            # Worker processes pay off only when there is more than one batch to share.
            ahead = list(itertools.islice(batches, 2))
            jobs = options.get("jobs")  # None: all cores (``in_workers`` decides)
            predictor = (
                in_workers(options["model"], options["threshold"], jobs)
                if jobs != 1 and len(ahead) > 1
                else in_process(detector)
            )
            for batch, preds in predict_in_order(itertools.chain(ahead, batches), predictor):
                write(out, batch, preds)
                records += len(batch)
                lines += sum(map(len, preds))
                bar.update(records, lines, reader.position())
        return _report(reader.stats, skipping, options["allow_skips"])


def _stream_command(
    file: str,
    target: str | None,
    options: dict,
    make_writer: Callable[[object, object], Writer],
) -> None:
    """``_stream`` as a command runs it: errors as one-line messages, its code as the exit."""
    code = _run(lambda: _stream(file, target, options, make_writer))
    if code:
        raise typer.Exit(code)


def _kinds_option(
    drop: str | None, keep: str | None, known: tuple[str, ...]
) -> tuple[set[str] | None, set[str] | None]:
    """The --drop / --keep kind sets, checked against the model's kinds."""
    from paysieve.errors import InputError

    if drop is not None and keep is not None:
        raise InputError("use either --drop or --keep, not both")
    chosen = []
    for value in (drop, keep):
        names = None if value is None else {k.strip() for k in value.split(",") if k.strip()}
        unknown = sorted((names or set()) - set(known))
        if unknown:
            raise InputError(
                f"unknown kind {', '.join(unknown)} (this model's kinds: {', '.join(known)})"
            )
        chosen.append(names)
    return chosen[0], chosen[1]


@app.command(epilog=EXIT_CODES_HELP)
def clean(
    file: str = FileArg,
    output: str | None = OutputOpt,
    in_place: bool = typer.Option(
        False, "--in-place", "-i", help="Replace the input file (atomically) with the result."
    ),
    model: Path | None = ModelOpt,
    threshold: float | None = ThresholdOpt,
    drop: str | None = typer.Option(
        None,
        "--drop",
        help="Remove only boilerplate of these kinds, comma-separated (e.g. paywall,pricing).",
    ),
    keep: str | None = typer.Option(
        None, "--keep", help="Remove all boilerplate except these kinds, comma-separated."
    ),
    input_format: str = InputFormatOpt,
    strict: bool = StrictOpt,
    on_error: OnError = OnErrorOpt,
    allow_skips: bool = AllowSkipsOpt,
    quiet: bool = QuietOpt,
    jobs: int | None = JobsOpt,
) -> None:
    """Write the article with its boilerplate lines removed.

    Plain text: the kept lines, byte for byte with their line breaks (and the BOM, if the
    input had one). JSON Lines records get the cleaned article in "text" (and, for records
    given as "lines", only the kept lines in "lines"). --drop / --keep choose which kinds
    of boilerplate go (see `paysieve info` for the model's kinds).
    """
    options = locals()

    def make_writer(reader, detector) -> Writer:
        from paysieve.documents.document_io import BOM, cleaned_record

        state = {"first": True}
        drop_kinds, keep_kinds = _kinds_option(drop, keep, detector.kinds)

        def write(out: IO[str], batch: list, preds: list) -> None:
            if not reader.is_jsonl:
                if state["first"] and reader.stats.bom:
                    out.write(BOM)
                state["first"] = False
                out.writelines(pred.cleaned(drop_kinds, keep_kinds) for pred in preds)
                return
            for doc, pred in zip(batch, preds):
                gone = pred.removed(drop_kinds, keep_kinds)
                kept = [line for line, g in zip(pred.lines, gone) if not g]
                record = cleaned_record(doc, kept, pred.cleaned(drop_kinds, keep_kinds))
                out.write(json.dumps(record, ensure_ascii=False) + "\n")

        return write

    _stream_command(file, output, options, make_writer)


@app.command(epilog=EXIT_CODES_HELP)
def predict(
    file: str = FileArg,
    fmt: PredictFormat = typer.Option(PredictFormat.text, "--format", "-f", help="Output format."),
    output: str | None = OutputOpt,
    model: Path | None = ModelOpt,
    threshold: float | None = ThresholdOpt,
    input_format: str = InputFormatOpt,
    color: bool | None = ColorOpt,
    strict: bool = StrictOpt,
    on_error: OnError = OnErrorOpt,
    allow_skips: bool = AllowSkipsOpt,
    quiet: bool = QuietOpt,
    jobs: int | None = JobsOpt,
) -> None:
    """Show every line's label, boilerplate probability and boilerplate kind.

    text: one line per input line, removed lines marked with their kind (and coloured on a
    terminal); tsv: doc, line, label, score, kind, text; jsonl: the records with "labels",
    "scores", "kinds" (null for content) and "paywall" ({"detected", "probability",
    "truncated"}) added (plain-text input gives one record with "lines" and those fields,
    one per segment of a very long text).
    """
    options = locals()
    use_color = _use_color(color, output)

    def make_writer(reader, detector) -> Writer:
        from paysieve.documents.document_io import predicted_record

        state = {"n": 0}

        def write(out: IO[str], batch: list, preds: list) -> None:
            if fmt is PredictFormat.tsv and state["n"] == 0:
                out.write("doc\tline\tlabel\tscore\tkind\ttext\n")
            for doc, pred in zip(batch, preds):
                n = state["n"]
                state["n"] += 1
                if fmt is PredictFormat.jsonl:
                    record = predicted_record(
                        doc,
                        pred.labels,
                        pred.scores.tolist(),
                        pred.kinds,
                        pred.paywall.as_dict() if pred.paywall else None,
                    )
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
                        kind = line.kind or ""
                        out.write(
                            f"{doc_id}\t{i}\t{line.label}\t{line.score:.4f}\t{kind}\t{safe}\n"
                        )
                    else:
                        out.write(_text_row(line, use_color) + "\n")

        return write

    _stream_command(file, output, options, make_writer)


@app.command(epilog=EXIT_CODES_HELP)
def inspect(
    file: str = FileArg,
    output: str | None = OutputOpt,
    model: Path | None = ModelOpt,
    threshold: float | None = ThresholdOpt,
    input_format: str = InputFormatOpt,
    color: bool | None = ColorOpt,
    strict: bool = StrictOpt,
    on_error: OnError = OnErrorOpt,
    allow_skips: bool = AllowSkipsOpt,
    quiet: bool = QuietOpt,
    jobs: int | None = JobsOpt,
) -> None:
    """Report per document: paywall verdict, boilerplate share and kinds, line view.

    The verdict says whether a paywall prompt was detected (with its probability) and
    whether the article looks truncated by it; then every line with its label and kind.
    """
    options = locals()
    use_color = _use_color(color, output)

    def make_writer(reader, detector) -> Writer:
        state = {"n": 0}

        def write(out: IO[str], batch: list, preds: list) -> None:
            for doc, pred in zip(batch, preds):
                name = (doc.record or {}).get("id", state["n"]) if reader.is_jsonl else file
                state["n"] += 1
                out.write(_inspect_report(str(name), pred) + "\n")
                out.writelines(_text_row(line, use_color) + "\n" for line in pred)
                out.write("\n")

        return write

    _stream_command(file, output, options, make_writer)


def _inspect_report(name: str, pred) -> str:
    from collections import Counter

    n = len(pred)
    removed = int(pred.is_boilerplate.sum())
    verdict = pred.paywall
    if verdict is None:
        wall = "paywall: unknown (this model has no kind model)"
    elif verdict.detected:
        cut = "truncated" if verdict.truncated else "not truncated"
        wall = f"paywall: DETECTED (p={verdict.probability:.2f}), article {cut}"
    else:
        wall = f"paywall: not detected (p={verdict.probability:.2f})"
    kinds = Counter(k for k in pred.kinds if k)
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


def _use_color(color: bool | None, output: str | None) -> bool:
    """--color/--no-color, or by default whether the lines go to a terminal."""
    return color if color is not None else (output in (None, "-") and sys.stdout.isatty())


def _text_row(line, use_color: bool) -> str:
    mark = "-" if line.label == "boilerplate" else "+"
    row = f"{mark} {line.score:.2f} {line.kind or '':<12} {line.text}"
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
        "JSON Lines files (.gz ok), e.g. ../shared/benchmark/dev.jsonl.gz. Records whose "
        "'html' holds their page, or names it beside the file or in its html/ folder, also "
        "train the HTML stage.",
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the model file."),
    folds: int = typer.Option(5, min=2, help="Grouped cross-validation folds."),
    copies: int = typer.Option(4, min=1, help="Composed documents per corpus article."),
    seed: int = typer.Option(20261128, help="Seed for composing corpus documents."),
    real_weight: float = typer.Option(2.0, min=0.0, help="Weight of real-page lines vs composed."),
    source_weight: list[str] = typer.Option(
        [],
        "--source-weight",
        metavar="SOURCE=W",
        help="Scale the weight of the real pages of one source (their 'source' field); "
        "0 leaves them out of training. Repeatable.",
    ),
    part: str = typer.Option(
        "all", help="Corpus part to train on: all, train (held-out kept out)."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress on stderr."),
) -> None:
    """Train a model and report its cross-validated metrics.

    Grouped cross-validation (by site / by article), calibration and threshold on the
    out-of-fold scores, then the final fit on everything; then, when some records bring
    their HTML page, the HTML stage on those pages.
    """

    def action() -> None:
        from paysieve.model.persistence import save_model
        from paysieve.training.fit import load_input
        from paysieve.training.fit import train as fit

        def progress(msg: str) -> None:
            if not quiet:
                typer.echo(f"paysieve: {msg}", err=True)

        weights = _source_weights(source_weight)
        inputs = []
        for path in data:
            progress(f"reading {path}")
            inputs.append(load_input(path, copies=copies, seed=seed, part=part))
        result = fit(
            inputs,
            folds=folds,
            real_weight=real_weight,
            progress=progress,
            source_weights=weights,
        )
        result.metadata["compose"] = {"copies": copies, "seed": seed, "part": part}
        save_model(result.model, output, result.metadata)
        typer.echo(f"model written to {output} (threshold {result.model.threshold_:.3f})")
        typer.echo(
            _metrics_table(
                result.metadata["cross_validated_metrics"], "cross-validated (grouped) metrics"
            )
        )
        typer.echo(_html_stage_report(result.metadata.get("html_stage")))

    _run(action)


def _source_weights(pairs: list[str]) -> dict[str, float]:
    """``SOURCE=W`` options as a dict; a malformed one is a clear input error."""
    from paysieve.errors import InputError

    weights = {}
    for pair in pairs:
        source, sep, value = pair.partition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = -1.0
        if not sep or not source or not weight >= 0:
            raise InputError(f"--source-weight {pair!r}: expected SOURCE=W with W >= 0")
        weights[source] = weight
    return weights


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


def _html_stage_report(stage: dict | None) -> str:
    """What a model's metadata says of its HTML stage."""
    if not stage:
        return "HTML stage: none (HTML input is scored by its lines alone)"
    return f"HTML stage: fitted on {stage['pages']} pages with their HTML\n" + _metrics_table(
        {"text model": stage["text_model"], "HTML stage": stage["html_stage"]},
        "on those pages, cross-validated (grouped)",
    )


@app.command()
def evaluate(
    data: list[Path] = typer.Argument(..., help="Labelled JSON Lines files or corpus folders."),
    model: Path | None = ModelOpt,
    threshold: float | None = ThresholdOpt,
    part: str = typer.Option("heldout", help="For corpus folders: heldout, train or all."),
    as_json: bool = typer.Option(False, "--json", help="Print the metrics as JSON."),
    errors: int = typer.Option(0, min=0, help="Also list the N pages with the most errors."),
    plot: Path | None = typer.Option(
        None,
        "--plot",
        help="Also draw the precision-recall curve (threshold marked) and the calibration "
        "curve of the boilerplate score to this PNG (needs matplotlib: the plot extra).",
    ),
) -> None:
    """Score a model on labelled data.

    Precision, recall and F1 of both classes, accuracy and the confusion matrix (null
    labels ignored); optionally the worst pages and a curves plot.
    """

    def action() -> None:
        from paysieve.inference.detector import Detector
        from paysieve.training.evaluation import evaluate_documents, worst_pages
        from paysieve.training.fit import load_input

        detector = Detector(model, threshold)
        report, pages, labels, scores = {}, [], [], []
        for path in data:
            docs = load_input(path, part=part).documents
            metrics, preds = evaluate_documents(detector, docs)
            report[str(path)] = metrics
            pages += worst_pages(docs, preds, errors, detector.threshold) if errors else []
            labels += [d.labels for d in docs]
            scores += preds
        if plot is not None:
            import numpy as np

            from paysieve.errors import InputError

            if not labels:
                raise InputError("no labelled documents to plot")

            from paysieve.training.evaluation_plot import plot_scores

            plot_scores(
                np.concatenate(labels),
                np.concatenate(scores),
                detector.threshold,
                plot,
                title=", ".join(p.name for p in data),
            )
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
        from paysieve.model.persistence import default_model_path, load_model

        fitted, meta = load_model(model)
        kinds = list(fitted.kind_classes_)
        if as_json:
            typer.echo(json.dumps({**meta, "kinds": kinds}, indent=2))
            return
        typer.echo(f"model: {model or default_model_path()}")
        typer.echo(f"threshold: {meta['threshold']:.3f}   labels: {', '.join(meta['labels'])}")
        typer.echo(f"boilerplate kinds: {', '.join(kinds) or '-'}")
        typer.echo("written by: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()))
        trained_with = "".join(f" with {k} {v}" for k, v in meta.get("trained_with", {}).items())
        typer.echo(
            f"trained: {meta.get('trained_at', '?')} in {meta.get('training_seconds')} s"
            + trained_with
        )
        for inp in meta.get("trained_on", []):
            typer.echo(
                f"  input {inp['path']}: {inp['documents']} documents, "
                f"{inp['scored_lines']} labelled lines, sha256 {inp['sha256'][:16]}"
            )
        if meta.get("cross_validated_metrics"):
            typer.echo(
                _metrics_table(meta["cross_validated_metrics"], "cross-validated (grouped) metrics")
            )
        typer.echo(_html_stage_report(meta.get("html_stage")))

    _run(action)


def _terminate(signum, frame) -> None:
    raise SystemExit(EXIT_TERMINATED)  # unwinds like Ctrl-C: temporary files are removed


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    app()


if __name__ == "__main__":
    main()

"""``paysieve clean``, ``predict`` and ``inspect``: the streaming API on files and stdin."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from paysieve.inference.cli.app import Command, app, run_action, warn
from paysieve.inference.cli.exit_codes import EXIT_CODES_HELP, EXIT_SKIPPED
from paysieve.inference.cli.inputs import Output, inputs, outputs
from paysieve.inference.cli.options import (
    KINDS_HELP,
    ColorOpt,
    StreamOptions,
    choice_option,
    with_stream_options,
)

if TYPE_CHECKING:
    from paysieve.inference.cli.progress import ProgressReporter
    from paysieve.inference.detector import Detector
    from paysieve.inference.streaming import SourceReport, StreamReport

# Runs the library's stream function for one output, given the keyword arguments shared
# by clean_stream and predict_stream.
StreamCall = Callable[[Output, dict[str, Any]], "StreamReport"]
PREDICT_FORMATS = ("text", "tsv", "jsonl")
STREAM_EPILOG = (
    "FILE: plain text, HTML, JSON Lines or JSON (.gz ok), any number of them; - or none "
    "reads stdin. Several inputs go into one output one after another, unless --output-dir "
    "gives each its own file.\n\n" + EXIT_CODES_HELP
)


@app.command(cls=Command, epilog=STREAM_EPILOG)
@with_stream_options
def clean(
    options: StreamOptions,
    drop: str | None = typer.Option(
        None,
        "--drop",
        metavar="KINDS",
        help="Remove only boilerplate of these kinds or groups, comma-separated. " + KINDS_HELP,
    ),
    keep: str | None = typer.Option(
        None,
        "--keep",
        metavar="KINDS",
        help="Remove all boilerplate except these kinds or groups, comma-separated.",
    ),
    in_place: bool = typer.Option(
        False, "--in-place", "-i", help="Replace each input file (atomically) with the result."
    ),
) -> None:
    """Write the articles with their boilerplate lines removed.

    Plain text: the kept lines, byte for byte with their line breaks (and the BOM, if the
    input had one). Records (JSON Lines, JSON) get the cleaned article in "text" (and, for
    records given as "lines", only the kept lines in "lines"), written as JSON Lines.
    --drop / --keep choose the kinds of boilerplate removed (`paysieve info` lists them).
    """

    def call(output: Output, settings: dict[str, Any]) -> StreamReport:
        from paysieve.inference.streaming import clean_stream

        return clean_stream(output.sources, output.target, drop=drop, keep=keep, **settings)

    def check_kinds() -> None:
        from paysieve.errors import InputError
        from paysieve.labels import UnknownKindError, expand_kinds

        if drop is not None and keep is not None:
            raise InputError("use either --drop or --keep, not both")
        for option, names in (("--drop", drop), ("--keep", keep)):
            try:
                expand_kinds(names or "")
            except UnknownKindError as exc:
                raise UnknownKindError(f"{option}: {exc}") from None

    _run_streams(options, call, cleaning=True, in_place=in_place, check=check_kinds)


@app.command(cls=Command, epilog=STREAM_EPILOG)
@with_stream_options
def predict(
    options: StreamOptions,
    fmt: str = choice_option(
        "text",
        "--format",
        "-f",
        choices=PREDICT_FORMATS,
        help="text: a line view; tsv: doc, line, label, score, kind, text; jsonl: records.",
    ),
    color: bool | None = ColorOpt,
) -> None:
    """Show every line's label, boilerplate probability and kind.

    text: one line per input line, removed lines marked with their kind (and coloured on a
    terminal); tsv: doc, line, label, score, kind, text; jsonl: the records with "labels",
    "scores", "kinds" (null for content) and "paywall" (the document's paywall verdict)
    added (plain-text input gives one record with "lines" and those fields, one per segment
    of a very long text).
    """
    use_color = _use_color(color, options)

    def call(output: Output, settings: dict[str, Any]) -> StreamReport:
        from paysieve.inference.streaming import predict_stream

        return predict_stream(
            output.sources, output.target, format=fmt, color=use_color, **settings
        )

    _run_streams(options, call)


@app.command(cls=Command, epilog=STREAM_EPILOG)
@with_stream_options
def inspect(options: StreamOptions, color: bool | None = ColorOpt) -> None:
    """Report each document's paywall verdict, kinds and lines.

    The verdict says whether a paywall prompt was detected (with its probability) and
    whether the article looks truncated by it; then every line with its label and kind.
    """
    use_color = _use_color(color, options)

    def call(output: Output, settings: dict[str, Any]) -> StreamReport:
        from paysieve.inference.streaming import predict_stream

        return predict_stream(
            output.sources, output.target, format="report", color=use_color, **settings
        )

    _run_streams(options, call)


def _use_color(color: bool | None, options: StreamOptions) -> bool:
    """--color/--no-color, or by default whether the lines go to a terminal."""
    if color is not None:
        return color
    to_stdout = options.output in (None, "-") and options.output_dir is None
    return to_stdout and sys.stdout.isatty()


def _run_streams(
    options: StreamOptions,
    call: StreamCall,
    cleaning: bool = False,
    in_place: bool = False,
    check: Callable[[], None] = lambda: None,
) -> None:
    """Plan the outputs, load the model, write every output; report, and exit with the
    code the run calls for (every error as one line)."""

    def action() -> int:
        from paysieve.inference.cli.progress import progress_bar
        from paysieve.inference.detector import Detector

        from paysieve.documents.input_source import check_input_files

        check()
        found = inputs(options)
        planned = outputs(options, found, in_place)
        check_input_files([i.path for i in found])
        if not found:  # an empty --input-dir
            if not options.quiet:
                warn(f"{options.input_dir}: no files to read")
            return 0
        detector = Detector(options.model, options.threshold)
        reports = []
        for output in planned:
            if options.output_dir is not None:
                _make_folder(Path(output.target).parent)
            with progress_bar(options.quiet) as bar:
                reports.append(call(output, _stream_settings(options, detector, bar)))
        return _report(reports, options, cleaning)

    code = run_action(action)
    if code:
        raise typer.Exit(code)


def _stream_settings(
    options: StreamOptions, detector: Detector, progress: ProgressReporter
) -> dict[str, Any]:
    """The keyword arguments ``clean_stream`` and ``predict_stream`` take from the options."""
    return {
        "detector": detector,
        "input_format": options.input_format,
        "strict": options.strict,
        "skip_bad_records": options.on_error == "skip",
        "jobs": options.jobs,
        "progress": progress,
    }


def _make_folder(folder: Path) -> None:
    """Create a folder of ``--output-dir`` (and the ones it is in)."""
    from paysieve.errors import OutputError

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot create the folder ({exc.strerror})") from None


def _report(reports: list[StreamReport], options: StreamOptions, cleaning: bool) -> int:
    """Warnings and the skip summary on stderr; the exit code they call for."""
    sources = [source for report in reports for source in report.sources]
    replaced = sum(s.read.replaced_bytes for s in sources)
    if replaced:
        first = next(s.read.first_replaced for s in sources if s.read.first_replaced)
        warn(
            f"{replaced} invalid UTF-8 bytes replaced by U+FFFD (first at {first}); "
            "--strict makes this an error"
        )
    if not options.quiet:
        for source in sources:
            empty = _empty_result(source, cleaning)
            if empty:
                warn(empty)
    skipped = sum(s.read.skipped for s in sources)
    if options.on_error == "skip" and skipped:
        total = sum(s.documents for s in sources) + skipped
        examples = [e for s in sources for e in s.read.skip_examples][:3]
        typer.echo(
            f"paysieve: skipped {skipped} of {total} records; first: " + "; ".join(examples),
            err=True,
        )
        if not options.allow_skips:
            return EXIT_SKIPPED
    return 0


def _empty_result(source: SourceReport, cleaning: bool) -> str | None:
    """What to say when a source gave nothing: no lines at all, or (``clean``) none kept."""
    if source.lines == 0:
        return f"{source.name}: no text to {'clean' if cleaning else 'label'} (empty input)"
    if cleaning and source.kept == 0:
        return f"{source.name}: nothing kept: all {source.lines} lines are boilerplate"
    return None

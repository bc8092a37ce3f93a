"""Command-line options: value parsers with plain-word errors, shared declarations, and the
options ``clean``, ``predict`` and ``inspect`` share as one typed object (``StreamOptions``).

Values are parsed here rather than by typer's own types, whose errors read like a data
validation library's; a refused value raises OptionValueError, shown as one line such as
``paysieve: error: --threshold must be between 0 and 1, got 2``.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import typer

from paysieve.labels import KIND_GROUPS, KINDS


class OptionValueError(typer.BadParameter):
    """A value an option's parser refuses; the message reads after the option's name
    ("must be between 0 and 1, got 2")."""


def probability(value: str) -> float:
    """A number between 0 and 1."""
    try:
        number = float(value)
    except ValueError:
        raise OptionValueError(f"must be a number between 0 and 1, got {value}") from None
    if not 0.0 <= number <= 1.0:
        raise OptionValueError(f"must be between 0 and 1, got {value}")
    return number


def whole_number(minimum: int) -> Callable[[str], int]:
    """A parser of whole numbers of at least ``minimum``."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise OptionValueError(f"must be a whole number, got {value}") from None
        if number < minimum:
            raise OptionValueError(f"must be at least {minimum}, got {value}")
        return number

    return parse


def non_negative_number(value: str) -> float:
    """A number of at least 0."""
    try:
        number = float(value)
    except ValueError:
        raise OptionValueError(f"must be a number, got {value}") from None
    if number < 0:
        raise OptionValueError(f"must be at least 0, got {value}")
    return number


def one_of(*choices: str) -> Callable[[str], str]:
    """A parser accepting one of ``choices``."""

    def parse(value: str) -> str:
        if value not in choices:
            raise OptionValueError(f"must be one of {', '.join(choices)}; got {value}")
        return value

    return parse


def choice_option(default: str, *names: str, choices: tuple[str, ...], help: str) -> Any:
    """An option taking one of ``choices``, listed in its metavar."""
    return typer.Option(
        default, *names, metavar=f"[{'|'.join(choices)}]", parser=one_of(*choices), help=help
    )


def cli(declaration: Any) -> Any:
    """A ``StreamOptions`` field declared on the command line by ``declaration``."""
    return cli(declaration)


KINDS_HELP = (
    f"Kinds: {', '.join(KINDS)}. Groups: "
    + "; ".join(f"{group} ({', '.join(kinds)})" for group, kinds in KIND_GROUPS.items())
    + "."
)
ModelOpt = typer.Option(
    None, "--model", "-m", metavar="PATH", help="Model file (default: the bundled model)."
)
ThresholdOpt = typer.Option(
    None,
    "--threshold",
    "-t",
    metavar="P",
    parser=probability,
    help="Boilerplate-probability threshold, 0 to 1 (default: the model's). Higher keeps "
    "more lines.",
)
QuietOpt = typer.Option(False, "--quiet", "-q", help="No progress on stderr.")
ColorOpt = typer.Option(
    None, "--color/--no-color", help="Colour the line view (default: on a terminal)."
)

INPUT_FORMATS = ("auto", "text", "jsonl", "json", "html")
ON_ERROR = ("fail", "skip")


@dataclass(frozen=True)
class StreamOptions:
    """The options of ``clean``, ``predict`` and ``inspect``: where to read and write, the
    model, and how to read (declared on the command line by ``STREAM_OPTIONS``)."""

    files: list[str] | None
    output: str | None
    output_dir: Path | None
    input_dir: Path | None
    model: Path | None
    threshold: float | None
    input_format: str
    strict: bool
    on_error: str
    allow_skips: bool
    quiet: bool
    jobs: int | None


# The command-line declaration of every StreamOptions field, in --help order.
STREAM_OPTIONS: dict[str, Any] = {
    "files": typer.Argument(None, metavar="FILE", hidden=True, show_default=False),
    "output": typer.Option(
        None,
        "--output",
        "-o",
        metavar="PATH",
        help="Write here (atomically) instead of stdout; .gz compresses.",
    ),
    "output_dir": typer.Option(
        None,
        "--output-dir",
        metavar="DIR",
        help="Write each input to a file of the same name (its relative path under "
        "--input-dir) in DIR.",
    ),
    "input_dir": typer.Option(
        None,
        "--input-dir",
        metavar="DIR",
        help="Read every file under DIR, in name order (hidden files and --output-dir left out).",
    ),
    "model": ModelOpt,
    "threshold": ThresholdOpt,
    "input_format": choice_option(
        "auto",
        "--input-format",
        choices=INPUT_FORMATS,
        help="How to read the input (auto: by name, then content). json: an array of "
        "records or one record.",
    ),
    "strict": typer.Option(
        False, "--strict", help="Invalid UTF-8 is an error (file and byte offset), not replaced."
    ),
    "on_error": choice_option(
        "fail",
        "--on-error",
        choices=ON_ERROR,
        help="Bad record: fail (file:line, before the output file is written) or skip and "
        "count it (exit 8 unless --allow-skips).",
    ),
    "allow_skips": typer.Option(
        False, "--allow-skips", help="Exit 0 even when --on-error skip skipped records."
    ),
    "quiet": typer.Option(
        False, "--quiet", "-q", help="No progress bar, no warning of an empty result."
    ),
    "jobs": typer.Option(
        None,
        "--jobs",
        "-j",
        metavar="N",
        parser=whole_number(1),
        help="Worker processes, each loading the model once (default: all cores; an input "
        "of one batch runs in this process). Output order is input order.",
    ),
}


def with_stream_options(command: Callable[..., None]) -> Callable[..., None]:
    """Declare ``command``'s first parameter, ``options: StreamOptions``, on the command line
    as the options ``StreamOptions`` declares, and call it with them as one object.

    The FILE argument comes first, then the command's own options, then the shared ones.
    """
    shared_types = typing.get_type_hints(StreamOptions)
    own_types = typing.get_type_hints(command)
    shared = [
        inspect.Parameter(
            f.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=STREAM_OPTIONS[f.name],
            annotation=shared_types[f.name],
        )
        for f in fields(StreamOptions)
    ]
    own = [
        p.replace(kind=inspect.Parameter.KEYWORD_ONLY, annotation=own_types[p.name])
        for p in list(inspect.signature(command).parameters.values())[1:]
    ]
    names = [f.name for f in fields(StreamOptions)]

    @functools.wraps(command)
    def with_options(**values: Any) -> None:
        options = StreamOptions(**{name: values.pop(name) for name in names})
        command(options, **values)

    parameters = [shared[0], *own, *shared[1:]]
    with_options.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    with_options.__annotations__ = {p.name: p.annotation for p in parameters}
    return with_options

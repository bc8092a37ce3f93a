"""From the command line's inputs and output options to the outputs to write.

Inputs are the FILE arguments ("-" is stdin), then every file under ``--input-dir``; with
neither, stdin when it is not a terminal. The output is stdout, ``--output`` (every input
into one file), ``--output-dir`` (each input into a file of its name, or of its relative
path under ``--input-dir``) or, for ``clean``, ``--in-place`` (each input replaced).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from paysieve.inference.cli.options import StreamOptions

from paysieve.errors import InputError, InputNotFoundError

STDIN = "-"


@dataclass(frozen=True)
class Output:
    """One output and the inputs written into it, in order (``target`` None: stdout)."""

    sources: tuple[str, ...]
    target: str | None


@dataclass(frozen=True)
class Input:
    """An input path and the name it is written under in ``--output-dir``."""

    path: str
    name: str


def inputs(options: StreamOptions) -> list[Input]:
    """The inputs of a run, in order; an empty ``--input-dir`` gives none."""
    found = [Input(path, Path(path).name) for path in options.files or []]
    if options.input_dir is not None:
        found += _files_under(options.input_dir, options.output_dir)
    elif not found:
        if stdin_is_terminal():
            raise InputError("no input: name files, give --input-dir DIR, or pipe text to stdin")
        found = [Input(STDIN, "")]
    if sum(i.path == STDIN for i in found) > 1:
        raise InputError("stdin (-) can be read only once")
    return found


def stdin_is_terminal() -> bool:
    """Whether stdin is a terminal (a person typing), not a pipe or a file."""
    return sys.stdin.isatty()


def _files_under(directory: Path, left_out: Path | None) -> list[Input]:
    """The files under ``directory`` in name order, but hidden ones and those in
    ``left_out`` (an output directory inside the input directory)."""
    if not directory.exists():
        raise InputNotFoundError(f"{directory}: no such directory")
    if not directory.is_dir():
        raise InputError(f"{directory}: not a directory (--input-dir)")
    skip = left_out.resolve() if left_out is not None else None
    found = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if any(part.startswith(".") for part in relative.parts) or not path.is_file():
            continue
        if skip is not None and path.resolve().is_relative_to(skip):
            continue
        found.append(Input(str(path), str(relative)))
    return found


def outputs(options: StreamOptions, found: list[Input], in_place: bool = False) -> list[Output]:
    """The outputs to write ``found`` into, as the options ask; refuses conflicting options,
    stdin where a file name is needed, two inputs meeting in one file of ``--output-dir``,
    and writing over an input without ``--in-place``."""
    from paysieve.documents.writing import same_file

    if in_place and options.output is not None:
        raise InputError("--in-place and --output cannot be used together")
    if in_place and options.output_dir is not None:
        raise InputError("--in-place and --output-dir cannot be used together")
    if options.output is not None and options.output_dir is not None:
        raise InputError("use either --output or --output-dir, not both")
    if (in_place or options.output_dir is not None) and any(i.path == STDIN for i in found):
        option = "--in-place" if in_place else "--output-dir"
        raise InputError(f"{option} needs input files, not stdin")
    if in_place:
        return [Output((i.path,), i.path) for i in found]
    if options.output_dir is None:
        planned = [Output(tuple(i.path for i in found), options.output)] if found else []
    else:
        planned = [Output((i.path,), str(options.output_dir / i.name)) for i in found]
        _refuse_shared_targets(planned)
    for output in planned:
        for source in output.sources:
            if output.target not in (None, STDIN) and same_file(source, output.target):
                raise InputError(
                    f"{output.target}: refusing to write over the input file (see --in-place)"
                )
    return planned


def _refuse_shared_targets(planned: list[Output]) -> None:
    first: dict[str, str] = {}
    for output in planned:
        source = output.sources[0]
        if output.target in first:
            raise InputError(
                f"{first[output.target]} and {source} would both be written to {output.target}"
            )
        first[output.target] = source

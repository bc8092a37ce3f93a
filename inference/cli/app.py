"""The ``paysieve`` Typer app: plain help, one-line errors, the entry point.

Every error, a usage error as much as a library error, is one line on stderr,
``paysieve: error: ...``, with the exit code of ``exit_codes``.
"""

from __future__ import annotations

import re
import signal
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import typer
from paysieve.inference.cli.exit_codes import (
    EXIT_CODES_HELP,
    EXIT_INTERRUPTED,
    EXIT_OUTPUT,
    EXIT_TERMINATED,
    EXIT_USAGE,
    exit_code_for,
)
from paysieve.inference.cli.options import OptionValueError
from typer.core import TyperCommand, TyperGroup

T = TypeVar("T")
# click's UsageError (which recent typer versions vendor): every usage error derives from it.
UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


def usage_error_line(exc: Exception) -> str:
    """A usage error in plain words on one line, pointing to the command's help."""
    param = getattr(exc, "param", None)
    if isinstance(exc, OptionValueError) and param is not None:
        names = sorted(param.opts, key=len, reverse=True)
        message = f"{names[0] if names else param.name} {exc.message}"
    else:
        message = exc.format_message()
        message = message[:1].lower() + message[1:].rstrip(".")
    ctx = getattr(exc, "ctx", None)
    where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return f"paysieve: error: {message}{where}"


class Command(TyperCommand):
    """A command whose usage line names a required argument plainly (``PATH...``, where
    typer writes ``{PATH}...``)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [re.sub(r"^\{(.*)\}", r"\1", piece) for piece in super().collect_usage_pieces(ctx)]


class OneLineErrorGroup(TyperGroup):
    """The command group, turning click's usage errors into one ``paysieve: error:`` line."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
            code = result if isinstance(result, int) else 0
        except UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # `paysieve` alone: the help
                exc.show()
            else:
                typer.echo(usage_error_line(exc), err=True)
            code = EXIT_USAGE
        if not standalone_mode:
            return code
        sys.exit(code)


app = typer.Typer(
    name="paysieve",
    cls=OneLineErrorGroup,
    help="Tell article content from boilerplate (paywalls, pricing plans, sign-in prompts, "
    "menus, share bars...) in scraped web text, line by line.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
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


def fail(message: str, code: int) -> NoReturn:
    """Exit with ``code`` after one ``paysieve: error:`` line on stderr."""
    typer.echo(f"paysieve: error: {message}", err=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    """One ``paysieve: warning:`` line on stderr."""
    typer.echo(f"paysieve: warning: {message}", err=True)


def run_action(action: Callable[[], T]) -> T:
    """Run ``action``, turning paysieve's errors into a one-line message and an exit code."""
    from paysieve.errors import PaysieveError

    try:
        return action()
    except PaysieveError as exc:
        fail(str(exc), exit_code_for(exc))
    except KeyboardInterrupt:
        fail("interrupted; no half-written output file was kept", EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.stderr.close()
        raise typer.Exit(0) from None
    except OSError as exc:  # writing failed midway (disk full, I/O error)
        fail(f"{exc.filename or 'output'}: {exc.strerror or exc}", EXIT_OUTPUT)


def _terminate(signum, frame) -> None:
    raise SystemExit(EXIT_TERMINATED)  # unwinds like Ctrl-C: temporary files are removed


def main() -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    app(prog_name="paysieve")

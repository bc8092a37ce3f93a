"""The ``paysieve`` command line: a thin layer of commands over the library.

- ``app``: the Typer app, plain help, every error as one line, the entry point ``main``;
- ``exit_codes``: the exit codes and the errors they stand for;
- ``options``: value parsers, shared options, ``StreamOptions`` (the options of the
  streaming commands as one typed object);
- ``inputs``: files, stdin and ``--input-dir`` to the outputs they are written to;
- ``stream_commands``: ``clean``, ``predict``, ``inspect`` (``paysieve.inference.streaming``);
- ``model_commands``: ``train``, ``evaluate``, ``info``;
- ``progress``: the progress bar on stderr.
"""

# The commands are listed in --help in the order they are registered.
# isort: off
from paysieve.inference.cli import stream_commands
from paysieve.inference.cli import model_commands

# isort: on
from paysieve.inference.cli.app import app, main
from paysieve.inference.cli.exit_codes import (
    EXIT_CODES_HELP,
    EXIT_INPUT,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_IS_DIRECTORY,
    EXIT_MODEL,
    EXIT_NOT_FOUND,
    EXIT_NOT_READABLE,
    EXIT_OK,
    EXIT_OUTPUT,
    EXIT_SKIPPED,
    EXIT_TERMINATED,
    EXIT_USAGE,
)

__all__ = [
    "EXIT_CODES_HELP",
    "EXIT_INPUT",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_IS_DIRECTORY",
    "EXIT_MODEL",
    "EXIT_NOT_FOUND",
    "EXIT_NOT_READABLE",
    "EXIT_OK",
    "EXIT_OUTPUT",
    "EXIT_SKIPPED",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "app",
    "main",
    "model_commands",
    "stream_commands",
]

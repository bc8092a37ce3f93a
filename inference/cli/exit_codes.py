"""The exit codes of ``paysieve`` and the library errors they stand for."""

from __future__ import annotations

EXIT_OK, EXIT_INTERNAL, EXIT_INPUT, EXIT_MODEL, EXIT_OUTPUT = 0, 1, 2, 3, 4
EXIT_NOT_FOUND, EXIT_IS_DIRECTORY, EXIT_NOT_READABLE, EXIT_SKIPPED = 5, 6, 7, 8
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
EXIT_USAGE = EXIT_INPUT
EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 internal error; 2 bad input data or usage (binary, malformed JSON "
    "Lines record, invalid UTF-8 with --strict, writing over the input, a bad option); 3 model "
    "file missing or unusable; 4 output not writable; 5 input file not found; 6 input is a "
    "directory; 7 input not readable; 8 records skipped (--on-error skip without "
    "--allow-skips); 130 interrupted (Ctrl-C), 143 terminated."
)


def exit_code_for(exc: Exception) -> int:
    """The exit code of a library error (bad input, the default, is ``EXIT_INPUT``)."""
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

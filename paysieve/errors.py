"""The paysieve exception hierarchy: every error the library raises derives from one root.

::

    PaysieveError                  root; the message is one clear line
    ├── ModelFileError             model file missing, truncated, corrupted or foreign
    │   ├── UnsafeModelError       the file needs a Python global outside the allowlist
    │   └── ModelVersionError      written by other versions and not loadable/identical here
    ├── InputError (ValueError)    input that cannot be read as paysieve input
    │   ├── InputFileError         the input path itself: base of the three below
    │   │   ├── InputNotFoundError
    │   │   ├── InputIsDirectoryError
    │   │   └── InputNotReadableError
    │   ├── NotTextError           binary data (NUL bytes, images, unnamed gzip...)
    │   ├── InvalidEncodingError   invalid UTF-8 under strict decoding (file and byte offset)
    │   └── RecordError            a bad JSON Lines record (file:line and the reason)
    └── OutputError                the output path cannot be written
"""

from __future__ import annotations


class PaysieveError(Exception):
    """Root of every error paysieve raises on purpose; the message is one clear line."""


class ModelFileError(PaysieveError):
    """A model file that is missing, truncated, corrupted, foreign or of another version."""


class UnsafeModelError(ModelFileError):
    """A model file whose unpickling needs a global that is not on the allowlist.

    ``refused`` is the ``(module, name)`` pair that was refused.
    """

    def __init__(self, message: str, refused: tuple[str, str]) -> None:
        super().__init__(message)
        self.refused = refused


class ModelVersionError(ModelFileError):
    """A model written by other paysieve / scikit-learn / numpy versions that fails here."""


class InputError(PaysieveError, ValueError):
    """Input documents or records that cannot be read as paysieve input."""


class InputFileError(InputError):
    """The input path cannot be opened as a file."""


class InputNotFoundError(InputFileError):
    """The input file does not exist."""


class InputIsDirectoryError(InputFileError):
    """A directory was given where a file was expected."""


class InputNotReadableError(InputFileError):
    """The input file exists but cannot be read (permissions, I/O error)."""


class NotTextError(InputError):
    """The input is binary data, not text."""


class InvalidEncodingError(InputError):
    """Invalid UTF-8 under strict decoding; ``offset`` is the first bad byte's offset."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class RecordError(InputError):
    """A JSON Lines record that is malformed or holds no usable ``lines`` / ``text``."""


class OutputError(PaysieveError):
    """The output path cannot be written (missing or read-only directory, a directory...)."""

"""The paysieve exception hierarchy: every error the library raises derives from one root."""

from __future__ import annotations


class PaysieveError(Exception):
    """Root of every error paysieve raises on purpose; the message is one clear line."""


class ModelFileError(PaysieveError):
    """A model file that is missing, truncated, corrupted, foreign or of another version."""


class InputError(PaysieveError, ValueError):
    """Input documents or records that cannot be read as paysieve input."""

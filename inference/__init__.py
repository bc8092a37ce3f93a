"""Applying a fitted model: the ``Detector`` API, streaming, worker pools and the CLI."""

"""A progress bar on stderr for long CLI runs: records, lines/s, ETA when the size is known.

Shown only when stderr is a terminal and the user did not ask for quiet; otherwise
``progress_bar`` yields a reporter that does nothing. A reporter is the ``progress``
callback of the streaming API: it is called with a ``StreamProgress`` after every batch.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paysieve.inference.streaming import StreamProgress


class ProgressReporter:
    """Receives progress; the base class shows nothing."""

    def __call__(self, progress: StreamProgress) -> None:
        """Where the stream is: its source, documents and lines done, bytes read."""


class RichProgress(ProgressReporter):
    """A rich progress bar over each source's bytes (a spinner when the size is unknown)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = [
            SpinnerColumn(),
            TextColumn("{task.fields[counts]}"),
            BarColumn(),
            TimeRemainingColumn(),
            TimeElapsedColumn(),
        ]
        self.progress = Progress(*columns, console=Console(stderr=True), transient=True)
        self.task = self.progress.add_task("paysieve", total=None, counts="")
        self.source: str | None = None
        self.started = time.monotonic()

    def __call__(self, progress: StreamProgress) -> None:
        if progress.source != self.source:  # a new input: its own bar
            self.source = progress.source
            self.started = time.monotonic()
            self.progress.reset(self.task, total=progress.size or None)
        rate = progress.lines / max(time.monotonic() - self.started, 1e-9)
        counts = (
            f"{progress.source}: {progress.documents:,} records, {progress.lines:,} lines, "
            f"{rate:,.0f} lines/s"
        )
        self.progress.update(self.task, completed=progress.position or 0, counts=counts)


@contextmanager
def progress_bar(quiet: bool) -> Iterator[ProgressReporter]:
    """A progress reporter: a rich bar on a terminal's stderr, else one that shows nothing."""
    if quiet or not sys.stderr.isatty():
        yield ProgressReporter()
        return
    bar = RichProgress()
    with bar.progress:
        yield bar

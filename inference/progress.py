"""A progress bar on stderr for long CLI runs: records, lines/s, ETA when the size is known.

Shown only when stderr is a terminal and the user did not ask for quiet; otherwise
``progress_bar`` yields a reporter that does nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class ProgressReporter:
    """Receives progress; the base class shows nothing."""

    def update(self, records: int, lines: int, position: int | None) -> None:
        """Totals so far: records and lines done, input bytes read (None if unknown)."""


class RichProgress(ProgressReporter):
    """A rich progress bar over the input bytes (or a spinner when the size is unknown)."""

    def __init__(self, total_bytes: int | None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        columns = [SpinnerColumn(), TextColumn("{task.fields[counts]}")]
        if total_bytes:
            columns += [BarColumn(), TimeRemainingColumn()]
        columns.append(TimeElapsedColumn())
        self.progress = Progress(*columns, console=Console(stderr=True), transient=True)
        self.task = self.progress.add_task("paysieve", total=total_bytes or None, counts="")
        self.started = time.monotonic()

    def update(self, records: int, lines: int, position: int | None) -> None:
        rate = lines / max(time.monotonic() - self.started, 1e-9)
        counts = f"{records:,} records, {lines:,} lines, {rate:,.0f} lines/s"
        self.progress.update(self.task, completed=position or 0, counts=counts)


@contextmanager
def progress_bar(total_bytes: int | None, quiet: bool) -> Iterator[ProgressReporter]:
    """A progress reporter: a rich bar on a terminal's stderr, else one that shows nothing."""
    if quiet or not sys.stderr.isatty():
        yield ProgressReporter()
        return
    bar = RichProgress(total_bytes)
    with bar.progress:
        yield bar

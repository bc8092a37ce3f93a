"""Writing a file so that its target is replaced only once the new content is complete."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import IO


def default_file_mode() -> int:
    """The mode a plain ``open()`` would give a new file (temp files start as 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _target_mode(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        return default_file_mode()


class AtomicFile:
    """A binary temporary file beside ``path`` that replaces ``path`` only on success.

    Used as a context manager: a clean exit flushes, fsyncs and renames it over the target
    (keeping the target's permission bits when it exists, else with the mode a new file
    would get); an exception removes it and leaves the target as it was. Creating it raises
    OSError when the directory is not writable.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        fd, self._tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        self.file: IO[bytes] = os.fdopen(fd, "wb")

    def __enter__(self) -> IO[bytes]:
        return self.file

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._discard()
            return
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            os.chmod(self._tmp, _target_mode(self.path))
            os.replace(self._tmp, self.path)
        except BaseException:
            self._discard()
            raise

    def _discard(self) -> None:
        try:
            self.file.close()  # flushes what is buffered: fails again on a full disk
        finally:
            Path(self._tmp).unlink(missing_ok=True)

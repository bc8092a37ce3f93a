"""Writing a benchmark's results: the Markdown tables and the same figures as JSON."""

from __future__ import annotations

import json
from pathlib import Path


def write_report(path: Path, markdown: str, results: dict) -> None:
    """``path`` with suffix .md gets ``markdown``, with suffix .json the ``results``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.with_suffix(".md").write_text(markdown.rstrip("\n") + "\n", encoding="utf-8")
    path.with_suffix(".json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


def publish(markdown: str, results: dict, path: Path | None) -> None:
    """Print ``markdown`` and, when ``path`` is given, write both files there."""
    print(markdown)
    if path is not None:
        write_report(path, markdown, results)

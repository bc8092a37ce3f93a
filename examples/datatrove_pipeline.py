"""Clean a JSON Lines corpus with datatrove: read, clean with paysieve, drop what is left too
short, write. Run from the repository: ``python examples/datatrove_pipeline.py OUT_DIR``.

Needs ``pip install 'paysieve[datatrove]'``. Each output record keeps its id and gains
``metadata.paysieve_removed_share`` and ``metadata.paysieve_paywall``.
"""

from __future__ import annotations

import sys

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from paysieve.inference.datatrove_step import PaysieveCleaner


def clean_corpus(input_dir: str, pattern: str, output_dir: str, tasks: int = 1) -> None:
    """Clean the JSON Lines files matching ``pattern`` in ``input_dir`` into ``output_dir``."""
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(input_dir, glob_pattern=pattern),
            PaysieveCleaner(min_chars=200),  # drop documents left with under 200 characters
            JsonlWriter(output_dir, compression=None),
        ],
        tasks=tasks,  # one model load per worker process, not per task or document
        logging_dir=f"{output_dir}/logs",
    ).run()


if __name__ == "__main__":
    clean_corpus("examples", "corpus.jsonl", sys.argv[1])

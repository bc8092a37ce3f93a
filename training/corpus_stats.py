"""Counts of the hand-written corpus for its data card: distinct lines per kind and language.

python -m paysieve.training.corpus_stats datasets/source
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict

from paysieve.training.corpus_source import CorpusSource

from paysieve.labels import KINDS


def distinct_line_counts(source: CorpusSource) -> dict[str, dict[str, int]]:
    """{kind or "content": {lang: number of distinct lines}}."""
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for article in source.articles:
        for line, kind in zip(article.lines, article.kinds):
            seen[kind or "content"][article.lang].add(line)
    for block in source.blocks:
        for line, kind in zip(block.lines, block.kinds):
            seen[kind][block.lang].add(line)
    return {k: {lang: len(v) for lang, v in langs.items()} for k, langs in seen.items()}


def markdown_table(source: CorpusSource) -> str:
    """The data card's table: one row per label/kind, one column per language."""
    counts = distinct_line_counts(source)
    langs = sorted({lang for row in counts.values() for lang in row})
    rows = ["| lines | " + " | ".join(langs) + " | all |", "|---" * (len(langs) + 2) + "|"]
    totals = dict.fromkeys(langs, 0)
    for kind in ("content", *KINDS):
        row = counts.get(kind, {})
        for lang in langs:
            totals[lang] += row.get(lang, 0)
        cells = " | ".join(f"{row.get(lang, 0):,}" for lang in langs)
        rows.append(f"| {kind} | {cells} | {sum(row.values()):,} |")
    rows.append(
        "| **all** | "
        + " | ".join(f"{totals[lang]:,}" for lang in langs)
        + f" | {sum(totals.values()):,} |"
    )
    kinds_only = [b for b in source.blocks if b.kinds_only]
    for label, items in (
        ("articles", source.articles),
        ("boilerplate blocks", source.blocks),
        ("… of which train the kinds only", kinds_only),
    ):
        per_lang = Counter(item.lang for item in items)
        cells = " | ".join(str(per_lang[lang]) for lang in langs)
        rows.append(f"| {label} | {cells} | {len(items)} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(
        markdown_table(CorpusSource.read(sys.argv[1] if len(sys.argv) > 1 else "datasets/source"))
    )

"""Reading the hand-written corpus in ``datasets/source`` (format: datasets/source/FORMAT.md).

``articles/<lang>.txt`` holds articles (content lines, with optional inline ``!KIND``
boilerplate lines); ``boilerplate/<lang>.txt`` holds blocks of boilerplate lines of one kind
(a ``!KIND`` line inside a block has that kind instead, e.g. the byline of a related teaser);
a block whose header says ``trains: kinds`` teaches the kind stages only, never the
boilerplate model (``paysieve.training.compose.compose_kind_documents``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from paysieve.errors import InputError
from paysieve.labels import KINDS

WHERE = ("top", "middle", "tail", "any")
TRAINS = ("all", "kinds")
_HEADER = re.compile(r"^===\s*(.*)$")


class CorpusSourceError(InputError):
    """A malformed line in the hand-written corpus, with its file and line number."""


@dataclass(frozen=True)
class Article:
    """An article: its lines in order and, per line, None (content) or a boilerplate kind."""

    id: str
    lang: str
    genre: str
    lines: tuple[str, ...]
    kinds: tuple[str | None, ...]


@dataclass(frozen=True)
class Block:
    """A block of boilerplate lines of one kind, with where on a page it usually sits, and
    per line its kind (the block's, or the one its ``!KIND`` prefix names);
    ``kinds_only`` blocks train the kind stages and nothing else."""

    lang: str
    kind: str
    where: str
    lines: tuple[str, ...]
    kinds: tuple[str, ...]
    kinds_only: bool = False


def _fields(header: str, where: str) -> dict[str, str]:
    out = {}
    for part in header.split("|"):
        key, sep, value = part.partition(":")
        if not sep:
            raise CorpusSourceError(f"{where}: header field {part.strip()!r} has no ':'")
        out[key.strip()] = value.strip()
    return out


def _sections(path: Path) -> list[tuple[dict[str, str], list[tuple[str, str]]]]:
    """(header fields, [(line, 'file:line')]) per section of one source file."""
    sections: list[tuple[dict[str, str], list[tuple[str, str]]]] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path}:{number}"
        if not line or line.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header:
            sections.append((_fields(header.group(1), where), []))
        elif not sections:
            raise CorpusSourceError(f"{where}: text before the first '===' header")
        else:
            sections[-1][1].append((line, where))
    return sections


def _marked_kind(line: str, where: str) -> tuple[str | None, str]:
    """(kind, text) of a line: the kind its ``!KIND`` prefix names, or None without one."""
    if not line.startswith("!"):
        return None, line
    kind, _, text = line[1:].partition(" ")
    if kind not in KINDS:
        raise CorpusSourceError(f"{where}: unknown kind {kind!r}")
    return kind, text.strip()


def read_articles(path: Path) -> list[Article]:
    """Articles of one ``articles/<lang>.txt`` file."""
    lang = path.name.split(".")[0]
    articles = []
    for fields, body in _sections(path):
        lines, kinds = [], []
        for line, where in body:
            kind, text = _marked_kind(line, where)
            lines.append(text)
            kinds.append(kind)
        if lines:
            article_id = fields.get("id") or f"{lang}-{len(articles)}"
            articles.append(
                Article(article_id, lang, fields.get("genre", ""), tuple(lines), tuple(kinds))
            )
    return articles


def read_blocks(path: Path) -> list[Block]:
    """Boilerplate blocks of one ``boilerplate/<lang>.txt`` file."""
    lang = path.name.split(".")[0]
    blocks = []
    for fields, body in _sections(path):
        kind, where = fields.get("kind", ""), fields.get("where", "any")
        trains = fields.get("trains", "all")
        origin = body[0][1] if body else path
        if kind not in KINDS:
            raise CorpusSourceError(f"{origin}: unknown kind {kind!r}")
        if trains not in TRAINS:
            raise CorpusSourceError(f"{origin}: 'trains' must be all or kinds, not {trains!r}")
        if where not in WHERE:
            where = "any"
        if body:
            marked = [_marked_kind(line, at) for line, at in body]
            lines = tuple(text for _, text in marked)
            kinds = tuple(own or kind for own, _ in marked)
            blocks.append(Block(lang, kind, where, lines, kinds, trains == "kinds"))
    return blocks


@dataclass
class CorpusSource:
    """Everything in a ``datasets/source`` folder."""

    articles: list[Article]
    blocks: list[Block]

    @classmethod
    def read(cls, folder: str | Path) -> CorpusSource:
        folder = Path(folder)
        if not (folder / "articles").is_dir() or not (folder / "boilerplate").is_dir():
            raise CorpusSourceError(f"{folder}: needs 'articles/' and 'boilerplate/' folders")
        articles = [
            a for p in sorted((folder / "articles").glob("*.txt")) for a in read_articles(p)
        ]
        blocks = [b for p in sorted((folder / "boilerplate").glob("*.txt")) for b in read_blocks(p)]
        return cls(articles, blocks)

"""Peer line filters for the benchmarks: each maps one page's lines to keep flags.

- ``c4_keep``: the C4 line rules (Raffel et al. 2020, "Exploring the limits of transfer
  learning...", section 2.2, as in TensorFlow Datasets' ``c4_utils``), applied line by line.
  A line is kept when it ends in terminal punctuation (``.``, ``!``, ``?`` or a closing
  quote, not an ellipsis), has at least ``min_words`` words (3, as in Dolma's C4 tagger; C4
  itself used 5), and contains none of: "javascript", "lorem ipsum", a curly brace, or a
  cookie/terms/privacy policy phrase. C4 drops the whole page for "lorem ipsum" and curly
  braces; here, scoring lines, only those lines go. The page-level rules (at least three
  sentences, bad-words list, language, deduplication) are not line rules and are left out.
  Regex and string tests only: the practical speed ceiling for a line filter in Python.
- ``justext_keep``: jusText (``pip install 'paysieve[bench]'``) with its defaults, each line
  given as its own ``<p>``; a line is kept when jusText classes its paragraph as good.
"""

from __future__ import annotations

import html
import importlib.util
import re
from collections.abc import Callable, Sequence

C4_END_MARKS = (".", "!", "?", '"', "\u201d")
C4_POLICY_PHRASES = (
    "terms of use",
    "privacy policy",
    "cookie policy",
    "uses cookies",
    "use of cookies",
    "use cookies",
)
_C4_DROP = re.compile(
    "|".join(["javascript", r"lorem ipsum", r"[{}]", *map(re.escape, C4_POLICY_PHRASES)]),
    re.IGNORECASE,
)

# jusText stoplist names of the page languages (ISO 639-1) found in the benchmark data.
JUSTEXT_STOPLISTS = {
    "cs": "Czech",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "no": "Norwegian_Bokmal",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
}


def c4_keep_line(line: str, min_words: int = 3) -> bool:
    """Whether the C4 line rules keep ``line``."""
    text = line.strip()
    if not text.endswith(C4_END_MARKS) or text.endswith(("...", "\u2026")):
        return False
    if len(text.split()) < min_words:
        return False
    return _C4_DROP.search(text) is None


def c4_keep(lines: Sequence[str], min_words: int = 3) -> list[bool]:
    """C4 keep flags of one page's lines."""
    return [c4_keep_line(line, min_words) for line in lines]


def justext_stoplist_name(lang: str | None) -> str:
    """The jusText stoplist for a page language code; English when unknown or unsupported."""
    return JUSTEXT_STOPLISTS.get((lang or "").lower().split("-")[0], "English")


_P_INDEX = re.compile(r"/p\[(\d+)\]$")


def justext_keep(lines: Sequence[str], language: str = "English") -> list[bool]:
    """jusText keep flags of one page's lines (blank lines are never kept).

    Each non-blank line becomes one ``<p>``; jusText's paragraphs are matched back to the
    lines by their XPath (``/html[1]/body[1]/p[N]``).
    """
    import justext

    non_blank = [i for i, line in enumerate(lines) if line.strip()]
    keep = [False] * len(lines)
    if not non_blank:
        return keep
    page = "<html><body>" + "".join(f"<p>{html.escape(lines[i])}</p>" for i in non_blank)
    page += "</body></html>"
    for paragraph in justext.justext(page.encode("utf-8"), justext.get_stoplist(language)):
        match = _P_INDEX.search(paragraph.xpath)
        if match and not paragraph.is_boilerplate:
            keep[non_blank[int(match.group(1)) - 1]] = True
    return keep


def text_peers() -> list[tuple[str, Callable]]:
    """(name, labelled document -> keep flags) of the text-only peers that are installed."""
    peers: list[tuple[str, Callable]] = [("C4 filter", lambda d: c4_keep(d.lines))]
    if importlib.util.find_spec("justext") is not None:
        peers.append(
            (
                "jusText on lines",
                lambda d: justext_keep(d.lines, justext_stoplist_name(d.meta.get("lang"))),
            )
        )
    return peers

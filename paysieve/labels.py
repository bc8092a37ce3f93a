"""Line labels, boilerplate kinds and the kind groups users drop or keep by name.

One place for every name a model, a corpus file, a JSON record or a command-line option
uses: the code of a label inside the model (``CONTENT``, ``BOILERPLATE``, ``UNKNOWN``),
its name in files (``LABEL_NAMES``), the kinds of boilerplate (``KINDS``) and their groups
(``KIND_GROUPS``).
"""

from __future__ import annotations

from collections.abc import Iterable

from paysieve.errors import PaysieveError

# Label codes in label arrays: UNKNOWN lines are context, never a training target.
BOILERPLATE, CONTENT, UNKNOWN = 1, 0, -1
CONTENT_NAME, BOILERPLATE_NAME = "content", "boilerplate"
LABEL_NAMES: dict[int, str] = {CONTENT: CONTENT_NAME, BOILERPLATE: BOILERPLATE_NAME}
# ``null`` in a labelled record means "unsure".
LABEL_CODES: dict[str | None, int] = {
    CONTENT_NAME: CONTENT,
    BOILERPLATE_NAME: BOILERPLATE,
    None: UNKNOWN,
}

KINDS: tuple[str, ...] = (
    "paywall",
    "pricing",
    "account",
    "newsletter",
    "share",
    "advert",
    "cookie_legal",
    "navigation",
    "related",
    "disclaimer",
    "comments",
    "byline",
    "other",
)
PAYWALL_KIND = "paywall"

# Names a user can give instead of listing kinds, each standing for its kinds.
KIND_GROUPS: dict[str, tuple[str, ...]] = {
    "subscription": ("paywall", "pricing", "account", "newsletter"),
    "ads": ("advert",),
    "social": ("share", "comments"),
    "links": ("navigation", "related"),
    "legal": ("cookie_legal", "disclaimer"),
}


class UnknownKindError(PaysieveError, ValueError):
    """A kind or group name that paysieve does not know."""


def expand_kinds(names: str | Iterable[str]) -> frozenset[str]:
    """The kinds that ``names`` stand for: kind names and group names, given as an iterable
    or as one comma-separated string; raises UnknownKindError naming any unknown name."""
    if isinstance(names, str):
        names = names.split(",")
    kinds: set[str] = set()
    unknown: list[str] = []
    for raw in names:
        if not isinstance(raw, str):
            raise UnknownKindError(f"kind names are strings, not {type(raw).__name__}")
        name = raw.strip()
        if not name:
            continue
        if name in KIND_GROUPS:
            kinds.update(KIND_GROUPS[name])
        elif name in KINDS:
            kinds.add(name)
        else:
            unknown.append(name)
    if unknown:
        raise UnknownKindError(
            f"unknown kind {', '.join(repr(n) for n in unknown)}; kinds: {', '.join(KINDS)}; "
            f"groups: {', '.join(KIND_GROUPS)}"
        )
    return frozenset(kinds)

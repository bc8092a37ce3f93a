"""Composing training documents from the hand-written corpus, deterministically.

Real pages come in a few layouts, and the composer imitates each:

* ``tail``: the project's typical input, an article (sometimes cut short as a teaser)
  followed by a syndication note, a paywall notice, a pricing table and sign-in prompts;
* ``page``: a whole-page text dump, with menus and share bars above the article, a byline
  under its headline (or standfirst), promos between its paragraphs and related links,
  comments and footers below;
* ``residue``: what an HTML extractor leaves: the article with one or two stray lines;
* ``clean``: the article alone.

For the document-level paywall verdict there are three more layouts, each with a known
verdict: ``teaser`` (the first paragraphs, then a paywall prompt: paywalled and truncated),
``metered`` (the whole article, then a metered-limit notice: paywalled, not truncated) --
in half of them a block of page chrome (a share bar, a newsletter box, related links, an
advert, an author box) stands between the article and the wall, as on real pages -- and
``chrome`` (the whole article among subscription chrome, newsletter boxes, pricing and
sign-in links, but no paywall prompt: not paywalled) and ``promo`` (the whole article
ending with a newsletter box, a podcast or alerts prompt: not paywalled); ``clean`` and
``page`` documents without a paywall block are the plain negatives.

Placeholders in blocks (``{site}``, ``{price}``, ``{n}``, ``{date}``, ``{author}``) are
filled per document, and now and then left unfilled in a template syntax, as broken
pages do. Menus are sometimes run together into one line, as text dumps of inline links
are. The same seed always gives the same documents.
"""

from __future__ import annotations

import random
import re
import zlib
from collections import defaultdict
from collections.abc import Sequence

from paysieve.training.corpus_source import Article, Block, CorpusSource

LAYOUTS = (("tail", 0.35), ("page", 0.35), ("residue", 0.2), ("clean", 0.1))
HELDOUT_SHARE = 0.2
_PLACEHOLDER = re.compile(r"(?<!\{)\{(site|price|n|date|author)\}(?!\})")
_UNFILLED = ("{{%s}}", "%%%%%s%%%%", "[%s]", "${%s}", "<%%= %s %%>")
_RUN_TOGETHER_KINDS = {"navigation", "share", "account"}
# Share of the paywalled verdict documents (teaser, metered) with a chrome block between the
# article and the wall, and that block's kinds with their weights. On the real dev pages
# whose article is followed by a keyword-tagged subscription line, 163 of 176 have
# boilerplate between the last article line and that line; the project's usual input is an
# extractor's output, with less chrome left, hence half. Without it the verdict learns that
# a share bar or newsletter box before a prompt marks a free page.
CHROME_BEFORE_WALL = 0.5
CHROME_BEFORE_WALL_KINDS = (
    ("share", 0.45),
    ("newsletter", 0.2),
    ("related", 0.15),
    ("advert", 0.1),
    ("byline", 0.1),
)

SITES = {
    "en": [
        "The Daily Ledger",
        "Northern Courier",
        "Harbour Times",
        "The Evening Post",
        "Metro Wire",
        "Coastline News",
        "The Chronicle",
        "Valley Herald",
    ],
    "de": ["Rheinische Rundschau", "Nordkurier Online", "Tagesblatt", "Alpen-Anzeiger"],
    "fr": ["Le Quotidien", "La Dépêche du Sud", "L'Écho", "Nord Matin"],
    "es": ["El Diario Central", "La Voz del Sur", "El Observador", "Heraldo Digital"],
    "it": ["Il Corriere del Nord", "La Gazzetta Locale", "Il Quotidiano", "Eco di Città"],
    "pt": ["Folha do Povo", "Diário do Litoral", "O Correio", "Jornal da Serra"],
    "nl": ["Het Dagblad", "De Stadskrant", "Noorderpost", "Het Nieuwsblad West"],
    "pl": ["Gazeta Miejska", "Kurier Południowy", "Dziennik Regionu"],
    "hi": ["दैनिक समाचार", "नवभारत दर्पण", "Jan Awaaz", "हिंदी खबर"],
    "ru": ["Вечерние ведомости", "Северная газета", "Новости региона"],
    "zh": ["华夏日报", "城市晚报", "新闻在线", "聯合時報"],
    "ja": ["東都新聞", "日本経済ウィークリー", "みなと日報"],
}
PRICES = {
    "en": ["$4.99", "$1", "£2", "£9.99", "€1", "₹199", "Rs 299", "A$12", "C$5.99", "$0.99"],
    "de": ["4,99 €", "1 €", "9,99 €", "CHF 9.90", "0,99 €", "14,90 €"],
    "fr": ["1 €", "9,99 €", "4,49 €", "CHF 12.–", "0,99 €"],
    "es": ["1 €", "9,99 €", "MXN $99", "ARS $1.500", "4,99 €"],
    "it": ["1 €", "€ 9,99", "4,99 €", "€ 0,99"],
    "pt": ["R$ 1,90", "R$ 29,90", "1,99 €", "€ 4,99"],
    "nl": ["€ 1", "€ 12,99", "€ 4,50", "€ 0,99"],
    "pl": ["19,90 zł", "1 zł", "9,99 zł", "49 zł"],
    "hi": ["₹99", "₹1", "Rs 299", "₹2,700"],
    "ru": ["299 ₽", "1 ₽", "990 руб.", "149 ₽"],
    "zh": ["¥25", "¥198", "NT$199", "HK$68"],
    "ja": ["¥980", "980円", "月額500円", "¥1,980"],
}
MONTHS = {
    "en": ["March", "June", "October", "January"],
    "de": ["März", "Juni", "Oktober", "Januar"],
    "fr": ["mars", "juin", "octobre", "janvier"],
    "es": ["marzo", "junio", "octubre", "enero"],
}
AUTHORS = [
    "Maria Lopez",
    "James Okafor",
    "Anna Schmidt",
    "Li Wei",
    "Priya Sharma",
    "Tom Becker",
    "Sophie Martin",
    "Kenji Sato",
    "Olga Ivanova",
    "Marco Rossi",
]


def is_heldout(key: str) -> bool:
    """Stable 80/20 assignment of an article id or block to the held-out part."""
    return zlib.crc32(key.encode("utf-8")) % 100 < HELDOUT_SHARE * 100


class _Composer:
    def __init__(
        self,
        blocks: Sequence[Block],
        rng: random.Random,
        chrome_rng: random.Random | None = None,
    ) -> None:
        self.rng = rng
        self.by_lang_kind: dict[tuple[str, str], list[Block]] = defaultdict(list)
        for block in blocks:
            self.by_lang_kind[(block.lang, block.kind)].append(block)
        # The chrome between an article and its wall is drawn with its own generator
        # (``chrome_rng``), so that every other line of the composed documents stays as the
        # seed made it before that chrome was added.
        self._chrome = self if chrome_rng is None else _Composer(blocks, chrome_rng)

    def _fill(self, text: str, lang: str) -> str:
        rng = self.rng

        def value(match: re.Match) -> str:
            name = match.group(1)
            if rng.random() < 0.06:
                return rng.choice(_UNFILLED) % (name.upper() if rng.random() < 0.5 else name)
            if name == "site":
                return rng.choice(SITES.get(lang, SITES["en"]))
            if name == "price":
                return rng.choice(PRICES.get(lang, PRICES["en"]))
            if name == "n":
                return str(rng.randint(1, 10))
            if name == "author":
                return rng.choice(AUTHORS)
            day, year = rng.randint(1, 28), rng.choice((2023, 2024, 2025, 2026))
            if lang in ("zh", "ja"):
                return f"{year}年{rng.randint(1, 12)}月{day}日"
            if lang in MONTHS and rng.random() < 0.5:
                return f"{day} {rng.choice(MONTHS[lang])} {year}"
            return f"{day:02d}.{rng.randint(1, 12):02d}.{year}"

        return _PLACEHOLDER.sub(value, text)

    def block(self, lang: str, kind: str) -> list[tuple[str, str]]:
        """One block of ``kind`` as (line, kind) pairs, in the page's language or English."""
        rng = self.rng
        pool = self.by_lang_kind.get((lang, kind)) or []
        if not pool or rng.random() < 0.12:
            pool = self.by_lang_kind.get(("en", kind)) or pool
        if not pool:
            return []
        chosen = rng.choice(pool)
        lines = [(self._fill(line, lang), own) for line, own in zip(chosen.lines, chosen.kinds)]
        if len(lines) > 4 and rng.random() < 0.3:
            start = rng.randrange(len(lines) - 2)
            lines = lines[start : start + rng.randint(2, len(lines) - start)]
        if kind in _RUN_TOGETHER_KINDS and len(lines) >= 2 and rng.random() < 0.25:
            lines = [(rng.choice(("", " ", " | ", " · ")).join(line for line, _ in lines), kind)]
        return lines

    def blocks(self, lang: str, plan: Sequence[tuple[str, float]]) -> list[tuple[str, str]]:
        """Blocks of the kinds in ``plan`` that win their coin flip, in plan order."""
        out: list[tuple[str, str]] = []
        for kind, chance in plan:
            if self.rng.random() < chance:
                out += self.block(lang, kind)
        return out

    def chrome_before_wall(self, lang: str) -> list[tuple[str, str]]:
        """The page chrome between an article and its paywall: one block of a
        ``CHROME_BEFORE_WALL_KINDS`` kind in ``CHROME_BEFORE_WALL`` of the pages, else none."""
        composer = self._chrome
        if composer.rng.random() >= CHROME_BEFORE_WALL:
            return []
        kinds, weights = zip(*CHROME_BEFORE_WALL_KINDS)
        return composer.block(lang, composer.rng.choices(kinds, weights)[0])

    def under_headline(self, body: list, byline: list) -> list:
        """``body`` with the ``byline`` block where news pages put it: mostly under the
        headline or under the standfirst that follows it, sometimes above the headline."""
        if not byline:
            return body
        at = self.rng.choices((0, 1, 2), (0.2, 0.5, 0.3))[0]
        at = min(at, len(body))
        return body[:at] + byline + body[at:]

    def document(self, article: Article, layout: str) -> list[tuple[str, str | None]]:
        """(line, kind or None for content) of one composed page."""
        rng, lang = self.rng, article.lang
        body = list(zip(article.lines, article.kinds))
        if layout == "tail":
            if rng.random() < 0.3 and len(body) > 5:
                body = body[: rng.randint(3, len(body) - 2)]
            body = self.under_headline(body, self.blocks(lang, [("byline", 0.4)]))
            tail = self.blocks(
                lang,
                [
                    ("disclaimer", 0.5),
                    ("paywall", 0.95),
                    ("pricing", 0.8),
                    ("account", 0.5),
                    ("newsletter", 0.25),
                    ("cookie_legal", 0.1),
                ],
            )
            return body + tail
        if layout == "page":
            top = self.blocks(
                lang,
                [
                    ("cookie_legal", 0.25),
                    ("navigation", 0.9),
                    ("account", 0.5),
                    ("navigation", 0.3),
                    ("share", 0.4),
                ],
            )
            body = self.under_headline(body, self.blocks(lang, [("byline", 0.7)]))
            for _ in range(rng.choice((0, 1, 1, 2))):
                kind = rng.choice(("advert", "related", "newsletter", "advert", "share", "paywall"))
                at = rng.randint(min(3, len(body)), len(body))
                body[at:at] = self.block(lang, kind)
            bottom = self.blocks(
                lang,
                [
                    ("share", 0.5),
                    ("byline", 0.15),
                    ("disclaimer", 0.3),
                    ("paywall", 0.2),
                    ("related", 0.6),
                    ("comments", 0.3),
                    ("newsletter", 0.3),
                    ("advert", 0.2),
                    ("navigation", 0.8),
                    ("cookie_legal", 0.3),
                    ("other", 0.2),
                ],
            )
            return top + body + bottom
        if layout == "teaser":
            cut = rng.randint(1, max(1, min(4, len(body) - 2)))
            top = self.blocks(lang, [("navigation", 0.5)])
            body = self.under_headline(body[:cut], self.blocks(lang, [("byline", 0.5)]))
            body += self.chrome_before_wall(lang)
            tail = self.block(lang, "paywall") + self.blocks(
                lang, [("pricing", 0.6), ("account", 0.5), ("navigation", 0.3)]
            )
            return top + body + tail
        if layout == "metered":
            tail = self.blocks(lang, [("disclaimer", 0.4)])
            tail = self.chrome_before_wall(lang) + tail + self.block(lang, "paywall")
            return body + tail + self.blocks(lang, [("pricing", 0.5), ("account", 0.4)])
        if layout == "promo":
            tail = self.block(lang, "newsletter") + self.blocks(lang, [("share", 0.3)])
            return body + tail
        if layout == "chrome":
            top = self.blocks(lang, [("navigation", 0.6), ("account", 0.6)])
            tail = self.blocks(
                lang,
                [("share", 0.4), ("newsletter", 0.9), ("pricing", 0.5), ("account", 0.5)],
            )
            return top + body + tail + self.blocks(lang, [("navigation", 0.5)])
        if layout == "residue":
            body = self.under_headline(body, self.blocks(lang, [("byline", 0.5)]))
            tail_kind = rng.choice(
                (
                    "related",
                    "newsletter",
                    "disclaimer",
                    "comments",
                    "share",
                    "byline",
                    "advert",
                    "other",
                )
            )
            tail = self.blocks(lang, [(tail_kind, 0.6)])
            return body + tail
        return body


VERDICT_LAYOUTS = ("teaser", "metered", "chrome", "promo", "clean")


def _wanted_parts(
    source: CorpusSource, part: str, kinds_only: bool = False
) -> tuple[list[Article], list[Block]]:
    """The articles and blocks of ``part``; the blocks that train every part of the model,
    or (``kinds_only``) all blocks, those that train the kinds only among them."""
    if part not in ("all", "train", "heldout"):
        raise ValueError(f"part must be all, train or heldout, not {part!r}")

    def wanted(key: str) -> bool:
        return part == "all" or is_heldout(key) == (part == "heldout")

    articles = [a for a in source.articles if wanted(a.id)]
    blocks = [b for b in source.blocks if kinds_only or not b.kinds_only]
    return articles, [b for b in blocks if wanted("\n".join(b.lines))]


def corpus_part(source: CorpusSource, part: str) -> CorpusSource:
    """The ``all``, ``train`` or ``heldout`` part of ``source`` (articles and blocks, the
    blocks that train the kinds only among them)."""
    return CorpusSource(*_wanted_parts(source, part, kinds_only=True))


def _record(article: Article, copy: int | str, layout: str, page: list) -> dict:
    return {
        "id": f"{article.id}#{copy}",
        "source": "paysieve-corpus",
        "lang": article.lang,
        "group": f"corpus:{article.id}",
        "layout": layout,
        "lines": [line for line, _ in page],
        "labels": ["content" if kind is None else "boilerplate" for _, kind in page],
        "kinds": [kind for _, kind in page],
    }


def compose_verdict_documents(
    source: CorpusSource, seed: int = 20261128, part: str = "heldout"
) -> list[dict]:
    """Documents with a known paywall verdict, one per article and verdict layout.

    Each record has ``paywall: {"detected": bool, "truncated": bool}`` beside the usual
    labelled lines; by default only held-out articles and blocks are used.
    """
    articles, blocks = _wanted_parts(source, part)
    composer = _Composer(blocks, random.Random(seed), random.Random(f"{seed}:chrome"))
    records = []
    for article in articles:
        for copy, layout in enumerate(VERDICT_LAYOUTS):
            record = _record(article, copy, layout, composer.document(article, layout))
            record["paywall"] = {
                "detected": layout in ("teaser", "metered"),
                "truncated": layout == "teaser",
            }
            records.append(record)
    return records


def compose_documents(
    source: CorpusSource,
    copies: int = 4,
    seed: int = 20261128,
    part: str = "all",
) -> list[dict]:
    """Labelled documents (records of the labelled JSON Lines format) from the source.

    ``part`` selects ``all`` articles and blocks, or only the ``train`` or ``heldout``
    part (disjoint articles *and* blocks, so held-out scores are not flattered).
    """
    return _composed(*_wanted_parts(source, part), copies, random.Random(seed))


def compose_kind_documents(
    source: CorpusSource,
    copies: int = 4,
    seed: int = 20261128,
    part: str = "all",
) -> list[dict]:
    """Documents that train the kind stages only (records with ``kinds_only: true``), none
    when ``source`` has no block that trains the kinds only.

    They are composed as ``compose_documents`` composes, from all of the part's blocks,
    with their own random generator: the blocks that train the kinds only are shown
    among the others, in the places pages give them.
    """
    if not any(b.kinds_only for b in source.blocks):
        return []
    articles, blocks = _wanted_parts(source, part, kinds_only=True)
    records = _composed(articles, blocks, copies, random.Random(f"{seed}:kinds"), "kinds-")
    return [{**record, "kinds_only": True} for record in records]


def _composed(
    articles: Sequence[Article],
    blocks: Sequence[Block],
    copies: int,
    rng: random.Random,
    copy_prefix: str = "",
) -> list[dict]:
    """``copies`` documents per article, each id numbered after ``copy_prefix``."""
    composer = _Composer(blocks, rng)
    layouts, weights = zip(*LAYOUTS)
    records = []
    for article in articles:
        for copy in range(copies):
            layout = rng.choices(layouts, weights)[0]
            page = composer.document(article, layout)
            records.append(_record(article, f"{copy_prefix}{copy}", layout, page))
    return records

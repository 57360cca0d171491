"""Numbering families, one rule object per module (issue 11 item 6).

=================  ==========================================  ==============================
module             family                                      numbers
=================  ==========================================  ==============================
``gb``             GB/T 1.1 章/条 (2009- and 2020-style)        5, 5.2, 5.2.1.3.4, "3术语…"
``annex``          annexes and annex clauses                   附录A（规范性）, A.1, B.2.1
``construction``   工程建设标准 articles without a section        3.0.1, 2.0.3
``regulation``     regulations                                 第一编/章/节/条
``outline_cn``     Chinese outline numbering                   一、, （一）
``outline_arabic`` Arabic outline numbering                    1. / 1、, （1）
``list_item``      列项 and other body blocks (never headings)  a), 1), ①, ——, 注, 示例, 表1
``element``        unnumbered elements                         前言, 引言, 目次, 参考文献, 索引
``ocr_dotless``    clause numbers whose dots OCR lost            73, C31, E4 (contextual)
``slide_part``     parts of a slide deck                       01 … CHAPTER, PART 02 …
=================  ==========================================  ==============================

:data:`REGISTERED` is the one place families are registered, in the order a line is
tried.  For syntax (:func:`grammar.numbering.match_at`) the first family that recognises
its shape decides (a heading match, or :data:`~grammar.families.base.REFERENCE` for its
shape used in a sentence, which stops the search).  The tree builder
(:mod:`ingest.segment`) asks the same families in the same order and takes the first
reading whose family *accepts* it at its place in the document (see
:mod:`grammar.families.context`).

A new family is one module: a rule object with ``match`` (syntax, depth, normalised
number), ``accept`` (plausibility in context), the characters its numbers start with, and
``tree`` — the :class:`~grammar.families.context.TreeRules` of its numbering (rank,
parent, cited number, kind, title rules), usually an existing one — plus one entry here.
:mod:`grammar.families.construction` (工程建设标准 "3.0.1") is an example.
"""

from __future__ import annotations

from grammar.families import (
    annex,
    construction,
    element,
    gb,
    list_item,
    ocr_dotless,
    outline_arabic,
    outline_cn,
    regulation,
    slide_part,
)
from grammar.families.base import Family, NumberingFamily
from grammar.families.context import NumberingRules, TreeRules
from grammar.schema import ClauseKind
from grammar.title_split import TitleRules

# Slide parts first (their "01…CHAPTER" would read as an outline "1."), annexes before
# GB numbers ("A.1" is no GB number, but "附录A" must win over an element or outline
# reading), then regulations, element names, and the outline numbers outermost first.
# Contextual families (``contextual = True``: a reading that needs the document, such as
# "1、范围" as chapter 1 when the 目次 lists it) are asked by the tree builder only.
REGISTERED: tuple[NumberingRules, ...] = (
    slide_part.FAMILY,
    annex.ANNEX,
    annex.ANNEX_CLAUSE,
    gb.FAMILY,
    construction.FAMILY,
    regulation.FAMILY,
    element.FAMILY,
    outline_cn.CN,
    outline_cn.PAREN_CN,
    gb.LISTED_CHAPTER,
    outline_arabic.ARABIC,
    ocr_dotless.FAMILY,
    outline_arabic.PAREN_ARABIC,
    list_item.CIRCLED,
)

FAMILIES: tuple[NumberingRules, ...] = tuple(f for f in REGISTERED if not f.contextual)

# The tree rules of each numbering (the first registered family's; families of one
# numbering share its reading state).
TREES: dict[Family, TreeRules] = {}
for _f in REGISTERED:
    TREES.setdefault(_f.tree.family, _f.tree)


def _by_first_character(
    families: tuple[NumberingRules, ...],
) -> dict[str, tuple[NumberingRules, ...]]:
    """For each character a number can start with, the families to try, in order."""
    out: dict[str, tuple[NumberingRules, ...]] = {}
    for ch in sorted({c for f in families for c in f.first}):
        out[ch] = tuple(f for f in families if ch in f.first)
    return out


# Most positions tried (every line start, every candidate inside a line) start with a
# character no family can begin with; this index answers those with one dict lookup.
BY_FIRST: dict[str, tuple[NumberingRules, ...]] = _by_first_character(FAMILIES)
# The same for the tree builder, contextual families included.
CANDIDATES_BY_FIRST: dict[str, tuple[NumberingRules, ...]] = _by_first_character(REGISTERED)
# The same for a number inside a line: only families with ``inline`` (the others accept
# a heading on a line of its own only).
INLINE_BY_FIRST: dict[str, tuple[NumberingRules, ...]] = _by_first_character(
    tuple(f for f in REGISTERED if f.inline)
)
# Characters a heading found inside a line may begin with (families with ``inline``).
INLINE_FIRST: str = "".join(sorted({c for f in REGISTERED if f.inline for c in f.first}))


def title_rules(kind: ClauseKind, level: int = 1) -> TitleRules:
    """The title rules of the numbering whose headings are of ``kind``."""
    for tree in TREES.values():
        if kind in tree.kinds:
            return tree.title_rules(kind, level)
    return TitleRules()


__all__ = [
    "BY_FIRST",
    "CANDIDATES_BY_FIRST",
    "FAMILIES",
    "INLINE_BY_FIRST",
    "INLINE_FIRST",
    "REGISTERED",
    "TREES",
    "NumberingFamily",
    "NumberingRules",
    "title_rules",
]

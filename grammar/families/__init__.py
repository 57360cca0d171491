"""Numbering families, one rule object per module (issue 11 item 6).

=================  ==========================================  ==============================
module             family                                      numbers
=================  ==========================================  ==============================
``gb``             GB/T 1.1 章/条 (2009- and 2020-style)        5, 5.2, 5.2.1.3.4, "3术语…"
``annex``          annexes and annex clauses                   附录A（规范性）, A.1, B.2.1
``regulation``     regulations                                 第一编/章/节/条
``outline_cn``     Chinese outline numbering                   一、, （一）
``outline_arabic`` Arabic outline numbering                    1. / 1、, （1）
``list_item``      列项 and other body blocks (never headings)  a), 1), ①, ——, 注, 示例, 表1
``element``        unnumbered elements                         前言, 引言, 目次, 参考文献, 索引
``slide_part``     parts of a slide deck                       01 … CHAPTER, PART 02 …
=================  ==========================================  ==============================

:data:`FAMILIES` is the order in which a line is tried; the first family that recognises
its shape decides (a heading match, or :data:`~grammar.families.base.REFERENCE` for its
shape used in a sentence, which stops the search).  A new family is one module with a
``match`` method and the characters its numbers start with
(:class:`~grammar.families.base.NumberingFamily`), and one entry here.
"""

from __future__ import annotations

from grammar.families import (
    annex,
    element,
    gb,
    list_item,
    outline_arabic,
    outline_cn,
    regulation,
    slide_part,
)
from grammar.families.base import NumberingFamily

# Slide parts first (their "01…CHAPTER" would read as an outline "1."), annexes before
# GB numbers ("A.1" is no GB number, but "附录A" must win over an element or outline
# reading), then regulations, element names, and the outline numbers outermost first.
FAMILIES: tuple[NumberingFamily, ...] = (
    slide_part.FAMILY,
    annex.ANNEX,
    annex.ANNEX_CLAUSE,
    gb.FAMILY,
    regulation.FAMILY,
    element.FAMILY,
    outline_cn.CN,
    outline_cn.PAREN_CN,
    outline_arabic.ARABIC,
    outline_arabic.PAREN_ARABIC,
    list_item.CIRCLED,
)


def _by_first_character() -> dict[str, tuple[NumberingFamily, ...]]:
    """For each character a number can start with, the families to try, in order."""
    out: dict[str, tuple[NumberingFamily, ...]] = {}
    for ch in sorted({c for f in FAMILIES for c in f.first}):
        out[ch] = tuple(f for f in FAMILIES if ch in f.first)
    return out


# Most positions tried (every line start, every candidate inside a line) start with a
# character no family can begin with; this index answers those with one dict lookup.
BY_FIRST: dict[str, tuple[NumberingFamily, ...]] = _by_first_character()

__all__ = ["BY_FIRST", "FAMILIES", "NumberingFamily"]

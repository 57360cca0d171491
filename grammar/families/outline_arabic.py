"""Arabic outline numbering below "一、"/"（一）": ``1.`` / ``1、`` > ``（1）``.

Syntax: a one- or two-digit number followed by "、" or by a dot that is not a decimal
point ("1. 制定", "2、服务时间", not "1.5"); or the number in round brackets ("(3)", "（3）").
Depth: :data:`OUTLINE_ARABIC`, :data:`OUTLINE_PAREN_ARABIC`.
Number: "1."/"（1）" whatever the printed punctuation ("2、" → "2.").
In a GB/T-numbered text these shapes are 列项 and table notes, never headings; that is
the tree builder's decision (it knows which numbering the document uses).
"""

from __future__ import annotations

import re

from grammar.families.base import OUTLINE_ARABIC, OUTLINE_PAREN_ARABIC, MatchResult
from grammar.families.context import FamilyDefaults
from grammar.families.outline_cn import TREE, accept_outline, outline_match

RE_OUT_ARABIC = re.compile(r"^(?P<n>[1-9]\d?)[ \t]*(?:[、]|\.(?!\d))")
RE_OUT_PAREN_ARABIC = re.compile(r"^[(（][ \t]*(?P<n>[1-9]\d?)[ \t]*[)）]")


class ArabicOutlineFamily(FamilyDefaults):
    """1. / 1、 (see module doc)."""

    name = "outline_arabic"
    first = "123456789"
    tree = TREE
    accept = staticmethod(accept_outline)

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        return outline_match(RE_OUT_ARABIC, OUTLINE_ARABIC, "{}.", s, pos)


class ArabicParenOutlineFamily(FamilyDefaults):
    """（1） (see module doc)."""

    name = "outline_paren_arabic"
    first = "(（"
    tree = TREE
    accept = staticmethod(accept_outline)

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        return outline_match(RE_OUT_PAREN_ARABIC, OUTLINE_PAREN_ARABIC, "（{}）", s, pos)


ARABIC = ArabicOutlineFamily()
PAREN_ARABIC = ArabicParenOutlineFamily()

"""Chinese outline numbering of guidance texts and notices: ``一、`` > ``（一）``.

Syntax: a Chinese numeral up to 三十-odd followed by "、" (or a comma or dot a scraper put
there: "一，", "一."), not by a digit ("一.5" is no heading); or the numeral in round
brackets, half- or full-width ("(一)", "（一）").
Depth: "一、" is :data:`OUTLINE_CN`, "（一）" :data:`OUTLINE_PAREN_CN`; below them come
the Arabic outline numbers (:mod:`grammar.families.outline_arabic`).
Number: as printed with the canonical punctuation ("一，" → "一、", "(二)" → "（二）"); the
tree builder prefixes the enclosing outline numbers ("一、（二）").
"""

from __future__ import annotations

import re

from grammar.families.base import (
    OUTLINE_CN,
    OUTLINE_PAREN_CN,
    REFERENCE,
    Family,
    HeadingMatch,
    MatchResult,
    Numbering,
    chinese_to_int,
)
from grammar.schema import ClauseKind

RE_OUT_CN = re.compile(r"^(?P<n>[一二三四五六七八九十]{1,3})[ \t]*[、,，.．](?!\d)")
RE_OUT_PAREN_CN = re.compile(r"^[(（][ \t]*(?P<n>[一二三四五六七八九十]{1,3})[ \t]*[)）]")


def outline_match(
    regex: re.Pattern[str], level: int, label_fmt: str, s: str, pos: int
) -> MatchResult:
    """Shared by the outline families: ``regex`` with a group ``n``, its level and the
    canonical form of its number."""
    m = regex.match(s)
    if m is None:
        return None
    raw = m.group("n")
    n = chinese_to_int(raw)
    if n is None or n == 0:
        return REFERENCE
    label = label_fmt.format(raw if not raw.isdigit() else str(n))
    num = Numbering(Family.OUTLINE, ClauseKind.OUTLINE, (n,), level, label)
    return HeadingMatch(num, pos, pos + m.end())


class ChineseOutlineFamily:
    """一、 (see module doc)."""

    name = "outline_cn"
    first = "一二三四五六七八九十"

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        return outline_match(RE_OUT_CN, OUTLINE_CN, "{}、", s, pos)


class ChineseParenOutlineFamily:
    """（一） (see module doc)."""

    name = "outline_paren_cn"
    first = "(（"

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        return outline_match(RE_OUT_PAREN_CN, OUTLINE_PAREN_CN, "（{}）", s, pos)


CN = ChineseOutlineFamily()
PAREN_CN = ChineseParenOutlineFamily()

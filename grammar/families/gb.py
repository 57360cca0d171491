"""GB/T 1.1 章 and 条: ``5``, ``5.2``, ``5.2.1.3.4`` (chapters and clauses down to level 5).

Syntax: one to five components of 1–3 digits, no leading zero, separated by dots; the
number ends the line or is followed by a space ("5.2 服务人员").  A number glued to its
Chinese title ("3术语和定义", "3.25个人金融信息") is a heading only where the sequence says so,
so it is returned only when asked for (``glued``) and marked.
Depth: the number of components.  Number: as printed, half-width ("５．２" → "5.2").
Rejected as references: "5.2.1 的规定", "5.2.1给出", "4.2～4.5".
The same numbers serve 2009-style ("本标准") and 2020-style ("本文件") documents; a
clause's kind (术语条目 under "术语和定义") is the tree builder's call.
"""

from __future__ import annotations

import re

from grammar.families.base import (
    REFERENCE,
    Family,
    HeadingMatch,
    MatchResult,
    Numbering,
    followed_by_reference,
)
from grammar.schema import ClauseKind

NUM = r"(?P<num>[1-9]\d{0,2}(?:\.[1-9]\d{0,2}){0,4})"
RE_GB = re.compile(rf"^{NUM}(?=$|[ \t])")
# A number glued to its Chinese title by a transcription that lost the space.
RE_GB_GLUED = re.compile(rf"^{NUM}(?=[\u4e00-\u9fff])")


def numbering(num: str) -> Numbering:
    """ "5.2.1" → the GB numbering (chapter for one component, clause otherwise)."""
    key = tuple(int(p) for p in num.split("."))
    kind = ClauseKind.CHAPTER if len(key) == 1 else ClauseKind.CLAUSE
    return Numbering(Family.GB, kind, key, len(key), num)


class GbClauseFamily:
    """章/条 numbers (see module doc)."""

    name = "gb"
    first = "123456789"

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        if m := RE_GB.match(s):
            if followed_by_reference(s, m.end()):
                return REFERENCE
            return HeadingMatch(numbering(m.group("num")), pos, pos + m.end())
        if glued and (m := RE_GB_GLUED.match(s)):
            if followed_by_reference(s, m.end()):
                return REFERENCE
            return HeadingMatch(numbering(m.group("num")), pos, pos + m.end(), glued=True)
        return None


FAMILY = GbClauseFamily()

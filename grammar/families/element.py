"""Unnumbered elements that are headings by name: 前言, 引言, 目次, 参考文献, 索引.

Syntax: the name alone on its line, letters possibly spaced apart ("前  言", "参 考 文 献").
Depth: 1 (an element closes everything open).  Number: the name without spaces.
"""

from __future__ import annotations

import re

from grammar.families.base import Family, HeadingMatch, MatchResult, Numbering
from grammar.schema import ClauseKind

ELEMENT_NAMES = ("前言", "引言", "目次", "参考文献", "索引")
RE_ELEMENT = re.compile(
    r"^(?P<name>前[ \t]*言|引[ \t]*言|目[ \t]*次|参[ \t]*考[ \t]*文[ \t]*献|索[ \t]*引)[ \t]*$"
)


class ElementFamily:
    """Element names (see module doc)."""

    name = "element"
    first = "前引目参索"

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        m = RE_ELEMENT.match(s)
        if m is None:
            return None
        name = re.sub(r"[ \t]", "", m.group("name"))
        num = Numbering(Family.ELEMENT, ClauseKind.ELEMENT, (0,), 1, name)
        return HeadingMatch(num, pos, pos + m.end())


FAMILY = ElementFamily()

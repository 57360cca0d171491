"""Unnumbered elements that are headings by name: 前言, 引言, 目次, 参考文献, 索引.

Syntax: the name alone on its line, letters possibly spaced apart ("前  言", "参 考 文 献").
Depth: 1 (an element closes everything open).  Number: the name without spaces.
"""

from __future__ import annotations

import re

from grammar.families.base import Family, HeadingMatch, MatchResult, Numbering
from grammar.families.context import FamilyDefaults, Mode, Node, TreeContext, TreeRules
from grammar.schema import ClauseKind
from grammar.title_split import TitleRules

ELEMENT_NAMES = ("前言", "引言", "目次", "参考文献", "索引")
RE_ELEMENT = re.compile(
    r"^(?P<name>前[ \t]*言|引[ \t]*言|目[ \t]*次|参[ \t]*考[ \t]*文[ \t]*献|索[ \t]*引)[ \t]*$"
)


class ElementTree(TreeRules):
    """An element heading closes every open heading and is never a parent of numbers."""

    family = Family.ELEMENT
    kinds = frozenset({ClauseKind.ELEMENT})
    closes_all = True

    def title_rules(self, kind: ClauseKind, level: int) -> TitleRules:
        return TitleRules(40)


TREE = ElementTree()


class ElementFamily(FamilyDefaults):
    """Element names (see module doc)."""

    name = "element"
    first = "前引目参索"
    inline = False
    tree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        m = RE_ELEMENT.match(s)
        if m is None:
            return None
        name = re.sub(r"[ \t]", "", m.group("name"))
        num = Numbering(Family.ELEMENT, ClauseKind.ELEMENT, (0,), 1, name)
        return HeadingMatch(num, pos, pos + m.end())

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        """An element name is a heading on a line of its own."""
        return mode == "line"


FAMILY = ElementFamily()

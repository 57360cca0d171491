"""Numbered parts of a slide deck saved as text: "01经营概述CHAPTER", "PART 02 服务流程".

Syntax: a one- or two-digit number and a short title with the deck's "CHAPTER"/"PART"
decoration glued on, before or after.  The decoration is what makes the number a heading:
"03客户反馈…" alone is an item on a slide.  The title is a short Chinese phrase.
Depth: above the outline family's "一、" (:data:`OUTLINE_PART`).  Number: two digits as
printed ("01"); like a regulation chapter a part does not prefix its children's numbers.
"""

from __future__ import annotations

import re

from grammar.families.base import (
    OUTLINE_PART,
    Family,
    HeadingMatch,
    MatchResult,
    Numbering,
)
from grammar.families.context import FamilyDefaults, Mode, Node, TreeContext
from grammar.families.outline_cn import TREE, outline_allowed
from grammar.schema import ClauseKind

_SP = r"[ \t]"
_DECK_WORD = r"(?i:CHAPTER|PART)"
RE_SLIDE_PART = re.compile(
    rf"^(?P<n>0?[1-9]|[1-9]\d){_SP}*(?P<title>[^ \t\d].{{0,38}}?){_SP}*{_DECK_WORD}{_SP}*$"
    rf"|^{_DECK_WORD}{_SP}*(?P<n2>0?[1-9]|[1-9]\d)(?![\d.]){_SP}*(?P<title2>[^ \t\d].{{0,38}})$"
)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_SENTENCE_PUNCT = re.compile(r"[。；;，,！!？?]")


def title_ok(title: str) -> bool:
    """A slide part's title is a short Chinese phrase, not a sentence."""
    return bool(_CJK_CHAR.search(title)) and not _SENTENCE_PUNCT.search(title)


class SlidePartFamily(FamilyDefaults):
    """Slide-deck parts (see module doc)."""

    name = "slide_part"
    first = "0123456789CcPp"
    inline = False
    tree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        m = RE_SLIDE_PART.match(s)
        if m is None or not title_ok(m.group("title") or m.group("title2")):
            return None
        n = int(m.group("n") or m.group("n2"))
        title = "title" if m.group("title") else "title2"
        num = Numbering(Family.OUTLINE, ClauseKind.OUTLINE, (n,), OUTLINE_PART, f"{n:02d}")
        return HeadingMatch(num, pos, pos + m.start(title), rest_end=pos + m.end(title))

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        """A part heading stands on a line of its own, where outline numbers count."""
        return mode == "line" and outline_allowed(ctx)


FAMILY = SlidePartFamily()

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
    OUTLINE_ARABIC,
    OUTLINE_CN,
    OUTLINE_PAREN_CN,
    OUTLINE_PART,
    REFERENCE,
    Family,
    HeadingMatch,
    MatchResult,
    Numbering,
    chinese_to_int,
)
from grammar.families.context import (
    FamilyDefaults,
    Mode,
    Node,
    Rank,
    TreeContext,
    TreeRules,
    glued_first_heading,
)
from grammar.schema import ClauseKind
from grammar.title_split import PeriodTitle, TitleRules

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


# ================================================================ in the tree
class OutlineTree(TreeRules):
    """一、 > （一） > 1. > （1） > ①, below a slide deck's parts; a number is cited with
    the enclosing outline numbers ("一、（二）1."), a deck part excepted."""

    family = Family.OUTLINE
    kinds = frozenset({ClauseKind.OUTLINE})

    def rank(self, num: Numbering, base: Rank, ctx: TreeContext) -> Rank:
        """Web guides restart a list inside the same parent ("方针:1. 2. 3. 目标:1. 2. 3."),
        which would give two clauses "一、2.".  A list that restarts at 1 while an item of
        its level is still open is a sub-list of that item (one sub-list depth deeper).  A
        later item joins the open list that holds its predecessor ("八、" after "七、"
        closes the sub-list "一、" that "七、" opened)."""
        same = [
            node
            for node in ctx.stack
            if node.rank[:2] == base[:2] and node.num is not None and node.num.family is num.family
        ]
        if not same:
            return base
        n = num.key[0]
        if n == 1:
            return (*base[:2], same[-1].rank[2] + 1)
        for node in reversed(same):
            if node.num is not None and node.num.key[0] == n - 1:
                return node.rank
        return same[-1].rank

    def clause_no(self, num: Numbering, ancestors: list[Node]) -> str:
        chain: list[str] = []
        for node in reversed(ancestors):
            if not (node.num and node.num.family is Family.OUTLINE):
                break
            if node.num.level == OUTLINE_PART:
                break  # a deck part is a chapter: "1." under "02" is "1."
            chain.append(node.label)
        return "".join(reversed(chain)) + num.label

    def chapter_number(self, node: Node) -> int | None:
        if node.num is not None and node.num.level <= OUTLINE_CN:
            return node.num.key[0]
        return None

    def title_rules(self, kind: ClauseKind, level: int) -> TitleRules:
        # "一、引言。": a chapter-like item may end its title with a full stop.
        period = PeriodTitle.LINE if level <= OUTLINE_PAREN_CN else PeriodTitle.STOCK
        return TitleRules(30, modal_ok=False, period=period)


TREE = OutlineTree()


def outline_allowed(ctx: TreeContext) -> bool:
    """Outline numbers are headings here at all: not the items of an open regulation
    article ("（一）…"), nor the 列项 and table notes of a GB/T-numbered text."""
    if ctx.stack and ctx.stack[-1].kind is ClauseKind.ARTICLE:
        return False
    return not ctx.outranked(Family.OUTLINE)


def accept_outline(
    hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
) -> bool:
    """Where "一、", "（一）", "1." and "（1）" are headings: a line of their own; inside a
    line only as the first item glued to its parent's title, the first "1." after a
    lead-in colon, or the exact next sibling of an open item after a full stop ("(1)…;
    (2)…" runs stay text); the first of a sequence glued onto the preamble."""
    num = hm.numbering
    if mode == "tail":
        return False
    if mode == "lead":
        return OUTLINE_CN <= num.level <= OUTLINE_ARABIC and glued_first_heading(hm, line, ctx)
    if not outline_allowed(ctx):
        return False
    if mode == "line":
        return True
    if num.level > OUTLINE_ARABIC:
        return False
    if mode == "colon":
        # "以下是几个示例:1. 制定服务标准:…" then "2." on the next line: a lead-in
        # sentence and the first item of a numbered list glued onto one line.
        return num.level == OUTLINE_ARABIC and num.key[0] == 1
    if mode == "glued":
        return (
            num.key[0] == 1
            and opened is not None
            and opened.num is not None
            and (opened.num.family is not Family.OUTLINE or opened.num.level < num.level)
        )
    # punct: exact next sibling of an open item of that level
    for node in reversed(ctx.stack):
        if node.num and node.num.family is Family.OUTLINE:
            if node.num.level == num.level:
                return num.key[0] == node.num.key[0] + 1
            if node.num.level < num.level:
                return False
    return False


class ChineseOutlineFamily(FamilyDefaults):
    """一、 (see module doc)."""

    name = "outline_cn"
    first = "一二三四五六七八九十"
    tree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        return outline_match(RE_OUT_CN, OUTLINE_CN, "{}、", s, pos)

    accept = staticmethod(accept_outline)


class ChineseParenOutlineFamily(FamilyDefaults):
    """（一） (see module doc)."""

    name = "outline_paren_cn"
    first = "(（"
    tree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        return outline_match(RE_OUT_PAREN_CN, OUTLINE_PAREN_CN, "（{}）", s, pos)

    accept = staticmethod(accept_outline)


CN = ChineseOutlineFamily()
PAREN_CN = ChineseParenOutlineFamily()

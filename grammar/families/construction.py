"""工程建设标准 articles without a section: ``3.0.1``, ``3.0.2`` (GB 50xxx, JGJ, CJJ, DB…/J).

Construction standards (工程建设标准编写规定) number 章 "3", 节 "3.1" and 条 "3.1.1" the
GB way, but a chapter that has no 节 numbers its 条 with a zero in the middle: "1.0.1 为了
…，制定本标准。", "2.0.3 养老服务设施".  The zero is no component of a GB number (no GB
number has one), so without this family such articles were swallowed by the chapter.

Syntax: chapter number, ".0.", article number (half-width after mapping, "３．０．１"
too); the number ends the line or is followed by a space or, glued, by Chinese text.
Depth: directly under the chapter (the zero section does not exist); key ``(3, 0, 1)``,
level 3, so an article ranks below any open section and ends the one before it.
Number: as printed ("3.0.1"); cited that way.
Plausibility in context: the chapter was opened, and the article is the first or follows
an article of that chapter closely; inside a line only the exact next article counts.
Titles, kinds (an article under "术语" is a term entry) and reading state are the GB tree's.
Rejected as references: "3.0.1 的规定", "3.0.1条和…".
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
from grammar.families.context import FamilyDefaults, Mode, Node, TreeContext
from grammar.families.gb import GbState, GbTree
from grammar.schema import ClauseKind

RE_ARTICLE = re.compile(r"^(?P<ch>[1-9]\d{0,2})\.0\.(?P<n>[1-9]\d{0,2})(?=$|[ \t])")
RE_ARTICLE_GLUED = re.compile(r"^(?P<ch>[1-9]\d{0,2})\.0\.(?P<n>[1-9]\d{0,2})(?=[\u4e00-\u9fff])")
# Later articles of a chapter may follow at most this far apart (a scrape drops a few).
_MAX_GAP = 3


def numbering(chapter: int, article: int) -> Numbering:
    """(3, 1) → the article "3.0.1"."""
    return Numbering(
        Family.GB, ClauseKind.CLAUSE, (chapter, 0, article), 3, f"{chapter}.0.{article}"
    )


class ConstructionTree(GbTree):
    """The GB tree, with the article's parent being its chapter."""

    def parent(self, num: Numbering, ctx: TreeContext) -> Node | None:
        if len(num.key) == 3 and num.key[1] == 0:
            return ctx.state(Family.GB).seen.get(num.key[:1])
        return super().parent(num, ctx)


TREE = ConstructionTree()


class ConstructionArticleFamily(FamilyDefaults):
    """N.0.M articles (see module doc)."""

    name = "construction_article"
    first = "123456789"
    tree: ConstructionTree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        m = RE_ARTICLE.match(s)
        glued_hit = False
        if m is None and glued:
            m = RE_ARTICLE_GLUED.match(s)
            glued_hit = m is not None
        if m is None:
            return None
        if followed_by_reference(s, m.end()) or s[m.end() : m.end() + 1] == "条":
            return REFERENCE
        num = numbering(int(m.group("ch")), int(m.group("n")))
        return HeadingMatch(num, pos, pos + m.end(), glued=glued_hit)

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        """An article of an opened chapter, in sequence (see module doc)."""
        st: GbState = ctx.state(Family.GB)
        chapter, _, n = hm.numbering.key
        if hm.numbering.key in st.seen or (chapter,) not in st.seen:
            return False
        previous = [k[2] for k in st.seen if len(k) == 3 and k[:2] == (chapter, 0)]
        last = max(previous, default=0)
        if mode == "line" and not hm.glued:
            return n == 1 or last < n <= last + _MAX_GAP
        if mode in ("line", "punct", "glued"):
            return n == last + 1
        return False


FAMILY = ConstructionArticleFamily()

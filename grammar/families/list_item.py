"""List items (列项) and other body blocks that start a paragraph but are never headings.

GB/T 1.1 列项: "a)" / "b）" (letters), "1)" / "2）" (digits with a closing bracket only),
dashes "——", bullets "·•●▪■◆◇○►✓", a hyphen and a space; circled numbers "①②…" as used
by guidance texts and by standards for items of items.  Also 注, 示例, table and figure
captions and term sources, which begin a block of their own.

The circled numbers keep a syntax of their own (:data:`CIRCLED`), the innermost outline
level :data:`OUTLINE_CIRCLED`, so that a reader can see an item's number; the tree builder
never makes them clauses.  Everything here matters to whoever re-joins lines a PDF
broke apart: such a line is never glued onto the previous one.
"""

from __future__ import annotations

import re

from grammar.families.base import (
    OUTLINE_CIRCLED,
    Family,
    HeadingMatch,
    MatchResult,
    Numbering,
    halfwidth,
)
from grammar.families.context import FamilyDefaults, Mode, Node, TreeContext
from grammar.families.outline_cn import TREE, outline_allowed
from grammar.schema import ClauseKind
from grammar.title_split import title_sentence

CIRCLED_CHARS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
RE_OUT_CIRCLED = re.compile(rf"^(?P<c>[{CIRCLED_CHARS}])")
RE_LIST_ITEM = re.compile(r"^(?:[a-z][)）]|[1-9]\d?[)）]|——|[·•●▪■◆◇○►✓]|-[ \t])")
RE_NOTE = re.compile(r"^注[ \t]*\d*[ \t]*[:：]")
RE_EXAMPLE = re.compile(r"^示例[ \t]*\d*[ \t]*(?:[:：]|$)")
RE_CAPTION = re.compile(r"^(?:表|图)[ \t]*(?:[A-Z]\.)?\d{1,3}(?:[ \t]|$|[(（]续)")
RE_SOURCE_NOTE = re.compile(r"^\[来源[:：]")


# Item markers written inside running text, one style each: "(1)", "1)" / "a)" / "1、",
# "1.", circled numbers, "一是", "一、", "第一，".  A PDF or a scraped page often runs a
# list onto one line, so the line-start markers above do not see it.
INLINE_ITEM_MARKS: tuple[re.Pattern[str], ...] = (
    re.compile(r"[（(]\s*(\d{1,2}|[一二三四五六七八九十]{1,2})\s*[)）]"),
    re.compile(r"(?:^|[\s。；;:：，,])(\d{1,2}|[a-z])\s*[)）、]"),
    re.compile(r"(?:^|[\s。；;:：，,])(\d{1,2})\s*[.．](?!\d)"),
    re.compile(rf"([{CIRCLED_CHARS}])"),
    re.compile(r"([一二三四五六七八九十])是"),
    re.compile(r"(?:^|[\s。；;:：])([一二三四五六七八九十]{1,2})、"),
    re.compile(r"第([一二三四五六七八九十]{1,2})[，,、:：]"),
)


def lists_items(text: str) -> bool:
    """Does ``text`` list items: two *different* markers of one style ("(1)…(2)…",
    "a)…b)…", "一是…二是…")?  One marker alone is a reference or a clause number
    ("(4.6.1)", "见(1)"), not a list."""
    t = halfwidth(text)
    return any(len(set(p.findall(t))) >= 2 for p in INLINE_ITEM_MARKS)


def is_aux_block(line: str) -> bool:
    """列项, 注, 示例, table/figure captions, term sources: body blocks that begin a new
    paragraph (so a PDF line-joiner must not glue them to the previous line)."""
    s = halfwidth(line).lstrip(" \t")
    return bool(
        RE_LIST_ITEM.match(s)
        or RE_NOTE.match(s)
        or RE_EXAMPLE.match(s)
        or RE_CAPTION.match(s)
        or RE_SOURCE_NOTE.match(s)
    )


class CircledFamily(FamilyDefaults):
    """①, ② … (see module doc)."""

    name = "circled"
    first = CIRCLED_CHARS
    inline = False
    tree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        m = RE_OUT_CIRCLED.match(s)
        if m is None:
            return None
        n = CIRCLED_CHARS.index(m.group("c")) + 1
        num = Numbering(Family.OUTLINE, ClauseKind.OUTLINE, (n,), OUTLINE_CIRCLED, m.group("c"))
        return HeadingMatch(num, pos, pos + m.end())

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        """ "①持证上岗；" is a list item (列项) of the clause above; only a short title on a
        line of its own ("①列项的引出形式") is a fifth-level outline heading."""
        rest = line[hm.rest_start :]
        return mode == "line" and outline_allowed(ctx) and title_sentence(rest, 20)


CIRCLED = CircledFamily()

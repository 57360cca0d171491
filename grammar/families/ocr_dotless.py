"""Clause numbers whose dots OCR lost: "73" for 7.3, "C111" for C.1.1.1, "E4" for E.4.

Scanned standards run through OCR often drop the small dots of a clause number, and the
heading "C.3.1 信息收集和分析" comes out as "C31 信息收集和分析".  Read literally that is
chapter 31 or no number at all, and the clause is swallowed by the one before.

Syntax: an annex letter and one to five digits, or two to five digits, all 1–9 (each digit one component:
OCR drops dots between single digits; a zero never starts a component), then a space and
the title.  Contextual: only the tree builder asks, after the GB reading ("73" as chapter
73) was refused.
Depth and number: those of the GB or annex clause it stands for ("C31" → "C.3.1").
Plausibility in context: on a line of its own, with a short title that is no sentence and
no table row, and only as the *exact next* number (its predecessor or parent was opened):
right where the numbering is (the first child of the clause just opened, or the next
sibling of it or of an ancestor): a digit run that merely looks like a number anywhere
else (a code table's "11 教育部门接入") stays text.
"""

from __future__ import annotations

import re

from grammar.families import annex, gb
from grammar.families.base import Family, HeadingMatch, MatchResult
from grammar.families.context import FamilyDefaults, Mode, Node, TreeContext
from grammar.titles import title_like

RE_DOTLESS = re.compile(
    r"^(?:(?P<letter>[A-Z])(?P<annex>[1-9]{1,5})|(?P<digits>[1-9]{2,5}))(?=[ \t]+\S)"
)


class DotlessFamily(FamilyDefaults):
    """Dot-less clause numbers (see module doc)."""

    name = "ocr_dotless"
    first = "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    inline = False
    contextual = True
    tree = annex.TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        m = RE_DOTLESS.match(s)
        if m is None:
            return None
        if letter := m.group("letter"):
            num = annex.annex_clause_numbering(letter, ".".join(m.group("annex")))
        else:
            num = gb.numbering(".".join(m.group("digits")))
        return HeadingMatch(num, pos, pos + m.end())

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        rest = line[hm.rest_start :]
        return (
            mode == "line"
            and title_like(rest, 30, min_cjk=2, allow_modal=False)
            and not gb.table_row(rest)
            and self.tree.exact_next(hm.numbering, ctx)
            and _continues(hm.numbering.key, ctx.state(Family.GB).last)
        )


def _continues(key: tuple[int, ...], last: tuple[int, ...] | None) -> bool:
    """``key`` continues the numbering right where the document is: the first child of
    the last number opened, or the next sibling of it or of one of its ancestors."""
    if last is None:
        return False
    if key[-1] == 1:
        return key[:-1] == last
    previous = (*key[:-1], key[-1] - 1)
    return last[: len(previous)] == previous


FAMILY = DotlessFamily()

"""Regulations (法规、规章、管理办法): ``第一编`` > ``第一章`` > ``第一节`` > ``第一条``.

Syntax: "第", a number in Chinese numerals or digits ("第十二条", "第12条"), and the unit.
Depth: 编 1, 章 2, 节 3, 条 4.  Number: Chinese numerals ("第12条" → "第十二条"); a 节 is
numbered within its 章 by the tree builder ("第三章第一节").
Rejected as references: "第三条规定", "第三条的", "第三条和第五条", "第三条第二款".
Plausibility in context (:func:`plausible_next`): a 条 continues the article numbering, a
章/节 continues its own.
"""

from __future__ import annotations

import re

from grammar.families.base import (
    CN_NUM_CHARS,
    REFERENCE,
    Family,
    HeadingMatch,
    MatchResult,
    Numbering,
    chinese_to_int,
    int_to_chinese,
)
from grammar.families.context import (
    FamilyDefaults,
    Mode,
    Node,
    TreeContext,
    TreeRules,
    glued_first_heading,
)
from grammar.schema import ClauseKind
from grammar.title_split import TitleRules

_SP = r"[ \t]"
RE_REG = re.compile(
    rf"^第{_SP}*(?P<n>[{CN_NUM_CHARS}]{{1,6}}|\d{{1,4}}){_SP}*(?P<unit>编|章|节|条)"
)
# "第三条规定" / "第三条的" are references; "第三条 为了…" / "第五条服务语言规范" are not.
_REF_AFTER = ("规定", "的", "所", "之", "中", "和", "、", "至", "或", "第", "款", "项")
_UNITS = {
    "编": (ClauseKind.REG_PART, 1),
    "章": (ClauseKind.REG_CHAPTER, 2),
    "节": (ClauseKind.REG_SECTION, 3),
    "条": (ClauseKind.ARTICLE, 4),
}


class RegulationTree(TreeRules):
    """编 > 章 > 节 > 条; a 节 is cited with its 章 ("第三章第一节"); a 章 stands for a
    chapter (texts that use "第二章" number its clauses "2.1")."""

    family = Family.REG
    kinds = frozenset(kind for kind, _ in _UNITS.values())

    def new_state(self) -> dict[ClauseKind, int]:
        """The last number of each unit."""
        return {}

    def clause_no(self, num: Numbering, ancestors: list[Node]) -> str:
        if num.kind is ClauseKind.REG_SECTION:
            chapter = next(
                (n for n in reversed(ancestors) if n.kind is ClauseKind.REG_CHAPTER), None
            )
            return (chapter.label if chapter else "") + num.label
        return num.label

    def opened(self, node: Node, ctx: TreeContext) -> None:
        last = ctx.state(Family.REG)
        assert node.num is not None
        last[node.kind] = node.num.key[0]
        # A new chapter restarts section numbering.
        if node.kind is ClauseKind.REG_CHAPTER:
            last.pop(ClauseKind.REG_SECTION, None)

    def chapter_number(self, node: Node) -> int | None:
        if node.kind is ClauseKind.REG_CHAPTER and node.num is not None:
            return node.num.key[0]
        return None

    def title_rules(self, kind: ClauseKind, level: int) -> TitleRules:
        # An article has no title to speak of; its text after the number is its body.
        if kind is ClauseKind.ARTICLE:
            return TitleRules(12, article=True)
        return TitleRules(40)


TREE = RegulationTree()


class RegulationFamily(FamilyDefaults):
    """第X编/章/节/条 (see module doc)."""

    name = "regulation"
    first = "第"
    tree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        m = RE_REG.match(s)
        if m is None:
            return None
        end = m.end()
        if s[end : end + 2].startswith(_REF_AFTER):
            return REFERENCE
        n = chinese_to_int(m.group("n"))
        if n is None or n == 0:
            return REFERENCE
        unit = m.group("unit")
        kind, level = _UNITS[unit]
        label = f"第{int_to_chinese(n)}{unit}"
        return HeadingMatch(Numbering(Family.REG, kind, (n,), level, label), pos, pos + end)

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        if mode == "tail":
            return False
        if mode == "lead":
            return glued_first_heading(hm, line, ctx)
        num = hm.numbering
        return plausible_next(num, mode, ctx.state(Family.REG).get(num.kind, 0))


def plausible_next(num: Numbering, mode: Mode, last: int) -> bool:
    """Is ``num`` a heading after ``last`` (the previous number of its unit, 0 if none)?

    ``mode`` says where it stands: "line" (starts a line), "punct" / "glued" (inside a
    line, after a full stop or a short title).  Articles may skip a few numbers on a line
    of their own (a scraped page drops some); inside a line only the exact next one counts.
    章/节/编 start lines."""
    n = num.key[0]
    if num.kind is ClauseKind.ARTICLE:
        if mode in ("punct", "glued"):
            return n == last + 1
        return last == 0 or n == 1 or last < n <= last + 5
    if mode != "line":
        return False
    return last == 0 or n == 1 or last < n <= last + 3


FAMILY = RegulationFamily()

"""grammar.families.regulation: 第X编/章/节/条 and their sequence rule."""

from __future__ import annotations

import pytest

from grammar.families.base import REFERENCE, Family
from grammar.families.regulation import FAMILY, plausible_next
from grammar.schema import ClauseKind


@pytest.mark.parametrize(
    ("s", "label", "level", "kind"),
    [
        ("第一编 总则", "第一编", 1, ClauseKind.REG_PART),
        ("第二章 服务", "第二章", 2, ClauseKind.REG_CHAPTER),
        ("第三节 一般规定", "第三节", 3, ClauseKind.REG_SECTION),
        ("第12条 为了", "第十二条", 4, ClauseKind.ARTICLE),
        ("第 二十三 条", "第二十三条", 4, ClauseKind.ARTICLE),
        ("第五条服务语言规范", "第五条", 4, ClauseKind.ARTICLE),
    ],
)
def test_syntax_depth_and_number(s: str, label: str, level: int, kind: ClauseKind) -> None:
    hm = FAMILY.match(s, 0, glued=False)
    assert hm is not None and hm is not REFERENCE
    assert hm.numbering.family is Family.REG
    assert (hm.numbering.label, hm.numbering.level, hm.numbering.kind) == (label, level, kind)


@pytest.mark.parametrize("s", ["第三条规定的事项", "第三条的", "第三条和第五条", "第三条第二款"])
def test_references(s: str) -> None:
    assert FAMILY.match(s, 0, glued=False) is REFERENCE


def test_sequence() -> None:
    art = FAMILY.match("第七条 x", 0, glued=False)
    assert art is not None and art is not REFERENCE
    assert plausible_next(art.numbering, "line", 6)
    assert plausible_next(art.numbering, "line", 3)  # a scraped page dropped a few
    assert not plausible_next(art.numbering, "punct", 5)  # inside a line: exact next only
    assert plausible_next(art.numbering, "punct", 6)
    chapter = FAMILY.match("第二章 x", 0, glued=False)
    assert chapter is not None and chapter is not REFERENCE
    assert plausible_next(chapter.numbering, "line", 1)
    assert not plausible_next(chapter.numbering, "punct", 1)  # chapters start lines

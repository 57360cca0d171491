"""grammar.families.outline_cn / outline_arabic: 一、 > （一） > 1. > （1）."""

from __future__ import annotations

import pytest

from grammar.families.base import (
    OUTLINE_ARABIC,
    OUTLINE_CN,
    OUTLINE_PAREN_ARABIC,
    OUTLINE_PAREN_CN,
    REFERENCE,
)
from grammar.families.outline_arabic import ARABIC, PAREN_ARABIC
from grammar.families.outline_cn import CN, PAREN_CN


@pytest.mark.parametrize(
    ("family", "s", "label", "level"),
    [
        (CN, "一、总则", "一、", OUTLINE_CN),
        (CN, "十二，附则", "十二、", OUTLINE_CN),
        (PAREN_CN, "(二)适用范围", "（二）", OUTLINE_PAREN_CN),
        (PAREN_CN, "（ 三 ）职责", "（三）", OUTLINE_PAREN_CN),
        (ARABIC, "1. 制定", "1.", OUTLINE_ARABIC),
        (ARABIC, "2、服务时间", "2.", OUTLINE_ARABIC),
        (PAREN_ARABIC, "(3)服务设施", "（3）", OUTLINE_PAREN_ARABIC),
    ],
)
def test_syntax_depth_and_number(family, s: str, label: str, level: int) -> None:
    hm = family.match(s, 0, glued=False)
    assert hm is not None and hm is not REFERENCE
    assert (hm.numbering.label, hm.numbering.level) == (label, level)


@pytest.mark.parametrize(
    ("family", "s"),
    [(CN, "一.5倍"), (ARABIC, "1.5 米"), (ARABIC, "100、"), (PAREN_ARABIC, "(100)"), (CN, "一般")],
)
def test_not_outline_numbers(family, s: str) -> None:
    assert family.match(s, 0, glued=False) is None

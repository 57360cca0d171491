"""grammar.families.ocr_dotless: clause numbers whose dots OCR lost ("C31" = C.3.1)."""

from __future__ import annotations

import pytest

from grammar.families.base import REFERENCE
from grammar.families.ocr_dotless import FAMILY
from grammar.numbering import match_heading
from ingest.readers.base import Line
from ingest.segment import segment_lines


@pytest.mark.parametrize(
    ("s", "label"),
    [("73 现场测评活动输出文档", "7.3"), ("C111 信息收集", "C.1.1.1"), ("E4 测试", "E.4")],
)
def test_syntax(s: str, label: str) -> None:
    hm = FAMILY.match(s, 0, glued=False)
    assert hm is not None and hm is not REFERENCE and hm.numbering.label == label


@pytest.mark.parametrize("s", ["7 要求", "103 x", "C 测试", "2019 年", "73"])
def test_not_this_family(s: str) -> None:
    assert FAMILY.match(s, 0, glued=False) is None


def test_contextual_only() -> None:
    """Syntax alone never reads "73" as 7.3: only the tree builder asks, in context."""
    hm = match_heading("73 现场测评活动输出文档")
    assert hm is None or hm.numbering.label == "73"


def seg(text: str) -> list[str]:
    lines = [Line(t) for t in text.strip().splitlines()]
    clauses = segment_lines(lines, doc_id="d", doc_title="T", standard_code=None, source="s")
    return [c.clause_no for c in clauses.clauses]


def test_dotless_numbers_where_the_numbering_continues() -> None:
    text = """
7 现场测评
7.1 工作流程
按测评方案实施。
7.2 主要任务
7.2.1 测评准备
启动现场测评。
73 输出文档
现场测评记录。
附录C
（资料性）
C.1 云计算
C11 测评准备活动
C111 信息收集和分析
收集资料。
C2 物联网
"""
    assert seg(text) == [
        "7",
        "7.1",
        "7.2",
        "7.2.1",
        "7.3",
        "附录C",
        "C.1",
        "C.1.1",
        "C.1.1.1",
        "C.2",
    ]


def test_digit_runs_elsewhere_stay_text() -> None:
    """A code table ("11 教育部门接入") or a skipped number is no heading."""
    text = """
1 范围
本文件规定了编码。
2 编码规则
2.1 行业编码
11 教育部门接入
25 电力企业接入
"""
    assert seg(text) == ["1", "2", "2.1"]

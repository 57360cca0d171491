"""grammar.titles: when a candidate title is really the opening of a sentence (issue 11
item 4), and how the segmenter's title/body split uses it."""

from __future__ import annotations

import pytest

from grammar.schema import ClauseKind
from grammar.titles import (
    brackets_balanced,
    dangling_end,
    ends_in_reference,
    is_lead_in,
    title_then_body,
)
from ingest.segment import split_title


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        ("额定电压：12", "V/24 V，允许偏差 ±10%。"),  # a label and its value
        ("电", "子会计档案的保管期限应…"),  # characters spaced apart by a PDF text layer
        ("使用", "电子会计档案管理系统应…"),  # a verb waiting for its object
        ("电子会计资料归档版式推荐使用", "OFD 格式。"),  # space before a Latin word
        ("对信用等级为“A", "等”的专家，宜…"),  # quote left open, space after a letter
        ("消息体属性格式结构如图", "2 所示。"),  # a reference whose number follows
        ("遥测站分类码编码规定见附录", "A，功能码定义见附录 B。"),
        ("“标识符”采用", "2 字节 HEX 码。"),
        ("对于ASCII", "字符编码 M1 模式，…"),
        ("服务时间", "，客户服务人员应…"),  # the tail continues the sentence
    ],
)
def test_a_space_inside_a_sentence_does_not_end_a_title(head: str, tail: str) -> None:
    assert not title_then_body(head, tail)


@pytest.mark.parametrize(
    ("head", "tail"),
    [
        ("服务时间", "客户服务人员应在工作日提供服务。"),
        ("投诉处理", "接到投诉后应在 24 h 内答复。"),
    ],
)
def test_a_short_title_then_its_body(head: str, tail: str) -> None:
    assert title_then_body(head, tail)


def test_a_term_may_be_followed_by_its_english_equivalent() -> None:
    head, tail = "跨定级系统安全管理中心", "security management center for cross classified system"
    assert title_then_body(head, tail, term=True)
    assert not title_then_body(head, tail)


@pytest.mark.parametrize(
    "text",
    [
        "产品分类的基本要求如下：",
        "数据应按照如下方式进行加密：",
        "本项要求包括：",
        "应符合下列规定:",
    ],
)
def test_lead_ins_are_recognised(text: str) -> None:
    assert is_lead_in(text)


@pytest.mark.parametrize("text", ["一、服务内容：", "服务要求", "基本要求：", "技术要求"])
def test_titles_with_or_without_colon_are_not_lead_ins(text: str) -> None:
    assert not is_lead_in(text)


def test_brackets_and_quotes_must_balance() -> None:
    assert brackets_balanced("水污染物浓度（例如 10 分钟）")
    assert brackets_balanced("“标识符”结构")
    assert not brackets_balanced("水污染物浓度分钟（例如")
    assert not brackets_balanced("对信用等级为“A")
    assert not brackets_balanced("例如）")


def test_dangling_ends() -> None:
    for text in ("位置基本信息数据格式见表", "推荐使用", "对于", "服务人员的"):
        assert dangling_end(text), text
    for text in ("目的", "服务流程", "设施设备", "不文明行为", "报警类型编码表"):
        assert not dangling_end(text), text
    assert ends_in_reference("位置附加信息项格式见表")
    assert not ends_in_reference("报警类型编码表")


@pytest.mark.parametrize(
    ("rest", "kind", "title", "body"),
    [
        # The cases: the whole line stays the body of a clause without a title.
        ("额定电压：12 V/24 V，允许偏差 ±10%。", ClauseKind.CLAUSE, "", None),
        ("使用 电子会计档案管理系统应具备备份功能。", ClauseKind.CLAUSE, "", None),
        ("电 子会计档案的保管期限应符合规定。", ClauseKind.CLAUSE, "", None),
        ("电子会计资料归档版式推荐使用 OFD 格式。", ClauseKind.CLAUSE, "", None),
        ("对信用等级为“A 等”的评审专家，宜对其进行通报表彰。", ClauseKind.CLAUSE, "", None),
        ("产品分类的基本要求如下：", ClauseKind.CLAUSE, "", None),
        ("产品分类的基本要求如下：", ClauseKind.OUTLINE, "", None),
        ("消息体属性格式结构如图 2 所示。", ClauseKind.CLAUSE, "", None),
        # Real titles are kept, whole.
        ("服务流程", ClauseKind.CLAUSE, "服务流程", ""),
        ("水污染物浓度分钟（例如 10 分钟）、小时、日均值", ClauseKind.ANNEX_CLAUSE, None, ""),
        (
            "服务时间 客户服务人员应在工作日提供服务。",
            ClauseKind.OUTLINE,
            "服务时间",
            "客户服务人员应在工作日提供服务。",
        ),
        ("一、服务内容：", ClauseKind.OUTLINE, "一、服务内容", ""),
    ],
)
def test_split_title(rest: str, kind: ClauseKind, title: str | None, body: str | None) -> None:
    got_title, got_body = split_title(rest, kind)
    assert got_title == (rest.strip() if title is None else title)
    want_body = rest.strip() if body is None else body
    assert got_body == want_body
    # Nothing of the line is lost: what is not the title is in the body.
    assert got_title.strip("：:") in rest and got_body in rest


def test_cover_title_below_the_masthead_outranks_a_label_above_it() -> None:
    from ingest.metadata import cover_title
    from ingest.readers.base import Line

    lines = [
        Line(t)
        for t in (
            "桌面服务规范",  # a transcriber's label (file name), above the cover
            "ICS 35.080",
            "中 华 人 民 共 和 国 电 子 行 业 标 准",
            "SJ/T 12345.5—2012",
            "信息技术服务 运行维护",
            "第5部分：桌面及外围设备规范",
            "2012-11-12 发布",
        )
    ]
    assert cover_title(lines) == "信息技术服务 运行维护 第5部分：桌面及外围设备规范"
    assert cover_title(lines[:1] + lines[4:]) is None  # no masthead: nothing to say

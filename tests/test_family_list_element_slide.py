"""grammar.families.list_item, element and slide_part: list items (never headings),
element names and slide-deck parts."""

from __future__ import annotations

import pytest

from grammar.families.base import OUTLINE_CIRCLED, OUTLINE_PART, REFERENCE
from grammar.families.element import FAMILY as ELEMENT
from grammar.families.list_item import CIRCLED, is_aux_block, lists_items
from grammar.families.slide_part import FAMILY as SLIDE


@pytest.mark.parametrize(
    "line",
    [
        "a) 服务人员",
        "b）设施",
        "1) 一项",
        "——持证上岗；",
        "• 要点",
        "注：说明",
        "注1：说明",
        "示例：",
        "表1 服务项目",
        "图 A.1 流程",
        "[来源：GB/T 1.1—2020，3.1]",
    ],
)
def test_body_blocks(line: str) -> None:
    assert is_aux_block(line)


@pytest.mark.parametrize("line", ["服务人员应持证上岗。", "5.2 服务", "表示方法", "图形符号"])
def test_not_body_blocks(line: str) -> None:
    assert not is_aux_block(line)


def test_circled_items_keep_their_number() -> None:
    hm = CIRCLED.match("③统一着装", 0, glued=False)
    assert hm is not None and hm is not REFERENCE
    assert (hm.numbering.label, hm.numbering.key, hm.numbering.level) == (
        "③",
        (3,),
        OUTLINE_CIRCLED,
    )


@pytest.mark.parametrize(
    ("s", "name"), [("前言", "前言"), ("参 考 文 献", "参考文献"), ("目  次", "目次")]
)
def test_elements(s: str, name: str) -> None:
    hm = ELEMENT.match(s, 0, glued=False)
    assert hm is not None and hm is not REFERENCE and hm.numbering.label == name
    assert ELEMENT.match(s + "的内容", 0, glued=False) is None


def test_slide_parts() -> None:
    hm = SLIDE.match("01经营服务概述CHAPTER", 0, glued=False)
    assert hm is not None and hm is not REFERENCE
    assert (hm.numbering.label, hm.numbering.level) == ("01", OUTLINE_PART)
    assert "01经营服务概述CHAPTER"[hm.rest_start : hm.rest_end] == "经营服务概述"
    hm2 = SLIDE.match("PART 02 服务流程", 0, glued=False)
    assert hm2 is not None and hm2 is not REFERENCE and hm2.numbering.label == "02"
    assert SLIDE.match("03客户反馈很多", 0, glued=False) is None  # no deck decoration
    assert SLIDE.match("01服务，流程CHAPTER", 0, glued=False) is None  # a sentence


def test_registry_order_and_every_family_listed() -> None:
    from grammar.families import FAMILIES

    names = [f.name for f in FAMILIES]
    assert len(names) == len(set(names))
    assert names.index("slide_part") < names.index("outline_arabic")
    assert names.index("annex") < names.index("gb") < names.index("regulation")
    assert names[-1] == "circled"


@pytest.mark.parametrize(
    "line",
    [
        "5.2 服务",
        "附录A",
        "A.1 总则",
        "第三条 x",
        "前言",
        "一、总则",
        "(一)目的",
        "（1）设施",
        "2、时间",
        "③项",
        "01概述CHAPTER",
        "PART 02 服务流程",
        "Chapter 03 服务",
    ],
)
def test_first_character_index_finds_every_family(line: str) -> None:
    """The index must not hide a family: the result equals trying every family in order."""
    from grammar.families import FAMILIES
    from grammar.numbering import halfwidth, match_at

    s = halfwidth(line)
    expected = None
    for family in FAMILIES:
        found = family.match(s, 0, glued=True)
        if found is REFERENCE:
            break
        if found is not None:
            expected = found
            break
    assert match_at(line, 0, glued=True) == expected and expected is not None


def test_a_list_run_into_one_line_is_two_different_inline_markers_of_one_style() -> None:
    assert lists_items("服务实施流程:(1)按照要求进行服务; (2)记录服务数据;")
    assert lists_items("确保: a) 少而精; b) 有利于形成行为规范;")
    assert lists_items("严把两关:一是加强领导;二是把好采购关。")
    assert lists_items("⑪ 附录；⑫ 参考文献。")  # every circled number the family knows
    assert lists_items("（一）总体要求（二）具体要求")
    # one marker, the same marker twice, a clause number, a decimal: no list
    assert not lists_items("持续改进(1)定期对服务体系进行评估。")
    assert not lists_items("见(1)，并按(1)执行。")
    assert not lists_items("(4.6.1)组织应形成服务管理体系文件。")
    assert not lists_items("温度为 1.5 ℃，湿度 2.5 %。")

"""Clause segmentation on hand-written fixtures, one per numbering scheme.

Every fixture asserts the exact clause numbers in order and the heading paths, because a
segmenter that is "roughly right" cites the wrong clause.
"""

from __future__ import annotations

import textwrap

import pytest

from grammar.schema import AnnexType, Clause, ClauseKind
from ingest.readers.base import Line
from ingest.segment import segment_lines, split_title


def seg(text: str, title: str = "T") -> list[Clause]:
    lines = [Line(t.strip()) for t in textwrap.dedent(text).strip().splitlines() if t.strip()]
    return segment_lines(lines, doc_id="d", doc_title=title, standard_code=None, source="s").clauses


def nos(clauses: list[Clause]) -> list[str]:
    return [c.clause_no for c in clauses]


def by_no(clauses: list[Clause], no: str) -> Clause:
    [hit] = [c for c in clauses if c.clause_no == no]
    return hit


def path(c: Clause) -> list[str]:
    return [h.label() for h in c.heading_path]


GB_DOC = """
ICS 03.080
CCS A 12
团体标准
T/XX 001—2025
社区助餐服务规范
2025-01-01发布
前言
本文件按照GB/T 1.1—2020《标准化工作导则　第1部分：标准化文件的结构和起草规则》的规定起草。
1　范围
本文件规定了社区助餐服务的基本要求、服务内容和服务评价。
本文件适用于社区助餐服务机构。
2　规范性引用文件
下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。
GB/T 1.1—2020　标准化工作导则　第1部分：标准化文件的结构和起草规则
GB 31654　食品安全国家标准　餐饮服务通用卫生规范
3　术语和定义
下列术语和定义适用于本文件。
3.1
社区助餐服务　community meal service
为社区老年人提供的膳食配送和堂食服务。
注：包括上门送餐。
[来源：GB/T 00000—2020，3.1，有修改]
3.2　助餐点　meal site
提供堂食的固定场所。
4　基本要求
4.1　服务机构应取得食品经营许可。
4.2　服务人员应持有健康证明，并符合下列要求：
a)　每年体检一次；
b)　上岗前培训，内容包括：
1)　食品安全知识；
2)　应急处置。
——不得带病上岗。
5　服务内容
5.1　膳食配送
5.1.1　配送时间
5.1.1.1　午餐
5.1.1.1.1　午餐应在11:00前送达。
5.1.1.1.2　送达后应当面确认。
5.1.1.2　晚餐应在17:30前送达。
5.1.2　配送容器应按5.1.1的规定消毒，见附录A。
注1：容器可重复使用。
注2：一次性容器应可降解。
5.2　堂食
示例1：每周公布菜谱。
表1　营养配比
主食 | 蔬菜 | 肉类
30 min内应完成出餐。
附录A
（规范性）
容器消毒方法
A.1　消毒流程
A.1.1　清洗后应高温消毒。
A.1.2　消毒后应保洁存放。
A.2　记录
附录B
（资料性）
服务记录表示例
B.1　记录表样式见表B.1。
参考文献
[1]　GB/T 00000　示例
"""


@pytest.fixture(scope="module")
def clauses() -> list[Clause]:
    return seg(GB_DOC)


class TestGbDocument:
    def test_exact_clause_numbers_in_order(self, clauses: list[Clause]) -> None:
        assert nos(clauses) == [
            "",
            "前言",
            "1",
            "2",
            "3",
            "3.1",
            "3.2",
            "4",
            "4.1",
            "4.2",
            "5",
            "5.1",
            "5.1.1",
            "5.1.1.1",
            "5.1.1.1.1",
            "5.1.1.1.2",
            "5.1.1.2",
            "5.1.2",
            "5.2",
            "附录A",
            "A.1",
            "A.1.1",
            "A.1.2",
            "A.2",
            "附录B",
            "B.1",
            "参考文献",
        ]

    def test_preamble_is_cover(self, clauses: list[Clause]) -> None:
        assert clauses[0].kind is ClauseKind.PREAMBLE
        assert "T/XX 001—2025" in clauses[0].text

    def test_titles(self, clauses: list[Clause]) -> None:
        assert by_no(clauses, "1").clause_title == "范围"
        assert by_no(clauses, "5.1").clause_title == "膳食配送"
        assert by_no(clauses, "4.1").clause_title == ""
        assert by_no(clauses, "4.1").text == "服务机构应取得食品经营许可。"
        assert by_no(clauses, "附录A").clause_title == "容器消毒方法"
        assert by_no(clauses, "附录B").clause_title == "服务记录表示例"

    def test_depth_comes_from_the_number(self, clauses: list[Clause]) -> None:
        assert path(by_no(clauses, "5.1.1.1.2")) == [
            "5 服务内容",
            "5.1 膳食配送",
            "5.1.1 配送时间",
            "5.1.1.1 午餐",
        ]
        assert path(by_no(clauses, "5.1.2")) == ["5 服务内容", "5.1 膳食配送"]
        assert path(by_no(clauses, "5.2")) == ["5 服务内容"]
        assert path(by_no(clauses, "A.1.2")) == ["附录A 容器消毒方法", "A.1 消毒流程"]
        assert path(by_no(clauses, "1")) == []

    def test_terms(self, clauses: list[Clause]) -> None:
        t1 = by_no(clauses, "3.1")
        assert t1.kind is ClauseKind.TERM
        assert t1.clause_title == "社区助餐服务　community meal service"
        assert t1.text.startswith("为社区老年人提供")
        assert "注：包括上门送餐。" in t1.text and "[来源：" in t1.text
        t2 = by_no(clauses, "3.2")
        assert t2.kind is ClauseKind.TERM
        assert t2.clause_title == "助餐点　meal site"

    def test_lists_notes_examples_tables_stay_in_their_clause(self, clauses: list[Clause]) -> None:
        c42 = by_no(clauses, "4.2")
        for item in (
            "a)　每年体检一次；",
            "1)　食品安全知识；",
            "2)　应急处置。",
            "——不得带病上岗。",
        ):
            assert item in c42.text
        assert "注1：" in by_no(clauses, "5.1.2").text and "注2：" in by_no(clauses, "5.1.2").text
        c52 = by_no(clauses, "5.2")
        assert "示例1：" in c52.text and "表1　营养配比" in c52.text and "主食 | 蔬菜" in c52.text

    def test_cross_references_and_quantities_are_not_headings(self, clauses: list[Clause]) -> None:
        assert "按5.1.1的规定消毒，见附录A" in by_no(clauses, "5.1.2").text
        assert "30 min内应完成出餐。" in by_no(clauses, "5.2").text
        # reference list entries start with a code, not a clause number
        assert "GB 31654" in by_no(clauses, "2").text

    def test_annex_status(self, clauses: list[Clause]) -> None:
        assert by_no(clauses, "附录A").annex_type is AnnexType.NORMATIVE
        assert by_no(clauses, "A.1.1").annex_type is AnnexType.NORMATIVE
        assert by_no(clauses, "B.1").annex_type is AnnexType.INFORMATIVE
        assert by_no(clauses, "5.2").annex_type is None
        assert by_no(clauses, "参考文献").annex_type is None

    def test_offsets_cover_heading_and_body(self, clauses: list[Clause]) -> None:
        lines = [t.strip() for t in textwrap.dedent(GB_DOC).strip().splitlines() if t.strip()]
        doc = "\n".join(lines)
        c = by_no(clauses, "4.2")
        assert doc[c.start : c.end].startswith("4.2　服务人员应持有健康证明")
        assert doc[c.start : c.end].rstrip().endswith("——不得带病上岗。")
        assert [c.seq for c in clauses] == list(range(len(clauses)))


def test_annex_2009_style_and_same_line_status() -> None:
    clauses = seg("""
        1 范围
        本标准规定了……
        附录A（规范性附录）服务流程
        A.1 受理
        附录 B
        (资料性附录)
        评价表
        B.1 评价内容
        """)
    assert nos(clauses) == ["1", "附录A", "A.1", "附录B", "B.1"]
    assert by_no(clauses, "附录A").clause_title == "服务流程"
    assert by_no(clauses, "A.1").annex_type is AnnexType.NORMATIVE
    assert by_no(clauses, "附录B").clause_title == "评价表"
    assert by_no(clauses, "B.1").annex_type is AnnexType.INFORMATIVE


def test_annex_reference_in_text_is_not_an_annex() -> None:
    clauses = seg("""
        5 要求
        5.1 流程
        附录A给出了流程图。
        5.2 记录
        """)
    assert nos(clauses) == ["5", "5.1", "5.2"]
    assert "附录A给出了流程图。" in by_no(clauses, "5.1").text


REGULATION = """
中华人民共和国示例法
第一章　总则
第一条　为了规范示例工作，制定本法。
第二条　示例工作包括：
（一）制定示例；
（二）实施示例。
第二章　示例的制定
第一节　一般规定
第三条　依照本法第二条规定，制定示例应当公开。
第四条　示例应当定期复审。
第二节　特别规定
第五条　特别示例由国务院规定。
第三章　附则
第六条　本法自2018年1月1日起施行。
"""


def test_regulation_chapters_sections_articles() -> None:
    clauses = seg(REGULATION)
    assert nos(clauses) == [
        "",
        "第一章",
        "第一条",
        "第二条",
        "第二章",
        "第二章第一节",
        "第三条",
        "第四条",
        "第二章第二节",
        "第五条",
        "第三章",
        "第六条",
    ]
    assert path(by_no(clauses, "第五条")) == ["第二章 示例的制定", "第二节 特别规定"]
    assert path(by_no(clauses, "第六条")) == ["第三章 附则"]
    second = by_no(clauses, "第二条")
    assert second.kind is ClauseKind.ARTICLE
    assert "（一）制定示例；" in second.text and "（二）实施示例。" in second.text
    assert by_no(clauses, "第三条").text.startswith("依照本法第二条规定")


def test_articles_without_space_and_arabic_numbers() -> None:
    clauses = seg("""
        第1条 总则内容。
        第2条服务语言规范。
        第三条规定的事项不适用。
        第3条 附则。
        """)
    assert nos(clauses) == ["第一条", "第二条", "第三条"]
    assert "第三条规定的事项不适用。" in by_no(clauses, "第二条").text


OUTLINE = """
一、总则
（一）目的
1. 明确服务要求
（1）服务人员
①持证上岗
②统一着装
（2）服务设施
2. 明确服务流程
（二）适用范围
二、服务规范
1、服务时间:每天8:00-18:00。
2、服务用语:使用普通话。
"""


def test_outline_numbering_five_levels() -> None:
    clauses = seg(OUTLINE)
    assert nos(clauses) == [
        "一、",
        "一、（一）",
        "一、（一）1.",
        "一、（一）1.（1）",
        "一、（一）1.（1）①",
        "一、（一）1.（1）②",
        "一、（一）1.（2）",
        "一、（一）2.",
        "一、（二）",
        "二、",
        "二、1.",
        "二、2.",
    ]
    assert path(by_no(clauses, "一、（一）1.（1）②")) == [
        "一、 总则",
        "（一） 目的",
        "1. 明确服务要求",
        "（1） 服务人员",
    ]
    assert by_no(clauses, "二、1.").clause_title == "服务时间"
    assert by_no(clauses, "二、1.").text == "服务时间:每天8:00-18:00。"


def test_mixed_regulation_and_gb_numbering() -> None:
    clauses = seg("""
        第一章 总则
        1.1 目的
        为了规范服务，制定本制度。
        1.2 适用范围
        本制度适用于全体员工。
        第二章 服务标准
        2.1 服务态度
        2.2 服务质量
        """)
    assert nos(clauses) == ["第一章", "1.1", "1.2", "第二章", "2.1", "2.2"]
    assert path(by_no(clauses, "1.2")) == ["第一章 总则"]
    assert path(by_no(clauses, "2.2")) == ["第二章 服务标准"]


def test_mixed_outline_then_gb_first_family_is_outermost() -> None:
    clauses = seg("""
        一、编写要求
        5 要求
        5.1 人员
        5.2 设施
        二、实施
        """)
    assert nos(clauses) == ["一、", "5", "5.1", "5.2", "二、"]
    assert path(by_no(clauses, "5.2")) == ["一、 编写要求", "5 要求"]
    assert path(by_no(clauses, "二、")) == []


def test_inline_clauses_in_one_line() -> None:
    clauses = seg(
        "3 基本要求 3.1 要符合GB/T1.1和GB/T24421.1 的规定。 3.2 服务标准应遵守法律法规。 "
        "3.3 应识别顾客需求。"
    )
    assert nos(clauses) == ["3", "3.1", "3.2", "3.3"]
    assert by_no(clauses, "3").clause_title == "基本要求"
    assert by_no(clauses, "3.1").text == "要符合GB/T1.1和GB/T24421.1 的规定。"
    assert all(path(by_no(clauses, n)) == ["3 基本要求"] for n in ("3.1", "3.2", "3.3"))


def test_inline_requires_the_next_number_after_a_full_stop() -> None:
    clauses = seg("""
        5 要求
        5.1 人员
        服务人员应符合 5.3 的规定。 7.2 所列人员除外。 5.2 设施应完好。
        """)
    # "5.3 的规定" is a reference, "7.2" does not continue the numbering, "5.2" does.
    assert nos(clauses) == ["5", "5.1", "5.2"]
    assert "7.2 所列人员除外。" in by_no(clauses, "5.1").text


def test_glued_title_and_first_child() -> None:
    clauses = seg(
        "第一章:总则1.1 目的为了提高员工对制度的了解。\n1.2 适用范围本培训适用于全体员工。"
    )
    assert nos(clauses) == ["第一章", "1.1", "1.2"]
    assert by_no(clauses, "第一章").clause_title == "总则"
    # "目的" is a stock heading word glued to its body
    assert by_no(clauses, "1.1").clause_title == "目的"
    assert by_no(clauses, "1.1").text.startswith("为了提高")
    assert by_no(clauses, "1.2").clause_title == "适用范围"


def test_out_of_order_clause_returns_to_its_parent() -> None:
    # Slides scraped out of order: 3.6 shows up after chapter 4.
    clauses = seg("""
        3 基本要求
        3.1 应识别服务提供过程。 3.2 应识别服务要素。
        4 服务标准构成
        4.1 构成要素
        补充内容。 3.3 积极采用国际标准。
        """)
    assert nos(clauses) == ["3", "3.1", "3.2", "4", "4.1", "3.3"]
    assert path(by_no(clauses, "3.3")) == ["3 基本要求"]


def test_heading_never_split_from_body_and_toc_ignored() -> None:
    clauses = seg("""
        目次
        前言
        1 范围
        2 规范性引用文件
        前言
        本文件由示例协会提出。
        1 范围
        本文件规定了示例。
        2 规范性引用文件
        本文件没有规范性引用文件。
        """)
    assert nos(clauses) == ["前言", "1", "2"]
    assert by_no(clauses, "1").text == "本文件规定了示例。"
    assert by_no(clauses, "2").text == "本文件没有规范性引用文件。"


def test_full_width_numbers_are_normalised() -> None:
    clauses = seg("５　要求\n５．１　人员\n人员应持证。")
    assert nos(clauses) == ["5", "5.1"]
    assert by_no(clauses, "5.1").text == "人员应持证。"


@pytest.mark.parametrize(
    ("rest", "kind", "expected"),
    [
        ("服务人员", ClauseKind.CLAUSE, ("服务人员", "")),
        ("服务人员应持证上岗。", ClauseKind.CLAUSE, ("", "服务人员应持证上岗。")),
        (
            "服务态度服务态度是公司形象的体现。",
            ClauseKind.CLAUSE,
            ("服务态度", "服务态度是公司形象的体现。"),
        ),
        (
            "制定服务标准:首先，需要调研。",
            ClauseKind.OUTLINE,
            ("制定服务标准", "制定服务标准:首先，需要调研。"),
        ),
        (
            "服务时间 客户服务人员应在工作日提供服务。",
            ClauseKind.CLAUSE,
            ("服务时间", "客户服务人员应在工作日提供服务。"),
        ),
        ("应急处置", ClauseKind.CLAUSE, ("应急处置", "")),
        ("应充分识别顾客的期望和需求", ClauseKind.CLAUSE, ("", "应充分识别顾客的期望和需求")),
        ("目标、原则和要求", ClauseKind.CHAPTER, ("目标、原则和要求", "")),
        (
            "总则为适应新的市场形势，制定本办法。",
            ClauseKind.OUTLINE,
            ("总则", "为适应新的市场形势，制定本办法。"),
        ),
        ("目的的确定需要调研。", ClauseKind.OUTLINE, ("", "目的的确定需要调研。")),
        ("为了规范工作，制定本法。", ClauseKind.ARTICLE, ("", "为了规范工作，制定本法。")),
        # a requirement whose first words recur later is not a doubled title
        ("机构宜委托检测机构检测。", ClauseKind.CLAUSE, ("", "机构宜委托检测机构检测。")),
        (
            "检修人员每年接受检修技能培训。",
            ClauseKind.CLAUSE,
            ("", "检修人员每年接受检修技能培训。"),
        ),
        (
            "检验报告的格式由检验报告模板规定。",
            ClauseKind.ANNEX_CLAUSE,
            ("", "检验报告的格式由检验报告模板规定。"),
        ),
        # a title alone on its line whose opening words recur inside it
        ("检测方法和非检测方法", ClauseKind.CLAUSE, ("检测方法和非检测方法", "")),
        # a genuinely doubled title, and a scraped heading opening its body
        (
            "投诉渠道投诉渠道包括热线电话。",
            ClauseKind.CLAUSE,
            ("投诉渠道", "投诉渠道包括热线电话。"),
        ),
        (
            "培训工作的目标与意义培训工作是基础，需长期坚持。",
            ClauseKind.OUTLINE,
            ("培训工作的目标与意义", "培训工作是基础，需长期坚持。"),
        ),
        # 响应, 相应, 适应, 供应 are words, not the modal verb 应
        ("接收与响应", ClauseKind.CLAUSE, ("接收与响应", "")),
        ("相应措施", ClauseKind.CLAUSE, ("相应措施", "")),
        ("物资供应", ClauseKind.CLAUSE, ("物资供应", "")),
        ("应当建立台账", ClauseKind.CLAUSE, ("", "应当建立台账")),
        # a GB clause whose sentence begins with an element name keeps it
        ("引言不编号，位于前言之后。", ClauseKind.CLAUSE, ("", "引言不编号，位于前言之后。")),
        ("前言宜给出下列内容：", ClauseKind.CLAUSE, ("", "前言宜给出下列内容：")),
        # scraped text with a GB number still loses its glued stock heading
        (
            "目的为了规范服务，制定本制度。",
            ClauseKind.CLAUSE,
            ("目的", "为了规范服务，制定本制度。"),
        ),
        # a GB lead-in sentence ending in a colon is body text
        ("合格率按公式（2）计算：", ClauseKind.CLAUSE, ("", "合格率按公式（2）计算：")),
        ("检查内容随设施类型而不同：", ClauseKind.CLAUSE, ("", "检查内容随设施类型而不同：")),
        ("服务流程：", ClauseKind.OUTLINE, ("服务流程", "")),
    ],
)
def test_split_title(rest: str, kind: ClauseKind, expected: tuple[str, str]) -> None:
    assert split_title(rest, kind) == expected


# ---------------------------------------------------------------- scraped outline lists
def test_first_item_glued_after_lead_in_colon() -> None:
    """ "…如下:1. 甲:…" then "2." on its own line: the "1." is a heading too."""
    clauses = seg(
        "一、培训安排\n"
        "培训分为以下几个环节:1. 岗前培训:新员工入职时参加。\n"
        "2. 在岗培训:每季度组织一次。\n"
        "3. 考核:培训结束后考核。"
    )
    assert nos(clauses) == ["一、", "一、1.", "一、2.", "一、3."]
    assert by_no(clauses, "一、").text == "培训分为以下几个环节:"
    assert by_no(clauses, "一、1.").clause_title == "岗前培训"


def test_restarted_list_nests_under_open_item() -> None:
    """Three lists under one heading ("方针:1.…3. 目标:1.…") must not repeat "一、2."."""
    clauses = seg(
        "一、方针和目标\n"
        "方针:1. 预防为主。\n"
        "2. 持续改进。\n"
        "目标:1. 零投诉。\n"
        "2. 满意率不低于95%。\n"
        "二、组织\n"
        "1. 设立工作小组。"
    )
    numbers = nos(clauses)
    assert len(numbers) == len(set(numbers))
    assert numbers == ["一、", "一、1.", "一、2.", "一、2.1.", "一、2.2.", "二、", "二、1."]
    assert by_no(clauses, "一、2.1.").text == "零投诉。"


def test_restarted_top_level_list_closes_at_next_sibling() -> None:
    """A section whose body restarts at "一、" nests it; the next "八、" is top level again."""
    clauses = seg(
        "六、场所要求\n一、面积\n不少于400平方米。\n二、选址\n交通便利。\n七、设备要求\n配备呼叫设备。"
    )
    assert nos(clauses) == ["六、", "六、一、", "六、二、", "七、"]
    assert by_no(clauses, "七、").heading_path == []


def test_outline_heading_ending_in_full_stop() -> None:
    """ "一、引言。" and "（一）创新理念。" are headings; a list item keeps its sentence."""
    clauses = seg(
        "一、引言。 本方案用于规范窗口服务。\n"
        "二、工作措施。\n"
        "（一）统一标准。\n"
        "各窗口执行同一套标准。\n"
        "1. 服务无小事。"
    )
    assert by_no(clauses, "一、").clause_title == "引言"
    assert by_no(clauses, "一、").text == "本方案用于规范窗口服务。"
    assert by_no(clauses, "二、").clause_title == "工作措施"
    assert by_no(clauses, "二、（一）").clause_title == "统一标准"
    item = by_no(clauses, "二、（一）1.")
    assert item.clause_title == "" and item.text == "服务无小事。"


# ---------------------------------------------------------------- headings glued into the preamble
@pytest.mark.parametrize(
    "first",
    [
        "社区助餐服务方案一、工作目标本方案用于规范助餐服务。",
        "第2篇社区助餐服务方案一、工作目标本方案用于规范助餐服务。",
        "街道助餐服务工作方案【二】一、工作目标本方案用于规范助餐服务。",
    ],
)
def test_first_heading_glued_to_the_title_line(first: str) -> None:
    clauses = seg(f"{first}\n二、工作措施\n统一配送。", title="社区助餐服务方案")
    assert nos(clauses) == ["", "一、", "二、"]
    assert "一、" not in clauses[0].text
    assert by_no(clauses, "一、").clause_title == "工作目标"
    assert by_no(clauses, "一、").text == "本方案用于规范助餐服务。"


def test_regulation_chapter_and_article_glued_to_the_title() -> None:
    clauses = seg(
        "某某公司窗口服务细则第一章总则第一条为规范窗口服务,制定本细则。\n"
        "第二条 本细则适用于营业厅。\n"
        "第二章 服务要求\n"
        "第三条 工作人员应着装整洁。"
    )
    assert nos(clauses) == ["", "第一章", "第一条", "第二条", "第二章", "第三条"]
    assert clauses[0].text == "某某公司窗口服务细则"
    assert by_no(clauses, "第一章").clause_title == "总则"
    assert path(by_no(clauses, "第一条")) == ["第一章 总则"]


def test_heading_after_the_title_repeated_in_the_preamble() -> None:
    """A notice, a date, then the title again and "第一章…" on the same line."""
    clauses = seg(
        "某区人民政府办公室文件\n"
        "各有关单位:现将《某区人才服务管理办法》印发给你们,请认真执行。\n"
        "某区人民政府办公室二〇二〇年三月一日某区人才服务管理办法第一章总则第一条为做好人才服务,"
        "制定本办法。\n"
        "第二条 本办法适用于全区。\n"
        "第二章 服务内容\n"
        "第三条 提供落户服务。",
        title="某区人才服务管理办法",
    )
    assert nos(clauses)[:3] == ["", "第一章", "第一条"]
    assert clauses[0].text.endswith("某区人才服务管理办法")
    # The line's opening phrase repeated before "一、" counts as the title too.
    clauses = seg(
        "学院窗口服务管理措施为提升服务水平,现制定**学院窗口服务管理措施一、工作人员"
        "(一)接待责任制1、热情接待来访人员。\n"
        "2、不推诿。"
    )
    assert nos(clauses) == ["", "一、", "一、（一）", "一、（一）1.", "一、（一）2."]


def test_first_heading_glued_to_a_page_number_and_title_opening_a_list() -> None:
    """No "二、" follows, but "一、" carries a short title glued to its first item "1、"."""
    clauses = seg("1窗口服务五十条一、礼仪要求:1、微笑迎客。\n2、主动服务。")
    assert nos(clauses) == ["", "一、", "一、1.", "一、2."]
    assert by_no(clauses, "一、").clause_title == "礼仪要求"


def test_first_heading_after_a_lead_in_sentence() -> None:
    clauses = seg(
        "服务标准是企业管理的基础。\n"
        "具体做法列举如下:一、明确目标:先明确服务目标。\n"
        "二、明确流程:再明确服务流程。"
    )
    assert nos(clauses) == ["", "一、", "二、"]
    assert clauses[0].text.endswith("具体做法列举如下:")
    assert by_no(clauses, "一、").clause_title == "明确目标"


@pytest.mark.parametrize(
    "text",
    [
        # No evidence that a sequence follows: an inline list stays text.
        "窗口服务管理规范一、热情服务\n服务人员要主动。",
        "本规范的要求如下:一、热情;二、周到。\n服务人员要主动。",
        # A cross-reference, even with a chapter 2 later on.
        "详见第一章总则第一条\n第二章 服务要求",
        # Not after a title or a sentence: mid-phrase.
        "服务人员要做到一、热情\n二、周到",
    ],
)
def test_glued_numbers_that_stay_text(text: str) -> None:
    clauses = seg(text)
    first_line = text.split("\n", 1)[0]
    assert clauses[0].clause_no == ""
    assert clauses[0].text.startswith(first_line)


def test_headings_are_not_pulled_out_of_numbered_text() -> None:
    """Once a heading is open the rule no longer applies: "一、" restarting inside "二、"
    after a sentence is not split off."""
    clauses = seg("一、总则\n二、要求\n服务要规范。一、着装整洁\n三、附则")
    assert nos(clauses) == ["一、", "二、", "三、"]
    assert by_no(clauses, "二、").text == "服务要规范。一、着装整洁"


def test_slide_deck_parts() -> None:
    clauses = seg(
        "社区助餐服务说明\n"
        "目录助餐概况助餐流程CONTENTS\n"
        "01助餐概况CHAPTER\n"
        "服务是满足客户需求的活动。03满意回访记录意见。\n"
        "1. 定义\n"
        "2. 目标\n"
        "PART 02 助餐流程\n"
        "1. 流程\n"
        "02满意回访按月汇总。"
    )
    assert nos(clauses) == ["", "01", "1.", "2.", "02", "1."]
    assert by_no(clauses, "01").clause_title == "助餐概况"
    assert "CHAPTER" not in by_no(clauses, "01").text
    assert by_no(clauses, "01").text.startswith("服务是满足")
    assert path(clauses[-1]) == ["02 助餐流程"]
    # "02客户反馈…" without the deck's decoration is slide text.
    assert clauses[-1].text.endswith("02满意回访按月汇总。")


# ---------------------------------------------------------------- tables of contents
BODY = """
前言
本文件按照规则起草。
1 范围
本文件规定了示例服务的要求。
2 要求
2.1 总则
服务应安全。
附录A
（规范性）
示例表格
A.1 说明
附录内容。
"""
BODY_NOS = ["前言", "1", "2", "2.1", "附录A", "A.1"]


@pytest.mark.parametrize(
    "toc",
    [
        "目次",  # entries stripped by the cleaner: only the heading is left
        "目 录\n前言\n1 范围\n2 要求\n2.1 总则\n附录A（规范性） 示例表格",  # no page numbers
        "目次\n前言 Ⅲ\n1 范围 1\n2 要求 1\n2.1 总则 2\n附录A（规范性） 示例表格 5",
        "目次\n前言 Ⅱ1 范围 12 要求 12.1 总则 2附录A（规范性） 示例表格 5",  # collapsed
        "1 范围 1\n2 要求 1\n2.1 总则 2",  # no TOC heading at all
        "目录\n- 前言\n- 1 范围\n- 2 要求",  # a Markdown list
        "CONTENTS\n前言 I\n1 Scope 1\n2 要求 1\nGB/T 00000—2020\n2.1 总则 2",  # header inside
    ],
)
def test_toc_never_becomes_structure_nor_swallows_body(toc: str) -> None:
    clauses = seg("示例服务规范\n" + toc + BODY)
    assert nos(clauses) == ["", *BODY_NOS]
    assert by_no(clauses, "1").text == "本文件规定了示例服务的要求。"
    assert by_no(clauses, "2.1").text == "服务应安全。"
    assert all("目次" not in c.text and "Ⅲ" not in c.text for c in clauses)


def test_toc_numbering_that_disagrees_with_body() -> None:
    # The TOC lists "3 评价", the body calls chapter 3 "服务评价" and adds 3.1.
    clauses = seg(
        "目次\n1 范围 1\n3 评价 2\n1 范围\n适用于示例。\n3 服务评价\n3.1 方法\n每年评价。"
    )
    assert nos(clauses) == ["1", "3", "3.1"]
    assert by_no(clauses, "3").clause_title == "服务评价"


def test_empty_heading_repeated_later_is_replaced_by_the_real_one() -> None:
    # A heading the TOC detector cannot see leaves an empty clause; the body's heading
    # with the same number takes it over instead of being refused as a duplicate.
    clauses = seg("1 范围\n2 要求\n1 范围\n适用于示例。\n2 要求\n服务应安全。")
    assert nos(clauses)[-2:] == ["1", "2"]
    assert by_no(clauses, "2").text == "服务应安全。"


def test_table_rows_never_become_chapters() -> None:
    clauses = seg("""
        1 范围
        适用于示例。
        2 要求
        2.1 代码
        执行结果见表 1。
        表 1 执行结果定义表
        3 PW 错误
        4 MN 错误
        5 报警使能 DWORD
        6 定位性能 4.5.2 5.5.2 √
        2.2 其他
        其他要求。
        附录A
        （资料性）
        示例
        9 未知错误
        """)
    assert [c.clause_no for c in clauses] == ["1", "2", "2.1", "2.2", "附录A"]
    assert "3 PW 错误" in by_no(clauses, "2.1").text


def test_glued_numbers_and_headings_at_the_end_of_a_row() -> None:
    clauses = seg("""
        1 范围
        适用于示例。
        2术语和定义
        下列术语适用于本文件。
        3个工作日内完成受理。
        2.1 码流
        指令参数 CP 字符 见 2.1 章节2.2数据区
        2.2.1 结构
        结构说明。
        """)
    assert nos(clauses) == ["1", "2", "2.1", "2.2", "2.2.1"]
    assert by_no(clauses, "2").clause_title == "术语和定义"
    assert by_no(clauses, "2.2").clause_title == "数据区"
    assert "3个工作日内完成受理。" in by_no(clauses, "2").text


def test_heading_without_body_is_a_section_over_its_subtree() -> None:
    clauses = seg("4 要求\n4.1 人员\n应持证。\n4.2 设施\n5 评价\n每年评价。")
    assert by_no(clauses, "4").is_section
    assert not by_no(clauses, "4.1").is_section
    assert not by_no(clauses, "4.2").is_section  # empty, but a leaf: not a section
    assert not by_no(clauses, "5").is_section
    # stored and loaded; records written before the flag existed load as non-sections
    d = by_no(clauses, "4").to_dict()
    assert Clause.from_dict(d).is_section
    d.pop("is_section")
    assert not Clause.from_dict(d).is_section


def test_empty_chapter_heading_right_before_the_next_chapter() -> None:
    """ "2 规范性引用文件" with no body, then "3 术语和定义": two chapters, not table rows."""
    clauses = seg("""
        某某服务规范
        1 范围
        本文件规定了服务要求。
        2 规范性引用文件
        3 术语和定义
        本文件没有需要界定的术语和定义。
        4 服务要求
        服务人员应持证上岗。
        """)
    assert nos(clauses) == ["", "1", "2", "3", "4"]
    assert by_no(clauses, "3").text == "本文件没有需要界定的术语和定义。"


def test_circled_items_in_a_gb_clause_stay_in_its_text() -> None:
    clauses = seg("""
        5 服务要求
        5.1 人员
        服务人员应：
        ①持证上岗；
        ②统一着装。
        5.2 设施
        设施应完好。
        """)
    assert nos(clauses) == ["5", "5.1", "5.2"]
    assert "②统一着装。" in by_no(clauses, "5.1").text


def test_toc_entry_whose_number_was_lost_does_not_end_the_toc() -> None:
    """An OCR'd 目次 lost a chapter number ("服务基础" for "4 服务基础") and some page
    numbers: the entries after it are still TOC, and the body's headings are the clauses."""
    clauses = seg("""
        目 次
        前言 Ⅲ
        1 范围
        2 规范性引用文件
        3 术语和定义、缩略语
        3.1 术语和定义
        3.2 缩略语
        服务基础
        4.1 基本约定
        4.2 通道约定
        5 服务要求 10
        前 言
        本标准按照 GB/T 1.1—2009 给出的规则起草。
        1 范围
        本标准规定了服务要求。
        2 规范性引用文件
        下列文件对于本文件的应用是必不可少的。
        3 术语和定义、缩略语
        3.1 术语和定义
        下列术语和定义适用于本文件。
        3.2 缩略语
        下列缩略语适用于本文件。
        4 服务基础
        4.1 基本约定
        服务应按约定提供。
        4.2 通道约定
        通道应保持畅通。
        5 服务要求
        服务人员应持证上岗。
        """)
    assert nos(clauses) == ["前言", "1", "2", "3", "3.1", "3.2", "4", "4.1", "4.2", "5"]
    assert by_no(clauses, "3.2").text == "下列缩略语适用于本文件。"


def test_circled_list_items_in_an_outline_text_stay_in_its_text() -> None:
    """ "①…；" entries are list items (列项); only a short title alone on its line is a
    fifth-level heading."""
    clauses = seg("""
        一、总则
        （一）人员要求
        服务人员应做到：
        ①持证上岗，定期参加培训；
        ②统一着装，佩戴工号牌。
        （二）设施要求
        设施应完好。
        """)
    assert nos(clauses) == ["一、", "一、（一）", "一、（二）"]
    assert "②统一着装，佩戴工号牌。" in by_no(clauses, "一、（一）").text


def test_foreword_list_before_gb_chapters_is_no_outline() -> None:
    """A web copy of a standard lists its foreword's changes as "1、…；" before chapter 1:
    those are 列项 of the preamble, and the chapters stay top-level."""
    clauses = seg(
        """
        本部分与旧版相比主要变化如下：
        1、修改了范围；
        2、增加了术语；
        3、删除了附录。
        1 范围
        本部分规定了示例产品的要求。
        2 规范性引用文件
        无。
        3 术语和定义
        无。
        4 要求
        4.1 外观
        表面应平整。
        """
    )
    assert nos(clauses) == ["", "1", "2", "3", "4", "4.1"]
    assert "1、修改了范围；" in clauses[0].text
    assert path(by_no(clauses, "4.1")) == ["4 要求"]


def test_outline_list_without_gb_chapters_ahead_stays_outline() -> None:
    clauses = seg(
        """
        一、总则
        1、目的
        规范服务。
        2、范围
        适用于本单位。
        """
    )
    assert nos(clauses) == ["一、", "一、1.", "一、2."]


def test_page_number_after_a_full_stop_is_no_chapter() -> None:
    """A PDF's broken cross-reference ("…见错误!未找到引用源。5") leaves a bare number after
    a full stop at a line end: no chapter, even when it is the next chapter's number."""
    clauses = seg(
        """
        4 协议基础
        4.1 基本约定
        外设 ID 定义见错误!未找到引用源。5
        消息内容见表 4-7。
        4.2 查询指令
        查询消息采用本协议定义的格式。
        5 设备通讯协议
        5.1 适用范围
        """
    )
    assert nos(clauses) == ["4", "4.1", "4.2", "5", "5.1"]
    assert "引用源。5" in by_no(clauses, "4.1").text


def test_collapsed_chapter_after_a_full_stop_is_kept() -> None:
    clauses = seg("1 范围\n本文件规定了要求。2 要求 2.1 服务人员应持证上岗。")
    assert nos(clauses) == ["1", "2", "2.1"]

"""Questions that ask for a fact only one element states name that element even when they
never say its name (qa.elements.cued_element), and the element asked makes its own
clauses usable evidence (qa.usable)."""

from __future__ import annotations

import pytest

from grammar.schema import Clause, ClauseKind
from qa.elements import cued_element, detect_element, illustrates
from qa.usable import unusable


@pytest.mark.parametrize(
    "question",
    [
        "这份行业标准代替了哪个标准？",
        "跟它替代的2008年版比，技术内容改了什么？",
        "本标准与上一版相比有哪些主要技术变化？",
        "这个国家标准和 ISO 9001 是什么一致性程度？",
        "是等同采用还是修改采用国际标准？",
        "这份地方标准是按照哪个版本的起草规则起草的？",
        "该标准由哪个技术委员会归口？",
        "主要起草单位有哪些？",
        "这个标准是哪年首次发布的，历次版本有哪些？",
    ],
)
def test_foreword_facts_are_about_the_foreword(question: str) -> None:
    element = detect_element(question)
    assert element is not None and element.name == "前言"


@pytest.mark.parametrize(
    "question",
    [
        "要求型条款里能用“必须”代替“应”吗？",  # a word replaced, not an edition
        "2016版和2022版对图像分辨率的要求有什么不同？",  # content of two editions compared
        "GB/T 22239 与 GB/T 28448 相比，测评对象有什么区别？",  # two standards, no edition
        "服务人员应具备哪些条件？",
    ],
)
def test_other_questions_are_not(question: str) -> None:
    assert cued_element(question) is None


def test_the_fact_decides_over_the_element_it_is_about() -> None:
    # The 附录 is only what changed; the change is stated in the 前言.
    element = detect_element("GB/T 1234—2018 与2012年版相比删除了哪些附录？")
    assert element is not None and element.name == "前言"
    element = detect_element("附录里可以写要求吗？")
    assert element is not None and element.name == "附录"


@pytest.mark.parametrize(
    "question",
    [
        "GB/T 1234—2016比2011版新增了哪些附录？",  # 比 right before an edition
        "2022版的统一编码附录相对2016版删掉了什么？",  # 相对 right before an edition
        "相对于旧版，本标准删去了哪个附录？",
    ],
)
def test_a_short_comparison_with_an_edition_is_about_the_foreword(question: str) -> None:
    element = detect_element(question)
    assert element is not None and element.name == "前言"


def test_a_comparison_word_without_an_edition_is_no_cue() -> None:
    # 相对 of 相对湿度, 比 of a ratio: no edition follows them
    assert cued_element("试验箱的相对湿度比 2016 年的要求高多少？") is None
    assert cued_element("A 类设备比 B 类多哪些要求？") is None


def test_a_short_comparison_of_content_is_no_cue() -> None:
    # what changed is content, which the body clauses of both editions state
    assert cued_element("回看录像时，2022版比2016版多要求支持了哪些播放方式？") is None
    assert cued_element("2022版列举的事件种类比2016版多了哪一种？") is None
    # an element named in another sentence is not what changed
    assert cued_element("这个方法是哪份RFC定义的？2022版列举的事件种类比2016版多了哪一种？") is None


def test_a_named_cover_keeps_the_question_whose_fact_it_also_states() -> None:
    # The cover states the edition replaced too (GB/T 1.1—2020, 8.1): the cover named is
    # what is asked, not the 前言 the fact would otherwise point at.
    element = detect_element("GB/T 1234—2020 封面上注明它代替了哪一版？")
    assert element is not None and element.name == "封面"
    element = detect_element("GB/T 1234—2020 代替了哪一版？")
    assert element is not None and element.name == "前言"


def _clause(no: str, title: str, text: str, kind: ClauseKind) -> Clause:
    return Clause(
        f"d:{no or 'cover'}",
        "d",
        "某某技术规范",
        "GB/T 1234—2020",
        no,
        title,
        [],
        kind,
        None,
        text,
        "",
        None,
        0,
        0,
        0,
    )


def test_the_cover_answers_a_question_about_the_foreword() -> None:
    cover = _clause(
        "",
        "",
        "中华人民共和国国家标准\nGB/T 1234—2020\n代替 GB/T 1234—2008\n某某技术规范\n（ISO 1234:2015，MOD）\n2020-03-06 发布",
        ClauseKind.PREAMBLE,
    )
    assert unusable(cover, detect_element("这个标准的主要改动有哪些？")) == "cover"
    assert unusable(cover, detect_element("它代替了哪个版本？")) is None


def test_an_element_listing_standards_is_evidence_when_it_is_asked() -> None:
    intro = _clause(
        "引言",
        "引言",
        "与本标准配套使用的标准有：\nGB/T 22239 网络安全等级保护基本要求\nGB/T 25070 安全设计技术要求",
        ClauseKind.ELEMENT,
    )
    assert unusable(intro, None) == "reference list"
    assert unusable(intro, detect_element("它的引言里列了哪些配套标准？")) is None


def test_an_instance_illustrates_only_the_documents_pointed_at() -> None:
    refs = _clause(
        "2", "规范性引用文件", "下列文件中的内容通过文中的规范性引用……", ClauseKind.CHAPTER
    )
    element = detect_element("规范性引用文件一章怎么写？")
    assert element is not None
    assert illustrates(refs, element, governing=False)  # no document pointed at
    assert illustrates(refs, element, governing=False, pointed=("d",))
    assert not illustrates(refs, element, governing=False, pointed=("other",))
    assert not illustrates(refs, element, governing=True)  # a rule, not an example


@pytest.mark.parametrize(
    "question",
    [
        "燃气公司那份服务规范里，投诉要几天内答复？",  # 服务规范: a kind of standard
        "一项服务标准应当包含哪些内容？",  # 应当: the asker's own modal
    ],
)
def test_words_that_name_no_element(question: str) -> None:
    assert detect_element(question) is None


def test_the_modal_verbs_are_still_asked_by_name() -> None:
    for q in ("要求型条款里能用“必须”吗？", "应和宜有什么区别？"):
        element = detect_element(q)
        assert element is not None and element.name == "能愿动词"


def test_range_as_an_everyday_word_is_not_the_scope_chapter() -> None:
    # 范围 heading a compound is "range" (a voltage range, a service's range), not the
    # 范围 element; as a word of its own, or after a document word, it is the element.
    for question in (
        "某标准对设备供电电压范围有什么要求？",
        "服务范围怎么确定？",
        "测量范围是多少",
    ):
        assert detect_element(question) is None, question
    for question in (
        "范围一章怎么写？",
        "标准的范围怎么写？",
        "本标准适用范围是什么",
        "写范围时要注意什么",
    ):
        element = detect_element(question)
        assert element is not None and element.name == "范围", question

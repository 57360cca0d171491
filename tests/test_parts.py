"""Multi-part questions: the part splitter (what is two asks, what is one thing), the
part plans, the promotion of each part's best clause, and the answer's order."""

from __future__ import annotations

import math

import pytest
from clauses import FakeHit, make_clause

from grammar.schema import DocumentInfo
from qa.asks import split_asks
from qa.extractive import Evidence, compose_answer, ordered
from qa.parts import part_leads, promote
from qa.plan import make_plan

ELEMENT_NAMES = ("术语和定义", "符号和缩略语", "规范性引用文件", "参考文献")


def _doc(doc_id: str, title: str, code: str | None = None) -> DocumentInfo:
    return DocumentInfo(doc_id, title, code, f"{doc_id}.md", 10, 1000)


# ------------------------------------------------------------------ splitting
@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "服务计划执行率和投诉处理及时率分别要达到多少？",
            ["服务计划执行率分别要达到多少？", "投诉处理及时率分别要达到多少？"],
        ),
        (
            "上门助浴对服务人员人数和水温分别有什么要求？",
            ["上门助浴对服务人员人数分别有什么要求？", "上门助浴对水温分别有什么要求？"],
        ),
        (
            "申请后，受理、评估和制定服务计划各有多长时限？",
            [
                "申请后，受理各有多长时限？",
                "申请后，评估各有多长时限？",
                "申请后，制定服务计划各有多长时限？",
            ],
        ),
        (
            "报文的开头和结尾各用什么字符标记？",
            ["报文的开头各用什么字符标记？", "报文的结尾各用什么字符标记？"],
        ),
        # the other sentences are context every part keeps
        (
            "带基材的地板按结构和按耐磨性分别怎么分类，代号各是什么？",
            [
                "带基材的地板按结构分别怎么分类，代号各是什么？",
                "带基材的地板按耐磨性分别怎么分类，代号各是什么？",
            ],
        ),
        (
            "报文怎么校验？开头和结尾各用什么字符？",
            ["报文怎么校验？开头各用什么字符？", "报文怎么校验？结尾各用什么字符？"],
        ),
        # 先…再…
        ("起草时先写范围再写规范性引用文件吗？", ["起草时写范围？", "起草时写规范性引用文件吗？"]),
    ],
)
def test_a_question_asking_several_things_is_split_into_whole_questions(
    question: str, parts: list[str]
) -> None:
    assert split_asks(question, ELEMENT_NAMES) == parts


@pytest.mark.parametrize(
    "question",
    [
        "术语和定义怎么写？",  # one element whose name holds 和
        "术语和定义分别要写哪些内容？",  # … even before a distributive word
        "规范性引用文件和参考文献的区别是什么？",  # a relation of the two: one ask
        "规范性引用文件和参考文献有什么区别？",
        "前言和引言怎么写？",  # a coordination without 分别/各: one question
        "《标准化法和标准化工作导则》分别讲什么？",  # a title in 《》
        "“应和宜”各表示什么？",  # quoted wording
        "中华人民共和国标准化法第十条讲了什么？",  # 和 inside 共和国 is no coordinator
        "范围一章怎么写？",
        "各级标准化行政主管部门的职责是什么？",  # 各级 is no distributive word
        # several question sentences stay one question (measured: split, a later sentence
        # loses the subject the first gave it)
        "投诉档案要保存多久？电话录音呢？",
        "顾客的意见通过哪些渠道收集，收上来以后又要怎样利用？",
    ],
)
def test_one_thing_is_not_split(question: str) -> None:
    assert split_asks(question, ELEMENT_NAMES) == []


def test_a_coordination_inside_a_document_title_stays_whole() -> None:
    names = ["标准化法和标准化工作导则汇编"]
    assert split_asks("标准化法和标准化工作导则汇编里分别收了哪些文件？", names) == []
    # without the title known, the same words are two things asked of each
    assert split_asks("标准化法和标准化工作导则汇编里分别收了哪些文件？") != []


def test_the_words_the_parts_share_stay_in_every_part() -> None:
    parts = split_asks("物业遇到紧急投诉和群体投诉，分别要在多长时间内到场？")
    assert parts == [
        "物业遇到紧急投诉，分别要在多长时间内到场？",
        "物业遇到群体投诉，分别要在多长时间内到场？",
    ]


# ------------------------------------------------------------------ plans
def test_part_plans_keep_the_named_document() -> None:
    docs = [_doc("a", "社区居家养老服务规范", "T/BZQC 001—2025"), _doc("b", "物业投诉处理规范")]
    plan = make_plan("T/BZQC 001—2025 的执行率和及时率分别要达到多少？", (), docs)
    assert [p.search.preferred for p in plan.parts] == [("a",), ("a",)]
    assert make_plan("范围一章怎么写？", (), docs).parts == ()
    # a part naming its own document keeps it
    plan = make_plan("社区居家养老服务规范和物业投诉处理规范对培训学时分别有什么要求？", (), docs)
    assert [p.search.preferred for p in plan.parts] == [("a",), ("b",)]


def test_a_follow_up_in_a_conversation_is_not_split() -> None:
    plan = make_plan("那执行率和及时率分别是多少？", [("服务评价指标有哪些？", "…")])
    assert plan.parts == ()


# ------------------------------------------------------------------ promotion
def _hits(*nos: str, exact: str = "") -> list[FakeHit]:
    return [
        FakeHit(make_clause(no, f"{no}的内容"), 1.0, 0.9, "exact" if no == exact else "hybrid")
        for no in nos
    ]


def _ids(hits: list[FakeHit], order: list[int]) -> list[str]:
    return [hits[i].clause.clause_no for i in order]


def test_each_part_best_clause_moves_ahead_of_the_clause_naming_both() -> None:
    hits = _hits("A.2.2", "A.1", "A.1.2", "A.1.3")
    scores = [10.0, 8.0, 7.5, 7.0]
    order, up = promote(
        hits,
        scores,
        ["d:A.1.3", "d:A.1.2"],
        lambda h: h.clause.clause_id,
        lambda h: False,
        margin=5.0,
    )
    assert _ids(hits, order) == ["A.1.2", "A.1.3", "A.2.2", "A.1"]
    assert _ids(hits, up) == ["A.1.2", "A.1.3"]


def test_a_part_best_the_whole_question_finds_far_fetched_stays_behind() -> None:
    hits = _hits("5.4.2", "9.9", "5.4.3")
    order, up = promote(
        hits,
        [4.0, 1.0, -20.0],
        ["d:5.4.3"],
        lambda h: h.clause.clause_id,
        lambda h: False,
        margin=5.0,
    )
    assert _ids(hits, order) == ["5.4.2", "9.9", "5.4.3"] and up == []
    # unknown scores (no linear reranker): no bound
    order, _ = promote(
        hits, [math.nan] * 3, ["d:5.4.3"], lambda h: h.clause.clause_id, lambda h: False
    )
    assert _ids(hits, order)[0] == "5.4.3"


def test_a_clause_the_question_names_stays_first() -> None:
    hits = _hits("8.6", "A.1", "A.2", exact="8.6")
    order, _ = promote(
        hits,
        [math.nan, 1.0, 0.5],
        ["d:A.2"],
        lambda h: h.clause.clause_id,
        lambda h: h.route == "exact",
    )
    assert _ids(hits, order) == ["8.6", "A.2", "A.1"]


def test_part_leads_are_one_per_part_without_repeats() -> None:
    plan = make_plan("执行率和及时率分别是多少？")
    assert len(plan.parts) == 2
    best = {plan.parts[0].text: ["x", "y"], plan.parts[1].text: ["x", "z"]}
    assert part_leads(plan, lambda p: best[p.text]) == ["x"]


# ------------------------------------------------------------------ composition
def test_the_answer_opens_with_one_clause_per_part_in_document_order() -> None:
    c12 = make_clause("A.1.2", "服务计划执行率应不低于95%。", seq=12)
    c13 = make_clause("A.1.3", "投诉处理及时率应不低于98%。", seq=13)
    c22 = make_clause("A.2.2", "服务计划执行率和投诉处理及时率应通过查阅记录核验。", seq=22)
    c05 = make_clause("5.1", "服务机构应建立服务记录。", seq=5)
    evidence = [
        Evidence(c13, 1.0, 1.0, lead=True, part=True),
        Evidence(c22, 0.9, 1.0),
        Evidence(c12, 0.8, 1.0, part=True),
        Evidence(c05, 0.7, 0.5),
    ]
    assert [e.clause.clause_no for e in ordered(evidence)[0]] == ["A.1.2", "A.1.3", "5.1", "A.2.2"]
    text = compose_answer("执行率和及时率分别是多少？", evidence, None, False)
    assert text.index("A.1.2") < text.index("A.1.3") < text.index("A.2.2")
    assert text.count("〔d，A.1.2〕") <= 1  # no clause twice
    # a single-part answer keeps its lead first
    single = [Evidence(c13, 1.0, 1.0, lead=True), Evidence(c12, 0.8, 1.0)]
    assert [e.clause.clause_no for e in ordered(single)[0]] == ["A.1.3", "A.1.2"]

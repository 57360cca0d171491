"""A count of a list's items, as the refusal gate reads it (session 13): "分成几步", "一共
几点", "从几个方面来讲" are answered by a clause that lists the items as often as by a
number (qa.quantities.asks_list_count, qa.slots.enumerates, qa.gate.gate_slot); and the gate has
no input "named" any more (held out by corpus it pushed the real standards' near misses,
which name the document they miss in, towards an answer)."""

from __future__ import annotations

from clauses import FakeHit, chapter_maker

from grammar.schema import Clause, HeadingRef
from qa.gate import GATE_FEATURES, GATE_SIGNS, gate_features, gate_slot, slot_filled, slot_in_lead
from qa.gate_inputs import BigramFrequency
from qa.quantities import asked_units, asks_list_count, states_unit
from qa.relevance import content_grams
from qa.slots import asked_slot, enumerates

mk = chapter_maker("Q/FW 0001—2024", "服务管理体系程序文件", HeadingRef("5", "服务实施"))


def hit(c: Clause) -> FakeHit:
    return FakeHit(c, 1.0, 0.9, bm25_score=1.0)


def test_a_count_of_a_lists_items_is_read_from_the_question() -> None:
    for q in (
        "服务管理体系程序文件里的服务实施流程分成几步？最后一步要求做什么？",
        "那份方案在末尾总结了标准化服务的好处，一共几点？第二点包括哪些？",
        "4.6.1条要求服务管理体系文件确保几点？",
        "这篇文章一共从几个方面来讲？分别是哪些？",
        "“管理制度”部分分成几项？第五项是什么？",
        "试点工作分几个阶段？",
    ):
        assert asks_list_count(q), q
    for q in (
        "按SL 651，每天几点编报前一日的日降水量？",  # a time of day
        "客服实时服务时间段是几点到几点？",
        "营业厅每天几点开门、几点关门？",
        "做残余凹陷试验要取几个试件？",  # a count of things measured: a number answers it
        "第四级系统至少部署几台服务器？",
        "列项可以按哪几步来写？",  # which ones, not how many
        "健康证明几个月要重新办理？",
        "评审专家的信用分成几个等级？",  # grades: a slot of their own
    ):
        assert not asks_list_count(q), q


def test_a_clause_lists_items_with_two_markers_of_one_style_or_two_children() -> None:
    assert enumerates(["服务实施流程:(1)按照服务策划的要求进行服务;", "(2)记录服务数据;"])
    assert enumerates(["确保:", "a) 少而精;", "b) 有利于形成行为规范;"])
    assert enumerates(["严把两关:一是加强领导,把好制度关;二是把好采购关。"])
    assert enumerates(["① 封面；② 目次。"])
    assert enumerates(["服务标准"], children=["5.1 服务提供", "5.2 服务保障"])
    # one item only, a clause number, a decimal, plain prose: no list
    assert not enumerates(["持续改进(1)定期对服务体系进行评估,发现问题及时改进。"])
    assert not enumerates(["(4.6.1)组织应形成服务管理体系文件。", "见4.6.2。"])
    assert not enumerates(["服务人员应统一着装，佩戴工号牌。"])
    assert not enumerates(["服务标准"], children=["5.1 服务提供"])


def test_a_list_count_is_filled_by_a_clause_that_lists_the_items() -> None:
    """Session 13: "分成几步" over "服务实施流程:(1)…(2)…(3)…" had read 步 as a unit the
    answer must state ("三步"), so the clause that answers it filled no slot and the
    answerable question was refused."""
    steps = mk(
        "5.3",
        "服务实施流程",
        "服务实施流程:(1)按照服务策划的要求和流程,进行服务的实际操作;(2)记录服务数据和结果;"
        "(3)及时处理客户的投诉和意见。",
        1,
    )
    prose = mk("5.4", "服务实施", "服务实施应按服务策划的要求进行，并记录服务数据。", 2)
    q = "服务管理体系程序文件里的服务实施流程分成几步？最后一步要求做什么？"
    topic = content_grams(q)
    slot, listed = gate_slot(q)
    assert listed and slot is not None and slot.kind == "count"
    assert slot_in_lead(q, topic, [hit(steps)], [[]]) == 1.0
    assert slot_in_lead(q, topic, [hit(prose)], [[]]) == 0.0  # no list, no number
    freq = BigramFrequency()
    freq.count([steps, prose])
    assert slot_filled(q, topic, [hit(prose), hit(steps)], [[], []], freq) > slot_filled(
        q, topic, [hit(prose)], [[]], freq
    )
    f = gate_features(q, topic, [hit(steps)], [[]], [False])
    assert f is not None and f["slot_lead"] == 1.0 and f["unit_stated"] == 1.0
    # a number of the list's items still fills it
    counted = mk("5.5", "服务实施流程", "服务实施流程分为3个步骤。", 3)
    assert slot_in_lead(q, topic, [hit(counted)], [[]]) == 1.0


def test_points_of_a_list_are_not_a_time_of_day() -> None:
    """ "一共几点" had read as a time of day (the unit "clock"): the clause listing the
    points states no "8时", so ``unit_stated`` was 0."""
    points = mk(
        "6",
        "好处",
        "标准化服务的好处是:(1)提高服务的一致性;(2)提高服务效率;(3)提升品牌形象。",
        1,
    )
    q = "那份方案总结了标准化服务的好处，一共几点？第二点包括哪些？"
    f = gate_features(q, content_grams(q), [hit(points)], [[]], [False])
    assert f is not None and f["unit_stated"] == 1.0 and f["slot_lead"] == 1.0
    # a time of day is still one
    clock = asked_slot("营业厅每天几点开门？")
    assert clock is not None and clock.kind == "unit"
    read, listed = gate_slot("营业厅每天几点开门？")
    assert read is not None and read.kind == "unit" and not listed


def test_a_named_slot_stays_when_a_list_count_is_asked_too() -> None:
    q = "试点工作分几个阶段？评估申请向哪个部门提出？"
    slot, listed = gate_slot(q)
    assert slot is not None and slot.kind == "body" and not listed


def test_the_gate_has_no_named_document_input() -> None:
    """Held out by corpus (session 13, eighteen sets), "the question names a document and
    the first hit is in it" took a positive weight from the samples and web guides and
    pushed up the real standards' near misses, which name the very document they miss in."""
    assert "named" not in GATE_FEATURES and "named" not in GATE_SIGNS
    c = mk("5.1", "服务提供", "服务人员应统一着装。", 1)
    f = gate_features(
        "服务人员要穿工作服吗？", content_grams("服务人员要穿工作服吗？"), [hit(c)], [[]], [False]
    )
    assert f is not None and set(f) == set(GATE_FEATURES)


def test_a_list_count_asks_no_unit_of_measure_and_no_time_of_day() -> None:
    """Session 14: the list word of a count of a list's items is read once, where every
    reader (gate, reranker) takes its units from (qa.quantities.asked_units): no unit a
    number must be stated in ("一共几点" is no time of day, "分成几步" no unit 步), only a
    counting word for the reranker's counting reading ("分为三步" states the count)."""

    def names(q: str, counting: bool = False) -> list[str]:
        return [u.name for u in asked_units(q, by_attribute=False, counting=counting)]

    for q in (
        "那份方案在末尾总结了标准化服务的好处，一共几点？第二点包括哪些？",
        "4.6.1条列了服务管理体系文件要确保的几点？",
        "服务实施流程分成几步？最后一步要求做什么？",
        "实施方案分成几部分？",
    ):
        assert names(q) == [], q
    assert names("一共几点？", counting=True) == ["点"]
    steps = asked_units("服务实施流程分成几步？", by_attribute=False, counting=True)
    assert [u.name for u in steps] == ["步"]
    assert states_unit(steps, "服务实施流程分为三步") and not states_unit(steps, "第一步为策划")
    # A time of day and a unit of measure elsewhere in the question are still read.
    assert names("营业厅每天几点开门？") == ["clock"]
    assert names("一共几点？营业厅每天几点开门？") == ["clock"]
    assert names("做试验要取几个试件，每个多少毫米厚？") == ["length"]
    # The gate reads the same units: "一共几点" over a clause listing the points, with no
    # "N点" or time of day in it, misses no unit.
    q = "那份方案总结了标准化服务的好处，一共几点？"
    listing = mk("6", "好处", "标准化服务的好处：一是提升质量；二是降低成本；三是树立品牌。", 1)
    f = gate_features(q, content_grams(q), [hit(listing)], [[]], [False])
    assert f is not None and f["unit_stated"] == 1.0

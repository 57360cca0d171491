"""The answer slot a question asks for (qa/slots.py) and the gate input that looks for it
filled about the asked subject inside one sentence (qa.gate.slot_filled)."""

from __future__ import annotations

from clauses import FakeHit, chapter_maker

from grammar.schema import Clause, HeadingRef
from qa.gate import gate_features, slot_filled
from qa.gate_inputs import BigramFrequency
from qa.relevance import content_grams
from qa.slots import asked_slot

mk = chapter_maker("DB37/T 0001—2024", "学校食堂服务规范", HeadingRef("6", "人员管理"))


def hit(c: Clause) -> FakeHit:
    return FakeHit(c, 1.0, 0.9, bm25_score=1.0)


def kind(question: str) -> str | None:
    slot = asked_slot(question)
    return slot.kind if slot else None


def test_the_slot_asked_is_read_from_the_question() -> None:
    assert kind("物业的保洁质量应该按哪个国家标准来验收？") == "standard"
    assert kind("对评定结果不服，可以向哪个部门申请复核？") == "body"
    assert kind("燃烧性能至少要达到哪个等级？") == "grade"
    assert kind("蓄电池要保证连续阴雨多少天？") == "unit"  # the unit spelled after 多少
    assert kind("健康证明多长时间要重新办理一次？") == "unit"  # a period: time units
    assert kind("同时接入设备的上限是多少？") == "quantity"  # no unit: any number
    # how to write, yes/no, a list, a definition: no slot a pattern could check
    for q in (
        "范围一章怎么写？",
        "上门助浴只来一个人可以吗？",
        "前言要写哪些内容？",
        "悬置段是什么？",
    ):
        assert asked_slot(q) is None, q


def test_what_fills_each_slot() -> None:
    std = asked_slot("应该按哪个国家标准来验收？")
    body = asked_slot("可以向哪个部门申请复核？")
    days = asked_slot("蓄电池要保证连续阴雨多少天？")
    assert std and body and days
    assert std.fills("验收按 GB/T 20647.9 的规定进行。") and not std.fills("验收由双方共同进行。")
    assert body.fills("可向市财政部门申请复核。") and not body.fills("应在10日内复核。")
    assert days.fills("应保证连续阴雨15 d 正常工作。") and not days.fills("电压不低于12 V。")


def test_a_value_of_the_asked_kind_counts_only_in_a_sentence_about_the_subject() -> None:
    """The near miss: the clause on health checks states no period; the period it states
    is about something else, in another sentence."""
    check = mk(
        "6.2",
        "健康管理",
        "从业人员应持有效健康证明上岗。食堂每周应对餐具消毒设备检查1次。",
        1,
    )
    clauses = [check, mk("6.3", "培训", "新员工应接受岗前培训。", 2)]
    freq = BigramFrequency()
    freq.count(clauses)
    q = "食堂员工的健康证明多长时间要重新办理一次？"
    topic = content_grams(q)
    miss = slot_filled(q, topic, [hit(check)], [[]], freq)
    answer = mk("6.4", "健康证明", "从业人员的健康证明每年应重新办理1次。", 3)
    filled = slot_filled(q, topic, [hit(check), hit(answer)], [[], []], freq)
    assert miss < 0.5 < filled
    # without word frequencies: plain coverage, same order
    assert slot_filled(q, topic, [hit(check)], [[]]) < slot_filled(q, topic, [hit(answer)], [[]])
    # the sentences of a section's children count (the child's heading with its body)
    kid = mk("6.4.1", "健康证明", "健康证明每年应重新办理1次。", 4)
    parent = mk("6.4", "健康管理", "", 3)
    assert slot_filled(q, topic, [hit(parent)], [[kid]], freq) > miss


def test_a_question_asking_no_slot_has_nothing_missing() -> None:
    c = mk("6.1", "着装", "服务人员应统一着装。", 1)
    q = "服务人员上班可以不穿工作服吗？"
    assert slot_filled(q, content_grams(q), [hit(c)], [[]]) == 1.0
    f = gate_features(q, content_grams(q), [hit(c)], [[]], [False])
    assert f is not None and f["slot_filled"] == 1.0
    # a value asked: the gate's row carries the input
    q2 = "服务人员多久体检一次？"
    f2 = gate_features(q2, content_grams(q2), [hit(c)], [[]], [False])
    assert f2 is not None and f2["slot_filled"] == 0.0

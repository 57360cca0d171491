"""The answer slot read for what the question asks (session 18): ``slot_filled`` counts the
words a question asks beyond the scene it sets (qa.gate.slot_subject), and a count of things
in their own classifier ("几句", "几块") is filled by a clause listing them
(qa.gate.counts_in_classifier, qa.gate.gate_slot)."""

from __future__ import annotations

from clauses import FakeHit, chapter_maker

from grammar.schema import Clause, HeadingRef
from qa.gate import counts_in_classifier, gate_slot, slot_filled, slot_in_lead, slot_subject
from qa.gate_inputs import BigramFrequency
from qa.relevance import content_grams


def hit(c: Clause) -> FakeHit:
    return FakeHit(c, 1.0, 0.9, bm25_score=1.0)


def test_the_slot_is_filled_by_what_is_asked_not_by_the_scene() -> None:
    """The question sets a scene in its own words (专家, 参加, 评标) before asking about the
    credit points; the row stating the deduction says the scene otherwise (评审).  A
    sentence stating points about the scene but not about the credit score is the near
    miss.  Read over the whole topic the two scored .71 and .58."""
    mk = chapter_maker("DB21/T 0001—2023", "评审专家信用管理规范", HeadingRef("A", "信用指标评分"))
    row = mk("A.1", "扣分指标", "评审专家应按时到场参加评审。酒后参加评审的，扣信用分50分。", 1)
    near = mk("A.2", "工作量", "专家每参加一次评标，计工作量1分。", 2)
    other = mk("5", "评标要求", "评标专家应遵守评标纪律，不得私下接触投标人。", 3)
    freq = BigramFrequency()
    freq.count([row, near, other])
    q = "专家喝了酒去参加评标，信用分要扣多少分？"
    topic = content_grams(q)
    asked = slot_subject(q, topic, freq)
    assert {"信用", "用分"} <= asked and not {"专家", "评标"} & asked
    filled = slot_filled(q, topic, [hit(row)], [[]], freq)
    missed = slot_filled(q, topic, [hit(near)], [[]], freq)
    assert filled > 0.9
    assert filled - missed > 0.5


def test_the_whole_topic_is_the_subject_when_nothing_is_asked_beyond_it() -> None:
    """A question asking in its first clause asks all of its topic; one whose asked words
    the base never uses is read over its topic too (nothing known would be left)."""
    mk = chapter_maker("DB37/T 0001—2024", "学校食堂服务规范", HeadingRef("6", "人员管理"))
    c = mk("6.4", "健康证明", "从业人员的健康证明每年应重新办理1次。", 1)
    freq = BigramFrequency()
    freq.count([c])
    q = "食堂员工的健康证明多长时间要重新办理一次？"
    topic = content_grams(q)
    assert {"健康", "证明", "重新", "办理"} <= slot_subject(q, topic, freq) <= topic
    q2 = "食堂员工的健康证明，要去哪里咨询窍门？"
    assert slot_subject(q2, content_grams(q2), freq) == content_grams(q2)


def test_a_count_in_a_classifier_is_filled_by_a_clause_listing_the_things() -> None:
    """ "服务禁语一共有几句" is answered by the phrases listed, with no "三句" stated; a
    clause stating a number of something else does not fill it."""
    mk = chapter_maker("T/XX 1—2024", "门店服务规范", HeadingRef("5", "服务用语"))
    ban = mk(
        "5.3",
        "服务禁语",
        "门店员工不得使用下列服务禁语：（1）不知道；（2）不归我管；（3）你找别人去。",
        1,
    )
    hours = mk("5.4", "服务时间", "门店营业时间为每日9时至21时，共12小时。", 2)
    freq = BigramFrequency()
    freq.count([ban, hours])
    q = "门店的服务禁语一共有几句？"
    topic = content_grams(q)
    assert counts_in_classifier(q)
    assert gate_slot(q)[1]
    assert slot_filled(q, topic, [hit(ban)], [[]], freq) > 0.9
    assert slot_in_lead(q, topic, [hit(ban)], [[]]) == 1.0
    assert slot_filled(q, topic, [hit(hours)], [[]], freq) == 0.0
    assert slot_in_lead(q, topic, [hit(hours)], [[]]) == 0.0


def test_only_a_count_after_ji_in_a_classifier_is_read_as_a_list() -> None:
    """A quantity a rule sets ("多少份"), a unit of measure ("几天", "几路" is a family unit),
    a Latin unit ("多少 MB") and "which ones" ("哪几句") are read as before."""
    assert counts_in_classifier("可以把它分成几块？")
    assert counts_in_classifier("配置相同的服务器至少要抽查几台？")
    for q in (
        "调查问卷至少要回收多少份才能编制调查报告？",
        "最多能接入几路视频？",
        "申请后几天能知道结果？",
        "升级包最大不能超过多少 MB？",
        "门店有哪几句服务禁语？",
    ):
        assert not counts_in_classifier(q), q
        assert not gate_slot(q)[1], q

"""The answer slot a question asks for (qa/slots.py) and the gate input that looks for it
filled about the asked subject inside one sentence (qa.gate.slot_filled); the kind of
named thing a question asks for (qa.slots.asked_object) and the input that looks for it in
one sentence (qa.gate.object_held, session 10; read in the named document only, session
12); the slot filled by the first hit, the clause the answer leads with (qa.gate.slot_in_lead,
session 12)."""

from __future__ import annotations

from clauses import FakeHit, chapter_maker, make_clause

from grammar.schema import Clause, HeadingRef
from qa.gate import gate_features, object_held, slot_filled, slot_in_lead
from qa.gate_inputs import BigramFrequency
from qa.relevance import content_grams
from qa.slots import asked_object, asked_slot

mk = chapter_maker("DB37/T 0001—2024", "学校食堂服务规范", HeadingRef("6", "人员管理"))


def hit(c: Clause) -> FakeHit:
    return FakeHit(c, 1.0, 0.9, bm25_score=1.0)


def kind(question: str) -> str | None:
    slot = asked_slot(question)
    return slot.kind if slot else None


def test_by_which_asks_a_standard_only_when_a_document_noun_follows() -> None:
    """Session 11: "按哪"/"依据哪" ask for a standard when a document noun follows ("按哪个
    标准", "引用了哪一版"); "按哪个定", "依据哪两个定级要素", "按哪些条件去搜" ask which
    option, factor or criterion — no standard need be named, and the gate refused them."""
    assert kind("卷材地板的色牢度按哪个标准做试验？") == "standard"
    assert kind("T/BZQC 001—2025 规范性引用了哪些文件？") == "standard"
    assert kind("JT/T 809—2011规范性引用了哪一版的终端通讯协议标准？") == "standard"
    assert kind("两边算出来的等级不一样，最后按哪个定？") is None
    assert kind("定级时主要依据哪两个定级要素？") is None
    assert kind("找历史录像，一般能按哪些条件去搜？") is None
    assert kind("可以按哪几个阶段来组织标准内容？") is None


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


def test_the_kind_of_named_thing_asked_is_read_from_the_question() -> None:
    q = "SL 651—2014 规定中心站与遥测站之间的报文正文要用哪种对称加密算法加密？"
    assert asked_object(q) == "对称加密算法"  # cut after the head noun, not "…算法加密"
    assert asked_object("TCP 连接用哪个版本的 TLS 加密？") == "版本"
    assert asked_object("银行星级柜员要评上五星级，需要满足哪些具体条件？") == "条件"
    assert asked_object("画服务流程图时，开始、判断、结束各用什么图形符号？") == "图形符号"
    assert asked_object("第三方评估机构需要具备什么资质？") == "资质"
    # a list, a value or a time asked: no named thing of a kind a clause could lack
    for q in ("前言要写哪些内容？", "标准化法从什么时候开始施行？", "信用等级分几级？"):
        assert asked_object(q) is None, q


def test_the_asked_kind_must_be_named_in_one_sentence() -> None:
    """The near miss on the right document: the clauses talk about the grade, never about
    the conditions for it; the answer states them."""
    grade = mk("6.5", "星级评定", "星级柜员每季度评定一次。评定结果在营业厅公示。", 5)
    q = "星级柜员要评上五星级，需要满足哪些具体条件？"
    assert object_held(q, [hit(grade)], [[]]) == 0.0
    answer = mk("6.6", "五星级条件", "评为五星级柜员应满足下列条件：连续四个季度无投诉。", 6)
    assert object_held(q, [hit(grade), hit(answer)], [[], []]) == 1.0
    # only part of the phrase named in the sentence: a share ("加密算法" without 对称)
    enc = mk("6.7", "报文加密", "报文正文可采用加密算法加密。", 7)
    q2 = "报文正文要用哪种对称加密算法？"
    assert 0.0 < object_held(q2, [hit(enc)], [[]]) < 1.0
    # the top three only: a fourth clause stating it does not count
    others = [hit(grade)] * 3 + [hit(answer)]
    assert object_held(q, others, [[]] * 4) == 0.0
    # no named thing asked: nothing missing, and the gate's row carries the input
    q3 = "星级柜员多久评定一次？"
    assert object_held(q3, [hit(grade)], [[]]) == 1.0
    f = gate_features(q, content_grams(q), [hit(grade)], [[]], [False])
    assert f is not None and f["object_held"] == 0.0


def test_the_kind_asked_of_a_named_document_is_read_in_that_document_only() -> None:
    """Session 12: "T/JSATL 12 要求…用哪个版本的 TLS" over the named standard's upload clauses
    (no version) and a financial standard's "有效安全版本的TLS" retrieved beside them."""
    own = make_clause(
        "4.6.4", "终端向附件服务器发送文件数据。", code="T/JSATL 12—2017", doc_id="js"
    )
    other = make_clause(
        "8.3.2.1", "应使用有效安全版本的TLS等协议。", code="JR/T 0071.2—2020", doc_id="jr"
    )
    q = "T/JSATL 12—2017 要求终端与附件服务器之间采用哪个版本的 TLS 加密传输？"
    hits, kids = [hit(own), hit(other)], [[], []]
    assert object_held(q, hits, kids) == 1.0  # no document named: any top-three clause
    assert object_held(q, hits, kids, preferred=("js",)) == 0.0
    assert object_held(q, hits, kids, preferred=("jr",)) == 1.0
    assert object_held(q, [hit(other)], [[]], preferred=("js",)) == 0.0  # none of it retrieved
    # the gate reads the question's documents from the query plan
    f = gate_features(q, content_grams(q), hits, kids, [False, False], preferred=("js",))
    assert f is not None and f["object_held"] == 0.0
    f = gate_features(q, content_grams(q), hits, kids, [False, False])
    assert f is not None and f["object_held"] == 1.0


def test_the_clause_the_answer_leads_with_must_state_a_value_of_the_asked_kind() -> None:
    """Session 12: the near miss close to content leads with the clause about the asked
    subject, which states no value; a clause after it states minutes about something else,
    which ``slot_filled`` counts."""
    check = mk("6.2", "平台查岗", "上级平台不定期向下级平台发送查岗信息，下级平台应及时应答。", 1)
    link = mk("6.3", "链路保持", "下级平台连续3 min 未收到应答时，应断开链路。", 2)
    q = "下级平台收到上级平台查岗信息后必须在几分钟内应答？"
    topic = content_grams(q)
    assert slot_in_lead(q, topic, [hit(check), hit(link)], [[], []]) == 0.0
    assert slot_filled(q, topic, [hit(check), hit(link)], [[], []]) > 0.0  # the other clause
    answer = mk("6.4", "查岗应答", "下级平台应在收到查岗信息后10 min 内应答。", 3)
    assert slot_in_lead(q, topic, [hit(answer), hit(check)], [[], []]) == 1.0
    # a section leads: its children's sentences count
    parent = mk("6.4", "查岗", "", 3)
    assert slot_in_lead(q, topic, [hit(parent), hit(check)], [[answer], []]) == 1.0
    # no slot asked (how to, yes/no, a list): nothing can be missing
    q2 = "下级平台收到查岗信息后要应答吗？"
    assert slot_in_lead(q2, content_grams(q2), [hit(check)], [[]]) == 1.0
    assert slot_in_lead(q, topic, [], []) == 0.0
    f = gate_features(q, topic, [hit(check), hit(link)], [[], []], [False, False])
    assert f is not None and f["slot_lead"] == 0.0 and f["slot_filled"] > 0.0

"""Readings of what a question asks that refused answerable questions (session 19): a
number the question only uses to set its scene ("十几户"), a scope or a degree read as a
value ("适用范围是什么", "有多重要"), a word asking how many inside a yes/no question
("聊了几句…，会被扣分吗": a few) (qa.quantities.asks_number, asked_units; qa.gate.
premise_and_ask)."""

from __future__ import annotations

from qa.gate import asked_beyond, gate_slot, premise_and_ask
from qa.quantities import asked_units, asks_number
from qa.relevance import content_grams


def test_an_approximate_number_asks_no_count() -> None:
    """ "十几户" and "几十年" say "a dozen or so", "dozens": the question asks whether the
    manager will come, no count; its slot is none."""
    for q in (
        "楼里十几户一起找物业说电梯老坏，项目经理会出来见我们吗？",
        "几十年前发布的标准现在还能用吗？",
        "二十几位代表联名投诉，物业要怎么处理？",
    ):
        assert not asks_number(q), q
        assert asked_units(q) == [], q
        assert gate_slot(q)[0] is None, q
    # 几 that asks is read as before, next to an approximate one too
    assert asks_number("二十几个人一起去，要提前几天预约？")
    assert [u.name for u in asked_units("二十几个人一起去，要提前几天预约？")] == ["time"]
    assert asks_number("每批抽几卷？")


def test_a_scope_and_a_degree_are_no_value() -> None:
    """ "适用范围是什么" asks the scope of a rule (the 范围 element), "有多重要" how important
    a thing is; neither asks a number.  A range of values and a weight still do."""
    assert not asks_number("农村信用社优质文明服务规范化管理办法的适用范围是什么？")
    assert not asks_number("这份规范的应用范围是哪些单位？")
    assert not asks_number("客人未必注意到的小安排，对服务到底有多重要？")
    assert gate_slot("客人未必注意到的小安排，对服务到底有多重要？")[0] is None
    assert asks_number("温度传感器的测量范围是多少？")
    assert asks_number("一个试件有多重？")


def test_a_word_asking_how_many_in_a_yes_no_sentence_is_an_indefinite() -> None:
    """Chinese asks yes/no or how many, not both in one sentence: "聊了几句…，会被扣信用分
    吗" chatted a few words, "有几个小鼓包，…这算不合格吗" has a few bulges.  A later
    sentence asking how many still asks ("扣几分？"), and a limit named in the clause
    holding 吗 still asks a value ("至少要两个人吗")."""
    q = "评标的时候跟旁边的专家聊了几句跟项目无关的事，会被扣信用分吗？"
    assert not asks_number(q)
    assert asked_units(q) == []
    assert gate_slot(q)[0] is None
    bulges = "新铺的塑胶卷材地板表面有几个小鼓包，按国标这算不合格吗？"
    assert not asks_number(bulges)
    assert gate_slot(bulges)[0] is None
    both = q + "扣几分？"
    assert asks_number(both)
    assert [u.name for u in asked_units(both)] == ["points"]
    assert asks_number("评审时至少要两个专家在场吗？")
    assert asks_number("评审时，至少要两个专家在场吗？")
    # a limit named in the premise of a yes/no sentence is what the question is about,
    # not a value it asks ("还保留这些数值吗": kept or not)
    kept = "视频联网标准2016版给出了前端接入单路带宽的具体下限，2022版还保留这些数值吗？"
    assert not asks_number(kept)
    assert gate_slot(kept)[0] is None


def test_the_premise_ends_where_the_question_really_asks() -> None:
    """The clause holding the indefinite 几 is premise: the question asks from the 吗
    clause on, so what it asks beyond the scene is the deduction, not the chat."""
    q = "评标的时候跟旁边的专家聊了几句跟项目无关的事，会被扣信用分吗？扣几分？"
    premise, ask = premise_and_ask(q)
    assert premise == "评标的时候跟旁边的专家聊了几句跟项目无关的事"
    assert ask.startswith("会被扣信用分吗")
    asked = asked_beyond(q, content_grams(q))
    assert {"信用", "用分"} <= asked and not {"专家", "评标"} & asked
    # an interrogative in the first clause of a wh-question still starts the asking part
    assert premise_and_ask("评定结果的有效期是多久？") == ("", "评定结果的有效期是多久")

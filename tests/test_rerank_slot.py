"""Does a clause fill what is asked, or restate its topic (session 10): the asked slot
filled in a clause's sentences (``slot_any``/``slot_cover``/``slot_near``), a duty stated
for a "what to do" question (``action_stated``), and how much of a clause is its
document's title (``title_echo``) — on hand-built clauses, no index."""

from __future__ import annotations

from collections import Counter
from dataclasses import fields

import numpy as np
import pytest
from clauses import FakeHit, RecordingOrder, make_clause
from clauses import feature_column as col

from qa.plan import make_plan
from qa.rerank import RerankInputs, features, rerank

TITLE = "社区居家养老服务规范"
SCOPE = make_clause(
    "1", "本文件规定了社区居家养老服务的要求。", code="T/C 1", doc_title=TITLE, doc_id="c"
)
TURN = make_clause(
    "5.2.2",
    "协助卧床服务对象翻身的间隔时间不宜超过2 h。",
    code="T/C 1",
    doc_title=TITLE,
    doc_id="c",
)
MEAL = make_clause(
    "5.3.2", "菜谱宜每周更新，并提供软食。", code="T/C 1", doc_title=TITLE, doc_id="c"
)


def test_the_clause_whose_sentence_states_the_period_asked_fills_the_slot() -> None:
    plan = make_plan("卧床老人多久翻一次身？")
    hits = [FakeHit(SCOPE, 0.03, 0.90), FakeHit(TURN, 0.02, 0.88)]
    sims = [[(SCOPE.text, 0.90)], [(TURN.text, 0.86)]]
    x = features(plan, hits, [[], []], RerankInputs(sentence_sims=sims))
    assert col(x, "slot_any").tolist() == [0.0, 1.0]
    assert col(x, "slot_cover")[1] > 0.0 == col(x, "slot_cover")[0]
    # The filling sentence is 0.04 below the best sentence of all; none fills the scope.
    assert np.allclose(col(x, "slot_near"), [-0.1, 0.86 - 0.90])


def test_no_slot_asked_leaves_every_candidate_level() -> None:
    plan = make_plan("护理员要注意什么？")
    hits = [FakeHit(SCOPE, 0.03, 0.90), FakeHit(TURN, 0.02, 0.88)]
    x = features(plan, hits, [[], []])
    for name in ("slot_any", "slot_cover", "slot_near"):
        assert col(x, name).tolist() == [0.0, 0.0]


def test_slot_cover_weighs_the_topic_within_the_clauses_own_document() -> None:
    plan = make_plan("服务对象翻身的间隔时间是多久？")
    hits = [FakeHit(TURN, 0.03, 0.9)]
    topic = frozenset({"服务", "对象", "翻身", "间隔"})
    # In the document 服务/对象 are in every clause, 翻身 in one: coverage by rarity there.
    counts = (Counter({"服务": 10, "对象": 10, "翻身": 1, "间隔": 1}), 10)
    x = features(plan, hits, [[]], RerankInputs(topic=topic, doc_counts=[counts]))
    assert col(x, "slot_cover")[0] == 1.0
    missing = make_clause("9", "服务对象每日探访1次。", code="T/C 1", doc_id="c")
    y = features(
        plan, [FakeHit(missing, 0.03, 0.9)], [[]], RerankInputs(topic=topic, doc_counts=[counts])
    )
    # It fills the slot (a period) but holds only the document's common words: well
    # under the half that unweighted coverage would give it.
    assert col(y, "slot_any")[0] == 1.0 and col(y, "slot_cover")[0] < 0.3


def test_a_what_to_do_question_favours_the_clause_stating_a_duty() -> None:
    plan = make_plan("老人牙口不好嚼不动饭，怎么办？")
    plain = make_clause("5.3.1", "助餐服务包括集中用餐和送餐上门。", code="T/C 1", doc_id="c")
    hits = [FakeHit(plain, 0.03, 0.9), FakeHit(MEAL, 0.02, 0.9)]
    sims = [[(plain.text, 0.9)], [("菜谱宜每周更新，并提供软食。", 0.88)]]
    x = features(plan, hits, [[], []], RerankInputs(sentence_sims=sims))
    assert col(x, "action_stated").tolist() == [0.0, 1.0]
    # A question asking no action: nobody gets it.
    y = features(make_plan("助餐服务包括什么？"), hits, [[], []], RerankInputs(sentence_sims=sims))
    assert col(y, "action_stated").tolist() == [0.0, 0.0]


def test_a_clause_restating_its_documents_title_echoes_it() -> None:
    plan = make_plan("卧床老人多久翻一次身？")
    hits = [FakeHit(SCOPE, 0.03, 0.9), FakeHit(TURN, 0.02, 0.9)]
    echo = col(features(plan, hits, [[], []]), "title_echo")
    assert echo[0] > 0.5 > echo[1]


def test_rerank_hands_the_model_each_hits_own_document_counts() -> None:
    """The exact-route hits are left out of what the model orders: the per-hit inputs
    (sentences and document counts) must be left out with them, or they shift by one."""
    plan = make_plan("翻身多久一次？")
    hits = [FakeHit(SCOPE, 0.03, 0.9, "exact"), FakeHit(TURN, 0.02, 0.9), FakeHit(MEAL, 0.01, 0.9)]
    counts = [(Counter({"a": 1}), 1), (Counter({"b": 1}), 2), (Counter({"c": 1}), 3)]
    spy = RecordingOrder()
    rerank(spy, plan, hits, [[], [], []], RerankInputs(doc_counts=counts))
    assert [i.doc_counts for i in spy.seen] == [counts[1:]]


def test_what_to_do_is_not_asked_by_a_mentioned_how_a_kind_a_definition_or_a_sum() -> None:
    """Session 14: bare 如何/怎样 had counted as asking an action wherever it stood.  It
    does not inside quoted wording or a 《title》, before 的 (a kind or a description is
    asked), or before a verb of knowing or reckoning (a definition, a computed value); "怎么
    算" with a complement asks what counts as something or how it is computed, at the end
    of its sentence how a case is dealt with."""
    from qa.slots import asks_action

    for q in (
        "营销部检查时发现的问题要怎样处理？",
        "下级平台一直没报处理结果，上级平台会怎么催？",
        "初稿写完后，定稿之后又怎样让员工都掌握？",
        "用户留言批评了员工，这在公司里怎么算？",
        "罚款怎么算呢？",
        "《如何制定服务标准》一共几点？没办完的事项该怎么办？",  # the second sentence asks
    ):
        assert asks_action(q), q
    for q in (
        "《如何制定服务标准》这篇文章一共从几个方面来讲？",
        "体系建立时要回答的几个“如何”，其中关于目标的那一问是什么？",
        "服务保障标准体系被描述为一种怎样的机制？",
        "远程调取的流程是怎样的？",
        "标准流程是怎样界定“经营服务”的？",
        "这一条款应如何理解？",
        "相对水位是怎么算出来的？",
        "检验批怎样算合格？",
    ):
        assert not asks_action(q), q


def test_every_per_hit_input_follows_its_hits_when_an_exact_hit_is_left_out() -> None:
    """Session 17: ``path_sims`` was handed on whole while the exact-route hit was left
    out, so its length no longer matched and ``path_dense`` read 0 for every candidate
    at inference (training computes it).  Each per-hit field reaches the model sliced."""
    plan = make_plan("翻身多久一次？")
    hits = [FakeHit(SCOPE, 0.03, 0.9, "exact"), FakeHit(TURN, 0.02, 0.9), FakeHit(MEAL, 0.01, 0.9)]
    sims = [[("甲", 0.1)], [("乙", 0.2)], [("丙", 0.3)]]
    counts = [(Counter({"a": 1}), 1), (Counter({"b": 1}), 2), (Counter({"c": 1}), 3)]
    spy = RecordingOrder()
    inputs = RerankInputs(sentence_sims=sims, doc_counts=counts, path_sims=[0.5, 0.7, 0.6])
    rerank(spy, plan, hits, [[], [], []], inputs)
    (seen,) = spy.seen
    assert seen.sentence_sims == sims[1:] and seen.doc_counts == counts[1:]
    assert seen.path_sims == [0.7, 0.6]
    per_hit = [f.name for f in fields(RerankInputs) if f.name not in ("topic", "df", "n")]
    assert all(len(getattr(seen, name)) == 2 for name in per_hit)


def test_sentence_cosines_or_document_counts_of_another_length_are_an_error() -> None:
    """Session 21: ``sentence_sims`` and ``doc_counts`` for other hits than these fell
    back per hit (``i < len(...)``: the clause cosine, the base's counts), the silent shape
    ``path_sims`` had (session 20).  A mismatch is a caller's bug; None and an empty row
    (a hit without sentences) stay the documented fallbacks."""
    plan = make_plan("卧床老人多久翻一次身？")
    hits = [FakeHit(SCOPE, 0.03, 0.90), FakeHit(TURN, 0.02, 0.88)]
    counts = (Counter({"翻身": 1}), 10)
    for inputs, message in (
        (RerankInputs(sentence_sims=[[(SCOPE.text, 0.9)]]), "sentence_sims has 1 values"),
        (RerankInputs(doc_counts=[counts] * 3), "doc_counts has 3 values for 2 hits"),
    ):
        with pytest.raises(ValueError, match=message):
            features(plan, hits, [[], []], inputs)
    fallback = features(plan, hits, [[], []], RerankInputs(sentence_sims=[[], []]))
    assert np.array_equal(fallback, features(plan, hits, [[], []], RerankInputs()))
    assert features(plan, hits, [[], []], RerankInputs(doc_counts=[counts] * 2)).shape[0] == 2

"""Choosing among one document's clauses (session 9): the topic weighted by rarity within
the clause's own document (``doc_idf``, counted by qa.doc_frequency) and the dense
cosine weighed by the question's lexical gap (``lay_dense``) — on hand-built clauses."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from clauses import FakeHit, make_clause
from clauses import feature_column as col

from qa.doc_frequency import DocumentFrequency
from qa.gate_inputs import bigram_counts as count
from qa.plan import make_plan
from qa.rerank import RerankInputs, features, rerank_inputs

# A document about home care: nearly every clause names 护理员, only one says 翻身.
CARE = [
    make_clause("3.4", "养老护理员：从事老年人生活照料的人员。", code="T/C 1", doc_id="c"),
    make_clause("5.2.1", "护理员应协助服务对象进餐。", code="T/C 1", doc_id="c"),
    make_clause("5.2.2", "护理员协助卧床服务对象翻身的间隔不宜超过2 h。", code="T/C 1", doc_id="c"),
    make_clause("5.2.3", "护理员不应自行调整用药。", code="T/C 1", doc_id="c"),
]


class Store:
    """A searcher double listing its documents' clauses, with a generation."""

    def __init__(self, docs: dict[str, list]) -> None:  # type: ignore[type-arg]
        self.docs = docs
        self.generation = 1
        self.calls: Counter[str] = Counter()

    def clauses_of(self, doc_id: str) -> list:  # type: ignore[type-arg]
        self.calls[doc_id] += 1
        return self.docs[doc_id]


def test_document_counts_are_taken_once_per_document_and_generation() -> None:
    store = Store({"c": CARE})
    lookup = DocumentFrequency().for_searcher(store)
    assert lookup is not None
    df, n = lookup("c")
    assert n == 4 and df["护理"] == 4 and df["翻身"] == 1
    lookup("c")
    assert store.calls["c"] == 1
    store.generation = 2  # the knowledge base changed: counted again
    freq = DocumentFrequency()
    first = freq.for_searcher(store)
    assert first is not None
    first("c")
    store.generation = 3
    second = freq.for_searcher(store)
    assert second is not None
    second("c")
    assert store.calls["c"] == 3


def test_a_searcher_that_cannot_list_clauses_gives_no_counts() -> None:
    assert DocumentFrequency().for_searcher(object()) is None


def test_words_the_whole_document_shares_weigh_little_within_it() -> None:
    """In the knowledge base 护理员 is rare (one document of many uses it), so it weighs
    as much as the asked 翻身 and the term entry naming it holds most of the topic;
    within its document every clause names it, and the clause saying 翻身 stands out."""
    plan = make_plan("护理员多久帮老人翻身一次？")
    term, turn = CARE[0], CARE[2]
    hits = [FakeHit(term, 0.03, 0.9), FakeHit(turn, 0.02, 0.9)]
    topic = frozenset({"护理", "理员", "翻身"})
    base_df = {"护理": 5, "理员": 5, "翻身": 20}
    doc = count(CARE)
    inputs = RerankInputs(topic=topic, df=base_df, n=1000, doc_counts=[doc, doc])
    x = features(plan, hits, [[], []], inputs)
    in_doc = col(x, "doc_idf")
    assert in_doc[1] == pytest.approx(1.0)
    assert in_doc[0] < 0.6  # 护理/理员 carry little weight inside the document
    base_share = 1.0 + col(x, "idf_rel")[0]  # the term entry's share by base rarity
    assert base_share > 0.7
    # Without the document's counts the base's stand in.
    plain = features(plan, hits, [[], []], RerankInputs(topic=topic, df=base_df, n=1000))
    assert col(plain, "doc_idf")[0] == pytest.approx(base_share)


def test_rerank_inputs_read_each_candidates_own_document() -> None:
    other = make_clause("1", "翻身床的技术要求。", code="T/D 2", doc_id="d")
    store = Store({"c": CARE, "d": [other]})
    lookup = DocumentFrequency().for_searcher(store)
    plan = make_plan("翻身多久一次？")
    hits = [FakeHit(CARE[2], 0.03, 0.9), FakeHit(other, 0.02, 0.9)]
    inputs = rerank_inputs(plan, hits, [[], []], doc_frequency=lookup)
    assert inputs.doc_counts is not None
    assert [n for _, n in inputs.doc_counts] == [4, 1]


@pytest.mark.parametrize(
    ("question", "gap"),
    [
        ("协助卧床服务对象翻身的间隔", 0.0),  # every word in 5.2.2: no gap
        ("老爷子瘫着起不来咋整", 1.0),  # no word in any candidate
    ],
)
def test_lay_dense_weighs_the_cosine_by_the_lexical_gap(question: str, gap: float) -> None:
    plan = make_plan(question)
    hits = [FakeHit(CARE[1], 0.03, 0.90), FakeHit(CARE[2], 0.02, 0.86)]
    x = features(plan, hits, [[], []])
    dense = col(x, "dense_rel")
    assert np.allclose(col(x, "lay_dense"), gap * dense)
    assert dense[1] == pytest.approx(-0.04)

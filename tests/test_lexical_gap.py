"""The lexical gap (index.retrievers.lexical_gap) and the fusion weights it sets."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import index.retrievers as R
from index.bm25 import BM25Index
from index.query import SearchQuery
from index.tokenize import tokenize

# Two clauses in a standard's words; the lay question below shares only 上门 with them.
TEXTS = {
    "gift": "服务人员应尊重服务对象的个人隐私，不应收受服务对象及其家属的财物。",
    "badge": "服务人员上门服务时应佩戴工作牌，着装整洁，使用文明用语。",
}
LAY = "逢年过节给上门阿姨塞个红包，她能收吗？"


def _ctx(topic: str, weights: tuple[float, float] = (1.0, 1.0)) -> R.Context:
    ids = list(TEXTS)
    bm25 = BM25Index.build(ids, [tokenize(t) for t in TEXTS.values()])
    snap = SimpleNamespace(bm25=bm25, remote=None)
    query = SearchQuery(text=topic, topic=topic)
    embedder = SimpleNamespace(embed_queries=lambda texts: np.zeros((len(texts), 4)))
    return R.Context(snap, embedder=embedder, query=query, weights=weights)  # type: ignore[arg-type]


def test_known_tells_the_bases_words_from_the_others() -> None:
    bm25 = BM25Index.build(["a"], [tokenize(TEXTS["gift"])])
    assert bm25.known(["财物", "红包"]) == [True, False]
    assert BM25Index(None, []).known(["财物"]) == [False]


def test_gap_is_the_share_of_question_words_the_base_never_uses() -> None:
    assert R.lexical_gap(_ctx("服务人员收受财物")) == 0.0
    lay = R.lexical_gap(_ctx(LAY))
    assert 0.5 < lay < 1.0  # 上门 is the base's; 逢年过节, 阿姨, 红包 … are not
    assert R.lexical_gap(_ctx("？")) == 0.0  # nothing to search for: no gap


def test_gap_asks_the_engine_on_qdrant() -> None:
    ctx = _ctx(LAY)
    ctx.snap.remote = SimpleNamespace(known=lambda toks: [True] * len(toks))
    assert R.lexical_gap(ctx) == 0.0


def test_weights_unchanged_for_a_question_in_the_bases_words() -> None:
    assert R.hybrid_weights(_ctx("服务人员收受财物")) == (1.0, 1.0)
    assert R.hybrid_weights(_ctx("服务人员收受财物", (0.5, 2.0))) == (0.5, 2.0)


def test_a_lay_question_weighs_bm25_less() -> None:
    wd, wb = R.hybrid_weights(_ctx(LAY))
    assert wd == 1.0
    assert R.GAP_FLOOR <= wb < 0.5
    # a retriever switched off stays off, the other keeps its weight
    assert R.hybrid_weights(_ctx(LAY, (0.0, 1.0))) == (0.0, 1.0)
    assert R.hybrid_weights(_ctx(LAY, (1.0, 0.0))) == (1.0, 0.0)


def test_lay_question_ranks_the_embedders_hit_above_bm25s_chatter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dense ranks the answer 2nd, BM25 ranks a clause matching only everyday words 1st
    and misses the answer.  For a question in the base's words the BM25 hit wins the
    fusion (1/21 > 1/22); for a lay one the embedder's does."""
    dense = [("other", 0.9, "d"), ("gift", 0.89, "d")]
    bm25 = [("chatter", 9.0, "b"), ("other2", 5.0, "b")]
    monkeypatch.setattr(R, "_dense_bm25", R.fused(lambda c: dense, lambda c: bm25))
    formal = [cid for cid, _, _ in R.hybrid(_ctx("服务人员收受财物"))]
    assert formal.index("chatter") < formal.index("gift")
    lay = [cid for cid, _, _ in R.hybrid(_ctx(LAY))]
    assert lay.index("gift") < lay.index("chatter")

"""Pseudo-relevance feedback (index.feedback, index.retrievers.feedback) and the BM25
row view it reads, on small hand-made indexes."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from grammar.schema import Clause, ClauseKind, HeadingRef
from index.bm25 import BM25Index
from index.feedback import feedback_weights
from index.query import SearchQuery
from index.retrievers import Context, _feedback_vector, feedback

# Clause rows: a document d1 on consumers (r0–r2, r5–r7) and d2 on transport (r3–r4).
TOKENS = [
    ["退款", "期限", "消费者", "七日", "无理由"],  # r0: the clause a first pass ranks first
    ["退款", "申请", "消费者", "受理", "工作日"],  # r1: shares the borrowed words
    ["包装", "标识", "消费者"],  # r2: same document, other topic
    ["退款", "七日", "运输"],  # r3: other document, shares the words
    ["运输", "车辆", "温度"],  # r4
    ["消费者", "投诉"],  # r5–r7: the rest of d1, all about consumers
    ["消费者", "评价"],
    ["消费者", "信息"],
]
IDS = [f"c{i}" for i in range(len(TOKENS))]
DOCS = ["d1", "d1", "d1", "d2", "d2", "d1", "d1", "d1"]


def _index() -> BM25Index:
    return BM25Index.build(IDS, TOKENS)


def test_row_terms_are_the_transpose_of_the_columns() -> None:
    idx = _index()
    for row, tokens in enumerate(TOKENS):
        cols, vals = idx.row_terms(row)
        assert sorted(cols.tolist()) == sorted(idx.columns(tokens))
        assert (vals > 0).all()
        # Each weight is the one the column scores the row with.
        for c, v in zip(cols.tolist(), vals.tolist(), strict=True):
            assert np.isclose(idx.weighted_scores({c: 1.0})[row], v)
    assert idx.row("c3") == 3 and idx.row("nope") is None


def test_weighted_scores_scale_each_word() -> None:
    idx = _index()
    once = idx.scores(["退款", "运输"])
    (a, b) = idx.columns(["退款", "运输"])
    assert np.allclose(idx.weighted_scores({a: 1.0, b: 1.0}), once)
    half = idx.weighted_scores({a: 1.0, b: 0.5})
    assert np.isclose(half[4], once[4] / 2)  # r4 holds only 运输
    assert np.allclose(idx.weighted_scores({}), 0)


def test_feedback_borrows_distinctive_words_of_the_feedback_clauses() -> None:
    idx = _index()
    own = idx.columns(["退钱"])  # a lay word no clause holds: no own column
    assert own == []
    within = np.array([d == "d1" for d in DOCS])
    w = feedback_weights(idx, [0], own, within, terms=10, share=0.5)
    vocab = {c: t for t in {t for ts in TOKENS for t in ts} for c in idx.columns([t])}
    borrowed = {vocab[c] for c in w}
    # 消费者 is held by every clause of d1: it tells none of them apart.
    assert "消费者" not in borrowed
    assert {"退款", "期限", "七日", "无理由"} <= borrowed
    assert np.isclose(sum(w.values()), 0.5)  # share × max(own words, 1)


def test_feedback_keeps_own_words_and_limits_borrowed_ones() -> None:
    idx = _index()
    own = idx.columns(["申请"])
    within = np.ones(len(IDS), dtype=bool)
    w = feedback_weights(idx, [0, 3], own, within, terms=2, share=1.0)
    assert w[own[0]] == 1.0
    assert len(w) == 3  # the own word and two borrowed ones
    assert np.isclose(sum(v for c, v in w.items() if c != own[0]), 1.0)
    assert feedback_weights(idx, [], own, within) == {own[0]: 1.0}
    assert feedback_weights(idx, [0], own, within, share=0.0) == {own[0]: 1.0}


def _clause(cid: str, doc: str, seq: int) -> Clause:
    return Clause(
        cid, doc, doc, None, str(seq), "", [HeadingRef("5", "要求")], ClauseKind.CLAUSE,
        None, "正文", "", None, 0, 0, seq,
    )  # fmt: skip


def _ctx(topic: str) -> Context:
    clauses = [_clause(cid, d, i) for i, (cid, d) in enumerate(zip(IDS, DOCS, strict=True))]
    by_doc: dict[str, list[Clause]] = {}
    for c in clauses:
        by_doc.setdefault(c.doc_id, []).append(c)
    snap = SimpleNamespace(
        clauses={c.clause_id: c for c in clauses},
        by_doc=by_doc,
        bm25=_index(),
        bm25_rows=clauses,
        dense=SimpleNamespace(ntotal=0),
        remote=None,
    )
    return Context(snap, embedder=None, query=SearchQuery(topic, topic))  # type: ignore[arg-type]


def test_stage_lifts_the_clause_sharing_the_first_hits_words_inside_their_document() -> None:
    ctx = _ctx("退钱")
    # The first pass found the refund clause, then two unrelated ones.
    ranked = [("c0", 0.9, "hybrid"), ("c2", 0.8, "hybrid"), ("c4", 0.7, "hybrid"),
              ("c1", 0.6, "hybrid"), ("c3", 0.5, "hybrid")]  # fmt: skip
    out = [cid for cid, _, _ in feedback(hits=1)(ctx, ranked)]
    assert out[0] == "c0"
    # c1 shares c0's distinctive words (退款) and is in c0's document: it rises above c2
    # and c4; c3 shares them too but is in another document, which was not searched.
    assert out.index("c1") < out.index("c2") and out.index("c1") < out.index("c4")
    assert out.index("c3") > out.index("c1")
    assert sorted(out) == sorted(cid for cid, _, _ in ranked)
    # A clause the first pass missed is found inside the document.
    missed = [item for item in ranked if item[0] != "c1"]
    out = [cid for cid, _, _ in feedback(hits=1)(ctx, missed)]
    assert out.index("c1") < out.index("c4")
    assert feedback(hits=1)(ctx, ranked)[0][2] == "hybrid"


def test_stage_leaves_the_ranking_alone_without_documents_to_search() -> None:
    ctx = _ctx("退钱")
    ranked = [("c0", 0.9, "hybrid"), ("c4", 0.5, "hybrid")]
    ctx.allowed = {"d3"}  # a filter no first hit is in
    assert feedback()(ctx, ranked) == ranked
    assert feedback()(_ctx("退钱"), []) == []


def test_gap_gate_leaves_questions_in_the_knowledge_bases_words_alone() -> None:
    ranked = [("c2", 0.9, "hybrid"), ("c0", 0.8, "hybrid"), ("c1", 0.7, "hybrid")]
    # Every word of "包装标识" is held by some clause: no lexical gap, no feedback.
    assert feedback(hits=1, min_gap=0.3)(_ctx("包装 标识"), ranked) == ranked
    # "退钱" is held by none: the gap is 1 and the feedback runs.
    assert feedback(hits=1, min_gap=0.3)(_ctx("退钱"), ranked) != ranked


class _Dense:
    """Exact inner product over a few stored vectors (faiss id = clause position)."""

    def __init__(self, vecs: np.ndarray) -> None:
        self.vecs = vecs / np.linalg.norm(vecs, axis=1, keepdims=True)
        self.ntotal = len(vecs)

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        return self.vecs[np.asarray(ids)]

    def search(self, q: np.ndarray, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        ids = list(range(self.ntotal)) if allowed is None else [int(i) for i in allowed]
        return sorted(((i, float(self.vecs[i] @ q)) for i in ids), key=lambda t: -t[1])[:k]


def test_vector_feedback_moves_the_query_toward_the_first_hits() -> None:
    ctx = _ctx("退钱")
    vecs = np.zeros((len(IDS), 3), dtype=np.float32)
    vecs[:, 2] = 1.0  # the rest of the base: far from everything
    vecs[0] = [0.8, 0.6, 0.0]  # c0: the first hit
    vecs[1] = [0.6, 0.8, 0.0]  # c1: close to c0, farther from the question
    vecs[2] = [0.7, 0.0, 0.714]  # c2: closer to the question than c1, far from c0
    vecs[3] = [0.6, 0.8, 0.0]  # c3: like c1, but in the other document
    snap = ctx.snap
    snap.dense = _Dense(vecs)  # type: ignore[misc]
    snap.by_fid = {i: snap.clauses[cid] for i, cid in enumerate(IDS)}  # type: ignore[misc]
    snap.vector_ids = lambda cids: (np.array([IDS.index(c) for c in cids]), list(range(len(cids))))  # type: ignore[misc]
    ctx._qvec = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    plain = _feedback_vector(ctx, ["c0"], {"d1"}, beta=0.0)
    moved = _feedback_vector(ctx, ["c0"], {"d1"}, beta=1.0)
    assert plain.index("c2") < plain.index("c1")
    assert moved.index("c1") < moved.index("c2")
    assert "c3" not in moved  # another document: not searched
    ranked = [("c0", 0.9, "hybrid"), ("c2", 0.8, "hybrid"), ("c4", 0.7, "hybrid")]
    out = feedback(hits=1, lexical=False, vector=True)(ctx, ranked)
    assert [cid for cid, _, _ in out][:1] == ["c0"] and "c1" in [cid for cid, _, _ in out]

"""index.retrievers stages, index.query parsing and qa.plan, without any index."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from grammar.schema import Clause, ClauseKind, DocumentInfo, HeadingRef
from index.exact import documents_named
from index.fusion import HYBRID_K0, K0
from index.query import parse_query
from index.retrievers import Context, compose, exact_first, fused, scoped
from qa.plan import make_plan

DOCS = [
    DocumentInfo("d1", "标准化工作导则 第1部分：标准化文件的结构和起草规则", None, "", 1, 1),
    DocumentInfo("d2", "中华人民共和国标准化法", None, "", 1, 1),
    DocumentInfo("d3", "服务标准编写指南", "T/BZQC 002—2025", "", 1, 1),
]


def _clause(cid: str, doc: str, no: str, seq: int, text: str = "正文") -> Clause:
    return Clause(
        cid,
        doc,
        doc,
        None,
        no,
        "",
        [HeadingRef("6", "要素")],
        ClauseKind.CLAUSE,
        None,
        text,
        "",
        None,
        0,
        0,
        seq,
    )


CLAUSES = {
    c.clause_id: c
    for c in [
        _clause("a", "d1", "6.5", 1),
        _clause("b", "d1", "6.6", 2),
        _clause("c", "d3", "6.5", 1),
        _clause("d", "d2", "第十条", 1),
    ]
}


def _ctx(text: str) -> Context:
    by_doc: dict[str, list[Clause]] = {}
    for c in CLAUSES.values():
        by_doc.setdefault(c.doc_id, []).append(c)
    snap = SimpleNamespace(clauses=CLAUSES, by_doc=by_doc, docs=DOCS, remote=None, copies={})
    return Context(snap, embedder=None, query=parse_query(text, DOCS))  # type: ignore[arg-type]


def test_document_named_by_code_or_title() -> None:
    # d1 has no stored code: its title still names it when the question gives both.
    assert documents_named(
        "GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》", DOCS
    ) == ["d1"]
    assert documents_named("T/BZQC 002 的 6.5 条", DOCS) == ["d3"]
    assert documents_named("GB/T 9999 的 5.1", DOCS) == []
    assert documents_named("范围怎么写", DOCS) is None


def test_code_in_title_or_file_name_names_the_document() -> None:
    docs = [
        DocumentInfo("x", "GB/T 1.1—2020 标准化工作导则", None, "/k/GB_T_1.1-2020_导则.md", 1, 1)
    ]
    assert documents_named("GB/T 1.1—2020 的 8.6", docs) == ["x"]


def test_query_topic_drops_document_names() -> None:
    q = parse_query("标准化法规定了哪些标准的类别？", DOCS, expand=("类别",))
    assert q.named == ("d2",)
    assert "标准化法" not in q.topic and q.topic.endswith("类别")


def test_exact_first_leads_and_scopes_to_the_named_document() -> None:
    ranked = [("b", 0.3, "hybrid"), ("c", 0.2, "hybrid"), ("a", 0.1, "hybrid")]
    out = compose(lambda ctx: ranked, exact_first)(_ctx("T/BZQC 002—2025 的 6.5 条"))
    assert out[0][:1] == ("c",) and out[0][2] == "exact"
    # no document named: only the best-ranked "6.5" is promoted
    out = exact_first(_ctx("6.5 条讲什么"), ranked)
    assert [cid for cid, _, _ in out] == ["c", "b", "a"]


def test_scoped_search_fuses_the_named_documents_own_ranking() -> None:
    ranked = [("b", 0.3, "hybrid"), ("c", 0.2, "hybrid"), ("d", 0.1, "hybrid")]
    seen: list[set[str] | None] = []

    def inner(ctx: Context) -> list[tuple[str, float, str]]:
        seen.append(ctx.allowed)
        return [("d", 0.5, "hybrid")]

    ctx = _ctx("标准化法里有什么")
    ctx._qvec = np.zeros(3, dtype=np.float32)  # no embedder here; the query vector is shared
    out = scoped(inner)(ctx, ranked)
    assert seen == [{"d2"}]  # the inner search ran inside the named document only
    assert out[0][0] == "d"
    # nothing named: the ranking is left as it was, and no inner search runs
    assert scoped(inner)(_ctx("范围怎么写"), ranked) == ranked and len(seen) == 1


def test_plan_merges_follow_up_and_reads_element() -> None:
    plan = make_plan("那它的格式呢？", [("规范性引用文件怎么写？", "……")], DOCS)
    assert plan.text.startswith("规范性引用文件怎么写？")
    assert plan.element is not None and plan.element.name == "规范性引用文件"
    assert "规范性引用文件" in plan.search.focus


def test_hybrid_fusion_keeps_one_retrievers_top_hit_above_shared_mid_list_hits() -> None:
    """A lay question: the embedder ranks the clause 2nd, BM25 misses it (no shared words);
    ten clauses both rank 20th–29th.  With the paper's k0 = 60 the dense hit falls below
    all of them (1/62 < 2/89) and out of the top ten; with HYBRID_K0 it stays in it."""
    shared = [f"m{i}" for i in range(10)]
    dense_list = [("d0", 0.9, "dense"), ("lay", 0.88, "dense")]
    dense_list += [(f"u{i}", 0.6, "dense") for i in range(17)]
    dense_list += [(c, 0.5, "dense") for c in shared]
    bm25_list = [(f"b{i}", 9.0, "bm25") for i in range(19)]
    bm25_list += [(c, 1.0, "bm25") for c in shared]

    def dense_fake(ctx: Context) -> list[tuple[str, float, str]]:
        return dense_list

    def bm25_fake(ctx: Context) -> list[tuple[str, float, str]]:
        return bm25_list

    ctx = _ctx("护理员隔多久帮老人翻身")
    ids = [cid for cid, _, _ in fused(dense_fake, bm25_fake)(ctx)]
    assert ids.index("lay") < 10
    paper = [cid for cid, _, _ in fused(dense_fake, bm25_fake, k0=K0)(ctx)]
    assert paper.index("lay") >= 10  # the failure the smaller constant mends
    # agreement still counts: a clause both rank 3rd beats each retriever's 1st alone
    top = fused(
        lambda c: [("a", 1.0, "dense"), ("b", 0.9, "dense"), ("s", 0.8, "dense")],
        lambda c: [("c", 1.0, "bm25"), ("d", 0.9, "bm25"), ("s", 0.8, "bm25")],
    )(ctx)
    assert top[0][0] == "s"


def test_qdrant_engine_fusion_uses_the_same_constant() -> None:
    """Qdrant ranks from 0 and our rrf from 1: the engine's k is HYBRID_K0 + 1, so the
    Qdrant backend ranks hybrid search exactly as FAISS + bm25s do."""
    qdrant_store = pytest.importorskip("index.qdrant_store")
    assert qdrant_store.RRF_K == HYBRID_K0 + 1

"""Copies of one standard (grammar.copies), the retrieval stage that shows a clause held in
two copies once (index.retrievers.distinct), on FAISS and on Qdrant, and the answer."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import HashEmbedder

from grammar.copies import copies, edition, same_clause, same_text
from grammar.schema import Clause, ClauseKind, DocumentInfo
from index.retrievers import PIPELINES, Context, compose, distinct, hybrid
from index.search import Searcher


def _doc(doc_id: str, code: str | None) -> DocumentInfo:
    return DocumentInfo(doc_id, "视频监控联网系统技术要求", code, f"/c/{doc_id}", 1, 1)


def _clause(cid: str, doc: str, no: str, text: str, seq: int = 0) -> Clause:
    return Clause(
        cid, doc, doc, None, no, "", [], ClauseKind.CLAUSE, None, text, "", None, 0, 0, seq
    )


# ------------------------------------------------------------------ which documents are copies
def test_same_code_and_year_are_copies() -> None:
    docs = [
        _doc("pdf", "GB/T 28181—2016"),
        _doc("md", "GB/T 28181—2016"),
        _doc("new", "GB/T 28181—2022"),  # another edition
        _doc("draft", "JT/T 808—2011"),  # a draft and the published edition: other year
        _doc("pub", "JT/T 808—2019"),
        _doc("noyear", "GB/T 1.1"),  # a yearless code names every edition
        _doc("noyear2", "GB/T 1.1"),
        _doc("nocode", None),
        _doc("nocode2", None),
    ]
    groups = copies(docs)
    assert groups == {"pdf": frozenset({"pdf", "md"}), "md": frozenset({"pdf", "md"})}
    assert edition("GB/T 28181-2016") == "GB/T 28181—2016"
    assert edition("GB/T 1.1") is None and edition(None) is None


# ------------------------------------------------------------------ which clauses are the same
CLAUSE_TEXT = (
    "信令服务器应支持注册、注销、心跳保活等功能。设备注册成功后，应每隔60秒发送一次心跳消息；"
    "连续3次未收到心跳时，服务器应判定设备离线并记录日志。"
)


def test_the_same_passage_through_pdf_and_transcription_noise() -> None:
    pdf = CLAUSE_TEXT.replace("，", ", ").replace("。", "。\n").replace("60秒", "6 0 秒")
    assert same_text(CLAUSE_TEXT, pdf)
    # a transcription that lost every Latin letter and digit: the Chinese text decides
    assert same_text(CLAUSE_TEXT, re.sub(r"[0-9A-Za-z]", "", CLAUSE_TEXT))
    other = "信令服务器应支持目录查询、设备信息查询等功能。查询请求应携带命令序列号，服务器应在10秒内返回应答。"
    assert not same_text(CLAUSE_TEXT, other)
    assert not same_text(CLAUSE_TEXT, CLAUSE_TEXT[: len(CLAUSE_TEXT) // 2])  # a part of it


def test_neighbouring_windows_of_a_repetitive_clause_are_not_the_same() -> None:
    rows = [
        f'<element name="Field{i}" type="integer"/> 字段{i}必选，取值范围0～{i}。'
        for i in range(40)
    ]
    first, second = "".join(rows[:20]), "".join(rows[10:30])  # the next window
    assert not same_text(first, second)
    assert same_text(first, first.replace("，", ","))


def test_same_clause_needs_copies_and_the_same_number() -> None:
    groups = copies(
        [_doc("pdf", "GB/T 28181—2016"), _doc("md", "GB/T 28181—2016"), _doc("x", None)]
    )
    a = _clause("pdf:1", "pdf", "6.1.1", CLAUSE_TEXT)
    assert same_clause(a, _clause("md:1", "md", "6.1.1", CLAUSE_TEXT + " "), groups)
    assert not same_clause(a, _clause("md:2", "md", "6.1.2", CLAUSE_TEXT), groups)
    assert not same_clause(a, _clause("pdf:2", "pdf", "6.1.1", CLAUSE_TEXT), groups)  # own window
    assert not same_clause(a, _clause("x:1", "x", "6.1.1", CLAUSE_TEXT), groups)


def test_a_transcription_that_repeats_the_heading_in_the_text() -> None:
    groups = copies([_doc("pdf", "GB/T 28181—2016"), _doc("md", "GB/T 28181—2016")])
    a = _clause("pdf:1", "pdf", "5.4", CLAUSE_TEXT)
    b = _clause("md:1", "md", "5.4", "5.4 网络传输带宽\n" + CLAUSE_TEXT)
    a.clause_title = b.clause_title = "网络传输带宽"
    assert same_clause(a, b, groups)


# ------------------------------------------------------------------ the retrieval stage
DOCS = [
    _doc("pdf", "GB/T 28181—2016"),
    _doc("md", "GB/T 28181—2016"),
    _doc("new", "GB/T 28181—2022"),
]
WIN1, WIN2 = (
    CLAUSE_TEXT,
    "前言所列的技术变化包括：增加了语音广播、语音对讲要求；修改了注册流程与心跳要求。" * 2,
)
CLAUSES = {
    c.clause_id: c
    for c in [
        _clause("p1", "pdf", "6.1.1", CLAUSE_TEXT),
        _clause("m1", "md", "6.1.1", CLAUSE_TEXT.replace("，", ", ")),
        _clause("p2", "pdf", "前言", WIN1, 1),
        _clause("p3", "pdf", "前言", WIN2, 2),  # a second window of the same number
        _clause("m3", "md", "前言", WIN2, 2),
        _clause("n1", "new", "6.1.1", CLAUSE_TEXT),  # another edition: its own clause
        _clause("m4", "md", "6.2", "媒体流传输应采用RTP协议。"),
    ]
}


def _ctx() -> Context:
    snap = SimpleNamespace(clauses=CLAUSES, docs=DOCS, copies=copies(DOCS))
    return Context(snap, embedder=None, query=None)  # type: ignore[arg-type]


def test_distinct_keeps_the_best_ranked_copy_only() -> None:
    ranked = [
        (cid, 1.0 - i / 10, "hybrid")
        for i, cid in enumerate(["m1", "p3", "p1", "n1", "p2", "m3", "m4"])
    ]
    out = [cid for cid, _, _ in distinct(_ctx(), ranked)]
    # m1 (better ranked) stands for p1; m3 is p3's window; p2 is another window; n1 another edition
    assert out == ["m1", "p3", "n1", "p2", "m4"]
    assert distinct(_ctx(), []) == []


def test_distinct_runs_last_in_every_pipeline() -> None:
    seen: list[list[str]] = []

    def stage(ctx: Context, ranked):  # type: ignore[no-untyped-def]
        seen.append([cid for cid, _, _ in ranked])
        return ranked

    ranked = [("p1", 0.9, "bm25"), ("m1", 0.8, "bm25"), ("m4", 0.7, "bm25")]
    assert [c for c, _, _ in compose(lambda ctx: ranked, stage, distinct)(_ctx())] == ["p1", "m4"]
    assert seen == [["p1", "m1", "m4"]]


# ------------------------------------------------------------------ a knowledge base with a copy
def _duplicates(hits) -> list[str]:  # type: ignore[no-untyped-def]
    keys = [(h.clause.clause_no, re.sub(r"\W", "", h.clause.text)) for h in hits]
    return [f"{no}" for i, (no, t) in enumerate(keys) if (no, t) in keys[:i]]


QUERIES = ["投诉处理的时限是多少？", "投诉受理", "回访"]


def test_a_clause_held_in_two_copies_is_one_hit(copies_ws: Path) -> None:
    s = Searcher.open(copies_ws, "default", embedder=HashEmbedder(), sync=True)
    assert len(copies(s.documents())) == 2
    for query in QUERIES:
        plan = s.parse(query)
        raw = s.retrieve(plan, 8, compose(hybrid))  # without the stage: every clause twice
        assert _duplicates(raw)
        hits = s.search(query, 8)
        assert len(hits) == 8 and not _duplicates(hits), query  # freed slots are refilled
        assert hits[0].clause.clause_id == raw[0].clause.clause_id  # the best-ranked copy
        for mode in ("dense", "bm25"):
            assert not _duplicates(s.search(query, 8, mode, exact=False))
        assert not _duplicates(s.retrieve(plan, 8, PIPELINES["hybrid+sentence"]))


def test_the_answer_cites_a_clause_once(copies_ws: Path) -> None:
    from qa.answer import Answerer

    s = Searcher.open(copies_ws, "default", embedder=HashEmbedder(), sync=False)
    res = Answerer(s).answer("投诉处理的时限是多少？")
    assert not res.refused
    labels = [c.label for c in res.citations]
    assert len(labels) == len(set(labels)), labels
    assert len(res.retrieved) == len({(c.label, c.text) for c in res.retrieved})


def test_qdrant_collapses_copies_the_same_way(
    copies_ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("qdrant_client")
    emb = HashEmbedder()
    local = Searcher.open(copies_ws, "default", embedder=emb, sync=False)
    monkeypatch.setenv("STDQA_VECTOR_STORE", "qdrant")
    monkeypatch.setenv("STDQA_QDRANT_COLLECTION", "copies")
    for var in ("STDQA_QDRANT_URL", "STDQA_QDRANT_PATH"):
        monkeypatch.delenv(var, raising=False)
    remote = Searcher.open(copies_ws, "default", embedder=emb, sync=True)
    assert remote.remote is not None
    for query in QUERIES:
        for mode in ("dense", "bm25"):
            a = local.search(query, 8, mode, exact=False)
            b = remote.search(query, 8, mode, exact=False)
            assert len(b) == 8 and not _duplicates(b)
            assert [h.clause.clause_no for h in b[:3]] == [h.clause.clause_no for h in a[:3]]
        assert not _duplicates(remote.search(query, 8))

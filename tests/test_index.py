"""Index and retrieval: tokenizer, fusion, exact route, persistence, incremental sync,
model mismatch, filters, and paraphrase retrieval on the bundled samples (real model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES, HashEmbedder

from grammar.schema import DocumentInfo
from index.bm25 import BM25Index
from index.dense import DenseIndex, faiss_ids
from index.errors import IndexCorrupt, IndexModelMismatch, KnowledgeBaseNotFound
from index.exact import parse_clause_refs
from index.fusion import rrf
from index.layout import IndexPaths
from index.search import Searcher, SearchFilters
from index.tokenize import tokenize
from ingest.pipeline import ingest_paths
from ingest.store import ClauseStore
from ingest.workspace import kb_path


# ---------------------------------------------------------------- tokenizer
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("按5.2.1的规定执行", {"5.2.1", "规定"}),
        ("见附录 B 和表1", {"附录B", "表1"}),
        ("参照GB/T 24421.3-2009的要求", {"gb/t24421.3—2009", "gb/t24421.3"}),
        ("标准化法第3条", {"第三条"}),
        ("规范性引用文件怎么列", {"规范性引用文件"}),
        ("A.1.2 评价指标", {"A.1.2"}),
    ],
)
def test_tokenize_protects_numbers_codes_and_terms(text: str, expected: set[str]) -> None:
    tokens = tokenize(text)
    assert expected <= set(tokens), tokens
    assert "5" not in tokens and "." not in tokens


def test_tokenize_drops_function_words() -> None:
    tokens = tokenize("请问范围的写法是什么呢？")
    assert "的" not in tokens and "什么" not in tokens and "范围" in tokens


# ---------------------------------------------------------------- fusion
def test_rrf_rewards_agreement_and_respects_weights() -> None:
    fused = rrf([["a", "b", "c"], ["b", "d"]])
    assert [x for x, _ in fused][:2] == ["b", "a"]
    only_second = rrf([["a", "b"], ["c"]], weights=[0.0, 1.0])
    assert [x for x, _ in only_second] == ["c"]
    with pytest.raises(ValueError):
        rrf([["a"]], weights=[1.0, 2.0])


# ---------------------------------------------------------------- exact references
DOCS = [
    DocumentInfo(
        "d1", "标准化工作导则 第1部分：标准化文件的结构和起草规则", "GB/T 1.1—2020", "", 1, 1
    ),
    DocumentInfo("d2", "中华人民共和国标准化法", None, "", 1, 1),
]


@pytest.mark.parametrize(
    ("query", "nos", "docs"),
    [
        ("GB/T 1.1 的 8.6 条说什么", ("8.6",), ("d1",)),
        ("标准化法第3条", ("第三条",), ("d2",)),
        ("附录a是什么", ("附录A",), None),
        ("第八章讲什么", ("第八章", "8"), None),
        ("GB/T 9999 的 5.1", ("5.1",), ()),
    ],
)
def test_parse_clause_refs(query: str, nos: tuple[str, ...], docs: tuple[str, ...] | None) -> None:
    [ref] = parse_clause_refs(query, DOCS)
    assert ref.clause_nos == nos
    assert ref.doc_ids == docs


@pytest.mark.parametrize("query", ["PM2.5 浓度限值", "水温 2.5 ℃", "24 h 内响应", "GB/T 1.1—2020"])
def test_no_false_clause_refs(query: str) -> None:
    assert parse_clause_refs(query, DOCS) == []


# ---------------------------------------------------------------- FAISS wrapper
def test_dense_index_switches_to_ivf_and_supports_removal() -> None:
    rng = np.random.default_rng(1)
    vecs = rng.standard_normal((3000, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    ids = faiss_ids([f"c{i}" for i in range(3000)])
    flat = DenseIndex.build(32, ids, vecs, ivf_threshold=10_000)
    ivf = DenseIndex.build(32, ids, vecs, ivf_threshold=1000)
    assert flat.kind == "flat" and ivf.kind == "ivf"
    for idx in (flat, ivf):
        assert idx.search(vecs[7], 1)[0][0] == ids[7]
        assert idx.remove(ids[7:8]) == 1
        assert idx.search(vecs[7], 1)[0][0] != ids[7]
        assert idx.search(vecs[20], 3, allowed=ids[10:30])[0][0] == ids[20]
    # shrinking below the threshold goes back to exact search
    assert ivf.rebalanced(ids[100:600], ivf_threshold=1000).kind == "flat"


def test_bm25_mask_and_unknown_tokens() -> None:
    idx = BM25Index.build(["a", "b", "c"], [["范围", "编写"], ["术语", "定义"], ["范围", "适用"]])
    assert [r for r, _ in idx.top(["范围"], 5)] in ([0, 2], [2, 0])
    assert [r for r, _ in idx.top(["范围"], 5, mask=np.array([False, True, True]))] == [2]
    assert idx.top(["不存在的词"], 5) == []


# ---------------------------------------------------------------- sync mechanics (fast embedder)
def _write(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = folder / name
    p.write_text(body, encoding="utf-8")
    return p


DOC_A = """T/TEST 001—2025
茶饮服务规范
1 范围
本文件规定了茶饮服务的要求。
2 规范性引用文件
本文件没有规范性引用文件。
3 术语和定义
本文件没有需要界定的术语和定义。
4 服务要求
4.1 人员
服务人员应持有健康证明。
4.2 环境
店堂应保持清洁，每日消毒一次。
"""

DOC_B = """T/TEST 002—2025
洗衣服务规范
1 范围
本文件规定了洗衣服务的要求。
2 规范性引用文件
本文件没有规范性引用文件。
3 术语和定义
本文件没有需要界定的术语和定义。
4 服务要求
4.1 收衣
收衣时应当面检查衣物破损情况。
4.2 交付
洗涤后的衣物应在约定时间内交付。
"""


def _kb(tmp_path: Path) -> tuple[Path, ClauseStore, Path]:
    ws = tmp_path / "ws"
    docs = tmp_path / "docs"
    _write(docs, "a.txt", DOC_A)
    _write(docs, "b.txt", DOC_B)
    store = ClauseStore(kb_path(ws, "default"))
    ingest_paths([docs], store, kb="default")
    return ws, store, docs


def test_open_missing_kb_is_a_clear_error(tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    with pytest.raises(KnowledgeBaseNotFound, match="python -m ingest"):
        Searcher.open(tmp_path, "nosuch", embedder=hash_embedder)


def test_persistence_round_trip(tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    ws, _, _ = _kb(tmp_path)
    first = Searcher.open(ws, embedder=hash_embedder, sync=True)
    paths = IndexPaths.for_kb(kb_path(ws, "default"))
    gen = paths.current()
    assert gen is not None and (gen / "dense.faiss").is_file() and (gen / "meta.json").is_file()
    meta = json.loads((gen / "meta.json").read_text())
    assert meta["model"] == hash_embedder.name and meta["dim"] == 64
    again = Searcher.open(ws, embedder=hash_embedder, sync=True)  # nothing to do: same generation
    assert paths.current() == gen
    q = "衣物破损检查"
    assert [h.clause.clause_id for h in first.search(q)] == [
        h.clause.clause_id for h in again.search(q)
    ]
    top = again.search(q, k=1)[0]
    assert top.clause.doc_title == "洗衣服务规范" and top.clause.clause_no == "4.1"
    st = again.stats()
    assert st["documents"] == 2 and st["clauses"] == len(again) and st["index_bytes"] > 0


def test_incremental_update_keeps_unrelated_clauses(
    tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    ws, store, docs = _kb(tmp_path)
    s = Searcher.open(ws, embedder=hash_embedder, sync=True)
    b_ids = {
        c.clause_id
        for d in s.documents()
        if d.title == "洗衣服务规范"
        for c in s.clauses_of(d.doc_id)
    }
    a_count = sum(d.clause_count for d in s.documents() if d.title == "茶饮服务规范")

    _write(docs, "a.txt", DOC_A.replace("每日消毒一次", "每两小时消毒一次"))
    ingest_paths([docs], store, kb="default")
    result = s.sync()
    assert result["removed"] == a_count and result["added"] == a_count  # only file a redone
    still_b = {
        c.clause_id
        for d in s.documents()
        if d.title == "洗衣服务规范"
        for c in s.clauses_of(d.doc_id)
    }
    assert still_b == b_ids
    hit = s.search("多久消毒一次", k=1)[0]
    assert "每两小时" in hit.clause.text
    assert all("每日消毒" not in h.clause.text for h in s.search("每日消毒", k=10))

    # deleting a document removes exactly its clauses from both indexes
    a_doc = next(d.doc_id for d in s.documents() if d.title == "茶饮服务规范")
    assert store.remove_document(a_doc)
    assert s.sync()["removed"] == a_count
    assert {h.clause.doc_id for h in s.search("服务要求", k=20)} == {
        next(iter(b_ids)).split(":")[0]
    }
    assert {h.clause.doc_id for h in s.search("服务要求", k=20, mode="bm25")} == {
        next(iter(b_ids)).split(":")[0]
    }


def test_model_mismatch_is_an_error(tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    ws, _, _ = _kb(tmp_path)
    Searcher.open(ws, embedder=hash_embedder, sync=True)
    other = HashEmbedder(name="test/other-model", dim=64)
    with pytest.raises(IndexModelMismatch, match="--rebuild"):
        Searcher.open(ws, embedder=other)
    with pytest.raises(IndexModelMismatch):
        Searcher.open(ws, embedder=HashEmbedder(dim=32))


def test_rebuild_switches_model(tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    from index.build import sync_index

    ws, store, _ = _kb(tmp_path)
    Searcher.open(ws, embedder=hash_embedder, sync=True)
    other = HashEmbedder(name="test/other-model", dim=32)
    sync_index(store, other, rebuild=True)
    assert Searcher.open(ws, embedder=other).stats()["dim"] == 32


def test_corrupt_index_is_reported_and_previous_generation_survives_failed_sync(
    tmp_path: Path, hash_embedder: HashEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, store, docs = _kb(tmp_path)
    s = Searcher.open(ws, embedder=hash_embedder, sync=True)
    before = [h.clause.clause_id for h in s.search("健康证明")]
    paths = IndexPaths.for_kb(kb_path(ws, "default"))
    gen = paths.current()

    # a sync that dies half-way (embedding fails) leaves the live index untouched
    # (a text no other test embedded: the session-wide embedding cache must miss)
    fresh = DOC_B.replace("洗衣", "修伞").replace("002", "007") + f"5 备注\n{tmp_path.name}\n"
    _write(docs, "c.txt", fresh)
    ingest_paths([docs], store, kb="default")

    def boom(texts):  # type: ignore[no-untyped-def]
        raise RuntimeError("model crashed")

    monkeypatch.setattr(hash_embedder, "embed_passages", boom)
    with pytest.raises(RuntimeError, match="model crashed"):
        s.sync()
    assert paths.current() == gen
    assert [
        h.clause.clause_id
        for h in Searcher.open(ws, embedder=hash_embedder, sync=False).search("健康证明")
    ] == before
    monkeypatch.undo()

    (paths.current() / "dense.faiss").write_bytes(b"not a faiss file")
    with pytest.raises(IndexCorrupt, match="--rebuild"):
        Searcher.open(ws, embedder=hash_embedder, sync=False)


def test_filters_by_document_and_code(tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    ws, _, _ = _kb(tmp_path)
    s = Searcher.open(ws, embedder=hash_embedder, sync=True)
    docs = {d.title: d for d in s.documents()}
    laundry = docs["洗衣服务规范"]
    for mode in ("hybrid", "dense", "bm25"):
        hits = s.search(
            "服务人员健康证明", mode=mode, filters=SearchFilters(doc_ids=(laundry.doc_id,))
        )
        assert hits and {h.clause.doc_id for h in hits} == {laundry.doc_id}
    by_code = s.search("服务", filters=SearchFilters(standard_codes=("T/TEST 001",)))
    assert {h.clause.doc_title for h in by_code} == {"茶饮服务规范"}
    assert s.search("服务", filters=SearchFilters(standard_codes=("GB/T 1",))) == []


def test_hit_json_contract(tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    ws, _, _ = _kb(tmp_path)
    hit = Searcher.open(ws, embedder=hash_embedder, sync=True).search("茶饮", k=1)[0]
    data = hit.to_json()
    for key in (
        "rank",
        "score",
        "doc_id",
        "doc_title",
        "standard_code",
        "clause_no",
        "heading_path",
        "text",
        "source",
    ):
        assert key in data
    assert data["rank"] == 1 and isinstance(data["heading_path"], list)
    json.dumps(data, ensure_ascii=False)


def test_langchain_retriever(tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    from index.retriever import ClauseRetriever

    ws, _, _ = _kb(tmp_path)
    retriever = ClauseRetriever(searcher=Searcher.open(ws, embedder=hash_embedder, sync=True), k=2)
    docs = retriever.invoke("衣物交付时间")
    assert len(docs) == 2
    assert docs[0].metadata["doc_title"] == "洗衣服务规范" and docs[0].page_content


# ---------------------------------------------------------------- real model on the samples
PARAPHRASES = [
    ("护理员上岗以后每年还要培训多少学时？", "T/BZQC 001—2025", "4.2.2.2"),
    ("上门服务的记录要留存几年？", "T/BZQC 001—2025", "7.4.2"),
    ("饭菜送到老人家里最晚多长时间？", "T/BZQC 001—2025", "5.3.3"),
    ("如果标准里不引用别的文件，第2章写什么？", "T/BZQC 002—2025", "7.2.5"),
    ("条的编号最多能分几层？", "T/BZQC 002—2025", "5.3.2"),
    ("投诉的档案资料保存多久？", "T/BZQC 003—2025", "8.2"),
    ("业主紧急投诉，物业多久要赶到现场？", "T/BZQC 003—2025", "7.1.1"),
    ("我国的标准分成哪几种？", None, "第二条"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("query", "code", "clause_no"), PARAPHRASES)
def test_paraphrased_questions_find_their_clause(
    sample_searcher, query: str, code: str | None, clause_no: str
) -> None:  # type: ignore[no-untyped-def]
    hits = sample_searcher.search(query, k=5)
    found = [(h.clause.standard_code, h.clause.clause_no) for h in hits]
    if code is None:
        assert any(
            no == clause_no and h.clause.doc_title == "中华人民共和国标准化法"
            for h, (_, no) in zip(hits, found, strict=True)
        ), found
    else:
        assert (code, clause_no) in found, found


@pytest.mark.slow
def test_exact_route_on_samples(sample_searcher) -> None:  # type: ignore[no-untyped-def]
    top = sample_searcher.search("T/BZQC 003—2025 的 6.6.1 条规定了什么", k=3)[0]
    assert (top.clause.standard_code, top.clause.clause_no, top.route) == (
        "T/BZQC 003—2025",
        "6.6.1",
        "exact",
    )
    top = sample_searcher.search("标准化法第十条说什么", k=3)[0]
    assert (top.clause.doc_title, top.clause.clause_no, top.route) == (
        "中华人民共和国标准化法",
        "第十条",
        "exact",
    )
    # a code that is not in the knowledge base never yields another document's 5.1
    assert all(h.route != "exact" for h in sample_searcher.search("GB/T 9999—2020 的 5.1 条", k=5))
    # the route can be switched off
    assert all(
        h.route != "exact" for h in sample_searcher.search("标准化法第十条说什么", exact=False)
    )


@pytest.mark.slow
def test_dense_scores_present_for_every_hybrid_hit(sample_searcher) -> None:  # type: ignore[no-untyped-def]
    hits = sample_searcher.search("服务评价多久做一次", k=10)
    assert len(hits) == 10 and all(
        h.dense_score is not None and 0 < h.dense_score <= 1.0001 for h in hits
    )
    assert [h.rank for h in hits] == list(range(1, 11))


# ---------------------------------------------------------------- web guides (when present)
@pytest.mark.slow
def test_web_guides_retrieval(web_guides: Path, tmp_path: Path) -> None:
    """A scraped, noisy page: the "基本要求" chapter is found by a paraphrase and no site
    boilerplate is ever returned."""
    store = ClauseStore(kb_path(tmp_path, "wg"))
    ingest_paths([web_guides / "000_653565b51cd6ca6e.txt"], store, kb="wg")
    s = Searcher.open(tmp_path, "wg", sync=True)
    hits = s.search("编写服务标准时总的要求有哪些", k=5)
    nos = [h.clause.clause_no for h in hits]
    assert any(no == "3" or no.startswith("3.") for no in nos), nos
    for q in ("服务标准编写的基本要求", "标准文本下载", "相关文档推荐"):
        assert all("原创力文档" not in h.clause.text for h in s.search(q, k=10))


def test_samples_dir_exists() -> None:
    assert (SAMPLES / "standards").is_dir()


def test_long_clause_is_found_by_its_tail(tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    """Dense search sees the whole of a long clause (several embedded windows)."""
    filler = "本条规定了服务机构日常管理的一般事项，包括场地、人员与记录。" * 12
    body = f"""T/TEST 009—2025
长条款测试规范
1 范围
本文件规定了长条款测试。
2 要求
{filler}冰淇淋机每周拆洗消毒一次。
"""
    ws = tmp_path / "ws"
    _write(tmp_path / "docs", "long.txt", body)
    store = ClauseStore(kb_path(ws, "default"))
    ingest_paths([tmp_path / "docs"], store, kb="default")
    s = Searcher.open(ws, embedder=hash_embedder, sync=True)
    windows = json.loads(
        (IndexPaths.for_kb(kb_path(ws, "default")).current() / "windows.json").read_text()
    )
    assert max(windows.values()) >= 2
    top = s.search("冰淇淋机每周拆洗消毒", k=1, mode="dense")[0]
    assert "冰淇淋机" in top.clause.text
    # removing the document removes every window
    doc = next(d.doc_id for d in s.documents())
    store.remove_document(doc)
    s.sync()
    assert s.search("冰淇淋机", mode="dense") == []


def test_lost_token_cache_rebuilds_instead_of_hanging(
    tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    ws, store, docs = _kb(tmp_path)
    Searcher.open(ws, embedder=hash_embedder, sync=True)
    for p in IndexPaths.for_kb(kb_path(ws, "default")).tokens_dir.glob("*.json"):
        p.unlink()
    _write(docs, "c.txt", DOC_B.replace("洗衣", "修鞋").replace("002", "003"))
    ingest_paths([docs], store, kb="default")
    s = Searcher.open(ws, embedder=hash_embedder, sync=True)  # must not deadlock on its own lock
    assert {d.title for d in s.documents()} == {"茶饮服务规范", "洗衣服务规范", "修鞋服务规范"}
    assert s.search("修鞋", k=1)[0].clause.doc_title == "修鞋服务规范"


def test_tiny_corpus_above_ivf_threshold(tmp_path: Path, hash_embedder: HashEmbedder) -> None:
    from index.build import sync_index

    ws, store, _ = _kb(tmp_path)
    sync_index(store, hash_embedder, ivf_threshold=5)
    assert Searcher.open(ws, embedder=hash_embedder, sync=False).search("茶饮", k=1)


def test_searches_during_sync_see_a_consistent_index(
    tmp_path: Path, hash_embedder: HashEmbedder
) -> None:
    """The app shares one searcher between sessions: a sync in one must not break a search
    running in another (each search reads one snapshot)."""
    import threading

    ws, store, docs = _kb(tmp_path)
    s = Searcher.open(ws, embedder=hash_embedder, sync=True)
    errors: list[BaseException] = []
    done = threading.Event()

    def searching() -> None:
        while not done.is_set():
            try:
                for mode in ("hybrid", "dense", "bm25"):
                    for h in s.search("服务人员健康证明", k=5, mode=mode):
                        assert h.clause.clause_id
            except BaseException as exc:
                errors.append(exc)
                return

    t = threading.Thread(target=searching)
    t.start()
    try:
        for i in range(4):
            _write(docs, "a.txt", DOC_A.replace("每日消毒一次", f"每日消毒{i + 2}次"))
            ingest_paths([docs], store, kb="default")
            s.sync()
    finally:
        done.set()
        t.join(timeout=30)
    assert not errors, errors
    assert "每日消毒5次" in " ".join(h.clause.text for h in s.search("消毒", k=5))


@pytest.mark.slow
def test_missing_sentence_transformers_model_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from index.embedders import make_embedder
    from index.errors import SearchIndexError

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(SearchIndexError, match="本地模型目录"):
        make_embedder("/nonexistent/bge-small-zh")

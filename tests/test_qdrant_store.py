"""The Qdrant backend (local mode) against the embedded FAISS + bm25s index: same scores,
same rankings, incremental sync, knowledge-base isolation."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES, HashEmbedder

pytest.importorskip("qdrant_client")

from index.errors import IndexModelMismatch
from index.qdrant_store import (
    QdrantClauseIndex,
    QdrantSettings,
    open_client,
    point_id,
    store_kind,
)
from index.search import Searcher
from index.sparse import document_terms, query_terms, term_id
from index.tokenize import tokenize
from ingest.pipeline import ingest_paths
from ingest.store import ClauseStore
from ingest.workspace import kb_path

QUERIES = ["投诉处理时限", "范围一章怎么写", "规范性引用文件 排序", "助浴服务人员要求", "第三条"]


def _client():  # type: ignore[no-untyped-def]
    from qdrant_client import QdrantClient

    return QdrantClient(":memory:")


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    ws = tmp_path_factory.mktemp("qdrant-ws")
    store = ClauseStore(kb_path(ws, "default"))
    assert ingest_paths([SAMPLES / "standards"], store, kb="default").ok
    emb = HashEmbedder()
    searcher = Searcher.open(ws, "default", embedder=emb, sync=True)
    q = QdrantClauseIndex(_client(), "stdqa", "default")
    q.sync(store, emb)
    return ws, store, emb, searcher, q


def test_term_ids_are_stable_and_query_terms_dedupe() -> None:
    assert term_id("规范性引用文件") == term_id("规范性引用文件")
    assert 0 <= term_id("GB/T 1.1—2020") < 2**31
    q = query_terms(["范围", "范围", "写"])
    assert len(q.indices) == 2 and q.values == [1.0, 1.0]
    d = document_terms(["a", "a", "b"], avgdl=3.0)
    # tf part of "a" (tf=2) exceeds that of "b" (tf=1); both below 1 (lucene form).
    va, vb = (d.values[d.indices.index(term_id(t))] for t in ("a", "b"))
    assert 1.0 > va > vb > 0.0


@pytest.mark.parametrize("query", QUERIES)
def test_bm25_scores_equal_bm25s(kb, query: str) -> None:  # type: ignore[no-untyped-def]
    _, _, _, searcher, q = kb
    toks = tokenize(query)
    snap = searcher._snap
    want = [(snap.bm25_rows[r].clause_id, s) for r, s in snap.bm25.top(toks, 10)]
    got = q.sparse(toks, 10)
    assert [c for c, _ in got] == [c for c, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-4)


@pytest.mark.parametrize("query", QUERIES)
def test_dense_and_hybrid_rank_like_faiss(kb, query: str) -> None:  # type: ignore[no-untyped-def]
    _, _, emb, searcher, q = kb
    qv = emb.embed_queries([query])[0]
    want = [(h.clause.clause_id, h.score) for h in searcher.search(query, 10, "dense", exact=False)]
    got = q.dense(qv, 10)
    assert [c for c, _ in got] == [c for c, _ in want]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in want], rtol=1e-4)
    fused = [h.clause.clause_id for h in searcher.search(query, 10, "hybrid", exact=False)]
    assert [c for c, _ in q.hybrid(qv, tokenize(query), 10, depth=50)] == fused


def test_long_clause_scores_as_its_best_window(kb) -> None:  # type: ignore[no-untyped-def]
    _, _, emb, searcher, q = kb
    multi = [cid for cid, n in searcher._snap.windows.items() if n > 1]
    assert multi, "the samples have long clauses embedded as several windows"
    qv = emb.embed_queries(["服务质量评价"])[0]
    got = q.best_window_scores(multi[:5], qv)
    vids, owner = searcher._snap.vector_ids(multi[:5])
    sims = searcher._snap.dense.vectors(vids) @ qv
    for i, cid in enumerate(multi[:5]):
        assert got[cid] == pytest.approx(
            max(s for o, s in zip(owner, sims, strict=True) if o == i), abs=1e-5
        )


def test_exact_route_is_a_filtered_scroll(kb) -> None:  # type: ignore[no-untyped-def]
    _, _, _, searcher, q = kb
    doc = searcher.documents()[0].doc_id
    want = {c.clause_id for c in searcher.clauses_of(doc) if c.clause_no in ("5.1", "5.2")}
    assert want
    assert set(q.lookup([doc], ["5.1", "5.2"])) == want
    assert q.lookup([doc], ["99.99"]) == []


def test_filters_restrict_to_documents(kb) -> None:  # type: ignore[no-untyped-def]
    _, _, emb, searcher, q = kb
    doc = searcher.documents()[1].doc_id
    qv = emb.embed_queries(["服务要求"])[0]
    hits = q.hybrid(qv, tokenize("服务要求"), 20, doc_ids=[doc], depth=50)
    assert hits and all(searcher.get(c).doc_id == doc for c, _ in hits)


def test_incremental_sync_removes_and_replaces(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(SAMPLES / "standards", src)
    ws = tmp_path / "ws"
    store = ClauseStore(kb_path(ws, "k"))
    ingest_paths([src], store, kb="k")
    emb = HashEmbedder()
    q = QdrantClauseIndex(_client(), "c", "k")
    first = q.sync(store, emb)
    assert first["added"] == q.count() > 0
    assert q.sync(store, emb)["changed"] is False
    victim = sorted(src.iterdir())[0]
    gone = {
        c.clause_id
        for e in store.sources().values()
        if Path(e.source).name == victim.name
        for c in store.read_source_clauses(e)
    }
    victim.unlink()
    ingest_paths([src], store, kb="k", prune=True)
    res = q.sync(store, emb)
    assert res["removed"] == len(gone)
    assert q.count() == first["added"] - len(gone)
    # A rebuild re-uploads everything and leaves no duplicates.
    q.sync(store, emb, rebuild=True)
    assert q.count() == sum(1 for _ in store.iter_clauses())


def test_knowledge_bases_share_a_collection_without_leaking(tmp_path: Path) -> None:
    client = _client()
    emb = HashEmbedder()
    indexes = {}
    for name, folder in (("std", SAMPLES / "standards"), ("law", SAMPLES / "laws")):
        store = ClauseStore(kb_path(tmp_path, name))
        ingest_paths([folder], store, kb=name)
        indexes[name] = (store, QdrantClauseIndex(client, "shared", name))
        indexes[name][1].sync(store, emb)
    store, q = indexes["law"]
    law_ids = {c.clause_id for c in store.iter_clauses()}
    qv = emb.embed_queries(["标准的制定"])[0]
    hits = q.hybrid(qv, tokenize("标准的制定"), 30, depth=60)
    assert hits and {c for c, _ in hits} <= law_ids
    # idf is computed over the knowledge base, not the whole collection: scores match a
    # collection holding this knowledge base alone.
    alone = QdrantClauseIndex(_client(), "alone", "law")
    alone.sync(store, emb)
    toks = tokenize("标准的制定")
    np.testing.assert_allclose(
        [s for _, s in q.sparse(toks, 5)], [s for _, s in alone.sparse(toks, 5)], rtol=1e-5
    )


def test_other_model_is_refused(kb, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, store, _, _, q = kb
    with pytest.raises(IndexModelMismatch):
        q.sync(store, HashEmbedder(name="test/other", dim=64))
    with pytest.raises(IndexModelMismatch):
        q.sync(store, HashEmbedder(dim=32))


def test_local_path_mode_persists(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    store = ClauseStore(kb_path(ws, "k"))
    ingest_paths([SAMPLES / "laws"], store, kb="k")
    settings = QdrantSettings(path=str(tmp_path / "qdrant"))
    client = open_client(settings)
    assert open_client(settings) is client  # one client per path in a process
    QdrantClauseIndex(client, "p", "k").sync(store, HashEmbedder())
    n = QdrantClauseIndex(client, "p", "k").count()
    client.close()
    from qdrant_client import QdrantClient

    reopened = QdrantClient(path=str(tmp_path / "qdrant"))
    assert QdrantClauseIndex(reopened, "p", "k").count() == n > 0
    reopened.close()


def test_point_ids_and_store_kind() -> None:
    assert point_id("a", "x:00001") == point_id("a", "x:00001") != point_id("b", "x:00001")
    assert store_kind({}) == "faiss"
    assert store_kind({"STDQA_VECTOR_STORE": "Qdrant"}) == "qdrant"
    with pytest.raises(ValueError):
        store_kind({"STDQA_VECTOR_STORE": "milvus"})


def test_settings_from_environment() -> None:
    s = QdrantSettings.from_env(
        {
            "STDQA_QDRANT_URL": "http://q:6333",
            "STDQA_QDRANT_SHARDS": "6",
            "STDQA_QDRANT_REPLICAS": "2",
            "STDQA_QDRANT_QUANTIZE": "int8",
        }
    )
    assert (s.url, s.shards, s.replicas, s.quantize, s.collection) == (
        "http://q:6333",
        6,
        2,
        True,
        "stdqa",
    )
    assert "http://q:6333" in s.describe()
    for bad in (
        {"STDQA_QDRANT_SHARDS": "0"},
        {"STDQA_QDRANT_REPLICAS": "x"},
        {"STDQA_QDRANT_QUANTIZE": "pq"},
    ):
        with pytest.raises(ValueError):
            QdrantSettings.from_env(bad)


def test_cluster_options_create_a_quantised_collection(tmp_path: Path) -> None:
    settings = QdrantSettings(collection="clustered", shards=2, replicas=2, quantize=True)
    q = QdrantClauseIndex(_client(), settings.collection, "k", settings)
    q.ensure_collection(64)
    info = q.client.get_collection("clustered")
    assert info.config.params.vectors["dense"].size == 64
    assert info.config.params.sparse_vectors["bm25"].modifier is not None


# ---------------------------------------------------------------- through the Searcher
PARITY_QUERIES = [
    "投诉处理时限",
    "范围一章怎么写",
    "规范性引用文件怎么排序",
    "T/BZQC 001—2025 的 5.2 条",
    "第三条",
    "标准化法规定了哪些标准",
]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The samples (standards and laws) searched through FAISS and through Qdrant."""
    ws = tmp_path_factory.mktemp("both-ws")
    store = ClauseStore(kb_path(ws, "default"))
    assert ingest_paths([SAMPLES], store, kb="default").ok
    emb = HashEmbedder()
    faiss_searcher = Searcher.open(ws, "default", embedder=emb, sync=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STDQA_VECTOR_STORE", "qdrant")
        mp.setenv("STDQA_QDRANT_COLLECTION", "parity")
        for var in ("STDQA_QDRANT_URL", "STDQA_QDRANT_PATH"):
            mp.delenv(var, raising=False)
        qdrant_searcher = Searcher.open(ws, "default", embedder=emb, sync=True)
    assert qdrant_searcher.remote is not None and faiss_searcher.remote is None
    return faiss_searcher, qdrant_searcher


def assert_same_ranking(a, b) -> None:  # type: ignore[no-untyped-def]
    """Same scores in the same order, and the same clauses — except that clauses with
    exactly equal scores (RRF ties, identical BM25 texts) may come in either order, and a
    tie group cut by k may hold different members."""
    assert len(a) == len(b)
    np.testing.assert_allclose([h.score for h in b], [h.score for h in a], rtol=1e-5, atol=1e-9)

    def groups(hits):  # type: ignore[no-untyped-def]
        out: list[set[str]] = []
        prev = None
        for h in hits:
            if prev is None or abs(h.score - prev) > 1e-5 * max(1.0, abs(h.score)):
                out.append(set())
            out[-1].add(h.clause.clause_id)
            prev = h.score
        return out[:-1]  # the last tie group may be cut by k differently

    assert groups(b) == groups(a)


@pytest.mark.parametrize("query", PARITY_QUERIES)
@pytest.mark.parametrize("mode", ["dense", "bm25"])
def test_single_retrievers_rank_identically(both, query: str, mode: str) -> None:  # type: ignore[no-untyped-def]
    f, q = both
    a = f.search(query, 10, mode, exact=False)
    b = q.search(query, 10, mode, exact=False)
    assert_same_ranking(a, b)
    for x, y in zip(a, b, strict=True):
        if x.clause.clause_id == y.clause.clause_id:
            assert y.dense_score == pytest.approx(x.dense_score, abs=1e-4)


@pytest.mark.parametrize("query", PARITY_QUERIES)
def test_hybrid_agrees_with_faiss(both, query: str) -> None:  # type: ignore[no-untyped-def]
    """Fusion runs in the engine: the same RRF, but ties (equal RRF sums are common) may
    fall in another order, and FAISS's window-deduplicated candidate list can be a few
    clauses shorter than Qdrant's per-clause one — so the top ranks agree, not every tail."""
    f, q = both
    a = [h.clause.clause_id for h in f.search(query, 10)]
    b = [h.clause.clause_id for h in q.search(query, 10)]
    assert len(set(a[:5]) & set(b[:10])) >= 4
    assert len(set(a) & set(b)) >= 7


def test_filters_and_exact_route_on_both_stores(both) -> None:  # type: ignore[no-untyped-def]
    from index.search import SearchFilters

    f, q = both
    doc = next(d for d in f.documents() if d.standard_code)
    flt = SearchFilters(standard_codes=(doc.standard_code,))
    for query in ("服务人员", "5.2"):
        a = f.search(query, 8, "bm25", filters=flt)
        b = q.search(query, 8, "bm25", filters=flt)
        assert_same_ranking(a, b)
        assert all(h.clause.doc_id == doc.doc_id for h in a + b)
        assert all(h.clause.doc_id == doc.doc_id for h in q.search(query, 8, filters=flt))
    exact = q.search("5.2", 3, filters=flt)
    assert exact[0].route == "exact" and exact[0].clause.clause_no == "5.2"


def test_answers_are_the_same_on_both_stores(both) -> None:  # type: ignore[no-untyped-def]
    from qa.answer import Answerer

    f, q = both
    for question in ("投诉处理的时限是多少？", "范围一章怎么写？", "月球上的服务标准是什么？"):
        a = Answerer(f).answer(question)
        b = Answerer(q).answer(question)
        assert b.refused == a.refused
        if not a.refused:
            # tied candidates may be cited in another order; the clauses are shared
            ca = {c.clause_id for c in a.citations}
            cb = {c.clause_id for c in b.citations}
            assert ca & cb, (a.answer, b.answer)


def test_stats_report_the_store(both) -> None:  # type: ignore[no-untyped-def]
    _, q = both
    st = q.stats()
    assert st["store"] == "qdrant" and st["points_in_kb"] == st["clauses"] > 0


def test_a_reader_never_writes_to_qdrant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Readers never write (issue 14), on the Qdrant store too: ``Searcher.open`` without
    ``sync`` neither syncs nor creates anything; it says the index is missing."""
    from index.errors import KnowledgeBaseNotFound

    store = ClauseStore(kb_path(tmp_path, "default"))
    assert ingest_paths([SAMPLES / "standards"], store, kb="default").ok
    calls: list[str] = []
    monkeypatch.setattr(QdrantClauseIndex, "sync", lambda *a, **k: calls.append("sync"))
    monkeypatch.setenv("STDQA_VECTOR_STORE", "qdrant")
    monkeypatch.setenv("STDQA_QDRANT_COLLECTION", "reader")
    for var in ("STDQA_QDRANT_URL", "STDQA_QDRANT_PATH"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(KnowledgeBaseNotFound, match="尚未写入 Qdrant"):
        Searcher.open(tmp_path, "default", embedder=HashEmbedder())
    assert calls == []
    assert not (store.root / "index").exists() or not any((store.root / "index").iterdir())


def test_local_mode_calls_run_one_at_a_time() -> None:
    """The app's background sentence job and a question may call the local-mode client
    from two threads; the wrapper lets only one call in at a time."""
    import threading

    from index.qdrant_store import SerializedClient

    class Probe:
        inside = threading.Event()
        overlapped = False

        def query(self, n: int) -> int:
            if Probe.inside.is_set():
                Probe.overlapped = True
            Probe.inside.set()
            # Give the other thread every chance to enter while this call is inside.
            other_entered = threading.Event()
            other_entered.wait(0.05)
            Probe.inside.clear()
            return n

    client = SerializedClient(Probe())
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda i=i: results.append(client.query(i))) for i in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == list(range(8))
    assert not Probe.overlapped

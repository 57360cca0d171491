"""Sentence vectors stored with the index (index.sentences): built after the clause
vectors, kept consistent by incremental syncs, read by the refusal gate instead of
embedding at query time, and searched by the sentence retriever."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from clauses import make_clause
from conftest import CountingEmbedder, HashEmbedder
from test_index import DOC_A, _kb, _write

from grammar.schema import HeadingRef
from index.build import add_sentence_vectors, sync_index
from index.layout import IndexPaths
from index.retrievers import compose, sentence
from index.search import Searcher, SearchFilters
from index.sentences import (
    FORMAT,
    TEXTS_FILE,
    VECTORS_FILE,
    SentenceVectors,
    as_stored,
    clause_sentences,
    sentence_ids,
    stored_sentences,
)
from ingest.pipeline import ingest_paths
from ingest.store import ClauseStore
from ingest.workspace import kb_path
from qa.gate_inputs import SentenceScorer


@pytest.fixture(autouse=True)
def _cold_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh embedding cache per test, so what gets embedded is visible."""
    monkeypatch.setenv("STDQA_EMBED_CACHE", str(tmp_path / "embeddings.sqlite"))


def _meta(ws: Path) -> dict:
    gen = IndexPaths.for_kb(kb_path(ws, "default")).current()
    assert gen is not None
    return json.loads((gen / "meta.json").read_text(encoding="utf-8"))


def _stored(s: Searcher) -> dict[str, list[str]]:
    assert s._snap.sentences is not None
    return s._snap.sentences.texts


def test_stored_sentences_hold_every_sentence_the_gate_asks_for() -> None:
    kid = make_clause("6.1", "助浴前应测量血压；水温宜为40 ℃。", title="准备", seq=2)
    empty_kid = make_clause("6.2", "", title="结束", seq=3)
    section = make_clause("6", "上门助浴应由2人完成。\n血压异常的，不应助浴。", title="助浴")
    heading = make_clause("7", "", title="服务评价", seq=4)
    wanted = clause_sentences(section, [kid, empty_kid]) + clause_sentences(heading)
    have = set(stored_sentences(section) + stored_sentences(kid) + stored_sentences(empty_kid))
    have |= set(stored_sentences(heading))
    assert "6.1 准备 助浴前应测量血压；" in wanted and "6.2 结束" in wanted
    assert "服务评价" in wanted
    assert set(wanted) <= have
    # nothing twice: a body sentence is the same with and without the heading only when
    # the clause has no heading text at all
    assert len(stored_sentences(kid)) == len(set(stored_sentences(kid))) == 3


def test_build_stores_sentence_vectors_for_every_clause(tmp_path: Path) -> None:
    ws, store, _ = _kb(tmp_path)
    emb = CountingEmbedder()
    s = Searcher.open(ws, embedder=emb, sync=True)
    texts = _stored(s)
    assert set(texts) == set(s._snap.clauses)
    assert _meta(ws)["sentences"] == {
        "clauses": len(texts),
        "vectors": sum(len(v) for v in texts.values()),
        "complete": True,
        "format": FORMAT,
        "dtype": "float16",
    }
    c = next(c for c in s._snap.clauses.values() if "健康证明" in c.text)
    assert texts[c.clause_id] == stored_sentences(c)
    # a second sync has nothing to do: no new generation, nothing embedded
    gen = IndexPaths.for_kb(kb_path(ws, "default")).current()
    emb.passages.clear()
    assert sync_index(store, emb)["sentences"] == 0
    assert IndexPaths.for_kb(kb_path(ws, "default")).current() == gen and not emb.passages


def test_incremental_sync_keeps_sentence_vectors_consistent(tmp_path: Path) -> None:
    ws, store, docs = _kb(tmp_path)
    emb = CountingEmbedder()
    s = Searcher.open(ws, embedder=emb, sync=True)
    before = dict(_stored(s))
    a_doc = next(d.doc_id for d in s.documents() if d.title == "茶饮服务规范")
    a_ids = {c.clause_id for c in s.clauses_of(a_doc)}

    # phase one only: the changed document's clauses have no sentences yet, the others keep theirs
    _write(docs, "a.txt", DOC_A.replace("每日消毒一次", "每两小时消毒一次"))
    ingest_paths([docs], store, kb="default")
    sync_index(store, emb, sentences=False)
    s = Searcher.open(ws, embedder=emb)
    kept = _stored(s)
    assert {k: v for k, v in before.items() if k not in a_ids} == kept
    assert _meta(ws)["sentences"]["complete"] is False
    assert s.retrieve(s.parse("消毒"), 5, compose(sentence)) == []  # partial: not searched

    # phase two: only the new clauses' sentences are embedded
    emb.passages.clear()
    added = add_sentence_vectors(store, emb)
    s = Searcher.open(ws, embedder=emb)
    texts = _stored(s)
    assert set(texts) == set(s._snap.clauses) and _meta(ws)["sentences"]["complete"]
    assert added == sum(len(texts[c]) for c in texts if c not in kept)
    assert "店堂应保持清洁，每两小时消毒一次。" in emb.passages
    assert not any("收衣时" in t for t in emb.passages)  # the other document: untouched
    top = s.retrieve(s.parse("多久消毒一次"), 1, compose(sentence))[0]
    assert "每两小时" in top.clause.text and top.route == "sentence"

    # deleting a document drops exactly its sentence vectors
    assert store.remove_document(a_doc)
    s.sync()
    texts = _stored(s)
    assert set(texts) == set(s._snap.clauses) and all(c not in texts for c in a_ids)
    assert s._snap.sentences.index.ntotal == sum(len(v) for v in texts.values())


def test_an_index_without_sentence_vectors_works_as_before(tmp_path: Path) -> None:
    ws, _, _ = _kb(tmp_path)
    emb = CountingEmbedder()
    Searcher.open(ws, embedder=emb, sync=True)
    gen = IndexPaths.for_kb(kb_path(ws, "default")).current()
    assert gen is not None
    (gen / VECTORS_FILE).unlink()
    (gen / TEXTS_FILE).unlink()
    meta = json.loads((gen / "meta.json").read_text(encoding="utf-8"))
    del meta["sentences"]  # as written before sentence vectors existed
    (gen / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    s = Searcher.open(ws, embedder=emb)
    assert s._snap.sentences is None and s.sentence_vectors(["服务人员应持有健康证明。"]) == {}
    assert s.retrieve(s.parse("健康证明"), 5, compose(sentence)) == []
    assert s.search("健康证明", k=1)[0].clause.clause_no == "4.1"
    # the gate embeds at query time, as before (a cache that has not seen the sentences)
    hits = s.search("健康证明", k=3)
    (tmp_path / "embeddings.sqlite").unlink()
    emb.passages.clear()
    assert SentenceScorer.for_searcher(s).score("健康证明", hits, [[], [], []]) is not None
    assert emb.passages
    # the next writer adds them, without re-embedding the clauses
    emb.passages.clear()
    s = Searcher.open(ws, embedder=emb, sync=True)
    assert s._snap.sentences is not None and _meta(ws)["sentences"]["complete"]


def test_damaged_sentence_vectors_are_a_warning_not_a_failure(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ws, _, _ = _kb(tmp_path)
    emb = HashEmbedder()
    Searcher.open(ws, embedder=emb, sync=True)
    gen = IndexPaths.for_kb(kb_path(ws, "default")).current()
    assert gen is not None
    (gen / VECTORS_FILE).write_bytes(b"garbage")
    s = Searcher.open(ws, embedder=emb)
    assert s._snap.sentences is None and "句子向量文件损坏" in caplog.text
    assert s.search("健康证明", k=1)[0].clause.clause_no == "4.1"


def _scored_question(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A searcher over the two-document KB with stored sentence vectors, its counting
    embedder, a question and its top 3 hits with their children."""
    ws, _, _ = _kb(tmp_path)
    emb = CountingEmbedder()
    s = Searcher.open(ws, embedder=emb, sync=True)
    q = "店里多久消毒一次？"
    hits = s.search(q, k=3)
    return s, emb, q, hits, [s.children(h.clause.clause_id) for h in hits]


def test_gate_reads_stored_sentence_vectors_with_the_same_numbers(tmp_path: Path) -> None:
    s, emb, q, hits, kids = _scored_question(tmp_path)
    emb.passages.clear()
    stored = SentenceScorer.for_searcher(s).score(q, hits, kids)
    assert stored is not None and not emb.passages  # nothing embedded at query time
    fresh = SentenceScorer(emb, None).score(q, hits, kids)  # embeds every sentence
    assert emb.passages and fresh is not None
    assert [[t for t, _ in per] for per in stored] == [[t for t, _ in per] for per in fresh]
    # stored as float16: the vectors read are exactly the embedded ones rounded to fp16,
    # and a cosine moves by far less than anything the gate or the reranker tells apart
    texts = [t for per in fresh for t, _ in per]
    read = s.sentence_vectors(texts)
    assert len(read) == len(texts)
    embedded = np.asarray(emb.embed_passages(texts), dtype=np.float32)
    assert all(np.array_equal(read[i], as_stored(embedded[i])) for i in range(len(texts)))
    for a, b in zip(stored, fresh, strict=True):
        assert np.allclose([x for _, x in a], [x for _, x in b], atol=2e-3)


def _as_format_one(ws: Path) -> Path:
    """Rewrite the live generation's sentence vectors as session 5 stored them (float32,
    no format in meta.json)."""
    gen = IndexPaths.for_kb(kb_path(ws, "default")).current()
    assert gen is not None
    sents = SentenceVectors.load(gen)
    assert sents is not None and sents.format == FORMAT
    cids = list(sents.texts)
    ids = sentence_ids(cids, [len(sents.texts[c]) for c in cids])
    sents.index = sents.index.rebalanced(ids, half=False)
    sents.save(gen)
    meta = json.loads((gen / "meta.json").read_text(encoding="utf-8"))
    for key in ("format", "dtype"):
        del meta["sentences"][key]
    (gen / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    return gen


def test_a_float32_generation_loads_and_the_next_writer_stores_it_as_float16(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    ws, store, _ = _kb(tmp_path)
    emb = CountingEmbedder()
    Searcher.open(ws, embedder=emb, sync=True)
    gen = _as_format_one(ws)
    size_one = (gen / VECTORS_FILE).stat().st_size

    # a reader takes it as it is: float32 vectors, the same texts, nothing embedded
    s = Searcher.open(ws, embedder=emb)
    old = s._snap.sentences
    assert old is not None and old.format == 1 and old.dtype == "float32"
    texts = list(old.by_text)
    read_one = s.sentence_vectors(texts)
    assert len(read_one) == len(texts)

    # the next writer rewrites it as format 2 without embedding anything again
    emb.passages.clear()
    caplog.set_level("INFO", logger="index.build")
    assert sync_index(store, emb)["sentences"] == 0
    assert not emb.passages and "format 1 (float32) → 2 (float16)" in caplog.text
    new_gen = IndexPaths.for_kb(kb_path(ws, "default")).current()
    assert new_gen != gen and _meta(ws)["sentences"]["format"] == FORMAT
    assert (new_gen / VECTORS_FILE).stat().st_size < 0.6 * size_one
    s = Searcher.open(ws, embedder=emb)
    assert s._snap.sentences is not None and s._snap.sentences.texts == old.texts
    read_two = s.sentence_vectors(texts)
    assert all(np.array_equal(read_two[i], as_stored(read_one[i])) for i in range(len(texts)))
    # and then there is nothing left to do
    assert add_sentence_vectors(store, emb) == 0
    assert IndexPaths.for_kb(kb_path(ws, "default")).current() == new_gen


def test_a_sentence_shared_by_clauses_is_embedded_once_and_steps_are_timed(
    tmp_path: Path,
) -> None:
    ws, store, docs = _kb(tmp_path)
    shared = "相关记录应保存不少于3年。"
    for name, code, title in (
        ("d.txt", "003", "茶饮服务记录规范"),
        ("e.txt", "004", "洗衣服务档案规范"),
    ):
        body = f"T/TEST {code}—2025\n{title}\n1 范围\n本文件规定了{title[:4]}的记录。\n2 记录\n{shared}\n"
        _write(docs, name, body)
    ingest_paths([docs], store, kb="default")
    emb = CountingEmbedder()
    sync_index(store, emb, sentences=False)
    emb.passages.clear()
    timings: dict[str, float] = {}
    added = add_sentence_vectors(store, emb, timings=timings)
    s = Searcher.open(ws, embedder=emb)
    holders = [c for c, ss in _stored(s).items() if shared in ss]
    assert len(holders) >= 2 and added == sum(len(v) for v in _stored(s).values())
    assert emb.passages.count(shared) == 1
    assert set(timings) == {"segment", "cache", "embed", "index", "write"}
    assert timings["embed"] > 0 and all(v >= 0 for v in timings.values())


def test_gate_embeds_only_the_sentences_the_index_lacks(tmp_path: Path) -> None:
    ws, _, _ = _kb(tmp_path)
    emb = CountingEmbedder()
    s = Searcher.open(ws, embedder=emb, sync=True)
    hit = s.search("健康证明", k=1)[0]
    extra = make_clause(
        "9", "这句话不在索引里。", title="附加", heading_path=[HeadingRef("9", "附加")]
    )
    emb.passages.clear()
    sims = SentenceScorer.for_searcher(s).score("健康证明", [hit], [[extra]])
    assert sims is not None and [t for t, _ in sims[0]][-1] == "9 附加 这句话不在索引里。"
    assert emb.passages == ["9 附加 这句话不在索引里。"]


def test_sentence_retriever_finds_one_sentence_of_a_long_clause(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    docs = tmp_path / "docs"
    filler = "。".join(f"第{i}项记录应按规定格式填写并归档保存" for i in range(8))
    _write(
        docs,
        "c.txt",
        "T/TEST 003—2025\n养老服务规范\n1 范围\n本文件规定了养老服务的要求。\n"
        f"4 服务要求\n4.1 照护\n{filler}。协助卧床老人翻身的间隔不宜超过2小时。\n"
        "4.2 饮食\n膳食应营养均衡。\n",
    )
    store = ClauseStore(kb_path(ws, "default"))
    ingest_paths([docs], store, kb="default")
    s = Searcher.open(ws, embedder=HashEmbedder(), sync=True)
    ranked = s.retrieve(s.parse("卧床老人翻身间隔"), 3, compose(sentence))
    assert ranked[0].clause.clause_no == "4.1" and ranked[0].route == "sentence"
    # its best sentence matches far better than the whole clause's vector
    assert ranked[0].dense_score is not None and ranked[0].score > ranked[0].dense_score + 0.2
    fused = s.retrieve(s.parse("卧床老人翻身间隔"), 3, "hybrid+sentence")
    assert fused[0].clause.clause_no == "4.1" and fused[0].route == "hybrid"
    # a document filter applies
    other = s.retrieve(
        s.parse("卧床老人翻身间隔"),
        3,
        compose(sentence),
        filters=SearchFilters(doc_ids=("nosuch",)),
    )
    assert other == []


def test_scorer_embeds_a_question_once_for_the_reranker_and_the_gate(tmp_path: Path) -> None:
    s, emb, q, hits, kids = _scored_question(tmp_path)
    asked: list[str] = []
    real = emb.embed_queries

    def counting(texts):  # type: ignore[no-untyped-def]
        asked.extend(texts)
        return real(texts)

    emb.embed_queries = counting  # type: ignore[method-assign]
    scorer = SentenceScorer.for_searcher(s)
    wide = scorer.score(q, hits, kids, depth=3)  # the reranker's candidates
    top = scorer.score(q, hits, kids, depth=1)  # then the gate's
    assert asked == [q]
    assert wide is not None and top == wide[:1]
    scorer.score("另一个问题", hits, kids)
    assert asked == [q, "另一个问题"]

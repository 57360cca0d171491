"""Corrupted and damaged store files: named, skipped, repaired; nothing stored is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.build import sync_index
from index.search import Searcher
from ingest.cli import main as ingest_main
from ingest.pipeline import FileStatus, ingest_paths
from ingest.store import JOURNAL, MANIFEST, ClauseStore, DamagedSource


def _truncate_clause_file(store: ClauseStore, source: str) -> Path:
    entry = store.entry(source)
    assert entry is not None
    path = store.root / "clauses" / entry.clause_file
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def test_truncated_clause_file_is_named_skipped_and_repaired(kb, hashed) -> None:  # type: ignore[no-untyped-def]
    ws, store, src = kb
    bad = str((src / "测试服务规范.txt").resolve())
    _truncate_clause_file(store, bad)
    # readers: the rest of the KB still works; the damaged source is named
    fresh = ClauseStore(store.root)
    titles = {c.doc_title for c in fresh.iter_clauses()}
    assert titles == {"洗衣服务规范"}
    assert bad in fresh.damaged
    with pytest.raises(DamagedSource, match="测试服务规范"):
        fresh.read_source_clauses(fresh.entry(bad))  # type: ignore[arg-type]
    # a rebuild skips it, naming it, instead of failing
    result = sync_index(fresh, hashed, rebuild=True)
    assert result["damaged"] == [bad]
    s = Searcher.open(ws, embedder=hashed)
    assert {d.title for d in s.documents()} == {"测试服务规范", "洗衣服务规范"}
    assert all(h.clause.doc_title == "洗衣服务规范" for h in s.search("服务", k=10))
    # plain ingest (no --force) sees the damage and repairs it
    report = ingest_paths([src], fresh, kb="default")
    by_name = {Path(r.path).name: r for r in report.files}
    assert by_name["测试服务规范.txt"].status is FileStatus.INGESTED
    assert "修复" in by_name["测试服务规范.txt"].reason
    assert by_name["洗衣服务规范.txt"].status is FileStatus.UNCHANGED
    sync_index(fresh, hashed)
    top = Searcher.open(ws, embedder=hashed).search("服务人员应持有健康证明", k=1)[0]
    assert top.clause.doc_title == "测试服务规范"


def test_corrupt_manifest_is_one_line_naming_the_file(kb, capsys) -> None:  # type: ignore[no-untyped-def]
    ws, store, _ = kb
    store.compact()
    (store.root / MANIFEST).write_text('{"sources": [1, 2', encoding="utf-8")
    assert ingest_main(["--list", "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and MANIFEST in err and "Traceback" not in err


def test_torn_journal_tail_is_ignored_then_cut(kb) -> None:  # type: ignore[no-untyped-def]
    _, store, src = kb
    before = ClauseStore(store.root).generation
    with open(store.root / JOURNAL, "ab") as fh:
        fh.write(b'{"g": 999, "put": {"source": "/x", "sha2')  # a writer killed mid-line
    reader = ClauseStore(store.root)
    assert reader.generation == before
    (src / "新文件.txt").write_text(
        "T/TEST 003—2099\n新规范\n1 范围\n本文件规定了新的要求。\n", encoding="utf-8"
    )
    assert ingest_paths([src], reader, kb="default").ok
    after = ClauseStore(store.root)
    assert after.generation == before + 1
    assert len(after.sources()) == 3
    lines = (store.root / JOURNAL).read_bytes().splitlines()
    assert all(json.loads(line) for line in lines)


def test_orphaned_temporary_files_are_swept(kb) -> None:  # type: ignore[no-untyped-def]
    _, store, src = kb
    orphan_tmp = store.root / f".{MANIFEST}.abc123.tmp"
    orphan_tmp.write_text("{}", encoding="utf-8")
    orphan_clause = store.root / "clauses" / ".x-9.jsonl.tmp"
    orphan_clause.write_text("{", encoding="utf-8")
    stray = store.root / "clauses" / "deadbeef-77.jsonl"
    stray.write_text("{}\n", encoding="utf-8")
    (src / "测试服务规范.txt").write_text(
        (src / "测试服务规范.txt").read_text(encoding="utf-8") + "4.3 新增条款。\n",
        encoding="utf-8",
    )
    assert ingest_paths([src], ClauseStore(store.root), kb="default").ok
    assert not orphan_tmp.exists() and not orphan_clause.exists() and not stray.exists()


def test_superseded_files_stay_readable_for_the_grace_period(kb) -> None:  # type: ignore[no-untyped-def]
    _, store, src = kb
    reader = ClauseStore(store.root)
    old = reader.sources()
    writer = ClauseStore(store.root, retire_grace=3600)
    assert ingest_paths([src], writer, kb="default", force=True).ok
    for entry in old.values():  # the old state a reader loaded is still complete
        assert reader.read_source_clauses(entry)
    quick = ClauseStore(store.root, retire_grace=0.0)
    assert ingest_paths([src], quick, kb="default", force=True).ok
    live = {f"clauses/{e.clause_file}" for e in quick.sources().values()}
    on_disk = {f"clauses/{p.name}" for p in (store.root / "clauses").iterdir()}
    assert on_disk == live


def test_commit_cost_does_not_grow_with_kb_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-file commits append one journal line; the snapshot is rewritten only when the
    journal is as long as the KB is large, so rewrites double apart (amortised O(1) per
    commit).  Counted, not timed."""
    from ingest import store as store_mod
    from tests.test_store import make, put

    monkeypatch.setattr(store_mod, "COMPACT_MIN", 4)
    rewrites: list[int] = []
    real = ClauseStore.compact

    def counting(self: ClauseStore) -> None:
        rewrites.append(len(self.manifest["sources"]))
        real(self)

    monkeypatch.setattr(ClauseStore, "compact", counting)
    store = ClauseStore(tmp_path / "kb")
    for i in range(130):
        put(store, f"/src/{i}.txt", f"h{i}", make(f"d{i}", 1, f"/src/{i}.txt"))
    assert rewrites == [4, 8, 16, 32, 64, 128]  # log2, not one rewrite per file
    reread = ClauseStore(store.root)  # snapshot + journal replay = the same state
    assert len(reread.sources()) == 130 and reread.generation == store.generation


def test_an_index_older_than_the_store_never_maps_a_vector_to_a_changed_clause(kb, hashed) -> None:  # type: ignore[no-untyped-def]
    """A reader whose index predates a re-ingest that changed a clause's text must not
    return the new clause for the old clause's vector (or tokens)."""
    ws, store, src = kb
    f = src / "测试服务规范.txt"
    f.write_text(
        f.read_text("utf-8").replace("服务人员应持有健康证明", "服务车辆应每日消毒"), "utf-8"
    )
    assert ingest_paths([src], store, kb="default").ok  # no index build: the reader is stale
    s = Searcher.open(ws, embedder=hashed)
    assert s.stale
    for mode in ("dense", "bm25"):
        for h in s.search("服务人员应持有健康证明", k=10, mode=mode, exact=False):
            assert "健康证明" in h.clause.text or "车辆" not in h.clause.text, (mode, h.clause.text)
    s.sync()
    top = s.search("服务车辆每日消毒", k=1, exact=False)
    assert top and "车辆" in top[0].clause.text


def _stale_hits(ws: Path, hashed, query: str) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    s = Searcher.open(ws, embedder=hashed)
    assert s.stale
    return {
        mode: [h.clause.clause_id for h in s.search(query, k=10, mode=mode, exact=False)]
        for mode in ("dense", "bm25")
    }


def test_a_stale_index_keeps_serving_clauses_whose_position_moved(kb, hashed) -> None:  # type: ignore[no-untyped-def]
    """A clause inserted early in a document shifted every later positional id, so a stale
    index lost (or, without its digests, mis-mapped) all of them.  Content ids do not move:
    the unchanged clauses stay searchable, the new one waits for the next build."""
    ws, store, src = kb
    f = src / "测试服务规范.txt"
    before = {c.clause_no: c.clause_id for c in store.iter_clauses() if "测试" in c.doc_title}
    f.write_text(
        f.read_text("utf-8").replace("1 范围", "前言\n本文件为服务车辆清洗要求的修订版。\n1 范围"),
        "utf-8",
    )
    assert ingest_paths([src], store, kb="default").ok
    after = {c.clause_no: c.clause_id for c in store.iter_clauses() if "测试" in c.doc_title}
    assert {no: after[no] for no in before} == before and "前言" in after
    hits = _stale_hits(ws, hashed, "服务场所应保持整洁")
    for mode, ids in hits.items():
        assert ids and ids[0] == before["4.2"], mode
        assert after["前言"] not in ids, mode


def test_a_stale_index_never_maps_a_vector_to_a_clause_edited_under_the_same_id(kb, hashed) -> None:  # type: ignore[no-untyped-def]
    """Whitespace does not change a content id, yet the text did change: the per-clause
    digest keeps the old vector and tokens away from it until the next build."""
    ws, store, src = kb
    f = src / "测试服务规范.txt"
    before = {c.clause_no: c.clause_id for c in store.iter_clauses()}
    f.write_text(f.read_text("utf-8").replace("持有健康证明", "持有 健康 证明"), "utf-8")
    assert ingest_paths([src], store, kb="default").ok
    edited = {c.clause_no: c for c in store.iter_clauses() if "测试" in c.doc_title}["4.1"]
    assert edited.clause_id == before["4.1"] and "持有 健康" in edited.text
    for mode, ids in _stale_hits(ws, hashed, "服务人员应持有健康证明").items():
        assert edited.clause_id not in ids, mode
    s = Searcher.open(ws, embedder=hashed)
    s.sync()
    assert (
        s.search("服务人员应持有健康证明", k=1, exact=False)[0].clause.clause_id == edited.clause_id
    )


def test_index_search_after_migration_of_an_old_store_is_not_stale(kb, hashed) -> None:  # type: ignore[no-untyped-def]
    """A store written with positional ids is migrated by the next build (a writer), with
    nothing lost: same clauses and texts, every old id kept as an alias."""
    ws, store, _ = kb
    rows_by_file = {}
    for entry in store.sources().values():
        path = store.root / "clauses" / entry.clause_file
        rows = [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]
        for r in rows:
            r["clause_id"] = f"{r['doc_id']}:{r['seq']:05d}"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
        rows_by_file[entry.source] = rows
    store.compact()
    manifest = json.loads((store.root / MANIFEST).read_text("utf-8"))
    for raw in manifest["sources"].values():
        raw.pop("id_scheme", None)
    (store.root / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    old = {r["clause_id"]: r["text"] for rows in rows_by_file.values() for r in rows}
    reader = Searcher.open(ws, embedder=hashed)  # a reader: works on the old ids, no write
    assert all(reader.get(cid) is not None for cid in old)
    assert ClauseStore(store.root).sources()[next(iter(rows_by_file))].id_scheme == 1
    assert ingest_main(["--list", "--workspace", str(ws)]) == 0
    fresh = ClauseStore(store.root)
    sync_index(fresh, hashed)
    migrated = list(ClauseStore(store.root).iter_clauses())
    assert {c.extra["legacy_id"]: c.text for c in migrated} == old
    assert not any(c.clause_id in old for c in migrated)
    s = Searcher.open(ws, embedder=hashed)
    assert not s.stale
    assert s.search("服务人员应持有健康证明", k=1, exact=False)[0].clause.clause_no == "4.1"

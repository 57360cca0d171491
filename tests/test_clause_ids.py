"""Content-based clause ids (ingest/clause_ids.py): stable across re-segmentation,
local to an edit, unique, and migrated from the old positional ids without losing links."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from grammar.schema import Clause
from index.build import sync_index
from index.search import Searcher
from ingest.chunk import split_long_clauses
from ingest.clause_ids import (
    LEGACY_KEY,
    assign_clause_ids,
    find_clause,
    is_legacy_id,
)
from ingest.pipeline import ingest_paths, resegment_store
from ingest.readers.base import Line
from ingest.segment import segment_lines
from ingest.store import ClauseStore
from tests.conftest import HashEmbedder
from ui.docnav import context_of

DOC = """\
T/XX 001—2099
洗车服务规范
1 范围
本文件规定了洗车服务的要求。
2 规范性引用文件
本文件没有规范性引用文件。
3 术语和定义
3.1 洗车 car wash
清洁车辆外部的服务。
4 服务要求
4.1 人员
4.1.1 服务人员应经过培训。
4.1.2 服务人员应统一着装。
4.2 设施
4.2.1 洗车场地应排水通畅。
4.2.2 洗车设备应定期检修。
5 服务流程
5.1 接车时应检查车辆外观。
5.2 交车时应请顾客确认。
附录A
（资料性）
服务记录表
A.1 记录应保存一年。
"""


def seg(text: str, doc_id: str = "d") -> list[Clause]:
    lines = [Line(t) for t in text.splitlines() if t.strip()]
    out = segment_lines(
        lines, doc_id=doc_id, doc_title="洗车服务规范", standard_code=None, source="s"
    )
    return out.clauses


def ids_by_no(clauses: list[Clause]) -> dict[str, str]:
    return {c.clause_no: c.clause_id for c in clauses}


# ------------------------------------------------------------------ the id function
def test_resegmenting_unchanged_text_gives_identical_ids() -> None:
    a, b = seg(DOC), seg(DOC)
    assert [c.clause_id for c in a] == [c.clause_id for c in b]
    assert len({c.clause_id for c in a}) == len(a) > 10
    assert all(c.clause_id.startswith("d:") and not is_legacy_id(c.clause_id) for c in a)
    assert [c.seq for c in a] == list(range(len(a)))  # order is an explicit field


def test_editing_one_clause_changes_only_its_id() -> None:
    before = ids_by_no(seg(DOC))
    after = ids_by_no(seg(DOC.replace("洗车设备应定期检修。", "洗车设备应每月检修。")))
    changed = {no for no in before if before[no] != after[no]}
    assert changed == {"4.2.2"}


def test_inserting_a_clause_early_moves_no_other_id() -> None:
    before = ids_by_no(seg(DOC))
    edited = DOC.replace(
        "4.1.2 服务人员应统一着装。\n", "4.1.2 服务人员应统一着装。\n4.1.3 服务人员应佩戴工牌。\n"
    )
    after = ids_by_no(seg(edited))
    assert set(after) - set(before) == {"4.1.3"}
    assert all(after[no] == before[no] for no in before)


def test_whitespace_and_width_changes_keep_the_id() -> None:
    """A reflowed line or a full-width digit from another reader is the same clause."""
    before = ids_by_no(seg(DOC))
    after = ids_by_no(
        seg(DOC.replace("检查车辆外观。", "检查车辆 外观。").replace("保存一年", "保存１年"))
    )
    assert after["5.1"] == before["5.1"]
    assert after["A.1"] != before["A.1"]  # "１年" → "1年": NFKC, but 一 ≠ 1


def test_equal_clauses_get_distinct_deterministic_ids() -> None:
    def make(no: str, text: str, seq: int) -> Clause:
        c = seg(DOC)[0]
        c.clause_no, c.clause_title, c.text, c.seq, c.heading_path = no, "", text, seq, []
        return c

    clauses = [make("注", "同上。", 0), make("注", "同上。", 1), make("注", "同上。", 2)]
    assign_clause_ids(clauses)
    first = [c.clause_id for c in clauses]
    assert len(set(first)) == 3
    assign_clause_ids(clauses)
    assert [c.clause_id for c in clauses] == first
    # editing the last duplicate leaves the first two alone
    clauses[2].text = "另行规定。"
    assign_clause_ids(clauses)
    assert [c.clause_id for c in clauses][:2] == first[:2] and clauses[2].clause_id != first[2]


def test_split_parts_of_a_long_clause_have_their_own_stable_ids() -> None:
    long_body = "。".join(f"第{i}项服务应记录在案并由专人复核确认" for i in range(60)) + "。"
    text = DOC.replace("5.2 交车时应请顾客确认。", "5.2 交车时应请顾客确认。" + long_body)
    lines = [Line(t) for t in text.splitlines() if t.strip()]
    seg1 = segment_lines(lines, doc_id="d", doc_title="T", standard_code=None, source="s")
    parts = split_long_clauses(seg1.clauses, seg1.text)
    seg2 = segment_lines(lines, doc_id="d", doc_title="T", standard_code=None, source="s")
    again = split_long_clauses(seg2.clauses, seg2.text)
    p52 = [c for c in parts if c.clause_no == "5.2"]
    assert len(p52) > 1
    assert len({c.clause_id for c in parts}) == len(parts)
    assert [c.clause_id for c in parts] == [c.clause_id for c in again]
    assert [c.seq for c in parts] == list(range(len(parts)))


def test_legacy_ids_are_recognised_and_still_resolve() -> None:
    assert is_legacy_id("3f9c0a1b2c3d:00042") and is_legacy_id("d&1:00003")
    assert not is_legacy_id("3f9c0a1b2c3d:0a1b2c3d4e") and not is_legacy_id("00042")
    clauses = seg(DOC)
    clauses[3].extra[LEGACY_KEY] = "d:00003"
    assert find_clause(clauses, "d:00003") is clauses[3]
    assert find_clause(clauses, clauses[5].clause_id) is clauses[5]
    assert find_clause(clauses, "d:00099") is None and find_clause(clauses, None) is None
    ctx = context_of(clauses, "d:00003")  # an old ?clause= URL opens the same clause
    assert ctx is not None and ctx.clause is clauses[3]


# ------------------------------------------------------------------ store, index, migration
class CountingEmbedder(HashEmbedder):
    """The hash embedder under a fresh model name (nothing cached), counting passages."""

    def __init__(self) -> None:
        super().__init__(name=f"test/count-{uuid.uuid4().hex[:8]}")
        self.embedded: list[str] = []

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.embedded += list(texts)
        return super().embed_passages(texts)


def _store(tmp_path: Path) -> tuple[ClauseStore, Path]:
    src = tmp_path / "src"
    src.mkdir()
    (src / "洗车服务规范.txt").write_text(DOC, encoding="utf-8")
    store = ClauseStore(tmp_path / "ws" / "kbs" / "default")
    assert ingest_paths([src], store, kb="default").ok
    return store, src


def _ids(store: ClauseStore) -> dict[str, str]:
    return {c.clause_no: c.clause_id for c in store.iter_clauses()}


def test_edit_in_the_middle_reingest_keeps_other_ids_and_embeds_one_clause(tmp_path: Path) -> None:
    store, src = _store(tmp_path)
    emb = CountingEmbedder()
    sync_index(store, emb)
    assert len(emb.embedded) >= len(_ids(store))
    before = _ids(store)
    f = src / "洗车服务规范.txt"
    f.write_text(DOC.replace("洗车设备应定期检修。", "洗车设备应每月检修。"), encoding="utf-8")
    emb.embedded.clear()
    assert ingest_paths([src], store, kb="default").ok
    after = _ids(store)
    assert {no for no in before if before[no] != after[no]} == {"4.2.2"}
    sync_index(store, emb)
    # Only passages that contain the edited words are embedded again: the clause's own, and
    # the passage of its section "4.2 设施" (a heading without body, embedded as a summary
    # of its children), and its sentences (index.sentences: alone and after its heading).
    # None of the 15 other clauses.
    assert len(emb.embedded) == 4 and all("每月检修" in t for t in emb.embedded)
    assert "洗车设备应每月检修。" in emb.embedded and "4.2.2 洗车设备应每月检修。" in emb.embedded
    assert sum(t.endswith("4.2.2\n洗车设备应每月检修。") for t in emb.embedded) == 1
    # resegmenting unchanged text: same ids, nothing embedded
    emb.embedded.clear()
    report = resegment_store(store, kb="default")
    assert report.changed == 0 and not report.failed
    assert _ids(store) == after
    sync_index(store, emb)
    assert emb.embedded == []
    hit = Searcher.open(tmp_path / "ws", embedder=emb).search("洗车设备每月检修", k=1, exact=False)
    assert hit[0].clause.clause_id == after["4.2.2"]


def _make_legacy(store: ClauseStore) -> dict[str, str]:
    """Rewrite the store as the previous version wrote it: positional ids, no id_scheme.
    Returns clause_no → old id."""
    [entry] = store.sources().values()
    path = store.root / "clauses" / entry.clause_file
    rows = [json.loads(x) for x in path.read_text("utf-8").splitlines() if x.strip()]
    for r in rows:
        r["clause_id"] = f"{r['doc_id']}:{r['seq']:05d}"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    store.compact()
    manifest = json.loads((store.root / "manifest.json").read_text("utf-8"))
    for raw in manifest["sources"].values():
        raw.pop("id_scheme", None)
    (store.root / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    return {r["clause_no"]: r["clause_id"] for r in rows}


def test_old_positional_store_is_migrated_by_the_next_sync(tmp_path: Path) -> None:
    store, _ = _store(tmp_path)
    fresh = _ids(store)
    legacy = _make_legacy(store)
    emb = CountingEmbedder()
    store = ClauseStore(store.root)
    assert set(_ids(store).values()) == set(legacy.values())
    sync_index(store, emb)  # the writer migrates, then indexes
    store = ClauseStore(store.root)
    assert _ids(store) == fresh  # the same content ids a fresh ingest gives
    clauses = list(store.iter_clauses())
    assert {c.extra[LEGACY_KEY] for c in clauses} == set(legacy.values())
    old_url_id = legacy["4.1.2"]
    found = find_clause(clauses, old_url_id)
    assert found is not None and found.clause_no == "4.1.2"
    assert sync_index(store, emb)["changed"] is False  # migrated once, not on every sync
    s = Searcher.open(tmp_path / "ws", embedder=emb)
    assert not s.stale and s.search("洗车场地排水", k=1, exact=False)[0].clause.clause_no == "4.2.1"


def test_legacy_links_survive_a_later_edit_of_other_clauses(tmp_path: Path) -> None:
    store, src = _store(tmp_path)
    legacy = _make_legacy(store)
    store = ClauseStore(store.root)
    f = src / "洗车服务规范.txt"
    f.write_text(DOC.replace("洗车设备应定期检修。", "洗车设备应每月检修。"), encoding="utf-8")
    assert ingest_paths([src], store, kb="default").ok
    clauses = list(store.iter_clauses())
    assert find_clause(clauses, legacy["4.1.1"]).clause_no == "4.1.1"  # type: ignore[union-attr]
    assert find_clause(clauses, legacy["4.2.2"]) is None  # edited: no silent redirect
    assert ingest_paths([src], store, kb="default", force=True).ok  # aliases are kept
    assert find_clause(list(store.iter_clauses()), legacy["5.1"]).clause_no == "5.1"  # type: ignore[union-attr]


def test_new_entries_record_their_id_scheme(tmp_path: Path) -> None:
    store, _ = _store(tmp_path)
    [entry] = store.sources().values()
    assert entry.to_dict()["id_scheme"] == 2
    assert store.migrate_clause_ids() == 0


def test_a_saved_conversation_keeps_its_card_and_its_link_after_migration(tmp_path: Path) -> None:
    """Conversations in app.sqlite hold the cited clause as it was (text, label) and its
    old id: after the migration the card still shows, and its link opens the clause."""
    from core.conversations import ConversationStore
    from qa.answer import AnswerResult
    from qa.citations import Citation

    store, _ = _store(tmp_path)
    legacy = _make_legacy(store)
    store = ClauseStore(store.root)
    cited = next(c for c in store.iter_clauses() if c.clause_no == "4.2.1")
    assert cited.clause_id == legacy["4.2.1"]
    result = AnswerResult(
        "场地有什么要求？", "应排水通畅。", [Citation.from_clause(cited, 0.9)], False, "extractive"
    )
    db = ConversationStore.for_workspace(tmp_path / "ws")
    conv = db.create()
    db.add_turn(conv.id, "default", result.to_json())
    sync_index(store, CountingEmbedder())  # migrates the store
    [turn] = ConversationStore.for_workspace(tmp_path / "ws").turns(conv.id)
    restored = AnswerResult.from_json(turn.result)
    card = restored.citations[0]
    assert card.text == cited.text and card.clause_id == legacy["4.2.1"]
    clauses = list(ClauseStore(store.root).iter_clauses())
    ctx = context_of(clauses, card.clause_id)
    assert (
        ctx is not None
        and ctx.clause.clause_no == "4.2.1"
        and ctx.clause.clause_id != card.clause_id
    )

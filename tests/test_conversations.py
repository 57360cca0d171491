"""The conversation store (core/conversations.py) and the round trip of a saved answer."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from core.conversations import (
    DEFAULT_TITLE,
    ConversationError,
    ConversationStore,
    is_conversation_id,
    title_from_question,
)
from qa.answer import AnswerResult
from qa.citations import Citation
from qa.support import Statement, SupportReport
from ui.export import conversation_markdown


def citation(no: str = "5.2", fictitious: bool = False) -> Citation:
    return Citation(
        clause_id="d1:00007",
        doc_id="d1",
        doc_title="社区居家养老服务规范",
        standard_code="T/BZQC 001—2025",
        clause_no=no,
        clause_title="服务人员",
        heading_path=("5 基本要求",),
        text="服务人员应持证上岗。",
        score=0.8125,
        source="/x/a.txt",
        page=3,
        fictitious=fictitious,
    )


def result(question: str = "服务人员有什么要求？", **kw: object) -> AnswerResult:
    base: dict[str, object] = {
        "question": question,
        "answer": "服务人员应持证上岗〔T/BZQC 001—2025，5.2〕。",
        "citations": [citation(fictitious=True)],
        "refused": False,
        "mode": "extractive",
    }
    base.update(kw)
    return AnswerResult(**base)  # type: ignore[arg-type]


@pytest.fixture()
def db(tmp_path: Path) -> ConversationStore:
    return ConversationStore.for_workspace(tmp_path)


def test_first_answer_names_the_conversation_and_order_is_kept(db: ConversationStore) -> None:
    conv = db.create()
    assert conv.title == DEFAULT_TITLE and is_conversation_id(conv.id)
    db.add_turn(conv.id, "default", result("范围一章怎么写？").to_json())
    db.add_turn(conv.id, "其他库", result("那它的格式呢？").to_json())
    got = db.get(conv.id)
    assert got is not None and got.title == "范围一章怎么写？" and got.turns == 2
    turns = db.turns(conv.id)
    assert [t.seq for t in turns] == [0, 1]
    assert [t.kb for t in turns] == ["default", "其他库"]
    assert turns[1].result["question"] == "那它的格式呢？"


def test_list_is_most_recent_first(db: ConversationStore) -> None:
    a, b = db.create("甲"), db.create("乙")
    db.add_turn(a.id, "default", result().to_json())  # a used last
    assert [c.id for c in db.list()] == [a.id, b.id]


def test_rename_sticks_and_rejects_empty(db: ConversationStore) -> None:
    conv = db.create()
    db.rename(conv.id, "  养老\n服务 ")
    db.add_turn(conv.id, "default", result("第一个问题").to_json())
    assert db.get(conv.id).title == "养老 服务"  # type: ignore[union-attr]
    with pytest.raises(ConversationError):
        db.rename(conv.id, "   ")
    with pytest.raises(ConversationError):
        db.rename("0" * 32, "x")


def test_delete_removes_turns(db: ConversationStore, tmp_path: Path) -> None:
    conv = db.create()
    db.add_turn(conv.id, "default", result().to_json())
    assert db.delete(conv.id)
    assert db.get(conv.id) is None and db.turns(conv.id) == []
    assert not db.delete(conv.id)
    with sqlite3.connect(tmp_path / "app.sqlite") as raw:
        assert raw.execute("SELECT COUNT(*) FROM turns").fetchone() == (0,)
    with pytest.raises(ConversationError):
        db.add_turn(conv.id, "default", result().to_json())


def test_ids_from_the_url_are_validated(db: ConversationStore) -> None:
    assert db.get("../../etc/passwd") is None
    assert db.get("' OR 1=1 --") is None
    assert not is_conversation_id(None)
    assert not is_conversation_id("ABCDEF" * 6)


def test_store_survives_reopen(tmp_path: Path) -> None:
    conv = ConversationStore.for_workspace(tmp_path).create()
    ConversationStore.for_workspace(tmp_path).add_turn(conv.id, "default", result().to_json())
    assert len(ConversationStore.for_workspace(tmp_path).turns(conv.id)) == 1


def test_title_from_question_is_cut() -> None:
    assert title_from_question("短问题") == "短问题"
    long = "很" * 40
    assert len(title_from_question(long)) == 24 and title_from_question(long).endswith("…")
    assert title_from_question("  ") == DEFAULT_TITLE


def test_answer_round_trip_keeps_what_is_shown() -> None:
    dropped = Statement(text="服务人员应每年体检", status="number_drift", reasons=["数值不符"])
    kept = Statement(text="服务人员应持证上岗", status="supported")
    original = result(
        mode="llm",
        invalid_citations=["〔GB/T 1，9.9〕"],
        support=SupportReport("…", False, [kept, dropped], [], []),
        relevance=0.5,
    )
    data = json.loads(json.dumps(original.to_json(), ensure_ascii=False))
    back = AnswerResult.from_json(data)
    assert back.question == original.question and back.answer == original.answer
    assert back.mode == "llm" and back.invalid_citations == ["〔GB/T 1，9.9〕"]
    assert back.citations[0].label == original.citations[0].label
    assert back.citations[0].page == 3 and back.citations[0].fictitious
    assert back.citations[0].heading_path == ("5 基本要求",)
    assert back.support is not None
    assert [s.status for s in back.support.dropped] == ["number_drift"]
    assert back.to_json() == original.to_json()


def test_export_json_and_markdown(db: ConversationStore) -> None:
    conv = db.create()
    db.add_turn(conv.id, "default", result("范围一章怎么写？").to_json())
    data = db.export(conv.id)
    assert data["title"] == "范围一章怎么写？" and data["turns"][0]["kb"] == "default"
    assert data["turns"][0]["citations"][0]["clause_no"] == "5.2"
    md = conversation_markdown("我的对话", [("default", result("范围一章怎么写？"))])
    assert md.startswith("# 我的对话\n")
    assert "## 1. 范围一章怎么写？" in md and "### 回答" in md
    assert "> 服务人员应持证上岗。" in md

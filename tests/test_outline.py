"""Clause tree and anomaly detection (ingest.outline) and ``python -m ingest --outline``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grammar.schema import Clause, ClauseKind, HeadingRef
from ingest.cli import main
from ingest.outline import build_tree, find_anomalies, outline
from ingest.pipeline import ingest_paths, process_file
from ingest.store import ClauseStore
from tests.conftest import SAMPLES

KINDS = {
    "": ClauseKind.PREAMBLE,
    "前言": ClauseKind.ELEMENT,
    "附录A": ClauseKind.ANNEX,
    "附录B": ClauseKind.ANNEX,
    "附录C": ClauseKind.ANNEX,
}


def make(spec: list[tuple[str, str, str]]) -> list[Clause]:
    """Clauses from (number, title, text); the heading path follows the numbers."""
    out: list[Clause] = []
    by_no: dict[str, Clause] = {}
    for seq, (no, title, text) in enumerate(spec):
        if no.startswith("附录") or no in ("", "前言"):
            parent_no = ""
        elif no[0].isalpha():
            parent_no = no.rsplit(".", 1)[0] if no.count(".") > 1 else f"附录{no[0]}"
        else:
            parent_no = no.rsplit(".", 1)[0] if "." in no else ""
        path = []
        p = by_no.get(parent_no) if parent_no else None
        if p is not None:
            path = [*p.heading_path, HeadingRef(p.clause_no, p.clause_title)]
        kind = KINDS.get(no) or (ClauseKind.CHAPTER if no.isdigit() else ClauseKind.CLAUSE)
        c = Clause(
            clause_id=f"d:{seq:05d}",
            doc_id="d",
            doc_title="示例",
            standard_code=None,
            clause_no=no,
            clause_title=title,
            heading_path=path,
            kind=kind,
            annex_type=None,
            text=text,
            source="/x",
            page=None,
            start=0,
            end=0,
            seq=seq,
        )
        by_no[no] = c
        out.append(c)
    return out


def kinds_at(spec: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    return [(str(a.kind), a.clause_no) for a in outline(make(spec)).anomalies]


def test_tree_depth_parent_chars_children() -> None:
    nodes = build_tree(
        make(
            [("", "示例", "封面"), ("1", "范围", "本文件…"), ("2", "要求", ""), ("2.1", "", "应…")]
        )
    )
    assert [(n.clause_no, n.depth, n.parent, n.children) for n in nodes] == [
        ("", 0, "", 0),
        ("1", 0, "", 0),
        ("2", 0, "", 1),
        ("2.1", 1, "2", 0),
    ]
    assert nodes[1].chars == len("本文件…")


def test_parts_of_a_long_clause_are_one_node() -> None:
    clauses = make([("1", "范围", "甲" * 10), ("1", "范围", "乙" * 5), ("1", "范围", "丙")])
    clauses[0].extra = {"part": 1, "parts": 2}  # parts are numbered from 1 (ingest.chunk)
    clauses[1].extra = {"part": 2, "parts": 2}
    nodes = build_tree(clauses)  # the third is a duplicate "1", not a part
    assert [n.chars for n in nodes] == [15, 1]


def test_clean_document_has_no_anomalies() -> None:
    spec = [("前言", "", "本文件…"), ("1", "范围", "x"), ("2", "要求", ""), ("2.1", "总则", "x")]
    spec += [("2.2", "人员", "x"), ("附录A", "表格", "x"), ("A.1", "样表", "x")]
    assert kinds_at(spec) == []


def test_numbering_gaps_at_every_level() -> None:
    spec = [("1", "范围", "x"), ("3", "要求", "")]  # chapter 2 missing
    spec += [("3.2", "人员", "x")]  # 3.1 missing
    spec += [("附录A", "甲", "x"), ("附录C", "丙", "x")]  # 附录B missing
    result = outline(make(spec))
    assert [(str(a.kind), a.clause_no) for a in result.anomalies] == [
        ("gap", "3"),
        ("gap", "3.2"),
        ("gap", "附录C"),
    ]
    assert "缺少 2" in result.anomalies[0].message
    assert "缺少 3.1" in result.anomalies[1].message
    assert "附录B" in result.anomalies[2].message


def test_duplicate_numbers_and_empty_leaf() -> None:
    spec = [("1", "范围", ""), ("2", "要求", "x"), ("1", "范围", "x")]
    got = kinds_at(spec)
    assert ("empty", "1") in got  # a heading with neither body nor sub-clauses
    assert ("duplicate", "1") in got


def test_a_section_over_a_subtree_is_not_empty() -> None:
    assert kinds_at([("1", "要求", ""), ("1.1", "总则", "x")]) == []


@pytest.mark.parametrize(
    "title",
    [
        "产品分类的基本要求如下：",  # lead-in sentence taken as title
        "不得在服务场所吸烟",  # requirement, starts with a modal
        "服务人员应持证上岗，并定期参加培训",  # a sentence
        "对信用等级为“A",  # cut inside a value
        "服" * 31,  # too long
    ],
)
def test_suspicious_titles(title: str) -> None:
    assert kinds_at([("1", title, "x")]) == [("title", "1")]


@pytest.mark.parametrize(
    "title",
    [
        "能力评估",
        "应急响应",
        "受理与响应",
        "目标、原则和要求",
        "日间照料中心 day care center for the elderly",
    ],
)
def test_ordinary_titles_are_not_flagged(title: str) -> None:
    assert kinds_at([("1", title, "x")]) == []


def test_regulation_articles_gap_across_chapters() -> None:
    clauses = make([("第一章", "总则", "x"), ("第一条", "", "x"), ("第二章", "管理", "x")])
    clauses += make([("第三条", "", "x")])
    for c in clauses:
        c.kind = ClauseKind.REG_CHAPTER if c.clause_no.endswith("章") else ClauseKind.ARTICLE
    got = [(str(a.kind), a.clause_no) for a in find_anomalies(build_tree(clauses))]
    assert got == [("gap", "第三条")]


def test_samples_segment_without_anomalies() -> None:
    for f in sorted((SAMPLES / "standards").glob("*.txt")):
        [doc] = process_file(f).documents
        assert outline(doc.clauses).anomalies == [], f.name


# --- CLI ------------------------------------------------------------------------------


SAMPLE = SAMPLES / "standards" / "T_BZQC_001-2025_社区居家养老服务规范.txt"


def test_cli_outline_of_a_file_not_in_the_kb_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    assert main(["--outline", str(SAMPLE), "--workspace", str(ws), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    [doc] = out["documents"]
    assert doc["stored"] is False
    assert doc["standard_code"] == "T/BZQC 001—2025"
    first = doc["outline"][1]
    assert set(first) >= {"clause_no", "clause_title", "kind", "depth", "parent", "chars", "page"}
    assert [n["clause_no"] for n in doc["outline"][:3]] == ["", "前言", "1"]
    assert doc["anomalies"] == []
    assert not (ws / "kbs" / "default").exists()


def test_cli_outline_by_doc_id_and_by_stored_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = tmp_path / "ws"
    store = ClauseStore(ws / "kbs" / "default")
    ingest_paths([SAMPLE], store, kb="default")
    doc_id = store.documents()[0].doc_id
    assert main(["--outline", doc_id, "--workspace", str(ws)]) == 0
    text = capsys.readouterr().out
    assert "知识库" in text and "4.2.1 人员配备" in text and "未发现异常" in text
    assert main(["--outline", str(SAMPLE), "--workspace", str(ws), "--json"]) == 0
    [doc] = json.loads(capsys.readouterr().out)["documents"]
    assert doc["stored"] is True and doc["doc_id"] == doc_id


def test_cli_outline_unknown_target_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--outline", "no-such-doc", "--workspace", str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：") and len(err.strip().splitlines()) == 1
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    assert main(["--outline", str(empty), "--workspace", str(tmp_path / "ws")]) == 2


def test_out_of_order_numbers_and_chapters_after_annexes() -> None:
    spec = [("1", "范围", "x"), ("2", "要求", "x"), ("3", "方法", "x"), ("2", "表行", "x")]
    assert kinds_at(spec) == [("duplicate", "2")]
    spec = [("1", "范围", "x"), ("3", "要求", "x"), ("2", "表行", "x")]
    assert kinds_at(spec) == [("gap", "3"), ("order", "2")]
    spec = [("1", "范围", "x"), ("附录A", "甲", "x"), ("2", "表行", "x")]
    assert kinds_at(spec) == [("order", "2")]


def test_number_under_the_wrong_parent() -> None:
    clauses = make([("1", "范围", "x"), ("1.1", "总则", "x"), ("1.1.1", "细则", "x")])
    clauses += make([("2.1", "方法", "x")])  # chapter 2 lost: 2.1 sits at top level
    clauses[3].seq = 3
    clauses[2].heading_path = clauses[2].heading_path[:1]  # 1.1.1 hung directly under 1
    got = [(str(a.kind), a.clause_no) for a in find_anomalies(build_tree(clauses))]
    assert ("parent", "1.1.1") in got and ("parent", "2.1") in got
    [msg] = [a.message for a in find_anomalies(build_tree(clauses)) if a.clause_no == "2.1"]
    assert "上级应为 2" in msg and "顶层" in msg

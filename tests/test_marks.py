"""Fictitious samples are marked from ingest metadata (folder file), not from names."""

from __future__ import annotations

import shutil
from pathlib import Path

from ingest.folder_meta import FOLDER_META, folder_meta
from ingest.pipeline import ingest_paths, process_file
from ingest.store import ClauseStore
from qa.citations import Citation
from ui import marks

ROOT = Path(__file__).resolve().parents[1]
STANDARDS = ROOT / "samples" / "standards"
TEXT = "T/DEMO 001—2025\n演示服务规范\n1 范围\n本文件规定了演示服务的要求。\n2 要求\n2.1 演示机构应公开服务内容。\n"


def test_bundled_standards_are_declared_fictitious_and_laws_are_not() -> None:
    assert folder_meta(next(STANDARDS.glob("*.txt"))).fictitious
    assert not folder_meta(next((ROOT / "samples" / "laws").glob("*.txt"))).fictitious


def test_ingest_marks_documents_clauses_and_citations(tmp_path: Path) -> None:
    fake, real = tmp_path / "fake", tmp_path / "real"
    fake.mkdir()
    real.mkdir()
    (fake / FOLDER_META).write_text('{"fictitious": true}', encoding="utf-8")
    (fake / "a.txt").write_text(TEXT, encoding="utf-8")
    (real / "a.txt").write_text(TEXT.replace("DEMO 001", "DEMO 002"), encoding="utf-8")
    store = ClauseStore(tmp_path / "kb")
    report = ingest_paths([fake, real], store, kb="t")
    assert report.kb_documents == 2  # the metadata file itself is not a document
    by_source = {Path(d.source).parent.name: d for d in store.documents()}
    assert by_source["fake"].fictitious and not by_source["real"].fictitious
    clauses = process_file(fake / "a.txt").documents[0].clauses
    assert all(c.extra.get("fictitious") for c in clauses)
    cite = Citation.from_clause(clauses[-1], 1.0)
    assert cite.fictitious and marks.is_fictitious(cite)
    assert marks.MARK in marks.badge_html(cite)
    assert (
        marks.badge_html(
            Citation.from_clause(process_file(real / "a.txt").documents[0].clauses[-1], 1.0)
        )
        == ""
    )


def test_broken_metadata_is_ignored(tmp_path: Path) -> None:
    shutil.copy(next(STANDARDS.glob("*.txt")), tmp_path / "x.txt")
    (tmp_path / FOLDER_META).write_text("{oops", encoding="utf-8")
    assert not folder_meta(tmp_path / "x.txt").fictitious
    (tmp_path / FOLDER_META).write_text('{"fictitious": "yes"}', encoding="utf-8")
    assert not folder_meta(tmp_path / "x.txt").fictitious  # only a real true counts


def test_marked_title() -> None:
    class Doc:
        fictitious = True

    assert marks.marked_title("演示服务规范", Doc()) == "演示服务规范（虚构示例）"
    assert marks.marked_title("演示服务规范", object()) == "演示服务规范"


def test_cards_carry_the_mark_and_only_for_fictitious() -> None:
    from ui import render

    clauses = process_file(next(STANDARDS.glob("*.txt"))).documents[0].clauses
    fake = Citation.from_clause(clauses[-1], 1.0)
    real = Citation.from_clause(
        process_file(next((ROOT / "samples" / "laws").glob("*.txt"))).documents[0].clauses[-1], 1.0
    )
    for html in (
        render.citation_card(fake, []),
        render.compact_card(fake, [], anchor="a1", kb="default"),
        render.hit_card(clauses[-1], [], rank=1, score=1.0, route="bm25"),
    ):
        assert marks.MARK_CLASS in html and marks.MARK in html
    for html in (
        render.citation_card(real, []),
        render.compact_card(real, [], anchor="a2", kb="default"),
    ):
        assert marks.MARK_CLASS not in html

"""Rendering of document text: always escaped, highlights only around escaped pieces."""

from __future__ import annotations

from grammar.schema import Clause, ClauseKind, HeadingRef
from qa.answer import AnswerResult
from qa.citations import Citation
from ui.export import answer_markdown
from ui.render import (
    CARD_CLASS,
    citation_card,
    context,
    escape,
    highlight,
    hit_card,
    neighbours,
    outline,
    query_terms,
)

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)> 范围 & 适用界限'


def make_clause(no: str, seq: int, text: str = EVIL, title: str = "范围<b>") -> Clause:
    return Clause(
        clause_id=f"d:{seq:05d}",
        doc_id="d",
        doc_title="<i>文档</i>",
        standard_code="T/XX 001—2025",
        clause_no=no,
        clause_title=title,
        heading_path=[HeadingRef("1", "<u>总则</u>")],
        kind=ClauseKind.CLAUSE,
        annex_type=None,
        text=text,
        source="/x.html",
        page=None,
        start=0,
        end=len(text),
        seq=seq,
    )


def assert_no_raw_html(out: str) -> None:
    for bad in ("<script", "<img", "<i>", "<b>", "<u>", "onerror=alert(1)>"):
        assert bad not in out, bad


def test_highlight_escapes_then_marks() -> None:
    out = highlight(EVIL, ["范围", "script"])
    assert_no_raw_html(out)
    assert "&lt;<mark>script</mark>&gt;" in out
    assert "<mark>范围</mark>" in out
    assert "&amp; 适用界限" in out


def test_highlight_terms_cannot_break_entities() -> None:
    # Matching on escaped text would turn "&amp;" into "&<mark>amp</mark>;".
    out = highlight("a & b < c", ["amp", "lt"])
    assert out == "a &amp; b &lt; c"


def test_highlight_term_with_markup_is_escaped() -> None:
    out = highlight("x <b> y", ["<b>"])
    assert out == "x <mark>&lt;b&gt;</mark> y"


def test_highlight_without_terms_is_plain_escape() -> None:
    assert highlight(EVIL, []) == escape(EVIL)


def test_query_terms_drop_question_words() -> None:
    terms = query_terms("范围一章怎么写？")
    assert "范围" in terms
    assert "怎么" not in terms and "？" not in terms


def test_cards_and_outline_escape_everything() -> None:
    c = make_clause("1", 0)
    cite = Citation.from_clause(c, 0.9)
    card = citation_card(cite, ["范围"])
    assert CARD_CLASS in card and "〔T/XX 001—2025，1〕" in card
    assert "<mark>范围</mark>" in card
    assert_no_raw_html(card)
    assert_no_raw_html(hit_card(c, ["script"], rank=1, score=0.5, route="hybrid"))
    clauses = [make_clause(str(i), i) for i in range(6)]
    out = outline(clauses, "d:00002")
    assert_no_raw_html(out)
    assert out.count("▶") == 1 and 'class="current"' in out
    assert_no_raw_html(context(clauses[:2], "d:00001", ["script"]))


def test_neighbours_window() -> None:
    clauses = [make_clause(str(i), i) for i in range(10)]
    assert [c.seq for c in neighbours(clauses, "d:00000")] == [0, 1, 2]
    assert [c.seq for c in neighbours(clauses, "d:00005")] == [3, 4, 5, 6, 7]
    assert neighbours(clauses, "nope") == []


def test_answer_markdown_export() -> None:
    c = make_clause("5.3", 3, text="范围一章宜写明……\n第二行")
    result = AnswerResult(
        question="范围一章怎么写？",
        answer="宜写明标准化对象〔T/XX 001—2025，5.3〕",
        citations=[Citation.from_clause(c, 0.9)],
        refused=False,
        mode="extractive",
    )
    md = answer_markdown(result, kb="default")
    assert md.startswith("# 范围一章怎么写？")
    assert "### 1. 〔T/XX 001—2025，5.3〕" in md
    assert "> 范围一章宜写明……\n> 第二行" in md
    assert "- 位置：1 <u>总则</u>" in md


def test_exported_answer_marks_fictitious_samples() -> None:
    """A drafter may paste the export into a real draft: a sample's clause keeps its mark."""
    from dataclasses import replace

    real = Citation.from_clause(make_clause("5.3", 3, text="真实条款"), 0.9)
    made_up = replace(
        Citation.from_clause(make_clause("6.1", 4, text="示例条款"), 0.8), fictitious=True
    )
    result = AnswerResult(
        question="范围一章怎么写？",
        answer="……",
        citations=[real, made_up],
        refused=False,
        mode="extractive",
    )
    md = answer_markdown(result)
    first, second = md.split("### 2.")
    assert "虚构示例" not in first
    assert second.startswith(f" {made_up.label}（虚构示例）")
    assert "不能作为起草依据" in second

"""grammar.families.construction: 工程建设标准 articles "3.0.1" — a family added as one
module (plus its registration), with no change to the tree builder."""

from __future__ import annotations

import textwrap

import pytest

from grammar.families.base import REFERENCE, Family
from grammar.families.construction import FAMILY
from grammar.numbering import match_heading, normalize_clause_no
from grammar.schema import ClauseKind
from ingest.readers.base import Line
from ingest.segment import segment_lines


@pytest.mark.parametrize(
    ("s", "label", "key"),
    [
        ("3.0.1 养老服务设施应…", "3.0.1", (3, 0, 1)),
        ("12.0.10", "12.0.10", (12, 0, 10)),
    ],
)
def test_syntax_depth_and_number(s: str, label: str, key: tuple[int, ...]) -> None:
    hm = FAMILY.match(s, 0, glued=False)
    assert hm is not None and hm is not REFERENCE
    assert (hm.numbering.label, hm.numbering.key, hm.numbering.level) == (label, key, 3)
    assert hm.numbering.family is Family.GB and hm.numbering.kind is ClauseKind.CLAUSE


@pytest.mark.parametrize("s", ["3.0.1 的规定", "3.0.1条", "3.0.1 和 3.0.2"])
def test_references_are_rejected(s: str) -> None:
    assert FAMILY.match(s, 0, glued=True) is REFERENCE


@pytest.mark.parametrize("s", ["3.1.1 x", "3.0 x", "0.0.1 x", "3.0.1为了", "3.00.1 x"])
def test_not_this_family(s: str) -> None:
    assert FAMILY.match(s, 0, glued=False) is None


def test_registered_for_syntax_and_full_width() -> None:
    hm = match_heading("３．０．２　基本规定")
    assert hm is not None and hm.numbering.label == "3.0.2"
    assert normalize_clause_no("第3.0.2条") == "3.0.2"


DOC = """
1 总则
1.0.1 为规范养老服务设施的建设，制定本标准。
1.0.2 本标准适用于新建养老服务设施。
2 术语
2.0.1 养老服务设施 elderly care facility
为老年人提供服务的建筑。
2.0.2 无障碍设计
3 基本规定
3.0.1 设施应符合下列规定：
1 应满足老年人的使用要求；
2 应符合本标准第 3.0.3 条的规定。
3.0.2 设施选址应安全。3.0.3 设施应便于到达。
4 建筑设计
4.1 一般规定
4.1.1 建筑应采用无障碍设计。
"""


def test_articles_hang_under_their_chapter() -> None:
    lines = [Line(t.strip()) for t in textwrap.dedent(DOC).strip().splitlines()]
    clauses = segment_lines(lines, doc_id="d", doc_title="T", standard_code=None, source="s")
    got = [(c.clause_no, [h.no for h in c.heading_path], c.kind) for c in clauses.clauses]
    assert got == [
        ("1", [], ClauseKind.CHAPTER),
        ("1.0.1", ["1"], ClauseKind.CLAUSE),
        ("1.0.2", ["1"], ClauseKind.CLAUSE),
        ("2", [], ClauseKind.CHAPTER),
        ("2.0.1", ["2"], ClauseKind.TERM),
        ("2.0.2", ["2"], ClauseKind.TERM),
        ("3", [], ClauseKind.CHAPTER),
        ("3.0.1", ["3"], ClauseKind.CLAUSE),
        ("3.0.2", ["3"], ClauseKind.CLAUSE),
        ("3.0.3", ["3"], ClauseKind.CLAUSE),
        ("4", [], ClauseKind.CHAPTER),
        ("4.1", ["4"], ClauseKind.CLAUSE),
        ("4.1.1", ["4", "4.1"], ClauseKind.CLAUSE),
    ]
    by_no = {c.clause_no: c for c in clauses.clauses}
    assert by_no["2.0.1"].clause_title == "养老服务设施 elderly care facility"
    assert by_no["2.0.2"].clause_title == "无障碍设计"
    # The 款 "1 …；" and the reference "第 3.0.3 条" stay in the article's text.
    assert "应满足老年人" in by_no["3.0.1"].text and "第 3.0.3 条" in by_no["3.0.1"].text
    assert by_no["3.0.2"].text == "设施选址应安全。"


def test_an_article_needs_its_chapter_and_its_sequence() -> None:
    text = "5 要求\n7.0.1 不是本章的条。\n5.0.9 跳得太远。\n5.0.1 首条。"
    lines = [Line(t) for t in text.splitlines()]
    clauses = segment_lines(lines, doc_id="d", doc_title="T", standard_code=None, source="s")
    assert [c.clause_no for c in clauses.clauses] == ["5", "5.0.1"]

"""grammar.refs: the one parser of clause references, and its users."""

from __future__ import annotations

import pytest

from grammar.refs import clause_numbers, find_refs, is_clause_no, mask_refs


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("GB/T 1.1 的 8.6 条说什么", [("8.6",)]),
        ("第8.6条", [("8.6",)]),
        ("标准化法第3条", [("第三条",)]),
        ("第八章讲什么", [("第八章", "8")]),
        ("8章", [("8", "第八章")]),
        ("附录a是什么", [("附录A",)]),
        ("A.1.2 的要求", [("A.1.2",)]),
        ("见5.2.", [("5.2",)]),
        ("6.5 条和 7.1", [("6.5",), ("7.1",)]),
    ],
)
def test_find_refs(text: str, want: list[tuple[str, ...]]) -> None:
    assert [r.candidates for r in find_refs(text)] == want


@pytest.mark.parametrize(
    "text", ["PM2.5 浓度限值", "水温 2.5 ℃", "24 h 内响应", "GB/T 1.1—2020", "0.5 m 宽", "表1"]
)
def test_no_false_refs(text: str) -> None:
    assert find_refs(text) == []


def test_tables_and_quantities_on_request() -> None:
    refs = find_refs("见表1和图A.2，宽 0.5 m", tables=True, quantities=True)
    assert [(r.kind, r.clause_no) for r in refs] == [
        ("table", "表1"),
        ("figure", "图A.2"),
        ("clause", "0.5"),
    ]
    assert refs[-1].quantity


def test_spans_point_into_the_original_text() -> None:
    text = "请问８．６条"  # full-width digits: offsets unchanged
    [ref] = find_refs(text)
    assert text[ref.start : ref.end] == "８．６"


def test_mask_and_numbers() -> None:
    assert mask_refs("第十条的条标题") == "＃的条标题"
    assert clause_numbers("GB/T 1.1—2020 的 8.6 条与附录B") == {"8.6", "附录B"}
    assert "款" not in "".join(clause_numbers("第二款"))


@pytest.mark.parametrize("text", ["8", "8.6", "第8.6条", "A.1", "附录B", "第十条", " 7.2 "])
def test_is_clause_no(text: str) -> None:
    assert is_clause_no(text)


@pytest.mark.parametrize("text", ["有修改", "8.6 的说明", "GB/T 1.1", ""])
def test_is_not_clause_no(text: str) -> None:
    assert not is_clause_no(text)

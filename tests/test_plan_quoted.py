"""Clause references the plan reads differently: quoted wording, and the chapters GB/T 1.1 fixes."""

from __future__ import annotations

from qa.plan import fixed_chapter_refs, make_plan, quoted_wording_refs


def test_quoted_wording_points_at_no_clause() -> None:
    q = "正文提到附录时，“见附录A”和“参见附录C”有什么区别？"
    assert quoted_wording_refs(q) == {0, 1}
    assert make_plan(q).search.refs == ()


def test_a_bare_quoted_reference_and_an_unquoted_one_still_point() -> None:
    assert quoted_wording_refs("“附录B”是规范性的吗？") == set()
    refs = make_plan("附录B里说的“见第5章”是什么意思？").search.refs
    assert [r.clause_nos for r in refs] == [("附录B",)]


def test_a_fixed_chapter_asked_how_to_write_is_the_element() -> None:
    # GB/T 1.1 fixes chapters 1-3 of every standard; asked how to write, of no document
    # in particular, "第2章" is the drafter's own 规范性引用文件, not some document's 2.
    plan = make_plan("标准里一个文件也不引用的话，第2章怎么写？")
    assert plan.element is not None and plan.element.name == "规范性引用文件"
    assert plan.search.refs == ()
    assert fixed_chapter_refs("第三章和8.6条")[0].name == "术语和定义"


def test_a_chapter_asked_about_not_how_to_write_still_points() -> None:
    plan = make_plan("第2章讲了什么？")
    assert plan.element is None and [r.clause_nos for r in plan.search.refs] == [("第二章", "2")]
    assert fixed_chapter_refs("第5章怎么写？") == {}

"""Drafting answers (qa/drafting.py): rule, fixed wording and real examples per element,
on the bundled samples (T/BZQC 002 is the guide; T/BZQC 001 and 003 are the standards)."""

from __future__ import annotations

import pytest

from qa.drafting import _INSTANCES, Pattern, drafting_help, wants_drafting_help
from qa.elements import element_named

GUIDE = "T/BZQC 002—2025"


def test_only_how_to_questions_about_document_elements() -> None:
    assert wants_drafting_help("范围一章怎么写？") is not None
    assert wants_drafting_help("规范性引用文件怎么列？") is not None
    assert wants_drafting_help("投诉处理时限是多少？") is None
    assert wants_drafting_help("范围是什么意思") is None


def test_scope(sample_searcher) -> None:  # type: ignore[no-untyped-def]
    h = drafting_help("范围一章怎么写？", sample_searcher)
    assert h is not None and h.element == "范围"
    assert h.rules and all(r.standard_code == GUIDE for r in h.rules)
    assert all(r.clause_no != "1" for r in h.rules), "the guide's own 范围 is not a rule"
    assert any(p.text.startswith("本文件规定了") and p.has_blanks for p in h.patterns)
    codes = [e.standard_code for e in h.examples]
    assert GUIDE not in codes and len(set(codes)) == len(codes) >= 2
    assert all(e.clause_no == "1" for e in h.examples)
    j = h.to_json()
    assert set(j) == {"element", "rules", "patterns", "examples"}
    assert j["patterns"][0]["citation"].startswith(f"〔{GUIDE}，")


@pytest.mark.parametrize(
    ("question", "wording"),
    [
        ("术语和定义怎么写？", "下列术语和定义适用于本文件。"),
        ("规范性引用文件怎么列？", "下列文件中的内容通过文中的规范性引用"),
        ("前言里要写什么？", "本文件由"),
    ],
)
def test_fixed_wordings(sample_searcher, question: str, wording: str) -> None:  # type: ignore[no-untyped-def]
    h = drafting_help(question, sample_searcher)
    assert h is not None
    assert any(p.text.startswith(wording) for p in h.patterns), [p.text for p in h.patterns]


def test_every_element_with_instances_gets_a_rule_and_an_example(sample_searcher) -> None:  # type: ignore[no-untyped-def]
    # Elements the sample standards hold (T/BZQC 001/003); 引言 and 符号和缩略语 occur only
    # in the guide itself, so they have no example; the guide has no clause on writing a
    # 目次 or 符号和缩略语 (only a row of its table 1), so no rule either.
    missing = []
    for name in _INSTANCES:
        element = element_named(name)
        assert element is not None, name
        h = drafting_help(f"{name}怎么写？", sample_searcher, element=element)
        assert h is not None
        if name not in ("目次", "符号和缩略语") and not h.rules:
            missing.append(f"{name}: no rule")
        if name not in ("引言", "符号和缩略语", "目次") and not h.examples:
            missing.append(f"{name}: no example")
    assert not missing, missing


def test_annex_examples_show_the_heading_with_its_status(sample_searcher) -> None:  # type: ignore[no-untyped-def]
    h = drafting_help("附录怎么编写？", sample_searcher)
    assert h is not None and h.examples
    text = h.to_json()["examples"][0]["text"]
    assert text.startswith("附录A（规范性）") or text.startswith("附录A（资料性）")


def test_pattern_fill() -> None:
    from grammar.schema import Clause, ClauseKind

    c = Clause(
        "d:1", "d", "t", None, "7.1.2", "", [], ClauseKind.CLAUSE, None, "", "", None, 0, 0, 0
    )
    p = Pattern("本文件规定了……的要求，适用于……。", c)
    assert p.fill("社区助浴服务") == "本文件规定了社区助浴服务的要求，适用于……。"


def test_qa_cli_json_carries_drafting(sample_workspace, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from qa.cli import main

    assert main(["范围一章怎么写？", "--workspace", str(sample_workspace), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    d = out["drafting"]
    assert d["element"] == "范围" and d["rules"] and d["patterns"] and d["examples"]
    assert main(["投诉处理的时限是多少？", "--workspace", str(sample_workspace), "--json"]) == 0
    assert "drafting" not in json.loads(capsys.readouterr().out)


def test_search_filter_by_element(sample_searcher) -> None:  # type: ignore[no-untyped-def]
    from index.search import SearchFilters

    hits = sample_searcher.search("本文件规定了", 10, filters=SearchFilters(elements=("范围",)))
    assert hits and all(h.clause.extra.get("element") == "范围" for h in hits)
    assert {h.clause.standard_code for h in hits} >= {"T/BZQC 001—2025", "T/BZQC 003—2025"}
    # a filter nothing matches gives nothing, never unfiltered hits
    assert (
        sample_searcher.search("本文件规定了", 5, filters=SearchFilters(elements=("索引",))) == []
    )


def test_index_cli_element_filter(sample_workspace, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from index.cli import main

    argv = [
        "search",
        "术语",
        "--element",
        "术语和定义",
        "--workspace",
        str(sample_workspace),
        "--json",
    ]
    assert main(argv) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and all(h["clause_no"].startswith("3") for h in hits)

"""Element tagging (grammar/elements.py): the element of every clause from its chapter, and
the provision type from its modal verbs; scored against a hand-checked sample of real
documents (tests/gold/elements.tsv)."""

from __future__ import annotations

import pytest

from eval.drafting import find_document, read_gold, score_tagging
from grammar.elements import (
    Element,
    Provision,
    element_of_title,
    forms_of,
    provision_of,
    tag_elements,
)
from grammar.schema import AnnexType, Clause, ClauseKind, HeadingRef
from ingest.pipeline import process_file


def _c(no: str, title: str, kind: ClauseKind, path=(), annex=None, text="正文。") -> Clause:  # type: ignore[no-untyped-def]
    return Clause(
        clause_id=f"d:{no}",
        doc_id="d",
        doc_title="某某服务规范",
        standard_code=None,
        clause_no=no,
        clause_title=title,
        heading_path=[HeadingRef(*p) for p in path],
        kind=kind,
        annex_type=annex,
        text=text,
        source="",
        page=None,
        start=0,
        end=0,
        seq=0,
    )


def test_chapter_titles_decide_not_numbers() -> None:
    # a 2009-style standard without 规范性引用文件: 术语和定义 is chapter 2
    assert element_of_title("术语和定义") is Element.TERMS
    assert element_of_title("规范性引用文件") is Element.NORMATIVE_REFERENCES
    assert element_of_title("引用标准") is Element.NORMATIVE_REFERENCES
    assert element_of_title("术语、定义和缩略语") is Element.TERMS
    assert element_of_title("检验规则") is Element.INSPECTION
    assert element_of_title("试验方法") is Element.TEST_METHODS
    assert element_of_title("标志、包装、运输和贮存") is Element.MARKING
    assert element_of_title("要求") is Element.REQUIREMENTS
    assert element_of_title("等级保护总体要求") is Element.GENERAL
    # service elements only in a 服务标准
    assert element_of_title("要求", service=True) is Element.SERVICE_PROVISION
    assert element_of_title("服务流程", service=True) is Element.SERVICE_PROVISION
    assert element_of_title("人员要求", service=True) is Element.SERVICE_SUPPORT
    assert element_of_title("服务评价与改进", service=True) is Element.SERVICE_EVALUATION
    assert element_of_title("服务流程") is Element.OTHER_TECHNICAL
    assert element_of_title("通信连接") is Element.OTHER_TECHNICAL


def test_sub_clauses_inherit_their_chapter_and_annexes_their_status() -> None:
    clauses = [
        _c("", "", ClauseKind.PREAMBLE),
        _c("前言", "", ClauseKind.ELEMENT),
        _c("1", "范围", ClauseKind.CHAPTER),
        _c("2", "术语和定义", ClauseKind.CHAPTER),
        _c("2.1", "助浴", ClauseKind.TERM, path=[("2", "术语和定义")]),
        _c("3", "服务人员", ClauseKind.CHAPTER),
        _c("3.1", "资格", ClauseKind.CLAUSE, path=[("3", "服务人员")]),
        _c("附录A", "评价表", ClauseKind.ANNEX, annex=AnnexType.NORMATIVE),
        _c(
            "A.1",
            "指标",
            ClauseKind.ANNEX_CLAUSE,
            path=[("附录A", "评价表")],
            annex=AnnexType.NORMATIVE,
        ),
        _c("附录B", "记录", ClauseKind.ANNEX, annex=AnnexType.INFORMATIVE),
        _c("参考文献", "", ClauseKind.ELEMENT),
    ]
    assert tag_elements(clauses) == [
        Element.COVER,
        Element.FOREWORD,
        Element.SCOPE,
        Element.TERMS,
        Element.TERMS,
        Element.SERVICE_SUPPORT,
        Element.SERVICE_SUPPORT,
        Element.NORMATIVE_ANNEX,
        Element.NORMATIVE_ANNEX,
        Element.INFORMATIVE_ANNEX,
        Element.BIBLIOGRAPHY,
    ]


def test_statutes_and_outlines_have_no_elements() -> None:
    clauses = [
        _c("", "", ClauseKind.PREAMBLE),
        _c("第一条", "", ClauseKind.ARTICLE),
        _c("一、", "总则", ClauseKind.OUTLINE),
    ]
    assert tag_elements(clauses) == [None, None, None]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("服务人员宜每年参加培训，并应持证上岗。", Provision.REQUIREMENT),
        ("不得擅自离岗。", Provision.REQUIREMENT),
        ("宜配备助浴椅，可配备防滑垫。", Provision.RECOMMENDATION),
        ("必要时可延长服务时间。", Provision.PERMISSION),
        ("投诉处理结果应用于服务改进。", Provision.STATEMENT),  # 应用 is not 应
        ("响应时间为2小时。", Provision.STATEMENT),
        ("范围一章宜写成“本文件规定了……应……”。", Provision.RECOMMENDATION),  # quoted 应
    ],
)
def test_provision_is_the_strongest_modal(text: str, want: Provision) -> None:
    assert provision_of(text) is want


def test_annotate_writes_element_provision_and_forms() -> None:
    from grammar.elements import annotate

    clauses = [
        _c("1", "范围", ClauseKind.CHAPTER, text="本文件规定了服务要求。"),
        _c(
            "2",
            "服务人员",
            ClauseKind.CHAPTER,
            text="服务人员应持证上岗：\na) 健康证；\nb) 培训证。",
        ),
    ]
    annotate(clauses)
    assert clauses[0].extra == {"element": "范围", "provision": "陈述"}
    assert clauses[1].extra == {"element": "服务保障", "provision": "要求", "forms": ["列项"]}


def test_forms() -> None:
    text = "服务内容包括：\na) 助浴；\nb) 助餐。\n注：按需提供。\n表1 服务项目\n示例：某社区"
    assert forms_of(text) == ["注", "示例", "列项", "表"]
    assert forms_of("服务人员应持证上岗。") == []


def test_tagging_accuracy_on_the_hand_checked_sample() -> None:
    result = score_tagging()
    assert result["clauses"] > 0
    # Real documents (when ../shared is present) and the samples: ≥ 0.95 of clauses.
    assert result["accuracy"] >= 0.95, result["misses"][:20]


def test_samples_are_tagged_exactly() -> None:
    for stem, rows in read_gold().items():
        if not stem.startswith("T_BZQC"):
            continue
        path = find_document(stem)
        assert path is not None
        clauses = [c for d in process_file(path).documents for c in d.clauses]
        tags = dict(zip((c.clause_no for c in clauses), tag_elements(clauses), strict=False))
        for no, _title, want in rows:
            assert str(tags[no]) == want, (stem, no)

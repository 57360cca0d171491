"""Element tagging (grammar/elements.py): the element of every clause from its chapter, and
the provision type from its modal verbs; scored against a hand-checked sample of real
documents (tests/gold/elements.tsv)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES, SHARED_CORPUS

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

GOLD = Path(__file__).parent / "gold" / "elements.tsv"


def _c(no: str, title: str, kind: ClauseKind, path=(), annex=None, text="正文。") -> Clause:  # type: ignore[no-untyped-def]
    return Clause(
        clause_id=f"d:{no}", doc_id="d", doc_title="某某服务规范", standard_code=None,
        clause_no=no, clause_title=title, heading_path=[HeadingRef(*p) for p in path],
        kind=kind, annex_type=annex, text=text, source="", page=None, start=0, end=0, seq=0,
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
        _c("A.1", "指标", ClauseKind.ANNEX_CLAUSE, path=[("附录A", "评价表")], annex=AnnexType.NORMATIVE),
        _c("附录B", "记录", ClauseKind.ANNEX, annex=AnnexType.INFORMATIVE),
        _c("参考文献", "", ClauseKind.ELEMENT),
    ]
    assert tag_elements(clauses) == [
        Element.COVER, Element.FOREWORD, Element.SCOPE, Element.TERMS, Element.TERMS,
        Element.SERVICE_SUPPORT, Element.SERVICE_SUPPORT, Element.NORMATIVE_ANNEX,
        Element.NORMATIVE_ANNEX, Element.INFORMATIVE_ANNEX, Element.BIBLIOGRAPHY,
    ]


def test_statutes_and_outlines_have_no_elements() -> None:
    clauses = [_c("", "", ClauseKind.PREAMBLE), _c("第一条", "", ClauseKind.ARTICLE), _c("一、", "总则", ClauseKind.OUTLINE)]
    assert tag_elements(clauses) == [None, None, None]


@pytest.mark.parametrize(
    ("modals", "want"),
    [(["宜", "应"], Provision.REQUIREMENT), (["宜", "可"], Provision.RECOMMENDATION),
     (["不必"], Provision.PERMISSION), (["能"], Provision.STATEMENT), ([], Provision.STATEMENT)],
)
def test_provision_is_the_strongest_modal(modals: list[str], want: Provision) -> None:
    assert provision_of("", modals) is want


def test_forms() -> None:
    text = "服务内容包括：\na) 助浴；\nb) 助餐。\n注：按需提供。\n表1 服务项目\n示例：某社区"
    assert forms_of(text) == ["注", "示例", "列项", "表"]
    assert forms_of("服务人员应持证上岗。") == []


def _gold() -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list[tuple[str, str, str]]] = {}
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        stem, no, title, element = line.split("\t")
        out.setdefault(stem, []).append((no, title, element))
    return out


def _find(stem: str) -> Path | None:
    for root in (SAMPLES / "standards", SHARED_CORPUS / "standards"):
        hits = [p for p in root.glob(f"{stem}.*") if p.suffix != ".tsv"] if root.is_dir() else []
        if hits:
            return hits[0]
    return None


def score_gold() -> tuple[int, int, list[str]]:
    """(right, total, misses) over every gold unit whose document is present.  Each unit
    weighs as many clauses as it holds (its subtree), since every one of them is tagged."""
    right = total = 0
    misses: list[str] = []
    for stem, rows in _gold().items():
        path = _find(stem)
        if path is None:
            continue
        clauses = [c for d in process_file(path).documents for c in d.clauses]
        tags = tag_elements(clauses)
        for no, title, want in rows:
            unit = [
                (c, t) for c, t in zip(clauses, tags, strict=True)
                if (c.clause_no == no and c.clause_title.replace(" ", "").startswith(title))
                or (c.heading_path and c.heading_path[0].no == no
                    and c.heading_path[0].title.replace(" ", "").startswith(title))
            ]
            if not unit:
                misses.append(f"{stem} {no} {title}: not segmented")
                total += 1
                continue
            for c, t in unit:
                total += 1
                if str(t) == want:
                    right += 1
                else:
                    misses.append(f"{stem} {c.clause_no} {c.clause_title}: {t} ≠ {want}")
    return right, total, misses


def test_tagging_accuracy_on_the_hand_checked_sample() -> None:
    right, total, misses = score_gold()
    assert total > 0
    # The samples must be perfect; real documents (when ../shared is present) ≥ 0.95.
    assert right / total >= 0.95, (right, total, misses[:20])


def test_samples_are_tagged_exactly() -> None:
    for stem, rows in _gold().items():
        if not stem.startswith("T_BZQC"):
            continue
        path = _find(stem)
        assert path is not None
        clauses = [c for d in process_file(path).documents for c in d.clauses]
        tags = dict(zip((c.clause_no for c in clauses), tag_elements(clauses), strict=False))
        for no, _title, want in rows:
            assert str(tags[no]) == want, (stem, no)

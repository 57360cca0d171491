"""The elements of a standard (GB/T 1.1—2020, chapter 6 and 8) and which one a clause is in.

A drafter asks "范围怎么写？" because they are writing one; the answer needs the rule, the
fixed wording and how real standards wrote *their* 范围.  To find "their 范围" the clause
tree must know what element each clause belongs to — no general-purpose RAG tool does.

The element of a clause is decided by the top of its heading path (chapter, annex or
unnumbered element), never by the clause's own words: "5.3 服务人员" is part of the core
technical elements because chapter 5 is "服务要求", and 3.2 is a terminology entry because
chapter 3 is "术语和定义".  Chapter *titles* decide, not chapter numbers: a 2009-style
standard without 规范性引用文件 has 术语和定义 as chapter 2.

Element names are the ones GB/T 1.1—2020 uses; the core technical elements are split by
what they do (要求, 试验方法, 检验规则 … for product standards; 服务提供, 服务保障, 服务评价与改进
for 服务标准, the layout GB/T 28222 and the sector guides use).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from grammar import wording
from grammar.schema import AnnexType, Clause, ClauseKind


class Element(StrEnum):
    """The elements, in the order GB/T 1.1—2020 gives them in a document."""

    COVER = "封面"
    TOC = "目次"
    FOREWORD = "前言"
    INTRODUCTION = "引言"
    TITLE = "文件名称"
    SCOPE = "范围"
    NORMATIVE_REFERENCES = "规范性引用文件"
    TERMS = "术语和定义"
    SYMBOLS = "符号和缩略语"
    CLASSIFICATION = "分类和编码"
    GENERAL = "总体原则和要求"
    REQUIREMENTS = "要求"
    SERVICE_PROVISION = "服务提供"
    SERVICE_SUPPORT = "服务保障"
    SERVICE_EVALUATION = "服务评价与改进"
    TEST_METHODS = "试验方法"
    INSPECTION = "检验规则"
    MARKING = "标志、包装、运输和贮存"
    OTHER_TECHNICAL = "其他技术要素"
    NORMATIVE_ANNEX = "规范性附录"
    INFORMATIVE_ANNEX = "资料性附录"
    BIBLIOGRAPHY = "参考文献"
    INDEX = "索引"


CORE_TECHNICAL: frozenset[Element] = frozenset(
    {
        Element.REQUIREMENTS,
        Element.SERVICE_PROVISION,
        Element.SERVICE_SUPPORT,
        Element.SERVICE_EVALUATION,
        Element.TEST_METHODS,
        Element.INSPECTION,
        Element.MARKING,
        Element.OTHER_TECHNICAL,
    }
)


# GB/T 1.1—2020 fixes the first three chapters of every standard: 1 范围, 2 规范性引用文件
# (kept, with a fixed sentence, when nothing is cited), 3 术语和定义.  A drafter asking
# "第2章还要保留吗？" about their own standard means the element, not some document's 2.
FIXED_CHAPTERS: dict[str, Element] = {
    "1": Element.SCOPE,
    "2": Element.NORMATIVE_REFERENCES,
    "3": Element.TERMS,
}


@dataclass(slots=True, frozen=True)
class _TitleRule:
    element: Element
    pattern: re.Pattern[str]


def _rule(element: Element, pattern: str) -> _TitleRule:
    return _TitleRule(element, re.compile(pattern))


# Chapter title → element, tried in order; the first rule that matches wins, so specific
# titles ("检验规则", "试验方法") come before generic ones ("…要求").  Service elements apply
# only to 服务标准 (see :func:`element_of_title`).
_CHAPTER_RULES: tuple[_TitleRule, ...] = (
    _rule(Element.SCOPE, r"^(?:适用)?范围$"),
    _rule(Element.NORMATIVE_REFERENCES, r"^(?:规范性)?引用(?:文件|标准)"),
    _rule(Element.TERMS, r"^(?:术语|定义)"),
    _rule(Element.SYMBOLS, r"^(?:符号|缩略语|代号|缩写)"),
    _rule(Element.CLASSIFICATION, r"^(?:分类|编码|型号|规格|产品分类|系统构成|组成|类型)"),
    _rule(
        Element.GENERAL,
        r"^(?:总则|基本(?:原则|要求|规定)|一般(?:要求|规定)|通用要求|原则|指导原则)$|总体(?:原则|要求)$",
    ),
    _rule(Element.TEST_METHODS, r"(?:试验|检验|检测|测试|测量)方法"),
    _rule(Element.INSPECTION, r"^(?:检验规则|检验$|合格评定|质量评定)"),
    _rule(Element.MARKING, r"^(?:标志|标识|包装|运输|贮存|储存)"),
    _rule(
        Element.SERVICE_PROVISION,
        r"流程|程序|过程|提供|交付|处理$|服务内容|服务项目|^内容|^项目|质量控制",
    ),
    _rule(Element.SERVICE_EVALUATION, r"评价|改进|满意度|考核|监督"),
    _rule(
        Element.SERVICE_SUPPORT,
        r"保障|资源|人员|设施|设备|环境|条件|组织|机构|管理制度|安全",
    ),
    _rule(Element.REQUIREMENTS, r"要求$|^技术|^性能|^质量"),
)
_SERVICE_ONLY = {Element.SERVICE_PROVISION, Element.SERVICE_EVALUATION, Element.SERVICE_SUPPORT}

_FRONT = {
    "目次": Element.TOC,
    "目录": Element.TOC,
    "前言": Element.FOREWORD,
    "引言": Element.INTRODUCTION,
    "参考文献": Element.BIBLIOGRAPHY,
    "索引": Element.INDEX,
}
# Kinds of the numbering families of standards; statutes and outlines have no elements.
_STANDARD_KINDS = {ClauseKind.CHAPTER, ClauseKind.CLAUSE, ClauseKind.TERM}
_SERVICE_WORD = re.compile(r"服务")


def element_of_title(title: str, *, service: bool = False) -> Element:
    """The element a body chapter titled ``title`` is (a chapter after the terms that no
    rule names is an other technical element).  ``service``: the document is a 服务标准,
    so a plain "要求" chapter is service provision rather than product requirements."""
    t = re.sub(r"\s+", "", title)
    for rule in _CHAPTER_RULES:
        if rule.element in _SERVICE_ONLY and not service:
            continue
        if rule.pattern.search(t):
            if service and rule.element is Element.REQUIREMENTS:
                return Element.SERVICE_PROVISION
            return rule.element
    return Element.OTHER_TECHNICAL


def _front_element(no: str, title: str) -> Element | None:
    key = re.sub(r"\s+", "", no or title)
    return _FRONT.get(key)


def is_service_standard(title: str) -> bool:
    """服务标准: the title names a service ("社区居家养老服务规范", "物业服务 客户投诉处理规范")."""
    return bool(_SERVICE_WORD.search(title or ""))


def tag_elements(clauses: Sequence[Clause]) -> list[Element | None]:
    """The element of each clause of ONE document, in order (None for documents with no
    GB/T 1.1 structure: statutes, outlines, web text).

    A document counts as structured when it has at least two numbered chapters or one of
    范围 / 规范性引用文件 / 术语和定义 — then its text before the first heading is the cover."""
    if not clauses:
        return []
    service = is_service_standard(clauses[0].doc_title)
    chapter_title: dict[str, str] = {}
    for c in clauses:
        if c.kind is ClauseKind.CHAPTER:
            chapter_title[c.clause_no] = c.clause_title
    structured = len(chapter_title) >= 2 or any(
        element_of_title(t) in (Element.SCOPE, Element.NORMATIVE_REFERENCES, Element.TERMS)
        for t in chapter_title.values()
    )
    out: list[Element | None] = []
    for c in clauses:
        out.append(_element(c, chapter_title, structured=structured, service=service))
    return out


def _element(
    c: Clause, chapter_title: dict[str, str], *, structured: bool, service: bool
) -> Element | None:
    if c.annex_type is not None or c.kind in (ClauseKind.ANNEX, ClauseKind.ANNEX_CLAUSE):
        if c.annex_type is AnnexType.NORMATIVE:
            return Element.NORMATIVE_ANNEX
        return Element.INFORMATIVE_ANNEX if structured else None
    if c.kind is ClauseKind.PREAMBLE:
        return Element.COVER if structured else None
    if c.kind is ClauseKind.ELEMENT:
        return _front_element(c.clause_no, c.clause_title) if structured else None
    if not structured:
        return None
    top = c.heading_path[0] if c.heading_path else None
    if top is not None and (front := _front_element(top.no, top.title)) is not None:
        return front  # a numbered item inside 前言 or 引言
    if c.kind is ClauseKind.TERM:
        return Element.TERMS
    # Whatever numbers a clause carries (a 条, an outline item "（1）", a list item), it
    # belongs to the chapter at the top of its heading path.
    chapter = (top.no if top else c.clause_no).split(".")[0].strip()
    if chapter in chapter_title:
        return element_of_title(chapter_title[chapter], service=service)
    if c.kind in _STANDARD_KINDS:
        return element_of_title(top.title if top else c.clause_title, service=service)
    return None


# ---------------------------------------------------------------------- provisions
class Provision(StrEnum):
    """What a clause's sentences do (GB/T 1.1—2020, 9.1 and 附录C): the strongest modal
    verb decides — a clause holding one 应 is a requirement clause."""

    REQUIREMENT = "要求"
    RECOMMENDATION = "推荐"
    PERMISSION = "允许"
    STATEMENT = "陈述"


_ORDER = (
    (Provision.REQUIREMENT, (wording.MODAL_REQUIREMENT, wording.MUST, wording.PROHIBITION)),
    (Provision.RECOMMENDATION, (wording.MODAL_RECOMMENDATION,)),
    (Provision.PERMISSION, (wording.MODAL_PERMISSION,)),
)

_NOTE = re.compile(r"^\s*注\s*\d*\s*[：:]", re.M)
_EXAMPLE = re.compile(r"^\s*示例\s*\d*\s*(?:[：:]|$)", re.M)
_LIST = re.compile(r"^\s*(?:[a-z]\)|\d+\)|——|—|·|•)", re.M)
_TABLE = re.compile(r"^\s*(?:表\s*[A-Z]?\.?\d+|\|)", re.M)


def provision_of(text: str) -> Provision:
    """The provision type of a clause: the strongest modal verb of GB/T 1.1—2020 附录C it
    uses outside quotation marks (a guide quoting “应” does not require anything)."""
    spans = wording.quoted_spans(text)
    for provision, patterns in _ORDER:
        for pattern in patterns:
            if any(wording.outside_quotes(text, m.start(), spans) for m in pattern.finditer(text)):
                return provision
    return Provision.STATEMENT


def forms_of(text: str) -> list[str]:
    """Which expression forms of GB/T 1.1—2020 chapter 9 the clause holds: 注, 示例, 列项, 表."""
    out = []
    if _NOTE.search(text):
        out.append("注")
    if _EXAMPLE.search(text):
        out.append("示例")
    if _LIST.search(text):
        out.append("列项")
    if _TABLE.search(text):
        out.append("表")
    return out


def annotate(clauses: Sequence[Clause]) -> None:
    """Write each clause's element, provision type (standards only) and expression forms
    into its record (``extra``), so
    search filters, the finder, drafting answers and the checker read them without
    re-deriving them.  ``clauses``: one document, in order."""
    for c, element in zip(clauses, tag_elements(clauses), strict=True):
        if element is not None:
            c.extra["element"] = str(element)
        if element is not None:
            c.extra["provision"] = str(provision_of(c.text))
        forms = forms_of(c.text)
        if forms:
            c.extra["forms"] = forms

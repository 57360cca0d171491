"""The skeleton of a new standard: chapters in the order GB/T 1.1—2020 gives for its document
type, each opened with the fixed wording the knowledge base prescribes, subject filled in.

Every generated sentence carries the citation of the clause that prescribes its pattern
(:class:`Sentence`.citation), so a drafter (and a reviewer) can trace it.  Where the
knowledge base holds no guidance clause with that wording, the sentence is the wording
GB/T 1.1—2020 itself prescribes, marked as built in (``citation`` None, ``basis`` given),
never presented as retrieved.  Exported as Markdown and as DOCX with real heading styles.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from qa.citations import cite
from qa.drafting import Pattern, SearcherLike, drafting_help
from qa.elements import element_named

# Document types and their core technical chapters (GB/T 1.1—2020, 8.11; service standards
# after GB/T 28222 and the sector guides).
DOC_TYPES: dict[str, tuple[str, ...]] = {
    "服务规范": ("基本要求", "服务内容", "服务流程", "服务质量控制", "服务评价与改进"),
    "产品规范": ("要求", "试验方法", "检验规则", "标志、包装、运输和贮存"),
    "规程": ("总体原则", "程序", "追溯/证实方法"),
    "指南": ("总体原则", "需考虑的因素"),
}
# What the 范围 sentence says, by document type (GB/T 1.1—2020, 8.5).
_SCOPE_VERB = {"服务规范": "规定了", "产品规范": "规定了", "规程": "确立了", "指南": "提供了"}

# The wording GB/T 1.1—2020 prescribes, used when the knowledge base has no guidance
# clause that states it.  (clause of GB/T 1.1—2020, wording)
_BUILT_IN: dict[str, tuple[str, str]] = {
    "前言": (
        "GB/T 1.1—2020，8.3",
        "本文件按照GB/T 1.1—2020《标准化工作导则  第1部分：标准化文件的结构和起草规则》的规定起草。",
    ),
    "范围": ("GB/T 1.1—2020，8.5", "本文件规定了……的要求，适用于……。"),
    "规范性引用文件": (
        "GB/T 1.1—2020，8.6",
        "下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。其中，注日期的引用文件，"
        "仅该日期对应的版本适用于本文件；不注日期的引用文件，其最新版本（包括所有的修改单）适用于本文件。",
    ),
    "术语和定义": ("GB/T 1.1—2020，8.7", "下列术语和定义适用于本文件。"),
}
_FILL = re.compile(r"(?:……|…|×××|XXX|xxx)(?=的)")


@dataclass(slots=True, frozen=True)
class Sentence:
    text: str
    citation: str | None  # the clause of the knowledge base that prescribes the pattern
    basis: str | None = None  # built-in wording: the GB/T 1.1—2020 clause it comes from


@dataclass(slots=True)
class Section:
    heading: str
    level: int  # 1 chapter / unnumbered element, 2 sub-clause
    sentences: list[Sentence] = field(default_factory=list)


@dataclass(slots=True)
class Skeleton:
    title: str
    doc_type: str
    sections: list[Section]

    def to_markdown(self) -> str:
        out = [
            f"# {self.title}",
            "",
            f"（文件类型：{self.doc_type}；由标准起草助手按句式生成，请逐句核对）",
            "",
        ]
        notes: list[str] = []
        for s in self.sections:
            out.append(f"{'#' * (s.level + 1)} {s.heading}")
            out.append("")
            for sent in s.sentences:
                ref = sent.citation or (f"{sent.basis}（内置句式）" if sent.basis else None)
                if ref:
                    notes.append(ref)
                    out.append(f"{sent.text}[^{len(notes)}]")
                else:
                    out.append(sent.text)
                out.append("")
        if notes:
            out += ["---", ""] + [f"[^{i}]: 句式依据：{n}" for i, n in enumerate(notes, 1)]
        return "\n".join(out).rstrip() + "\n"

    def to_docx(self) -> bytes:
        """A DOCX with Heading 1/2 styles (the structure survives in Word's navigation pane)
        and each sentence's basis in a trailing note."""
        from docx import Document

        doc = Document()
        doc.add_heading(self.title, level=0)
        for s in self.sections:
            doc.add_heading(s.heading, level=min(s.level, 3))
            for sent in s.sentences:
                p = doc.add_paragraph(sent.text)
                ref = sent.citation or (f"{sent.basis}（内置句式）" if sent.basis else None)
                if ref:
                    run = p.add_run(f"  〔依据：{ref}〕")
                    run.italic = True
        buf = io.BytesIO()
        doc.save(buf)
        return buf.getvalue()


def fill(text: str, subject: str) -> str:
    """Put the subject where the wording leaves a blank before "的" ("……的要求" →
    "社区助浴服务的要求"); other blanks stay for the drafter."""
    return _FILL.sub(subject, text) if subject else text


def _choose(patterns: Sequence[Pattern], prefer: str | None) -> Pattern | None:
    if prefer:
        for p in patterns:
            if prefer in p.text:
                return p
    return patterns[0] if patterns else None


def _opening(
    element: str, searcher: SearcherLike, subject: str, prefer: str | None = None
) -> list[Sentence]:
    """The opening sentence of an element: the knowledge base's pattern, else built in."""
    qe = element_named(element)
    help_ = drafting_help(f"{element}怎么写？", searcher, element=qe) if qe else None
    pattern = _choose(help_.patterns, prefer) if help_ else None
    if pattern is not None:
        return [Sentence(fill(pattern.text, subject), cite(pattern.clause))]
    if element in _BUILT_IN:
        basis, text = _BUILT_IN[element]
        if element == "范围" and prefer:
            text = text.replace("规定了", prefer)
        return [Sentence(fill(text, subject), None, basis)]
    return []


def build_skeleton(doc_type: str, subject: str, searcher: SearcherLike) -> Skeleton:
    """The skeleton of a ``doc_type`` standard on ``subject``."""
    if doc_type not in DOC_TYPES:
        raise ValueError(f"文件类型应为 {'/'.join(DOC_TYPES)} 之一")
    subject = subject.strip()
    title = f"{subject}{'规范' if '规范' in doc_type else doc_type}" if subject else "（文件名称）"
    sections = [
        Section("前言", 1, _opening("前言", searcher, subject, prefer="GB/T 1.1")),
        Section("1  范围", 1, _opening("范围", searcher, subject, prefer=_SCOPE_VERB[doc_type])),
        Section(
            "2  规范性引用文件", 1, _opening("规范性引用文件", searcher, subject, prefer="下列文件")
        ),
        Section("3  术语和定义", 1, _opening("术语和定义", searcher, subject, prefer="下列术语")),
    ]
    for i, chapter in enumerate(DOC_TYPES[doc_type], start=4):
        sections.append(Section(f"{i}  {chapter}", 1, [Sentence("（待起草）", None)]))
    sections.append(Section("附录A（规范性）  （附录名称）", 1, [Sentence("（如需要）", None)]))
    sections.append(Section("参考文献", 1, [Sentence("（如有资料性引用的文件，在此列出）", None)]))
    return Skeleton(title, doc_type, sections)

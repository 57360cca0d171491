"""Drafting help: for one element, the rule, the fixed wording and how real standards wrote it.

Someone asking "范围怎么写？" is about to write a 范围.  Quoting the governing clause is a
third of what they need; side by side they want

1. **规则** — the clauses of the guidance documents in the knowledge base that govern the
   element (GB/T 1.1—2020 8.5, a sector guide's "范围的编写"), cited;
2. **句式** — the fixed wording those clauses prescribe ("本文件规定了……，适用于……。"), as
   copyable templates, each cited to the clause that prescribes it;
3. **示例** — how real standards in the knowledge base wrote *their* element, one per
   standard, cited ("T/ZZB 1064—2019，1").

Rules are found by retrieval plus :func:`qa.elements.governs` (a clause *about* the
element); examples by the element tags of :mod:`grammar.elements` (a clause that *is* the
element); patterns are read out of the rule clauses (and their sub-clauses): quoted
sentences that speak of "本文件" or leave blanks ("……", "×××") to fill in.  Nothing here
needs an LLM.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from grammar.elements import Element as DocElement
from grammar.elements import tag_elements
from grammar.schema import Clause, ClauseKind
from qa.citations import cite
from qa.elements import Element, detect_element, governs, is_how_to

MAX_RULES = 3
MAX_PATTERNS = 6
MAX_EXAMPLES = 5
EXAMPLE_CHARS = 400

# Question element (qa.elements) → document element(s) whose instances are examples.
_INSTANCES: dict[str, tuple[DocElement, ...]] = {
    "封面": (DocElement.COVER,),
    "目次": (DocElement.TOC,),
    "前言": (DocElement.FOREWORD,),
    "引言": (DocElement.INTRODUCTION,),
    "范围": (DocElement.SCOPE,),
    "规范性引用文件": (DocElement.NORMATIVE_REFERENCES,),
    "术语和定义": (DocElement.TERMS,),
    "符号和缩略语": (DocElement.SYMBOLS,),
    "基本要求": (DocElement.GENERAL,),
    "服务内容": (DocElement.SERVICE_PROVISION,),
    "服务提供规范": (DocElement.SERVICE_PROVISION,),
    "服务质量控制": (DocElement.SERVICE_SUPPORT,),
    "服务评价与改进": (DocElement.SERVICE_EVALUATION,),
    "附录": (DocElement.NORMATIVE_ANNEX, DocElement.INFORMATIVE_ANNEX),
    "参考文献": (DocElement.BIBLIOGRAPHY,),
}

# A quoted sentence is a pattern when it is written for any document ("本文件…") or leaves
# blanks to fill in.
_QUOTED = re.compile(r"[“\"「『]([^”\"」』]{6,220})[”\"」』]")
_TEMPLATE_MARK = re.compile(r"本文件|本部分|本标准|……|…|×××|XXX|xxx|\[[^\]]{1,12}\]")
_BLANK = re.compile(r"……|…|×××|XXX|xxx")


class SearcherLike(Protocol):
    def search(self, query: str, k: int = 10) -> Sequence[object]: ...
    def clauses_of(self, doc_id: str) -> list[Clause]: ...
    def documents(self) -> list[object]: ...


@dataclass(slots=True, frozen=True)
class Pattern:
    """A fixed wording, as prescribed by ``clause``."""

    text: str
    clause: Clause

    @property
    def has_blanks(self) -> bool:
        return bool(_BLANK.search(self.text))

    def fill(self, subject: str) -> str:
        """The wording with its first blank filled by ``subject`` (the drafter's topic)."""
        return _BLANK.sub(subject, self.text, count=1) if subject else self.text


@dataclass(slots=True)
class DraftingHelp:
    element: str
    rules: list[Clause] = field(default_factory=list)
    patterns: list[Pattern] = field(default_factory=list)
    examples: list[Clause] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.rules or self.patterns or self.examples)

    def to_json(self) -> dict[str, object]:
        """``"drafting"`` of ``python -m qa --json``."""
        from qa.citations import Citation

        return {
            "element": self.element,
            "rules": [Citation.from_clause(c, 0.0).to_json() for c in self.rules],
            "patterns": [
                {"text": p.text, "citation": cite(p.clause), "clause_id": p.clause.clause_id}
                for p in self.patterns
            ],
            "examples": [
                {**Citation.from_clause(c, 0.0).to_json(), "text": example_text(c)}
                for c in self.examples
            ],
        }


def wants_drafting_help(question: str) -> Element | None:
    """The element when the question asks how to write one of the document's elements."""
    element = detect_element(question)
    if element is None or element.name not in _INSTANCES or not is_how_to(question):
        return None
    return element


def patterns_in(clauses: Iterable[Clause]) -> list[Pattern]:
    """Fixed wordings prescribed in ``clauses``, in order, each once."""
    out: list[Pattern] = []
    seen: set[str] = set()
    for c in clauses:
        for m in _QUOTED.finditer(c.text):
            text = m.group(1).strip()
            if not _TEMPLATE_MARK.search(text):
                continue
            key = re.sub(r"\s+", "", text)
            if key in seen:
                continue
            seen.add(key)
            out.append(Pattern(text, c))
    return out


def _subtree(clause: Clause, doc_clauses: Sequence[Clause]) -> list[Clause]:
    """``clause`` and the clauses under it (document order)."""
    out = [clause]
    for c in doc_clauses:
        if c.seq > clause.seq and any(
            h.no == clause.clause_no and h.title == clause.clause_title for h in c.heading_path
        ):
            out.append(c)
    return out


def example_text(clause: Clause, limit: int = EXAMPLE_CHARS) -> str:
    """What an example shows: the clause body, or for an annex its heading with its status."""
    text = clause.text.strip()
    if clause.kind is ClauseKind.ANNEX:
        text = f"{clause.status_heading}\n{text}".strip()
    return text if len(text) <= limit else text[:limit].rstrip() + "……"


def _element_tags(clauses: Sequence[Clause]) -> list[str | None]:
    """Stored tags when ingest wrote them; computed otherwise (a knowledge base ingested
    before element tagging existed)."""
    stored = [c.extra.get("element") for c in clauses]
    if any(stored):
        return stored
    return [str(t) if t else None for t in tag_elements(clauses)]


def _is_instance_of(clause: Clause, searcher: SearcherLike, wanted: set[str]) -> bool:
    """Is ``clause`` itself the element (a guide's own "1 范围" chapter) rather than a rule
    about writing it?"""
    if not wanted:
        return False
    doc = searcher.clauses_of(clause.doc_id)
    tags = _element_tags(doc)
    return any(
        c.clause_id == clause.clause_id and t in wanted for c, t in zip(doc, tags, strict=True)
    )


def _head_of_element(clauses: Sequence[Clause], wanted: set[str]) -> Clause | None:
    """The first clause of the element in a document that has something to show: the
    element's own heading when it has a body, else its first sub-clause with one."""
    tags = _element_tags(clauses)
    members = [c for c, t in zip(clauses, tags, strict=True) if t in wanted]
    for c in members:
        if c.kind is ClauseKind.PREAMBLE and "封面" in wanted and c.text.strip():
            return c  # the cover block is the example of a cover
        if c.kind is ClauseKind.ANNEX:
            return c  # an annex is shown by its heading: 附录A（规范性）…
        if c.kind is not ClauseKind.PREAMBLE and len(c.text.strip()) >= 8:
            return c
    return None


def drafting_help(
    question: str,
    searcher: SearcherLike,
    *,
    element: Element | None = None,
    max_rules: int = MAX_RULES,
    max_examples: int = MAX_EXAMPLES,
) -> DraftingHelp | None:
    """Rule, patterns and examples for the element the question asks how to write; None
    when it asks no such thing."""
    element = element or wants_drafting_help(question)
    if element is None:
        return None
    wanted = {str(t) for t in _INSTANCES.get(element.name, ())}
    hits = searcher.search(f"{element.name} 的编写 {' '.join(element.expand)}".strip(), k=40)
    rules: list[Clause] = []
    for h in hits:
        c: Clause = h.clause  # type: ignore[attr-defined]
        if (
            governs(c, element)
            and not _is_instance_of(c, searcher, wanted)
            and c.clause_id not in {r.clause_id for r in rules}
        ):
            rules.append(c)
        if len(rules) >= max_rules:
            break
    rule_docs = {r.doc_id for r in rules}
    pattern_source: list[Clause] = []
    for r in rules:
        pattern_source += _subtree(r, searcher.clauses_of(r.doc_id))
    patterns = patterns_in(pattern_source)[:MAX_PATTERNS]

    examples: list[Clause] = []
    for doc in searcher.documents():
        doc_id = doc.doc_id  # type: ignore[attr-defined]
        if doc_id in rule_docs:
            continue  # the guide itself is not an example of the element
        head = _head_of_element(searcher.clauses_of(doc_id), wanted)
        if head is not None:
            examples.append(head)
    # Standards written to the 2020 rules ("本文件") first, then by code; one per document.
    examples.sort(key=lambda c: ("本文件" not in c.text, c.standard_code is None, c.doc_title))
    return DraftingHelp(element.name, rules, patterns, examples[:max_examples])


def drafting_text(help_: DraftingHelp) -> str:
    """The three parts as plain text (the CLI's text mode)."""
    lines = [f"\n【起草参考：{help_.element}】", "规则："]
    lines += [f"  {cite(c)} {c.clause_title}".rstrip() for c in help_.rules] or ["  （知识库中无）"]
    lines.append("句式：")
    lines += [f"  {p.text}  {cite(p.clause)}" for p in help_.patterns] or ["  （规则未给出）"]
    lines.append("示例：")
    lines += [f"  {cite(c)} {example_text(c, 80)}".replace("\n", " ") for c in help_.examples] or [
        "  （知识库中无）"
    ]
    return "\n".join(lines)

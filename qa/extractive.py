"""The answerer that needs no language model: quote what the clauses require, and cite.

Works on a fresh machine with nothing but the index.  For each relevant clause it picks the
sentences that carry the question's wording (the clause's requirement, not its preamble),
groups clauses by document, and ends every statement with its citation.  For "how do I
write X" questions the clauses that govern X come first; a standard's own X chapter follows
as an example.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from grammar.families.annex import asks_annex_status
from grammar.schema import Clause, ClauseKind
from qa.citations import cite
from qa.elements import Element
from qa.relevance import content_grams, coverage

MAX_EXCERPT = 360  # characters of one clause's excerpt (a lead-in keeps its items)
MAX_LIST = 900  # ... but a lead-in with its list may run to this
SECTION_CAP = 8  # children of a section shown in an answer


@dataclass(slots=True)
class Evidence:
    """A clause chosen to answer from, with why.  ``children``: set when the clause is a
    section (a heading standing for its subtree); the answer then gives them instead."""

    clause: Clause
    score: float
    coverage: float
    governing: bool = False
    example: bool = False
    children: list[Clause] = field(default_factory=list)
    lead: bool = False
    part: bool = False  # the best clause for one part of a multi-part question (qa.parts)


_ITEM = re.compile(r"^(?:[a-z][)）]|\d{1,2}[)）]|——|—|·|•|●|-\s|\(?\d{1,2}\)|[①-⑳])")
_SPLIT = re.compile(r"(?<=[。；！？!?;])")


def _units(text: str) -> list[str]:
    """Lines of a clause, long prose lines cut into sentences; list items and table rows
    stay whole lines."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if len(line) > 120 and not _ITEM.match(line) and "|" not in line:
            out += [p.strip() for p in _SPLIT.split(line) if p.strip()]
        else:
            out.append(line)
    return out


def excerpt_lines(clause: Clause, question: str, limit: int = MAX_EXCERPT) -> list[str]:
    """The clause's most relevant lines, in their original order, within ``limit``.

    Short clauses are quoted whole, line by line (列项, table rows and line breaks kept).
    A line that introduces a list ("…：") brings its items along, since a lead-in without
    its items says nothing; an item brings its lead-in.
    """
    units = _units(clause.text)
    if not units:
        return [clause.clause_title] if clause.clause_title else []
    if sum(len(u) for u in units) <= limit:
        return units
    grams = content_grams(question)
    ranked = sorted(range(len(units)), key=lambda i: (-coverage(grams, units[i]), i))
    chosen: set[int] = set()
    used = 0

    def take(i: int) -> None:
        nonlocal used
        if i not in chosen:
            chosen.add(i)
            used += len(units[i])

    for i in ranked:
        if used >= limit:
            break
        start = i
        if _ITEM.match(units[i]):  # an item: back to its lead-in
            while start > 0 and _ITEM.match(units[start]):
                start -= 1
        take(start)
        if units[start].endswith(("：", ":")) or _ITEM.match(units[i]):
            j = start + 1
            while j < len(units) and _ITEM.match(units[j]) and used < MAX_LIST:
                take(j)
                j += 1
        take(i)
    picked = sorted(chosen)
    lines = [units[i] for i in picked]
    if picked != list(range(len(units))):
        lines[-1] = lines[-1] + ("……" if not lines[-1].endswith(("。", "；", "：")) else "")
    return lines


def excerpt(clause: Clause, question: str, limit: int = MAX_EXCERPT) -> str:
    """:func:`excerpt_lines` joined on one line (for callers that need plain text)."""
    return " ".join(excerpt_lines(clause, question, limit))


_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>#!|~])")
_MD_LINE_START = re.compile(r"^(\s*)(\d{1,9})([.)])(?=\s|$)|^(\s*)([-+=])(?=\s|$)")


def md_text(text: str) -> str:
    """Document text made inert for Markdown: no links, images, emphasis or HTML from a
    document can take effect in the answer (which is Markdown: **bold**, - lists)."""
    return _MD_ACTIVE.sub(r"\\\1", text)


def md_line(text: str) -> str:
    """One line of document text for a Markdown list item: inert (:func:`md_text`), and
    a leading "1)" or "-" stays text instead of opening a nested list."""
    return _MD_LINE_START.sub(_escape_marker, md_text(text))


def _escape_marker(m: re.Match[str]) -> str:
    if m.group(2) is not None:
        return f"{m.group(1)}{m.group(2)}\\{m.group(3)}"
    return f"{m.group(4)}\\{m.group(5)}"


def _doc_heading(clause: Clause) -> str:
    if clause.standard_code:
        return f"**{md_text(clause.standard_code)}《{md_text(clause.doc_title)}》**"
    return f"**《{md_text(clause.doc_title)}》**"


def _clause_heading(clause: Clause) -> str:
    """The heading an answer shows (an annex's with its status)."""
    head = clause.status_heading if clause.clause_no else clause.clause_title
    part = clause.extra.get("part")
    if part and clause.extra.get("parts", 1) > 1:
        head = f"{head}（第{part}部分）"
    return head


HARD_BREAK = "  \n"


def _item(clause: Clause, question: str, indent: str, prefix: str = "") -> str:
    """One bullet: heading, the excerpt with its line breaks, the citation at the end."""
    lines = [md_line(x) for x in excerpt_lines(clause, question)]
    head = f"{indent}- {prefix}{md_text(_clause_heading(clause))}："
    if not lines:
        return head + cite(clause)
    cont = indent + "  "
    if len(lines) == 1:
        return f"{head}{lines[0]}{cite(clause)}"
    body = HARD_BREAK.join([lines[0], *(cont + x for x in lines[1:])])
    return f"{head}{body}{cite(clause)}"


def ordered(evidence: Sequence[Evidence]) -> list[list[Evidence]]:
    """Evidence grouped by document — the lead's document first, the others in order of
    their best clause — and in document order inside a document, except that the lead
    clause opens the answer.  A multi-part question's answer opens with one clause per
    part (``part``), in document order, then the rest."""
    groups: dict[str, list[Evidence]] = {}
    for ev in evidence:
        groups.setdefault(ev.clause.doc_id, []).append(ev)
    out = []
    for items in groups.values():
        lead = [e for e in items if e.lead or e.part]
        if any(e.part for e in lead):
            lead.sort(key=lambda e: e.clause.seq)
        rest = sorted((e for e in items if not (e.lead or e.part)), key=lambda e: e.clause.seq)
        out.append(lead + rest)
    return out


def compose_answer(
    question: str, evidence: Sequence[Evidence], element: Element | None, how_to: bool
) -> str:
    """Markdown answer: an opening line, then clauses grouped by document, each statement
    followed by its citation; a section gives its children (capped) in document order.
    No clause is shown twice."""
    if element is not None and how_to:
        opening = f"关于“{element.name}”的编写，知识库中的相关条款规定如下："
    elif element is not None:
        opening = f"关于“{element.name}”，知识库中的相关条款规定如下："
    else:
        opening = "根据知识库中的相关条款："
    lines = [opening, ""]
    shown: set[str] = set()
    for items in ordered(evidence):
        lines.append(_doc_heading(items[0].clause))
        for ev in items:
            c = ev.clause
            if c.clause_id in shown:
                continue
            shown.add(c.clause_id)
            if ev.children:
                # An empty child heading (a sub-section) is no evidence by itself.
                eligible = [k for k in ev.children if k.clause_id not in shown and k.text.strip()]
                kids = eligible[:SECTION_CAP]
                # An empty heading is no evidence — except an annex's when its status is
                # asked: the heading alone states it, so it is the answer and is cited.
                status_asked = (
                    not c.text.strip()
                    and c.kind is ClauseKind.ANNEX
                    and c.annex_type is not None
                    and asks_annex_status(question)
                )
                lines.append(
                    f"- **{md_text(_clause_heading(c))}**{cite(c) if status_asked else ''}"
                )
                if c.text.strip():
                    lines.append(_item(c, question, "  "))
                for k in kids:
                    shown.add(k.clause_id)
                    lines.append(_item(k, question, "  "))
                more = len(eligible) - SECTION_CAP
                if more > 0:
                    lines.append(f"  - ……（另有 {more} 条，见{md_text(_clause_heading(c))}）")
                continue
            lines.append(_item(c, question, "", "示例——" if ev.example else ""))
        lines.append("")
    lines.append("以上内容摘自知识库中的条款原文，引用前请核对标准全文及其现行有效版本。")
    return "\n".join(lines).strip()

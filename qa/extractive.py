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
from dataclasses import dataclass

from grammar.schema import Clause
from qa.citations import cite
from qa.elements import Element
from qa.relevance import content_grams, coverage, sentences

MAX_EXCERPT = 220


@dataclass(slots=True)
class Evidence:
    """A clause chosen to answer from, with why."""

    clause: Clause
    score: float
    coverage: float
    governing: bool = False
    example: bool = False


def excerpt(clause: Clause, question: str, limit: int = MAX_EXCERPT) -> str:
    """The clause's most relevant sentences, in their original order, within ``limit``.

    Short clauses are quoted whole.  A sentence that introduces a list ("…：") brings its
    items along, since a lead-in without its items says nothing.
    """
    text = clause.text.strip()
    if not text:
        return clause.clause_title
    if len(text) <= limit:
        return " ".join(line.strip() for line in text.splitlines() if line.strip())
    parts = sentences(text)
    grams = content_grams(question)
    ranked = sorted(range(len(parts)), key=lambda i: (-coverage(grams, parts[i]), i))
    chosen: set[int] = set()
    used = 0
    for i in ranked:
        if used >= limit:
            break
        group = [i]
        if parts[i].endswith(("：", ":")):
            j = i + 1
            while j < len(parts) and used + sum(len(parts[k]) for k in group) < limit * 1.5:
                group.append(j)
                if not parts[j].endswith(("；", ";")):
                    break
                j += 1
        for k in group:
            if k not in chosen:
                chosen.add(k)
                used += len(parts[k])
    if not chosen:
        chosen = {0}
    picked = [parts[i] for i in sorted(chosen)]
    out = " ".join(picked)
    if len(out) > limit * 1.6:
        out = out[: int(limit * 1.6)].rstrip() + "……"
    elif sorted(chosen) != list(range(len(parts))):
        out += "……" if not out.endswith(("。", "；")) else ""
    return out


_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>#!|~])")


def md_text(text: str) -> str:
    """Document text made inert for Markdown: no links, images, emphasis or HTML from a
    document can take effect in the answer (which is Markdown: **bold**, - lists)."""
    return _MD_ACTIVE.sub(r"\\\1", text)


def _doc_heading(clause: Clause) -> str:
    if clause.standard_code:
        return f"**{md_text(clause.standard_code)}《{md_text(clause.doc_title)}》**"
    return f"**《{md_text(clause.doc_title)}》**"


def _clause_heading(clause: Clause) -> str:
    head = clause.heading if clause.clause_no else clause.clause_title
    part = clause.extra.get("part")
    if part and clause.extra.get("parts", 1) > 1:
        head = f"{head}（第{part}部分）"
    return head


def compose_answer(
    question: str, evidence: Sequence[Evidence], element: Element | None, how_to: bool
) -> str:
    """Markdown answer: an opening line, then clauses grouped by document, each statement
    followed by its citation."""
    if element is not None and how_to:
        opening = f"关于“{element.name}”的编写，知识库中的相关条款规定如下："
    elif element is not None:
        opening = f"关于“{element.name}”，知识库中的相关条款规定如下："
    else:
        opening = "根据知识库中的相关条款："
    lines = [opening, ""]
    order: list[str] = []
    groups: dict[str, list[Evidence]] = {}
    for ev in evidence:
        key = ev.clause.doc_id
        if key not in groups:
            order.append(key)
            groups[key] = []
        groups[key].append(ev)
    for key in order:
        items = groups[key]
        lines.append(_doc_heading(items[0].clause))
        for ev in items:
            prefix = "示例——" if ev.example else ""
            lines.append(
                f"- {prefix}{md_text(_clause_heading(ev.clause))}："
                f"{md_text(excerpt(ev.clause, question))}"
                f"{cite(ev.clause)}"
            )
        lines.append("")
    lines.append("以上内容摘自知识库中的条款原文，引用前请核对标准全文及其现行有效版本。")
    return "\n".join(lines).strip()

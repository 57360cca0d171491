"""Sections: a heading with no body of its own stands for its whole subtree.

"6.2 前言" in a drafting guide has no text; its content is 6.2.1–6.2.4.  Indexed as an
empty clause it is findable only by its title and, when it wins, an answer quoting it says
nothing ("6.2 前言：前言").  Here such a heading becomes a *section*:

* it is embedded and BM25-indexed as its heading path, its children's titles and the
  opening sentences of its children (:func:`section_passage`), so a question about the
  topic as a whole finds it;
* when it wins, the answer gives its children in document order (``qa.extractive``);
* an empty heading without children (a stray TOC line, a lost body) is never evidence.

The segmenter may mark sections itself (``clause.extra["section"]`` or a ``section``
kind); without the mark a clause whose body is (nearly) empty and that has children is
taken for one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from grammar.schema import Clause, ClauseKind, HeadingRef

MAX_BODY = 12  # characters of own text a heading may carry and still be a section
SECTION_CHILDREN = 12  # children listed in a section's passage and answer
OPENING = 40  # characters of each child's text in the section's passage

_SPACE = re.compile(r"\s+")


def body_chars(clause: Clause) -> int:
    """Characters of real text in the clause body (spaces and punctuation-only lines
    ignored)."""
    return len(re.sub(r"[\s\W_]+", "", clause.text))


def marked_section(clause: Clause) -> bool:
    """The segmenter said so (forward compatible with a schema that marks sections)."""
    return bool(clause.extra.get("section")) or str(clause.kind) == "section"


def is_empty(clause: Clause) -> bool:
    """A heading without a body of its own: never evidence by itself."""
    return body_chars(clause) <= MAX_BODY


def heading_ref(clause: Clause) -> HeadingRef:
    """How ``clause`` appears on its children's heading paths: its number and title (the
    parent relation :func:`children_map` builds, and :func:`qa.gate.item_of` reads)."""
    return HeadingRef(clause.clause_no, clause.clause_title)


def lies_under(clause: Clause, heading: Clause) -> bool:
    """Is ``clause`` in ``heading``'s subtree (same document, ``heading`` on its heading
    path)?  A named heading that the ranking put below such a clause has given it the
    answer (qa.rerank.settle, qa.answer.lead_index)."""
    return clause.doc_id == heading.doc_id and heading_ref(heading) in clause.heading_path


def children_map(clauses: Iterable[Clause]) -> dict[str, list[Clause]]:
    """Direct children of every clause, in document order (clauses of one or more
    documents; each document's clauses are ordered by ``seq``)."""
    by_doc: dict[str, list[Clause]] = {}
    for c in clauses:
        by_doc.setdefault(c.doc_id, []).append(c)
    out: dict[str, list[Clause]] = {}
    for cs in by_doc.values():
        cs.sort(key=lambda c: c.seq)
        stack: list[Clause] = []  # open ancestors, outermost first
        for c in cs:
            depth = len(c.heading_path)
            while stack and (
                len(stack[-1].heading_path) >= depth
                or c.heading_path[len(stack[-1].heading_path)] != heading_ref(stack[-1])
            ):
                stack.pop()
            if stack and len(stack[-1].heading_path) == depth - 1:
                out.setdefault(stack[-1].clause_id, []).append(c)
            stack.append(c)
    return out


def is_section(clause: Clause, children: Sequence[Clause] | None) -> bool:
    """A heading that stands for its subtree: marked so, or empty with children."""
    if not children:
        return False
    return marked_section(clause) or is_empty(clause)


def _opening(text: str) -> str:
    first = _SPACE.sub(" ", text).strip()
    return first[:OPENING]


def section_passage(clause: Clause, children: Sequence[Clause]) -> str:
    """What a section is embedded as: document title, heading path, then each child's
    heading and the opening of its text."""
    head = f"{clause.doc_title}｜{' > '.join(clause.path_labels())}\n"
    parts = [clause.text.strip()] if clause.text.strip() else []
    for child in children[:SECTION_CHILDREN]:
        opening = _opening(child.text)
        parts.append(f"{child.heading} {opening}".strip())
    return head + "；".join(parts)


def section_bm25_text(clause: Clause, children: Sequence[Clause]) -> str:
    """What BM25 sees of a section: heading path, own text and the children's titles."""
    titles = " ".join(c.clause_title for c in children if c.clause_title)
    return f"{clause.doc_title} {' '.join(clause.path_labels())} {titles}\n{clause.text}"


def descendants(children: dict[str, list[Clause]], clause_id: str) -> list[Clause]:
    """Every clause under ``clause_id`` (children map of :func:`children_map`), in
    document order."""
    out: list[Clause] = []
    for child in children.get(clause_id, []):
        out.append(child)
        out += descendants(children, child.clause_id)
    return out


def _bare(text: str) -> str:
    return _SPACE.sub("", text)


def element_sections(
    clauses: Iterable[Clause], names: Sequence[str], children: dict[str, list[Clause]]
) -> list[Clause]:
    """The clauses of one document headed by a drafting element ("前言", "1 范围",
    "3 术语和定义"): the heading (or the number an unnumbered element is stored under)
    is one of ``names``, spaces ignored ("前 言").  A heading with neither text nor
    children (a 目次 line) is left out: it is no answer."""
    wanted = {_bare(n) for n in names if n}
    return [
        c
        for c in clauses
        if (_bare(c.clause_title) in wanted or _bare(c.clause_no) in wanted or _headless(c, wanted))
        and (not is_empty(c) or children.get(c.clause_id))
    ]


def _headless(clause: Clause, wanted: set[str]) -> bool:
    """Is ``clause`` an element that has no heading of its own, by the element the
    structure gives it (:func:`grammar.elements.annotate`: ``extra["element"]``)?  The
    text before a standard's first heading is its 封面 (ICS/CCS, title, English title,
    发布/实施 dates, the edition replaced): it carries neither the name nor a number, so
    "GB/T 28181—2022 封面写的发布日期……" found no section before and the cover sank below
    the body clauses that mention dates.  Only heading-less text is judged this way — a
    clause *inside* a chapter carries its chapter's element too, and is no section."""
    if clause.kind is not ClauseKind.PREAMBLE:
        return False
    return _bare(str(clause.extra.get("element") or "")) in wanted

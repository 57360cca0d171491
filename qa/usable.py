"""Which retrieved clauses may serve as evidence for a question at all.

Some clauses match a question's words without saying anything about it:

* an empty heading ("6.5 技术要求" with no text) — its content, if any, is its children
  (a *section*, answered through them, see :mod:`index.sections`);
* cover matter (the text before the first heading of a standard or a law: ICS, 发布
  dates, the masthead; a web article's opening paragraph is content) and the 目次, which
  repeat every heading of the document;
* reference lists — 参考文献 and the list of 规范性引用文件 — which name other documents
  by code and title; a question about content ("档案的保管期限") matches the title of a
  cited standard there, not a requirement.

They remain evidence when the question is about that very element ("规范性引用文件怎么
列？" may show a real list as an example; "封面写什么" a real cover).
"""

from __future__ import annotations

import re

from grammar.codes import find_codes
from grammar.cover import has_masthead
from grammar.schema import Clause, ClauseKind
from qa.elements import Element

_TOC = ("目次", "目录")
_REFERENCE_LISTS = ("参考文献", "规范性引用文件")
_TOC_LINE = re.compile(r"(?:\.{3,}|…{2,}|·{3,})\s*[\dⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+\s*$")


def _title(clause: Clause) -> str:
    return re.sub(r"\s", "", clause.clause_title or clause.clause_no)


def _asked(element: Element | None, *names: str) -> bool:
    return element is not None and any(n in element.names() for n in names)


def is_reference_list(clause: Clause) -> bool:
    """A list of documents: most non-empty lines begin with a standard code (or "[n]")."""
    lines = [ln.strip() for ln in clause.text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return False
    listed = 0
    for ln in lines:
        codes = find_codes(ln)
        if (codes and codes[0].start <= 2) or re.match(r"^\[\d+\]", ln):
            listed += 1
    return listed >= max(2, 0.5 * len(lines))


def is_toc(clause: Clause) -> bool:
    """The table of contents (by title, or by its dot-leader page-number lines)."""
    if _title(clause) in _TOC:
        return True
    lines = [ln for ln in clause.text.splitlines() if ln.strip()]
    return len(lines) >= 3 and sum(bool(_TOC_LINE.search(ln)) for ln in lines) >= 0.6 * len(lines)


def is_cover(clause: Clause) -> bool:
    """Is this text before the first heading cover matter?  A standard's always is; an
    article's opening paragraph (a web guide has no code and no masthead) is its
    introduction and can answer a question.  Masthead matter: :func:`grammar.cover.has_masthead`
    (a classification or filing number, a replaced code, a date with what happened on it)."""
    return bool(clause.standard_code) or has_masthead(clause.text)


def unusable(clause: Clause, element: Element | None, section: bool = False) -> str | None:
    """Why ``clause`` cannot be evidence for a question about ``element`` (None: it can).

    ``section``: the clause stands for its children (then an empty body is fine)."""
    # The cover states the edition a standard replaces and its correspondence with an
    # international document (GB/T 1.1—2020, 8.1): facts a question about the 前言 asks too,
    # and where a transcription without a "前言" heading keeps the foreword's text.
    if (
        clause.kind == ClauseKind.PREAMBLE
        and is_cover(clause)
        and not _asked(element, "封面", "前言")
    ):
        return "cover"
    if is_toc(clause) and not _asked(element, "目次"):
        return "toc"
    title = _title(clause)
    in_list = title in _REFERENCE_LISTS or any(
        re.sub(r"\s", "", h.title) in _REFERENCE_LISTS for h in clause.heading_path[-1:]
    )
    # An element listing documents ("引言" naming the standards it belongs with) is that
    # element, not a reference list, to a question about it.
    asked_here = element is not None and element.named_by(title)
    if (
        (in_list or is_reference_list(clause))
        and not asked_here
        and not _asked(element, *_REFERENCE_LISTS)
    ):
        # The drafting guide's clause *about* 规范性引用文件 is prose, not a list.
        prose = clause.kind not in (ClauseKind.CHAPTER, ClauseKind.ELEMENT)
        if in_list and prose and not is_reference_list(clause):
            return None
        return "reference list"
    if not section and not re.sub(r"[\s\W_]+", "", clause.text):
        return "empty heading"
    return None

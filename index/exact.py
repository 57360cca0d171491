"""The exact route: a query that names a clause gets that clause first.

Drafters often ask about a clause they already know: "GB/T 1.1 的 8.6 条说什么",
"标准化法第三条", "附录A 是什么", "3.2 的定义".  Embeddings and BM25 treat "8.6" as noise, so
we parse clause references out of the query and look them up directly:

* which clause — :func:`grammar.refs.find_refs` (GB numbers "8.6"/"第8.6条", chapters
  "第8章"/"8章" also tried as regulation chapter "第八章", annexes, annex clauses, regulation
  articles/chapters/sections);
* which document — documents matching a standard code in the query (compared on the code
  without year too) or a title the query mentions (also without "中华人民共和国"), else
  every document that has such a clause.

Cross-references between clauses are not an issue here (the query is short); a bare
number like "24" or "PM2.5" is never taken for a clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grammar.codes import (
    code_base,
    code_from_filename,
    code_matches,
    find_codes,
    without_codes,
)
from grammar.numbering import halfwidth
from grammar.refs import find_refs
from grammar.schema import DocumentInfo


@dataclass(slots=True, frozen=True)
class ClauseRef:
    """Clause numbers the query may mean (any of them) and documents it may be in
    (None: any document; empty: a named document that is not in the knowledge base)."""

    clause_nos: tuple[str, ...]
    doc_ids: tuple[str, ...] | None


def document_codes(d: DocumentInfo) -> tuple[str, ...]:
    """Every code a document answers to: its stored code, a code printed in its title
    ("GB/T 1.1—2020 标准化工作导则 …" when the code was not split off), and a code spelled
    in its file name ("GB_T_1.1-2020_…")."""
    code, title, source = (getattr(d, k, None) for k in ("standard_code", "title", "source"))
    codes = [code] if code else []
    codes += [m.code for m in find_codes(title or "")]
    if source:
        stem = Path(source).stem
        found = code_from_filename(stem) or next((m.code for m in find_codes(stem)), None)
        if found:
            codes.append(found)
    return tuple(dict.fromkeys(codes))


def _series(code: str) -> str:
    """The code without its part number and year: "JR/T 0071.2—2020" -> "JR/T 0071"."""
    return code_base(code).split(".", 1)[0]


def code_named(code: str, d: DocumentInfo) -> bool:
    """Does ``code`` (as asked) name document ``d``?  Also when it names the series the
    document is a part of ("GB/T 11982" or "GB/T 11982—2005" for GB/T 11982.1—2005):
    people cite a multi-part standard by its number alone."""
    for c in document_codes(d):
        if code_matches(code, c):
            return True
        asked = code_base(code)
        if "." in code_base(c) and "." not in asked and _series(c) == asked:
            years = (code.partition("—")[2], c.partition("—")[2])
            if not all(years) or years[0] == years[1]:
                return True
    return False


def _title_forms(d: DocumentInfo) -> tuple[str, ...]:
    """The names a document's title is asked by: as stored and in half-width ("细则(四篇)"
    and "细则（四篇）" alike), with and without "中华人民共和国"."""
    raw = re.sub(r"\s", "", without_codes(d.title))
    forms = (raw, halfwidth(raw))
    forms += tuple(f.removeprefix("中华人民共和国") for f in forms)
    return tuple(n for n in dict.fromkeys(forms) if len(n) >= 3)


def documents_named(query: str, documents: Iterable[DocumentInfo]) -> list[str] | None:
    """Documents the query names, by standard code *or* title; None when it names none;
    [] when it names a code or title that no document matches (then no clause of another
    document may be returned as "the" clause).

    A document is named when any document matches either its code or its title: a
    question naming "GB/T 1.1—2020 标准化工作导则" finds the document whose code was never
    stored (a transcription that lost its cover) through its title.
    """
    docs = list(documents)
    codes = [m.code for m in find_codes(query)]
    by_code = [d.doc_id for d in docs if any(code_named(c, d) for c in codes)]
    # Compared in half-width: "细则（四篇）" asked, "细则(四篇)" stored.
    q = re.sub(r"[\s《》]", "", query)
    q += "\n" + halfwidth(q)
    matched: list[tuple[str, str]] = []  # (doc_id, the title form found in the query)
    for d in docs:
        for n in _title_forms(d):
            if n in q:
                matched.append((d.doc_id, n))
                break
    # "标准化法实施条例" also contains "标准化法": keep only the longest names found.
    by_title = [doc_id for doc_id, n in matched if not any(n != m and n in m for _, m in matched)]
    hits = list(dict.fromkeys([*by_code, *by_title]))
    if hits:
        return hits
    return [] if codes else None


def strip_document_names(query: str, documents: Iterable[DocumentInfo]) -> str:
    """The query without the document titles and standard codes it names.

    "标准化法规定了哪些标准的类别？" is about categories of standards *in* 标准化法; left in
    the query, the title matches every clause of that law equally (its title is part of
    each embedded passage) and drowns the topic.  The document itself is handled by the
    scoped search of the retrieval pipeline (:func:`index.retrievers.scoped`).
    """
    out = without_codes(query)
    names: set[str] = set()
    for d in documents:
        names |= set(_title_forms(d))
    for name in sorted(names, key=len, reverse=True):
        out = out.replace(f"《{name}》", " ").replace(name, " ")
    return re.sub(r"\s+", " ", out).strip()


def parse_clause_refs(query: str, documents: Iterable[DocumentInfo]) -> list[ClauseRef]:
    """Clause references in ``query`` (:func:`grammar.refs.find_refs`), in order, each
    with the documents it may be in."""
    refs = [r for r in find_refs(query) if r.candidates]
    if not refs:
        return []
    named = documents_named(query, documents)
    doc_ids = None if named is None else tuple(named)
    return [ClauseRef(r.candidates, doc_ids) for r in refs]

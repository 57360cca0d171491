"""The exact route: a query that names a clause gets that clause first.

Drafters often ask about a clause they already know: "GB/T 1.1 的 8.6 条说什么",
"标准化法第三条", "附录A 是什么", "3.2 的定义".  Embeddings and BM25 treat "8.6" as noise, so
we parse clause references out of the query and look them up directly:

* which clause — GB numbers with a dot ("8.6", "8.6条", "第8.6条"), chapters written
  "第8章"/"8章" (also tried as regulation chapter "第八章"), annexes ("附录A"), annex
  clauses ("A.1.2"), regulation articles/chapters/sections ("第三条", "第二章");
* which document — standard codes in the query (``grammar.codes.find_codes``, compared on the
  code without year too), else document titles the query mentions (also without
  "中华人民共和国"), else every document that has such a clause.

Cross-references between clauses are not an issue here (the query is short); a bare
number like "24" or "PM2.5" is never taken for a clause.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from grammar.codes import code_matches, find_codes, without_codes
from grammar.numbering import chinese_to_int, halfwidth, int_to_chinese, normalize_clause_no
from grammar.schema import DocumentInfo

_NUM = r"[零〇一二三四五六七八九十百千两\d]{1,6}"
_REF = re.compile(
    r"附录\s*(?P<annex>[A-Za-z])(?![A-Za-z])"
    r"|(?<![A-Za-z0-9./])(?P<aclause>[A-Z]\.\d{1,3}(?:\.\d{1,3}){0,4})(?![\d.]*\d)"
    rf"|第\s*(?P<reg>{_NUM})\s*(?P<unit>编|章|节|条)"
    r"|(?<![A-Za-z0-9./])(?P<gb>\d{1,3}(?:\.\d{1,3}){1,4})(?![\d.]*\d)(?!\s*(?:%|％|mm|cm|m|kg|g|h|d|min|℃))"
    r"|(?<![A-Za-z0-9./])(?P<chap>\d{1,2})\s*章"
)


@dataclass(slots=True, frozen=True)
class ClauseRef:
    """Clause numbers the query may mean (any of them) and documents it may be in
    (None: any document; empty: a named document that is not in the knowledge base)."""

    clause_nos: tuple[str, ...]
    doc_ids: tuple[str, ...] | None


def _code_spans(query: str) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in find_codes(query)]


def _candidates(m: re.Match[str]) -> tuple[str, ...]:
    if m.group("annex"):
        return (f"附录{m.group('annex').upper()}",)
    if m.group("aclause"):
        return (m.group("aclause"),)
    if m.group("reg"):
        raw, unit = m.group("reg"), m.group("unit")
        n = int(raw) if raw.isdigit() else chinese_to_int(raw)
        if not n:
            return ()
        reg = f"第{int_to_chinese(n)}{unit}"
        if unit == "章":  # "第8章" of a standard is chapter "8"
            return (reg, str(n))
        return (reg,)
    if m.group("gb"):
        return (normalize_clause_no(m.group("gb")),)
    if m.group("chap"):
        n = int(m.group("chap"))
        return (str(n), f"第{int_to_chinese(n)}章")
    return ()


def documents_named(query: str, documents: Iterable[DocumentInfo]) -> list[str] | None:
    """Documents the query names; None when it names none; [] when it names a standard
    code that is not in the knowledge base (then no clause of another document may be
    returned as "the" clause)."""
    docs = list(documents)
    codes = [m.code for m in find_codes(query)]
    if codes:
        return [d.doc_id for d in docs if any(code_matches(c, d.standard_code) for c in codes)]
    q = re.sub(r"[\s《》]", "", query)
    matched: list[tuple[str, str]] = []  # (doc_id, the title form found in the query)
    for d in docs:
        title = re.sub(r"\s", "", d.title)
        for n in (title, title.removeprefix("中华人民共和国")):
            if len(n) >= 3 and n in q:
                matched.append((d.doc_id, n))
                break
    # "标准化法实施条例" also contains "标准化法": keep only the longest names found.
    hits = [doc_id for doc_id, n in matched if not any(n != m and n in m for _, m in matched)]
    return list(dict.fromkeys(hits)) or None


def strip_document_names(query: str, documents: Iterable[DocumentInfo]) -> str:
    """The query without the document titles and standard codes it names.

    "标准化法规定了哪些标准的类别？" is about categories of standards *in* 标准化法; left in
    the query, the title matches every clause of that law equally (its title is part of
    each embedded passage) and drowns the topic.  The document itself is handled by the
    document boost in :meth:`index.search.Searcher.search`.
    """
    out = without_codes(query)
    names: set[str] = set()
    for d in documents:
        title = re.sub(r"\s", "", d.title)
        names |= {n for n in (title, title.removeprefix("中华人民共和国")) if len(n) >= 3}
    for name in sorted(names, key=len, reverse=True):
        out = out.replace(f"《{name}》", " ").replace(name, " ")
    return re.sub(r"\s+", " ", out).strip()


def parse_clause_refs(query: str, documents: Iterable[DocumentInfo]) -> list[ClauseRef]:
    """Clause references in ``query``, in the order they appear."""
    text = halfwidth(query)
    spans = _code_spans(text)
    refs: list[ClauseRef] = []
    doc_ids: tuple[str, ...] | None = None
    looked = False
    for m in _REF.finditer(text):
        if any(s <= m.start() < e for s, e in spans):  # "1.1" inside "GB/T 1.1—2020"
            continue
        nos = _candidates(m)
        if not nos:
            continue
        if not looked:
            named = documents_named(text, documents)
            doc_ids = None if named is None else tuple(named)
            looked = True
        refs.append(ClauseRef(nos, doc_ids))
    return refs

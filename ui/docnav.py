"""Navigation inside a document, without Streamlit: routes, neighbours, cross-reference
links, page labels and the original file.

Kept apart from :mod:`ui.docview` (which draws) so the rules can be unit-tested:

* a *route* ``?kb=…&doc=…&clause=…`` names one clause of one document; every link in the
  document view is such a URL, so a view can be shared, bookmarked and reloaded;
* the *context* of a clause is what a reader looks at around it: the section it belongs
  to, the clauses before and after, and its own sub-clauses;
* a *cross-reference* ("按附录A", "见5.2", "GB/T 1.1—2020 的 8.6") is found with the one
  reference parser (:mod:`grammar.refs`) and becomes a link only when the clause it names
  exists in the knowledge base — the link is built by us from the parsed reference; the
  document's text itself stays inert;
* the *original file* is offered only while it still is the file that was ingested
  (same content hash), so "原文件" never serves a later edit under the old clauses.
"""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

from grammar.codes import code_matches, find_codes
from grammar.numbering import halfwidth, normalize_clause_no
from grammar.refs import Ref, find_refs
from grammar.schema import Clause, DocumentInfo
from ingest.clause_ids import find_clause

# Query parameters of a document route (short: they end up in shared links).
KB_PARAM, DOC_PARAM, CLAUSE_PARAM = "kb", "doc", "clause"


@dataclass(slots=True, frozen=True)
class Route:
    """Which clause of which document the document view shows (None: the first one)."""

    kb: str
    doc_id: str
    clause_id: str | None = None


def href(kb: str, doc_id: str, clause_id: str | None = None) -> str:
    """Relative URL of a document route ("?kb=…&doc=…&clause=…"): relative, so it works
    under any base path Streamlit is served from."""
    params = {KB_PARAM: kb, DOC_PARAM: doc_id}
    if clause_id:
        params[CLAUSE_PARAM] = clause_id
    return "?" + urlencode(params)


def route_from(params: Mapping[str, str]) -> Route | None:
    """The route in a page's query parameters, or None when there is none."""
    doc = (params.get(DOC_PARAM) or "").strip()
    kb = (params.get(KB_PARAM) or "").strip()
    if not doc or not kb:
        return None
    return Route(kb, doc, (params.get(CLAUSE_PARAM) or "").strip() or None)


# ------------------------------------------------------------------ context
@dataclass(slots=True)
class ClauseContext:
    """A clause with what surrounds it in its document."""

    clause: Clause
    parent: Clause | None = None
    previous: Clause | None = None
    next: Clause | None = None
    children: list[Clause] = field(default_factory=list)
    index: int = 0  # position in the document (0-based)
    total: int = 0


def _depth(c: Clause) -> int:
    return len(c.heading_path)


def context_of(clauses: Sequence[Clause], clause_id: str | None) -> ClauseContext | None:
    """The clause ``clause_id`` (None: the document's first numbered clause) with its
    parent section, neighbours and children; None when the clause is not in ``clauses``.

    The parent is the nearest earlier clause one level up whose number is the last entry
    of the clause's heading path; children are the following clauses one level down until
    the depth returns to the clause's own.
    """
    if not clauses:
        return None
    if clause_id is None:
        i = next((k for k, c in enumerate(clauses) if c.clause_no), 0)
    else:
        # By id, else by the positional id an old link carries (ingest.clause_ids).
        found = find_clause(clauses, clause_id)
        if found is None:
            return None
        i = next(k for k, c in enumerate(clauses) if c is found)
    me = clauses[i]
    ctx = ClauseContext(me, index=i, total=len(clauses))
    ctx.previous = clauses[i - 1] if i > 0 else None
    ctx.next = clauses[i + 1] if i + 1 < len(clauses) else None
    if me.heading_path:
        want = me.heading_path[-1].no
        for c in reversed(clauses[:i]):
            if _depth(c) == _depth(me) - 1 and c.clause_no == want:
                ctx.parent = c
                break
    for c in clauses[i + 1 :]:
        if _depth(c) <= _depth(me):
            break
        if _depth(c) == _depth(me) + 1:
            ctx.children.append(c)
    return ctx


def page_label(clause: Clause) -> str:
    """ "第 3 页" for a clause of a PDF (the page of its heading), "" otherwise."""
    return f"第 {clause.page} 页" if clause.page else ""


def pdf_at_page(url: str, page: int | None) -> str:
    """``url`` with the ``#page=N`` fragment PDF viewers (Chrome, Firefox, Acrobat) open at."""
    return f"{url}#page={int(page)}" if page and page > 0 else url


# ------------------------------------------------------------------ cross-references
@dataclass(slots=True, frozen=True)
class RefLink:
    """A span of clause text that names a clause (or a document) in the knowledge base."""

    start: int
    end: int
    doc_id: str
    clause_id: str | None  # None: the document as a whole (a standard code)
    title: str  # what the target is, for the link's hover text


# A clause number right after a code belongs to that code's document when only these
# words stand between them: "GB/T 1.1—2020 的 8.6", "GB/T 1.1—2020中第5章".
_CODE_GLUE = re.compile(r"\s*(?:中的|中|的)?\s*")
# Words that introduce a reference; a lone "3.5" is a clause only after one of them ("见
# 3.5"), otherwise it is as likely a quantity ("3.5倍").
_CUE = re.compile(r"(?:见|按|照|据|合|参|足|行|用|守|循|和|或|及|与|、|至|~|第|的)\s*$")
# Measure words after a number: "3.5倍", "2.5万元" are amounts, not clauses.
_MEASURE = re.compile(r"\s*[倍个万亿元年月日岁人次级米分秒度张页台件套]")
_UNLINKED_KINDS = frozenset({"table", "figure"})


def _plausible(ref: Ref, text: str) -> bool:
    """Is ``ref`` a reference and not a number that merely looks like one?"""
    if ref.kind in _UNLINKED_KINDS or not ref.candidates:
        return False
    if ref.kind in ("clause", "annex_clause") and _MEASURE.match(text, ref.end):
        return False
    if ref.kind == "clause" and ref.clause_no.count(".") < 2:
        return bool(_CUE.search(text[max(0, ref.start - 4) : ref.start]))
    return True


def _number_index(clauses: Sequence[Clause]) -> dict[str, Clause]:
    out: dict[str, Clause] = {}
    for c in clauses:
        if c.clause_no:
            out.setdefault(normalize_clause_no(c.clause_no), c)
    return out


def _doc_for_code(code: str, docs: Sequence[DocumentInfo]) -> DocumentInfo | None:
    return next((d for d in docs if code_matches(code, d.standard_code)), None)


def ref_links(
    clause: Clause,
    docs: Sequence[DocumentInfo],
    clauses_of: Callable[[str], Sequence[Clause]],
) -> list[RefLink]:
    """Links for the references in ``clause.text`` whose target is in the knowledge base.

    A clause number is looked up in the clause's own document, unless it directly follows
    a standard code, in which case it is looked up in the document with that code (and
    left unlinked when that standard is not in the knowledge base — never guessed in the
    current document).  A code of another document in the KB links to that document.
    A clause does not link to itself.
    """
    text = clause.text or ""
    if not text:
        return []
    half = halfwidth(text)
    codes = find_codes(half)
    cache: dict[str, dict[str, Clause]] = {}

    def index(doc_id: str) -> dict[str, Clause]:
        if doc_id not in cache:
            cache[doc_id] = _number_index(clauses_of(doc_id))
        return cache[doc_id]

    links: list[RefLink] = []
    for code in codes:
        doc = _doc_for_code(code.code, docs)
        if doc is not None and doc.doc_id != clause.doc_id:
            label = f"{doc.standard_code or ''} {doc.title}".strip()
            links.append(RefLink(code.start, code.end, doc.doc_id, None, label))
    for ref in find_refs(text):
        if not _plausible(ref, half):
            continue
        doc_id = clause.doc_id
        before = [c for c in codes if c.end <= ref.start]
        if before and _CODE_GLUE.fullmatch(half[before[-1].end : ref.start]):
            doc = _doc_for_code(before[-1].code, docs)
            if doc is None:
                continue  # another standard, not in the KB
            doc_id = doc.doc_id
        numbers = index(doc_id)
        target = next((numbers[n] for n in ref.candidates if n in numbers), None)
        if target is None or target.clause_id == clause.clause_id:
            continue
        where = target.standard_code or target.doc_title
        title = f"{where} {target.heading}".strip() if doc_id != clause.doc_id else target.heading
        links.append(RefLink(ref.start, ref.end, doc_id, target.clause_id, title))
    links.sort(key=lambda link: link.start)
    out: list[RefLink] = []
    for link in links:  # overlapping spans cannot both be links; keep the earlier
        if not out or link.start >= out[-1].end:
            out.append(link)
    return out


# ------------------------------------------------------------------ original file
@dataclass(slots=True, frozen=True)
class OriginalFile:
    """The file a document was ingested from, if it is still there unchanged."""

    path: Path
    name: str
    mime: str
    problem: str = ""  # why it cannot be offered ("" when it can)

    @property
    def available(self) -> bool:
        return not self.problem

    @property
    def is_pdf(self) -> bool:
        return self.path.suffix.lower() == ".pdf"


@lru_cache(maxsize=256)
def _sha_of(path: str, stat_key: tuple[int, int, int]) -> str:
    # stat_key (inode, mtime, size) is part of the cache key: an edited file is re-hashed.
    from ingest.store import sha256_file

    return sha256_file(Path(path))


def original_file(source: str, sha256: str | None) -> OriginalFile:
    """The original of a document whose source is ``source`` and was ingested with content
    hash ``sha256`` (None: not checked)."""
    path = Path(source)
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    try:
        st = path.stat()
    except OSError:
        return OriginalFile(path, path.name, mime, "原文件已不在原位置")
    if not path.is_file():
        return OriginalFile(path, path.name, mime, "原文件已不在原位置")
    if sha256 and _sha_of(str(path), (st.st_ino, st.st_mtime_ns, st.st_size)) != sha256:
        return OriginalFile(path, path.name, mime, "原文件导入后已被修改，与知识库中的条款不一致")
    return OriginalFile(path, path.name, mime)

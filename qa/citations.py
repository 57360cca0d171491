"""Citations: how an answer names the clause it relies on, and the check that it may.

Format (the one standards people write by hand): ``〔GB/T 24421.3—2009，3.5〕`` for a
document with a standard code, ``〔中华人民共和国标准化法，第十条〕`` for one without, and
``〔文档标题〕`` for text that has no clause number (an unstructured web article).

Verification is strict: a citation is valid only if it names a clause that was retrieved
for *this* question.  A model (or a bug) that cites "8.6" when 8.6 was not in front of it
gets the citation removed and reported, never shown to the user as evidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from grammar.codes import code_base, code_matches, find_codes, normalize_code
from grammar.numbering import halfwidth, normalize_clause_no
from grammar.refs import find_refs, is_clause_no
from grammar.schema import Clause

__all__ = [
    "Citation",
    "normalize_clause_no",
    "parse_citations",
    "parse_prose_references",
    "verify_citations",
]

# 〔…〕 is ours; models also write 【…】, [..] or （…，…） — accepted when they hold a clause
# reference, so that a fabricated one cannot slip through by changing brackets.
_BRACKETED = re.compile(
    r"〔([^〔〕\n]{1,80})〕|【([^【】\n]{1,80})】|\[([^\[\]\n]{1,80})\]|[（(]([^（）()\n]{1,80})[）)]"
)
# In round brackets only "<document>，<clause number>" counts (ordinary asides abound).
_SEP = re.compile(r"[，,]\s*")
# Bracketed text that standards themselves contain: terminology source notes, and
# placeholder numbers in drafting examples ("GB/T ××××").
# Also document numbers such as 国办发〔2011〕… whose bracket holds only a year/number.
_NOT_A_CITATION = re.compile(r"^(?:来源|source)\s*[:：]|.*[×Xx]{3,}|^[\d\s]+$", re.IGNORECASE)


@dataclass(slots=True, frozen=True)
class Citation:
    """A clause an answer cites, with what the user needs to check it."""

    clause_id: str
    doc_id: str
    doc_title: str
    standard_code: str | None
    clause_no: str
    clause_title: str
    heading_path: tuple[str, ...]
    text: str
    score: float
    source: str = ""
    page: int | None = None
    # The document is a fictitious example (a bundled sample): the UI marks it "虚构示例"
    # so nobody cites it as a real standard.  Set at ingest (``extra["fictitious"]``).
    fictitious: bool = False

    @property
    def label(self) -> str:
        return citation_label(self.doc_title, self.standard_code, self.clause_no)

    def to_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "doc_title": self.doc_title,
            "standard_code": self.standard_code,
            "clause_no": self.clause_no,
            "clause_title": self.clause_title,
            "heading_path": list(self.heading_path),
            "text": self.text,
            "score": round(self.score, 4),
            "clause_id": self.clause_id,
            "doc_id": self.doc_id,
            "source": self.source,
            "page": self.page,
            "fictitious": self.fictitious,
        }

    @classmethod
    def from_json(cls, d: dict[str, object]) -> Citation:
        """Inverse of :meth:`to_json` (a saved conversation shows the same cards)."""
        page = d.get("page")
        code = d.get("standard_code")
        return cls(
            clause_id=str(d.get("clause_id", "")),
            doc_id=str(d.get("doc_id", "")),
            doc_title=str(d.get("doc_title", "")),
            standard_code=str(code) if code else None,
            clause_no=str(d.get("clause_no", "")),
            clause_title=str(d.get("clause_title", "")),
            heading_path=tuple(str(h) for h in d.get("heading_path") or ()),  # type: ignore[attr-defined]
            text=str(d.get("text", "")),
            score=float(d.get("score") or 0.0),  # type: ignore[arg-type]
            source=str(d.get("source", "")),
            page=int(page) if isinstance(page, int) else None,
            fictitious=bool(d.get("fictitious", False)),
        )

    @classmethod
    def from_clause(cls, clause: Clause, score: float) -> Citation:
        return cls(
            clause_id=clause.clause_id,
            doc_id=clause.doc_id,
            doc_title=clause.doc_title,
            standard_code=clause.standard_code,
            clause_no=clause.clause_no,
            clause_title=clause.clause_title,
            heading_path=tuple(h.label() for h in clause.heading_path),
            text=clause.text,
            score=score,
            source=clause.source,
            page=clause.page,
            fictitious=bool(clause.extra.get("fictitious", False)),
        )


def citation_label(doc_title: str, standard_code: str | None, clause_no: str) -> str:
    """``〔GB/T 1.1—2020，8.6〕`` / ``〔标准化法，第十条〕`` / ``〔文档标题〕``."""
    doc = standard_code or doc_title
    return f"〔{doc}，{clause_no}〕" if clause_no else f"〔{doc}〕"


def cite(clause: Clause) -> str:
    return citation_label(clause.doc_title, clause.standard_code, clause.clause_no)


def _doc_key(ref: str) -> str:
    return re.sub(r"[\s《》「」“”\"]", "", halfwidth(ref)).lower()


def _doc_matches(ref: str, clause: Clause) -> bool:
    """Does a citation's document part name this clause's document?"""
    code = normalize_code(ref)
    if code and clause.standard_code:
        return code_matches(code, clause.standard_code)
    key = _doc_key(ref)
    if not key:
        return False
    names = [clause.doc_title]
    if clause.standard_code:
        names += [clause.standard_code, code_base(clause.standard_code)]
    for name in names:
        n = _doc_key(name)
        # Exact, or one name is the other with words in front ("标准化法" for
        # "中华人民共和国标准化法") — but not a name inside a longer one: "标准化法" does
        # not name "中华人民共和国标准化法实施条例".
        if key == n or (len(key) >= 4 and (n.endswith(key) or key.endswith(n))):
            return True
    return False


# ------------------------------------------------------------------ parsing
@dataclass(slots=True, frozen=True)
class ParsedCitation:
    start: int
    end: int
    raw: str
    doc_ref: str
    clause_no: str  # normalised; "" for a document-level citation
    prose: bool = False  # "依据 GB/T 1.1—2020 第8.6条" rather than a bracketed marker


def parse_citations(answer: str, *, quoted_escapes: bool = False) -> list[ParsedCitation]:
    """Every bracketed citation in ``answer`` (our 〔〕 form and common model variants).

    ``quoted_escapes``: the answer is ours (extractive), so a bracket escaped by
    ``md_text`` ("\\[JR/T 0171—2020，定义 3.2\\]", a term's source note) is quoted document
    text, not a citation.  Never set for model output: a model could hide a fabricated
    citation behind a backslash."""
    out: list[ParsedCitation] = []
    for m in _BRACKETED.finditer(answer):
        if quoted_escapes and m.start() and answer[m.start() - 1] == "\\":
            continue
        body = next(g for g in m.groups() if g is not None).strip()
        is_ours = m.group(1) is not None
        if _NOT_A_CITATION.match(body):
            continue  # "[来源：GB/T ××××，3.1，有修改]" inside quoted clause text
        parts = _SEP.split(body, maxsplit=1)
        if m.group(4) is not None and (len(parts) != 2 or not is_clause_no(parts[1])):
            continue
        if len(parts) == 2:
            doc_ref, no = parts[0].strip(), normalize_clause_no(parts[1])
        else:
            if not is_ours:
                continue  # "[1]" footnote markers and the like are not citations
            doc_ref, no = body, ""
        if not doc_ref:
            continue
        out.append(ParsedCitation(m.start(), m.end(), m.group(0), doc_ref, no))
    return out


# A document named in running text: a standard code or a 《title》.
_TITLE = re.compile(r"《([^《》\n]{1,60})》")
# Between the document and its clause number: nothing, "的", "中", "第" ("…—2020 第8.6条").
_GAP = re.compile(r"^\s*(?:的|中)?\s*$")
# Words that introduce or close a prose reference; removed with it so that the claim left
# behind reads cleanly ("依据…第3.2条的规定，服务记录应…" → "服务记录应…").
_LEAD = re.compile(r"(?:依据|根据|按照|参照|参见|详见|见|按)\s*$")
_TAIL = re.compile(r"\s*(?:条|章|节)?(?:的)?(?:规定|要求)?(?:[，,]\s*)?")
_TAIL_WINDOW = 24


def parse_prose_references(text: str, skip: Sequence[tuple[int, int]] = ()) -> list[ParsedCitation]:
    """Clause references written as prose — "依据 GB/T 99999—2099 第3.2条",
    "《社区居家养老服务规范》9.9条", "《标准化法》第十条" — outside the ``skip`` spans
    (the bracketed citations).  A document named without a clause number is no citation.

    Why: a model told to cite in 〔〕 still often names its source in the sentence; such a
    reference is a claim about where the text comes from and must be verified like a
    marker, or a fabricated "GB/T 99999 第3.2条" reaches the user unchecked."""
    half = halfwidth(text)
    docs = [(c.start, c.end, c.code) for c in find_codes(half)]
    docs += [(m.start(), m.end(), m.group(1)) for m in _TITLE.finditer(half)]
    out: list[ParsedCitation] = []
    for start, end, doc in sorted(docs):
        if any(s <= start < e for s, e in skip) or any(p.start <= start < p.end for p in out):
            continue
        window = half[end : end + _TAIL_WINDOW]
        refs = [r for r in find_refs(window, skip=()) if r.clause_no and not r.quantity]
        if not refs:
            continue
        ref = refs[0]
        gap = window[: ref.start]
        if gap.endswith("第"):
            gap = gap[:-1]
        if not _GAP.match(gap):
            continue
        stop = end + ref.end
        stop += _TAIL.match(half, stop).end() - stop  # type: ignore[union-attr]
        lead = _LEAD.search(half, 0, start)
        begin = lead.start() if lead is not None else start
        out.append(
            ParsedCitation(
                begin, stop, text[begin:stop], doc, normalize_clause_no(ref.clause_no), True
            )
        )
    return out


def quoted_in(parsed: ParsedCitation, clauses: Iterable[Clause]) -> bool:
    """Does the reference occur in the text of one of ``clauses``?  Then the answer is
    quoting a clause that itself refers to another document — content, not a citation."""
    core = re.sub(r"\s", "", halfwidth(parsed.raw))
    core = re.sub(r"^(?:依据|根据|按照|参照|参见|详见|见|按)", "", core)
    core = re.sub(r"(?:的)?(?:规定|要求)?[，,]?$", "", core).rstrip("条章节")
    return bool(core) and any(core in re.sub(r"\s", "", halfwidth(c.text)) for c in clauses)


# ------------------------------------------------------------------ verification
@dataclass(slots=True)
class Verification:
    """Answer text with invalid citations removed, and what was kept and dropped."""

    text: str
    valid: list[Clause] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def resolve(
    parsed: ParsedCitation, retrieved: Sequence[Clause], statement: str = ""
) -> Clause | None:
    """The retrieved clause a citation names, or None if it names none of them.

    A long clause is stored as parts that share its number (``ingest.chunk``), so one
    label can name several retrieved clauses; ``statement`` (the text the citation ends)
    picks the part that holds it, so the citation card of an answer quoting an annex's
    second part shows that part, not the first."""
    found = []
    for clause in retrieved:
        if not _doc_matches(parsed.doc_ref, clause):
            continue
        if parsed.clause_no == normalize_clause_no(clause.clause_no) or (
            not parsed.clause_no and not clause.clause_no
        ):
            found.append(clause)
    if len(found) < 2 or not statement:
        return found[0] if found else None
    return max(found, key=lambda c: _shared(statement, c.text))


def _shared(statement: str, text: str) -> int:
    """Characters pairs of ``statement`` found in ``text`` (which part holds a quote)."""
    s = re.sub(r"\s|\\", "", statement)
    t = re.sub(r"\s", "", text)
    return sum(1 for i in range(len(s) - 1) if s[i : i + 2] in t)


def verify_citations(
    answer: str, retrieved: Iterable[Clause], *, quoted_escapes: bool = False
) -> Verification:
    """Keep citations that name a retrieved clause; remove the rest from the text
    (``quoted_escapes``: see :func:`parse_citations`)."""
    pool = list(retrieved)
    result = Verification(text=answer)
    pieces: list[str] = []
    cursor = 0
    seen: set[str] = set()
    prev = 0
    for parsed in parse_citations(answer, quoted_escapes=quoted_escapes):
        # The statement this citation closes: back to the previous citation or bullet.
        statement = re.split(r"\n\s*- ", answer[prev : parsed.start])[-1]
        prev = parsed.end
        clause = resolve(parsed, pool, statement)
        if clause is None:
            result.invalid.append(parsed.raw)
            pieces.append(answer[cursor : parsed.start])
            cursor = parsed.end
            continue
        if clause.clause_id not in seen:
            seen.add(clause.clause_id)
            result.valid.append(clause)
    pieces.append(answer[cursor:])
    result.text = re.sub(r"[ \t]+\n", "\n", "".join(pieces))
    return result

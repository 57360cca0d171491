"""Copies of one standard: which documents hold the same edition, which clauses are the same.

A knowledge base often holds one standard twice: the published PDF and a Markdown
transcription of it, or a scan and its OCR text.  Each file is its own document (its own
clauses, its own ids), so without this module the same clause can fill two result slots,
be cited twice, and — in the evaluation — count as a miss when the gold was resolved in
the other file.

*Copies* are documents whose stored standard code, with its year, is the same
(:func:`copies`): "GB/T 28181—2016" read from a PDF and from a Markdown file.  A draft and
the published edition, or two editions, have different codes or years and are never
copies; a document without a code, or with a code printed without a year, cannot be told
apart from another edition and has no copies.

Two clauses of copies are *the same clause* (:func:`same_clause`) when they carry the same
number and their heading and text are near-identical once the noise copies differ by is
removed (:func:`same_text`).  Long clauses are stored as several windows with one number;
a window is only the same as the window holding the same stretch of text, never as its
neighbours, which share the number and much vocabulary but not the text.

Used by retrieval (:func:`index.retrievers.distinct`: one hit per clause) and by the
evaluation (:mod:`eval.gold`: the gold clause's counterpart in a copy counts as gold).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

from grammar.codes import normalize_code
from grammar.schema import Clause, DocumentInfo

# How alike two clause texts must be (difflib ratio over the comparable form).  PDF text
# and its transcription differ by spaces, punctuation, a dropped "（续）", an "l" read as
# "1": ratio ≥ 0.97 for most clauses of the real copies, 0.90–0.97 for noisy ones.
SAME_RATIO = 0.9
# Where two windows are cut: the opening and closing stretch must agree as well, so that
# two windows of a long, repetitive clause (XML schemas, SIP message dumps) that share
# most of their wording are still told apart.
EDGE = 24
EDGE_RATIO = 0.75
# One text may be at most this much shorter than the other (a window vs the whole clause).
LENGTH_RATIO = 0.8
# A transcription may drop the Latin letters and digits of a clause ("JT/T 808—2011",
# "0x8804" vanish from one Markdown copy): when one text has less than LOST_SHARE of the
# other's, the Chinese text alone is compared (both need MIN_HAN Chinese characters).
# Only then: in a table or schema the digits are what tells two windows apart.
MIN_HAN = 20
LOST_SHARE = 0.5


# The file format a question names one copy by: "GB/T 28181—2016（PDF 版）", "Markdown 版",
# "docx 格式的那份" — the formats documents are ingested from (ingest.readers.SUPPORTED_SUFFIXES: .txt, .md,
# .markdown, .pdf, .docx, .html, .htm), followed by a word that makes it the copy's name (版,
# 版本, 格式, 文件, 文本, 稿).  The format word is the copy's name, never a term the document
# uses: no clause of a standard says "PDF".
_COPY_FORMAT = re.compile(
    r"(?<![A-Za-z0-9])(?:pdf|markdown|md|docx?|word|html?|txt)\s*(?=版|格式|文件|文本|稿)",
    re.I,
)


def copy_formats(text: str) -> list[tuple[int, int]]:
    """The spans of ``text`` naming a copy by its file format ("（PDF 版）" → the span of
    "PDF "): a question that says which copy it reads from names no term of the document."""
    return [m.span() for m in _COPY_FORMAT.finditer(text)]


def edition(code: str | None) -> str | None:
    """The edition a stored standard code names ("GB/T 28181—2016"), or None when the code
    is missing or carries no year (a yearless code names every edition)."""
    if not code:
        return None
    norm = normalize_code(code) or code.strip()
    return norm if ("—" in norm or ":" in norm) else None


def copies(docs: Iterable[DocumentInfo]) -> dict[str, frozenset[str]]:
    """Document id → the ids of every document of its edition (itself included), for the
    documents held more than once; a document with no copy is absent."""
    by_edition: dict[str, set[str]] = {}
    for d in docs:
        key = edition(d.standard_code)
        if key is not None:
            by_edition.setdefault(key, set()).add(d.doc_id)
    out: dict[str, frozenset[str]] = {}
    for ids in by_edition.values():
        if len(ids) > 1:
            group = frozenset(ids)
            out.update(dict.fromkeys(ids, group))
    return out


def comparable(text: str) -> str:
    """``text`` as copies are compared: NFKC, letters and digits only (spaces, line breaks,
    punctuation, Markdown table bars and list dashes are what copies differ by)."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum())


def _han(text: str) -> str:
    return "".join(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _alike(a: str, b: str) -> bool:
    if not a or not b or min(len(a), len(b)) < LENGTH_RATIO * max(len(a), len(b)):
        return False
    if _ratio(a[:EDGE], b[:EDGE]) < EDGE_RATIO or _ratio(a[-EDGE:], b[-EDGE:]) < EDGE_RATIO:
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return matcher.quick_ratio() >= SAME_RATIO and matcher.ratio() >= SAME_RATIO


def same_text(a: str, b: str) -> bool:
    """Are ``a`` and ``b`` the same passage, as two copies print it?  Both texts are
    compared in their :func:`comparable` form: equal, or near-identical with the same
    opening and closing; failing that, their Chinese characters alone (a copy that lost
    its Latin letters and digits)."""
    x, y = comparable(a), comparable(b)
    if x == y or _alike(x, y):
        return True
    hx, hy = _han(x), _han(y)
    rest = sorted((len(x) - len(hx), len(y) - len(hy)))
    lost = rest[0] < LOST_SHARE * rest[1]
    return lost and min(len(hx), len(hy)) >= MIN_HAN and _alike(hx, hy)


def same_clause(a: Clause, b: Clause, groups: dict[str, frozenset[str]]) -> bool:
    """Are ``a`` and ``b`` one clause held in two copies of a standard?  ``groups``: the
    :func:`copies` of the knowledge base.  Two clauses of one document are never the same
    (a document's windows and repeated numbers are its own)."""
    if a.doc_id == b.doc_id or b.doc_id not in groups.get(a.doc_id, ()):
        return False
    if a.clause_no != b.clause_no:
        return False
    return same_text(_body(a), _body(b))


def _body(c: Clause) -> str:
    """Title and text of ``c``, comparable; a transcription that repeats the heading line
    at the start of the text ("5.4 网络传输带宽" once as heading, once in the body) loses
    the repetition."""
    head, text = comparable(f"{c.clause_no}{c.clause_title}"), comparable(c.text)
    if head and text.startswith(head):
        text = text[len(head) :]
    return comparable(c.clause_title) + text

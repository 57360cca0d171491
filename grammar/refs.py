"""Clause references in free text: the one parser every layer uses.

Users and documents name clauses in a handful of shapes — "8.6", "8.6条", "第8.6条",
"第8章"/"8章", "附录A", "A.1.2", regulation units "第三条"/"第二章"/"第一节", and (for
search tokens) "表1"/"图A.2".  Before this module five regular expressions (the exact
route, the BM25 tokenizer, the refusal gate, element detection, citation parsing) each
knew a slightly different subset, so "见5.2." was a clause for one and noise for another.
Here the shapes are written once; callers choose what they need:

* :func:`find_refs` — every reference with its span, kind and the normalised clause
  numbers it may mean ("第8章" may be GB chapter "8" or regulation chapter "第八章");
* :func:`mask_refs` — the text with references replaced (element detection must not
  read the 条 of "第十条" as the element 条);
* :func:`is_clause_no` — does a whole string have the shape of one clause number (the
  clause part of a citation "〔GB/T 1.1，8.6〕")?

A bare integer ("24", "PM2.5" parts) is never a reference; a dotted number followed by a
unit ("5.5 m", "0.5 %") is a quantity, not a clause, unless ``quantities=True`` (the BM25
tokenizer keeps such numbers whole either way).  Standard codes ("GB/T 1.1—2020") are
not references: callers pass ``skip`` spans or blank codes first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from grammar.codes import find_codes
from grammar.numbering import (
    CN_NUM_CHARS,
    chinese_to_int,
    halfwidth,
    int_to_chinese,
    normalize_clause_no,
)

RefKind = Literal["annex", "annex_clause", "unit", "clause", "chapter", "table", "figure"]

_NUM = rf"[{CN_NUM_CHARS}\d]{{1,6}}"
_DOTTED = r"\d{1,3}(?:\.\d{1,3}){1,4}"
_ANNEX_CLAUSE = r"[A-Z]\.\d{1,3}(?:\.\d{1,3}){0,4}"
_UNITS = r"%|％|‰|mm|cm|km|m|kg|mg|g|h|d|min|ms|℃|°"
_NOT_BEFORE = r"(?<![A-Za-z0-9./])"

_PATTERN = re.compile(
    rf"附录\s*(?P<annex>[A-Za-z])(?![A-Za-z])"
    rf"|{_NOT_BEFORE}(?P<aclause>{_ANNEX_CLAUSE})(?![\d.]*\d)(?![A-Za-z])"
    rf"|第\s*(?P<reg>{_NUM})\s*(?P<unit>编|章|节|条|款|项)"
    rf"|{_NOT_BEFORE}(?P<gb>{_DOTTED})(?![\d.]*\d)(?P<qty>\s*(?:{_UNITS})(?![A-Za-z]))?"
    rf"|{_NOT_BEFORE}(?P<chap>\d{{1,2}})\s*章"
    rf"|(?P<tf>[表图])\s*(?P<tfno>[A-Z]?\.?\d{{1,3}})(?![\d.]*\d)"
)
# The clause part of a citation: one number, nothing else ("8", "8.6", "第8.6条", "A.1",
# "附录B", "第十条").  A single integer is a chapter here (citations name their document).
_CLAUSE_NO = re.compile(
    rf"第?\d{{1,3}}(?:\.\d{{1,3}}){{0,4}}条?|{_ANNEX_CLAUSE}|附录[A-Z]|第{_NUM}[编章节条]"
)


@dataclass(slots=True, frozen=True)
class Ref:
    """One reference found in text.

    ``candidates``: normalised clause numbers it may mean, most likely first (empty for
    units that are never clause numbers, e.g. "第二款"); ``quantity``: a dotted number
    followed by a unit ("5.5 m").
    """

    start: int
    end: int
    text: str
    kind: RefKind
    candidates: tuple[str, ...]
    quantity: bool = False

    @property
    def clause_no(self) -> str:
        """The likeliest clause number ("" when none)."""
        return self.candidates[0] if self.candidates else ""


def _candidates(m: re.Match[str]) -> tuple[RefKind, tuple[str, ...]]:
    if m.group("annex"):
        return "annex", (f"附录{m.group('annex').upper()}",)
    if m.group("aclause"):
        return "annex_clause", (m.group("aclause"),)
    if m.group("reg"):
        raw, unit = m.group("reg"), m.group("unit")
        n = int(raw) if raw.isdigit() else chinese_to_int(raw)
        if not n or unit in ("款", "项"):
            return "unit", ()
        reg = f"第{int_to_chinese(n)}{unit}"
        if unit == "章":  # "第8章" of a standard is chapter "8"
            return "unit", (reg, str(n))
        return "unit", (reg,)
    if m.group("gb"):
        return "clause", (normalize_clause_no(m.group("gb")),)
    if m.group("chap"):
        n = int(m.group("chap"))
        return "chapter", (str(n), f"第{int_to_chinese(n)}章")
    kind: RefKind = "table" if m.group("tf") == "表" else "figure"
    return kind, (normalize_clause_no(f"{m.group('tf')}{m.group('tfno')}"),)


def code_spans(text: str) -> list[tuple[int, int]]:
    """Spans of standard codes, whose numbers ("1.1" of "GB/T 1.1") are no clauses."""
    return [(c.start, c.end) for c in find_codes(text)]


def find_refs(
    text: str,
    *,
    tables: bool = False,
    quantities: bool = False,
    skip: Iterable[tuple[int, int]] | None = None,
) -> list[Ref]:
    """References in ``text`` in order of appearance.

    ``tables``: also "表1"/"图A.2" (search tokens want them; a question about a clause
    does not).  ``quantities``: also dotted numbers followed by a unit.  ``skip``: spans
    to ignore (default: the standard codes in ``text``).  Offsets refer to ``text``;
    full-width characters are read as half-width (same length, offsets unchanged).
    """
    half = halfwidth(text)
    spans = code_spans(half) if skip is None else list(skip)
    out: list[Ref] = []
    for m in _PATTERN.finditer(half):
        if any(s <= m.start() < e for s, e in spans):
            continue
        if m.group("tf") and not tables:
            continue
        quantity = bool(m.group("qty"))
        if quantity and not quantities:
            continue
        kind, cands = _candidates(m)
        end = m.end("gb") if m.group("gb") else m.end()
        out.append(Ref(m.start(), end, text[m.start() : end], kind, cands, quantity))
    return out


def mask_refs(text: str, repl: str = "＃", **kwargs: bool) -> str:
    """``text`` with every reference replaced by ``repl`` (one per reference)."""
    refs = find_refs(text, **kwargs)  # type: ignore[arg-type]
    out: list[str] = []
    cursor = 0
    for r in refs:
        out.append(text[cursor : r.start])
        out.append(repl)
        cursor = r.end
    out.append(text[cursor:])
    return "".join(out)


def clause_numbers(text: str) -> set[str]:
    """The normalised clause numbers ``text`` asks about (likeliest reading of each)."""
    return {r.clause_no for r in find_refs(text) if r.clause_no}


def is_clause_no(text: str) -> bool:
    """Is the whole of ``text`` one clause number (spaces and full width ignored)?"""
    return bool(_CLAUSE_NO.fullmatch(halfwidth(text).replace(" ", "")))

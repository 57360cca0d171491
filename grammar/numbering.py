"""Numbering: what a heading number looks like, and nothing else.

Each numbering family is a rule object in its own module of :mod:`grammar.families`
(GB/T 章条, annexes, regulations, Chinese and Arabic outline numbers, list items, element
names, slide parts; see the table there).  This module is the one place the rest of the
code asks: :func:`match_at` / :func:`match_heading` try the families in order,
:func:`is_block_start` and :func:`is_aux_block` tell a PDF line-joiner where a block
begins, :func:`normalize_clause_no` gives the canonical form of a number for comparison.

Purely syntactic: whether a heading-shaped number really is a heading here (and not a
measurement, a cross-reference or a table row) is decided by :mod:`ingest.segment`, which
knows what came before.  All matching is done on a *half-width* copy of the line, so
positions found in the copy are valid in the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from grammar.families import BY_FIRST, CANDIDATES_BY_FIRST, INLINE_BY_FIRST, NumberingRules
from grammar.families.annex import (
    RE_ANNEX,
    RE_ANNEX_CLAUSE,
    RE_ANNEX_CLAUSE_GLUED,
    RE_ANNEX_TYPE,
    annex_clause_numbering,
    annex_numbering,
    annex_type_span,
    parse_annex_type,
)
from grammar.families.base import (
    ANNEX_BASE,
    CN_NUM_CHARS,
    OUTLINE_ARABIC,
    OUTLINE_CIRCLED,
    OUTLINE_CN,
    OUTLINE_PAREN_ARABIC,
    OUTLINE_PAREN_CN,
    OUTLINE_PART,
    REFERENCE,
    Family,
    HeadingMatch,
    Numbering,
    chinese_to_int,
    halfwidth,
    int_to_chinese,
)
from grammar.families.element import ELEMENT_NAMES, RE_ELEMENT
from grammar.families.gb import RE_GB, RE_GB_GLUED
from grammar.families.list_item import (
    RE_CAPTION,
    RE_EXAMPLE,
    RE_LIST_ITEM,
    RE_NOTE,
    RE_OUT_CIRCLED,
    RE_SOURCE_NOTE,
    is_aux_block,
)
from grammar.families.outline_arabic import RE_OUT_ARABIC, RE_OUT_PAREN_ARABIC
from grammar.families.outline_cn import RE_OUT_CN, RE_OUT_PAREN_CN
from grammar.families.regulation import RE_REG
from grammar.families.slide_part import RE_SLIDE_PART

_MATCH_WINDOW = 120


def match_at(line: str, pos: int = 0, *, glued: bool = False) -> HeadingMatch | None:
    """Parse a heading-shaped number starting exactly at ``line[pos]``.

    Syntactic only: returns None for shapes that are plainly references ("5.2.1的规定",
    "附录A给出", "第三条规定"), but a match is not yet a decision.  With ``glued``, a GB
    number run into its Chinese title ("3术语和定义") is returned too, marked ``glued``.
    """
    # Every pattern looks at the first few dozen characters only; mapping the whole line
    # for each candidate position made long lines (flattened tables) quadratic.
    s = halfwidth(line[pos : pos + _MATCH_WINDOW])
    if not s:
        return None
    for family in BY_FIRST.get(s[0], ()):
        found = family.match(s, pos, glued=glued)
        if found is REFERENCE:
            return None
        if found is not None:
            return found  # type: ignore[return-value]
    return None


def candidates_at(
    line: str, pos: int = 0, *, glued: bool = False, half: bool = False, inline: bool = False
) -> Iterator[tuple[NumberingRules, HeadingMatch]]:
    """Every family's reading of a number at ``line[pos]``, in registration order,
    contextual families included (for the tree builder, which takes the first reading
    its family accepts; later families are not tried once one is taken).  A reference
    shape ("5.2.1的规定") ends the readings.  With ``half``, ``line`` is already the
    half-width copy (a caller scanning one line at many positions maps it once); with
    ``inline``, only families whose headings may start inside a line are asked."""
    s = line[pos : pos + _MATCH_WINDOW]
    if not half:
        s = halfwidth(s)
    if not s:
        return
    for family in (INLINE_BY_FIRST if inline else CANDIDATES_BY_FIRST).get(s[0], ()):
        found = family.match(s, pos, glued=glued)
        if found is REFERENCE:
            return
        if found is not None:
            yield family, found  # type: ignore[misc]


def match_heading(line: str, *, glued: bool = False) -> HeadingMatch | None:
    """Heading-shaped number at the start of ``line`` (leading whitespace skipped)."""
    stripped = len(line) - len(line.lstrip(" \t\u3000"))
    return match_at(line, stripped, glued=glued)


def is_block_start(line: str) -> bool:
    """True if ``line`` looks like it begins a new block: a heading-shaped number, an
    element name, a 列项 item, 注, 示例, or a caption.  Used when re-joining lines that a
    PDF's layout broke apart: such a line is never glued onto the previous one."""
    return match_heading(line) is not None or is_aux_block(line)


def normalize_clause_no(raw: str) -> str:
    """Canonical clause number for comparison: "第3条"→"第三条", "8.6条"→"8.6",
    "附录 a"→"附录A", "（一）"/"(一)" unified, full-width digits half-width."""
    s = halfwidth(raw).strip().rstrip("。.，,;；")
    s = re.sub(r"\s+", "", s)
    if m := re.fullmatch(r"第([0-9零〇一二三四五六七八九十百千两]+)(编|章|节|条)", s):
        n = chinese_to_int(m.group(1))
        if n:
            return f"第{int_to_chinese(n)}{m.group(2)}"
    if m := re.fullmatch(r"第?([0-9]+(?:\.[0-9]+)*)条?", s):
        return m.group(1)
    if m := re.fullmatch(r"附录([A-Za-z])", s):
        return f"附录{m.group(1).upper()}"
    if m := re.fullmatch(r"([A-Za-z])\.([0-9.]+)", s):
        return f"{m.group(1).upper()}.{m.group(2)}"
    return s.replace("(", "（").replace(")", "）")


__all__ = [
    "ANNEX_BASE",
    "CN_NUM_CHARS",
    "ELEMENT_NAMES",
    "OUTLINE_ARABIC",
    "OUTLINE_CIRCLED",
    "OUTLINE_CN",
    "OUTLINE_PAREN_ARABIC",
    "OUTLINE_PAREN_CN",
    "OUTLINE_PART",
    "RE_ANNEX",
    "RE_ANNEX_CLAUSE",
    "RE_ANNEX_CLAUSE_GLUED",
    "RE_ANNEX_TYPE",
    "RE_CAPTION",
    "RE_ELEMENT",
    "RE_EXAMPLE",
    "RE_GB",
    "RE_GB_GLUED",
    "RE_LIST_ITEM",
    "RE_NOTE",
    "RE_OUT_ARABIC",
    "RE_OUT_CIRCLED",
    "RE_OUT_CN",
    "RE_OUT_PAREN_ARABIC",
    "RE_OUT_PAREN_CN",
    "RE_REG",
    "RE_SLIDE_PART",
    "RE_SOURCE_NOTE",
    "Family",
    "HeadingMatch",
    "Numbering",
    "annex_clause_numbering",
    "annex_numbering",
    "annex_type_span",
    "candidates_at",
    "chinese_to_int",
    "halfwidth",
    "int_to_chinese",
    "is_aux_block",
    "is_block_start",
    "match_at",
    "match_heading",
    "normalize_clause_no",
    "parse_annex_type",
]

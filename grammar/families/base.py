"""What every numbering family shares: the parsed number, the match, the half-width copy.

A *family* is one numbering scheme of Chinese normative texts (GB/T 章条, annexes,
regulation 第X条, outline 一、/（一）, list items …).  Each lives in its own module of
:mod:`grammar.families` as a rule object with

* ``syntax``  — :meth:`NumberingFamily.match`: does a line start with this family's number
  (on the half-width copy of the line), and where does the text after it begin;
* ``depth``   — :attr:`Numbering.level`, the depth inside the family, taken from the number
  itself ("5.2.1" is level 3 wherever it appears);
* ``number``  — :attr:`Numbering.label`, the normalised number that is stored and cited
  ("第12条" → "第十二条", "(3)" → "（3）");
* ``plausibility`` that needs no context — shapes that are plainly references ("5.2.1的规
  定", "附录A给出", "第三条规定") are rejected here, so the segmenter never sees them.

Whether a plausible shape *is* a heading at its place in a document (sequence, depth, the
table it may sit in) is decided by :mod:`ingest.segment`, the tree builder.

All matching is done on a *half-width* copy of the line (full-width digits, letters and
punctuation mapped one-to-one to ASCII), so positions found in the copy are valid in the
original text, which is what is stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Final, Protocol

from grammar.schema import AnnexType, ClauseKind

# ---------------------------------------------------------------- half-width mapping
# U+FF01..U+FF5E are the full-width forms of ASCII 0x21..0x7E; U+3000 is the ideographic
# space.  The mapping is one character to one character, so offsets survive.
_HALF = {0xFF01 + i: 0x21 + i for i in range(94)}
_HALF.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})
_NEEDS_HALF = re.compile("[\uff01-\uff5e\u3000\u00a0\u2002\u2003\u2009]")


@lru_cache(maxsize=16384)
def halfwidth(text: str) -> str:
    """Full-width ASCII forms and unusual spaces to plain ASCII, length-preserving.

    Cached: Chinese lines almost always hold full-width punctuation (，：（）), and the
    cleaner, the TOC detector, the metadata reader and every numbering family ask for the
    same line's half-width copy, so one translate per distinct line is enough.
    """
    # translate() looks every character up in a dict; most lines need nothing mapped.
    return text.translate(_HALF) if _NEEDS_HALF.search(text) else text


# ---------------------------------------------------------------- Chinese numerals
_CN_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
CN_NUM_CHARS = "零〇一二三四五六七八九十百千两"


def chinese_to_int(s: str) -> int | None:
    """ "二十三" -> 23, "一百零五" -> 105, "十" -> 10, "23" -> 23; None if not a number."""
    if s.isdigit():
        return int(s)
    if not s or any(ch not in _CN_DIGIT and ch not in _CN_UNIT for ch in s):
        return None
    total, current = 0, 0
    for ch in s:
        if ch in _CN_DIGIT:
            current = _CN_DIGIT[ch]
        else:
            unit = _CN_UNIT[ch]
            total += (current or 1) * unit
            current = 0
    return total + current


def int_to_chinese(n: int) -> str:
    """23 -> "二十三", 105 -> "一百零五", 10 -> "十" (the way article numbers are written)."""
    if n <= 0:
        return "零"
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    out = []
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        q, n = divmod(n, value)
        if q:
            out.append(digits[q] + unit)
        elif out and n and out[-1] != "零":
            out.append("零")
    return "".join(out).rstrip("零")


# ---------------------------------------------------------------- the parsed number
class Family(StrEnum):
    """The numbering systems a heading can belong to (how families nest is the tree
    builder's business: the one that appears first in a document is outermost)."""

    GB = "gb"
    REG = "reg"
    OUTLINE = "outline"
    ELEMENT = "element"


@dataclass(slots=True, frozen=True)
class Numbering:
    """A parsed heading number.

    ``key`` is what sequence checks compare: GB ``(5, 2, 1)``; annex ``附录B`` is
    ``(ANNEX_BASE + 1,)`` and ``B.2.1`` is ``(ANNEX_BASE + 1, 2, 1)`` so that annexes sort
    after chapters and their clauses hang below them; REG and OUTLINE keys are ``(n,)``.
    ``level`` is the depth inside the family (GB: number of components).
    """

    family: Family
    kind: ClauseKind
    key: tuple[int, ...]
    level: int
    label: str


ANNEX_BASE = 1000

# Outline levels, outermost first.
OUTLINE_PART = 0  # 01 … CHAPTER (slide deck part)
OUTLINE_CN = 1  # 一、
OUTLINE_PAREN_CN = 2  # （一）
OUTLINE_ARABIC = 3  # 1.  1、
OUTLINE_PAREN_ARABIC = 4  # （1）
OUTLINE_CIRCLED = 5  # ①  (a list item; never accepted as a heading)


@dataclass(slots=True, frozen=True)
class HeadingMatch:
    """A heading-shaped number at ``pos`` in a line; ``rest_start`` is where the text after
    the number (and after an annex status mark) begins; ``rest_end``, when set, is where it
    ends (a slide part's trailing "CHAPTER" is decoration, not title)."""

    numbering: Numbering
    pos: int
    rest_start: int
    annex_type: AnnexType | None = None
    rest_end: int | None = None
    glued: bool = False


class _Reference:
    """The sentinel a family returns for its own shape used as a reference in a sentence
    ("5.2.1的规定", "附录A给出"): no other family may claim the line then."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "REFERENCE"


REFERENCE: Final = _Reference()
MatchResult = HeadingMatch | _Reference | None


class NumberingFamily(Protocol):
    """One numbering family: see the module docstring."""

    name: str
    # Every character a number of this family can start with (on the half-width copy):
    # lets a line be tried only against the families that could match it.
    first: str

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        """Parse this family's number at the start of ``s`` (the half-width window of the
        line that starts at ``pos``).  Returns a :class:`HeadingMatch` with positions in
        the line, :data:`REFERENCE` for the family's shape used as a reference, or None.
        With ``glued``, a number run into its Chinese title ("3术语和定义") is returned
        too, marked ``glued``."""
        ...


# Words after a number (with or without a space) that show it is being *used* in a
# sentence, not introducing a heading: "5.2.1 的规定", "附录A给出", "A.1 中规定".  Kept
# short on purpose: a title may begin with almost any word ("5.3 与顾客沟通").
_REF_FOLLOWERS = (
    "的",
    "中的",
    "中规定",
    "规定",
    "所",
    "之",
    "给出",
    "列出",
    "～",
    "~",
    "至",
    "、",
    "和",
    "或",
)


def followed_by_reference(half: str, end: int) -> bool:
    """True when the characters after a number make it part of a sentence."""
    tail = half[end : end + 4].lstrip(" \t")
    if not tail:
        return False
    # A space then a word such as "的规定" is still a reference ("见 5.2 的规定").
    return tail.startswith(_REF_FOLLOWERS)

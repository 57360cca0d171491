"""Numbering-pattern families: what a heading number looks like, and nothing else.

This module is purely syntactic.  It says "this line starts with something shaped like the
GB/T 1.1 clause number 5.2.1" or "like the regulation article 第三条"; whether that shape
really is a heading here (and not a measurement, a cross-reference or a scrambled slide) is
decided by :mod:`ingest.segment`, which knows what came before.

Families (after RAGFlow's idea of grouping numbering patterns, but with depth taken from
the number itself rather than from which pattern matched):

* ``GB``       GB/T 1.1—2020 章/条 ``5``, ``5.2``, ``5.2.1.3.4``; annexes ``附录A`` and
               ``A.1``, ``A.1.2``.  Depth = number of components.
* ``REG``      regulations: ``第一编`` > ``第一章`` > ``第一节`` > ``第一条``.
* ``OUTLINE``  outline numbering of guidance texts: ``一、`` > ``（一）`` > ``1.``/``1、``
               > ``（1）`` > ``①``.  Above them, the numbered parts of a slide deck saved as
               text ("01经营概述CHAPTER", "PART 02 服务流程"), labelled as printed ("01").
* ``ELEMENT``  unnumbered elements that are headings by name: 前言, 引言, 参考文献, 索引.

All matching is done on a *half-width* copy of the line (full-width digits, letters and
punctuation mapped one-to-one to ASCII), so positions found in the copy are valid in the
original text, which is what we store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from grammar.schema import AnnexType, ClauseKind

# ---------------------------------------------------------------- half-width mapping
# U+FF01..U+FF5E are the full-width forms of ASCII 0x21..0x7E; U+3000 is the ideographic
# space.  The mapping is one character to one character, so offsets survive.
_HALF = {0xFF01 + i: 0x21 + i for i in range(94)}
_HALF.update({0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20})


_NEEDS_HALF = re.compile("[\uff01-\uff5e\u3000\u00a0\u2002\u2003\u2009]")


def halfwidth(text: str) -> str:
    """Full-width ASCII forms and unusual spaces to plain ASCII, length-preserving."""
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


# ---------------------------------------------------------------- families
class Family(StrEnum):
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
OUTLINE_CIRCLED = 5  # ①

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

ELEMENT_NAMES = ("前言", "引言", "目次", "参考文献", "索引")

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

# ---------------------------------------------------------------- patterns (half-width text)
_SP = r"[ \t]"
_GB_NUM = r"(?P<num>[1-9]\d{0,2}(?:\.[1-9]\d{0,2}){0,4})"
RE_GB = re.compile(rf"^{_GB_NUM}(?=$|{_SP})")
# A number glued to its Chinese title by a transcription that lost the space ("3术语和定义",
# "3.25个人金融信息"): only ever a heading when the sequence says so (see ingest.segment).
RE_GB_GLUED = re.compile(rf"^{_GB_NUM}(?=[\u4e00-\u9fff])")
RE_ANNEX_CLAUSE_GLUED = re.compile(
    r"^(?P<letter>[A-Z])\.(?P<rest>[1-9]\d{0,2}(?:\.[1-9]\d{0,2}){0,4})(?=[\u4e00-\u9fff])"
)
# The letter must not run into a word: "附录A 服务流程", "附录A（规范性）", not "附录A给出".
RE_ANNEX = re.compile(rf"^附{_SP}*录{_SP}*(?P<letter>[A-Z])(?=$|{_SP}|\(|[:：]|[^\w])")
RE_ANNEX_CLAUSE = re.compile(
    r"^(?P<letter>[A-Z])\.(?P<rest>[1-9]\d{0,2}(?:\.[1-9]\d{0,2}){0,4})(?=$|[ \t])"
)
RE_ANNEX_TYPE = re.compile(
    r"^[ \t]*[(（]\s*(?P<t>规范性|资料性|参考性|提示的|标准的)(?:附录)?\s*[)）]"
)
RE_REG = re.compile(
    rf"^第{_SP}*(?P<n>[{CN_NUM_CHARS}]{{1,6}}|\d{{1,4}}){_SP}*(?P<unit>编|章|节|条)"
)
RE_OUT_CN = re.compile(r"^(?P<n>[一二三四五六七八九十]{1,3})[ \t]*[、,，.．](?!\d)")
RE_OUT_PAREN_CN = re.compile(r"^[(（][ \t]*(?P<n>[一二三四五六七八九十]{1,3})[ \t]*[)）]")
RE_OUT_ARABIC = re.compile(r"^(?P<n>[1-9]\d?)[ \t]*(?:[、]|\.(?!\d))")
RE_OUT_PAREN_ARABIC = re.compile(r"^[(（][ \t]*(?P<n>[1-9]\d?)[ \t]*[)）]")
RE_OUT_CIRCLED = re.compile(rf"^(?P<c>[{_CIRCLED}])")
# Slide-deck parts: a one- or two-digit number and a short title with the deck's
# "CHAPTER"/"PART" decoration glued on ("01经营服务概述CHAPTER", "PART 02 服务流程").  The
# decoration is what makes the number a heading: "03客户反馈…" alone is an item on a slide.
_DECK_WORD = r"(?i:CHAPTER|PART)"
RE_SLIDE_PART = re.compile(
    rf"^(?P<n>0?[1-9]|[1-9]\d){_SP}*(?P<title>[^ \t\d].{{0,38}}?){_SP}*{_DECK_WORD}{_SP}*$"
    rf"|^{_DECK_WORD}{_SP}*(?P<n2>0?[1-9]|[1-9]\d)(?![\d.]){_SP}*(?P<title2>[^ \t\d].{{0,38}})$"
)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
RE_ELEMENT = re.compile(
    r"^(?P<name>前[ \t]*言|引[ \t]*言|目[ \t]*次|参[ \t]*考[ \t]*文[ \t]*献|索[ \t]*引)[ \t]*$"
)

# Body blocks that start a new paragraph but are not headings (used to join PDF lines).
RE_LIST_ITEM = re.compile(r"^(?:[a-z][)）]|[1-9]\d?[)）]|——|[·•●▪■◆◇○►✓]|-[ \t])")
RE_NOTE = re.compile(r"^注[ \t]*\d*[ \t]*[:：]")
RE_EXAMPLE = re.compile(r"^示例[ \t]*\d*[ \t]*(?:[:：]|$)")
RE_CAPTION = re.compile(r"^(?:表|图)[ \t]*(?:[A-Z]\.)?\d{1,3}(?:[ \t]|$|[(（]续)")
RE_SOURCE_NOTE = re.compile(r"^\[来源[:：]")


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


def _followed_by_reference(half: str, end: int) -> bool:
    """True when the characters after a number make it part of a sentence."""
    tail = half[end : end + 4].lstrip(" \t")
    if not tail:
        return False
    # A space then a word such as "的规定" is still a reference ("见 5.2 的规定").
    return tail.startswith(_REF_FOLLOWERS)


def _gb(num: str) -> Numbering:
    key = tuple(int(p) for p in num.split("."))
    kind = ClauseKind.CHAPTER if len(key) == 1 else ClauseKind.CLAUSE
    return Numbering(Family.GB, kind, key, len(key), num)


def annex_numbering(letter: str) -> Numbering:
    idx = ord(letter) - ord("A")
    return Numbering(Family.GB, ClauseKind.ANNEX, (ANNEX_BASE + idx,), 1, f"附录{letter}")


def annex_clause_numbering(letter: str, rest: str) -> Numbering:
    idx = ord(letter) - ord("A")
    parts = tuple(int(p) for p in rest.split("."))
    key = (ANNEX_BASE + idx, *parts)
    return Numbering(Family.GB, ClauseKind.ANNEX_CLAUSE, key, len(key), f"{letter}.{rest}")


def parse_annex_type(text: str) -> AnnexType | None:
    """ "（规范性）" / "（规范性附录）" / "（标准的附录）" -> NORMATIVE; "（资料性）" … -> INFORMATIVE."""
    m = RE_ANNEX_TYPE.match(halfwidth(text))
    if not m:
        return None
    return AnnexType.NORMATIVE if m.group("t") in ("规范性", "标准的") else AnnexType.INFORMATIVE


def annex_type_span(text: str) -> int:
    """Length of a leading annex status mark in ``text`` (0 if none)."""
    m = RE_ANNEX_TYPE.match(halfwidth(text))
    return m.end() if m else 0


def _slide_title_ok(title: str) -> bool:
    """A slide part's title is a short Chinese phrase, not a sentence."""
    return bool(_CJK_CHAR.search(title)) and not re.search(r"[。；;，,！!？?]", title)


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

    if (m := RE_SLIDE_PART.match(s)) and _slide_title_ok(m.group("title") or m.group("title2")):
        n = int(m.group("n") or m.group("n2"))
        title = "title" if m.group("title") else "title2"
        num = Numbering(Family.OUTLINE, ClauseKind.OUTLINE, (n,), OUTLINE_PART, f"{n:02d}")
        return HeadingMatch(num, pos, pos + m.start(title), rest_end=pos + m.end(title))

    if m := RE_ANNEX.match(s):
        end = m.end()
        after = s[end:]
        if _followed_by_reference(s, end):
            return None
        atype = parse_annex_type(after)
        rest = end + annex_type_span(after)
        return HeadingMatch(annex_numbering(m.group("letter")), pos, pos + rest, atype)

    if m := RE_ANNEX_CLAUSE.match(s):
        if _followed_by_reference(s, m.end()):
            return None
        num = annex_clause_numbering(m.group("letter"), m.group("rest"))
        return HeadingMatch(num, pos, pos + m.end())
    if glued and (m := RE_ANNEX_CLAUSE_GLUED.match(s)):
        if _followed_by_reference(s, m.end()):
            return None
        num = annex_clause_numbering(m.group("letter"), m.group("rest"))
        return HeadingMatch(num, pos, pos + m.end(), glued=True)

    if m := RE_GB.match(s):
        if _followed_by_reference(s, m.end()):
            return None
        return HeadingMatch(_gb(m.group("num")), pos, pos + m.end())
    if glued and (m := RE_GB_GLUED.match(s)):
        if _followed_by_reference(s, m.end()):
            return None
        return HeadingMatch(_gb(m.group("num")), pos, pos + m.end(), glued=True)

    if m := RE_REG.match(s):
        end = m.end()
        nxt = s[end : end + 2]
        # "第三条规定" / "第三条的" are references; "第三条 为了…" / "第五条服务语言规范" are not.
        if nxt.startswith(
            ("规定", "的", "所", "之", "中", "和", "、", "至", "或", "第", "款", "项")
        ):
            return None
        n = chinese_to_int(m.group("n"))
        if n is None or n == 0:
            return None
        unit = m.group("unit")
        kind, level = {
            "编": (ClauseKind.REG_PART, 1),
            "章": (ClauseKind.REG_CHAPTER, 2),
            "节": (ClauseKind.REG_SECTION, 3),
            "条": (ClauseKind.ARTICLE, 4),
        }[unit]
        label = f"第{int_to_chinese(n)}{unit}"
        return HeadingMatch(Numbering(Family.REG, kind, (n,), level, label), pos, pos + end)

    if m := RE_ELEMENT.match(s):
        name = re.sub(r"[ \t]", "", m.group("name"))
        num = Numbering(Family.ELEMENT, ClauseKind.ELEMENT, (0,), 1, name)
        return HeadingMatch(num, pos, pos + m.end())

    for regex, level, label_fmt in (
        (RE_OUT_CN, OUTLINE_CN, "{}、"),
        (RE_OUT_PAREN_CN, OUTLINE_PAREN_CN, "（{}）"),
        (RE_OUT_ARABIC, OUTLINE_ARABIC, "{}."),
        (RE_OUT_PAREN_ARABIC, OUTLINE_PAREN_ARABIC, "（{}）"),
    ):
        if m := regex.match(s):
            raw = m.group("n")
            n = chinese_to_int(raw)
            if n is None or n == 0:
                return None
            label = label_fmt.format(raw if not raw.isdigit() else str(n))
            return HeadingMatch(
                Numbering(Family.OUTLINE, ClauseKind.OUTLINE, (n,), level, label),
                pos,
                pos + m.end(),
            )

    if m := RE_OUT_CIRCLED.match(s):
        n = _CIRCLED.index(m.group("c")) + 1
        num = Numbering(Family.OUTLINE, ClauseKind.OUTLINE, (n,), OUTLINE_CIRCLED, m.group("c"))
        return HeadingMatch(num, pos, pos + m.end())
    return None


def match_heading(line: str, *, glued: bool = False) -> HeadingMatch | None:
    """Heading-shaped number at the start of ``line`` (leading whitespace skipped)."""
    stripped = len(line) - len(line.lstrip(" \t\u3000"))
    return match_at(line, stripped, glued=glued)


def is_aux_block(line: str) -> bool:
    """列项, 注, 示例, table/figure captions, term sources: body blocks that begin a new
    paragraph (so a PDF line-joiner must not glue them to the previous line)."""
    s = halfwidth(line).lstrip(" \t")
    return bool(
        RE_LIST_ITEM.match(s)
        or RE_NOTE.match(s)
        or RE_EXAMPLE.match(s)
        or RE_CAPTION.match(s)
        or RE_SOURCE_NOTE.match(s)
    )


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

"""The unit a value in a table is counted in, when the table says it once, in a header.

Protocol standards give sizes in tables whose header names the unit for the whole column
("字段名 字节数 类型 描述及要求", "序号 名称 传输字节数 说明"); each row then states a bare
number ("PASSWORD 8 Octet_string 密码": eight bytes).  Read row by row, no sentence states
"8 字节", so a question asking "密码字段占多少字节" found no value in the very row that gives
it, and the refusal gate refused it (docs/evaluation-history.md "Refusal gate, session 21").  A Latin unit word
after a number ("10 BYTES") is the same value spelled in English.

:func:`spelled_units` gives the sentences of a clause with those units written after their
numbers ("PASSWORD 8字节 Octet_string 密码", "10字节 监管平台下发的鉴权码"), so a reader
of stated values (:func:`qa.quantities.states_unit`) sees them.  Only the column the header
names: a row's other numbers (a sequence number, a type width) are left as they are, and a
header naming a position ("起始字节": where a field starts) or a unit of something else
states no size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# A header cell naming the unit its column's numbers are counted in: the count of a unit
# ("字节数", "传输字节数", "位数", "天数", "次数") or a quantity with its unit in brackets
# ("长度（字节）", "长度(B)").  Not "起始字节" (a position) nor "字节4" (a column of bytes).
_UNIT_WORDS = r"字节|比特|位|天|日|小时|分钟|秒|次|帧|个"
_COUNT_HEADER = re.compile(r"[\u4e00-\u9fff]{0,4}?(" + _UNIT_WORDS + r")数")
_BRACKET_HEADER = re.compile(
    r"[\u4e00-\u9fff]{1,6}\s*[（(]\s*(" + _UNIT_WORDS + r"|B|bit|s|ms|min|h|d)\s*[)）]",
    re.I,
)
# A Latin unit word after a number: "10 BYTES", "4 bytes", "16 octets" (a byte is an octet).
_LATIN_BYTES = re.compile(r"(\d+)\s*(?:bytes?|octets?)(?![A-Za-z])", re.I)
# A cell stating a bare number: digits, with a decimal part.
_BARE = re.compile(r"\d+(?:\.\d+)?")


def _cells(line: str) -> list[tuple[int, int]]:
    """The spans of a table line's non-empty cells: between "|" bars when it has them
    (Markdown), else between runs of white space (PDF text)."""
    if "|" not in line:
        return [m.span() for m in re.finditer(r"\S+", line)]
    return [m.span(1) for m in re.finditer(r"\s*([^|]*[^|\s])\s*(?:\||$)", line)]


def header_unit(line: str) -> tuple[int, str] | None:
    """The column a table header names a unit for, and the unit: "字段名 字节数 类型 描述及
    要求" → (1, "字节"); None when no cell of ``line`` is such a header."""
    cells = _cells(line)
    for i, (a, b) in enumerate(cells):
        cell = line[a:b]
        m = _COUNT_HEADER.fullmatch(cell) or _BRACKET_HEADER.fullmatch(cell)
        if m:
            unit = m.group(1)
            return i, "字节" if unit.upper() == "B" else unit
    return None


def spelled_units(sentences: Sequence[str]) -> list[str]:
    """``sentences`` (one clause's, in order) with the unit of a value written after it
    where the text leaves it to a header or spells it in English: each row after a header
    naming a column's unit (:func:`header_unit`) gets the unit after the number in that
    column ("PASSWORD 8 Octet_string 密码" → "PASSWORD 8字节 Octet_string 密码"), and
    "10 BYTES" reads "10字节".  A row whose cell in that column is no bare number is left
    as it is; a new header starts a new table."""
    out: list[str] = []
    column: tuple[int, str] | None = None
    for s in sentences:
        head = header_unit(s)
        if head is not None:
            column = head
            out.append(s)
            continue
        row = s
        if column is not None:
            i, unit = column
            cells = _cells(s)
            if i < len(cells) and len(cells) > 1:
                a, b = cells[i]
                if _BARE.fullmatch(s[a:b]):
                    row = f"{s[:b]}{unit}{s[b:]}"
        out.append(_LATIN_BYTES.sub(r"\1字节", row))
    return out

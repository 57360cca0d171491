"""Quantities and dates in standards text: "不少于5年", "3个月", "48 h", "125 g", "2020年1月1日".

Why here: a requirement's numbers are its substance.  An answer that says "保存不少于6个月"
for a clause that says "5年" is wrong even though every other word matches, so both the
LLM support check (:mod:`qa.support`) and the rule-based faithfulness metric in eval
compare the quantities of a statement with those of the clause it cites.

A :class:`Quantity` is a value in a *base unit of its family* (months for 年/月, seconds for
周/日/h/min/s, grams, metres, …) plus the comparison it is stated with (``>=`` for 不少于,
``<=`` for 不超过 …), so "5年" equals "60个月" and "48 h" equals "48小时" but "5年" does not
equal "6个月".  Bare numbers without a unit (clause numbers "5.3", list markers, standard
codes) are deliberately not quantities: they are not claims about the world.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grammar.numbering import halfwidth

__all__ = ["NUMERAL", "Quantity", "parse_number", "quantities", "same_quantity"]

# unit spelling -> (family, factor to the family's base unit).  Longest spellings first in
# the regex so that "个月" wins over "月" and "min" over "m".
_UNITS: dict[str, tuple[str, float]] = {
    # calendar time (base: month) — a year is exactly 12 months, not ~365 days
    "年": ("month", 12),
    "个月": ("month", 1),
    "月": ("month", 1),
    # clock time (base: second)
    "周": ("second", 7 * 86400),
    "星期": ("second", 7 * 86400),
    "个星期": ("second", 7 * 86400),
    "个工作日": ("workday", 1),
    "工作日": ("workday", 1),
    "天": ("second", 86400),
    "日": ("second", 86400),
    "d": ("second", 86400),
    "小时": ("second", 3600),
    "个小时": ("second", 3600),
    "钟头": ("second", 3600),
    "个钟头": ("second", 3600),
    "h": ("second", 3600),
    "分钟": ("second", 60),
    "min": ("second", 60),
    "秒": ("second", 1),
    "s": ("second", 1),
    "学时": ("class-hour", 1),
    "课时": ("class-hour", 1),
    # mass (base: gram)
    "千克": ("gram", 1000),
    "公斤": ("gram", 1000),
    "kg": ("gram", 1000),
    "克": ("gram", 1),
    "g": ("gram", 1),
    "毫克": ("gram", 0.001),
    "mg": ("gram", 0.001),
    "吨": ("gram", 1e6),
    "t": ("gram", 1e6),
    # length (base: metre)
    "千米": ("metre", 1000),
    "公里": ("metre", 1000),
    "km": ("metre", 1000),
    "米": ("metre", 1),
    "m": ("metre", 1),
    "厘米": ("metre", 0.01),
    "cm": ("metre", 0.01),
    "毫米": ("metre", 0.001),
    "mm": ("metre", 0.001),
    # area, volume
    "平方米": ("m2", 1),
    "m2": ("m2", 1),
    "m²": ("m2", 1),
    "升": ("litre", 1),
    "L": ("litre", 1),
    "毫升": ("litre", 0.001),
    "mL": ("litre", 0.001),
    "ml": ("litre", 0.001),
    # temperature, ratio, money
    "℃": ("celsius", 1),
    "°C": ("celsius", 1),
    "度": ("celsius", 1),
    "%": ("percent", 1),
    "％": ("percent", 1),
    "‰": ("percent", 0.1),
    "元": ("yuan", 1),
    "万元": ("yuan", 10000),
    # counts: the measure word is the unit.  Only people, times and ages: "三个方面" or
    # "两项要求" in a summary is the model counting a list, not a claim to check.
    "人次": ("person-time", 1),
    "人": ("person", 1),
    "名": ("person", 1),
    "位": ("person", 1),
    "次": ("times", 1),
    "岁": ("age", 1),
    "周岁": ("age", 1),
    "倍": ("ratio", 1),
}

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS.update({"六": 6, "七": 7, "八": 8, "九": 9})
_CN_MULT = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_NUM = "[零〇一二两三四五六七八九十百千万]+"
_AR_NUM = r"\d+(?:,\d{3})*(?:\.\d+)?"
_NUM = rf"(?:{_AR_NUM}|{_CN_NUM}|半)"
# A numeral as standards and questions write one: digits, Chinese numerals (两, 零, 万) or
# 半 ("半年", "半个月", "半小时").  Public so that every layer reading a value stated in a
# unit (:mod:`qa.quantities` for the reranker and the refusal gate, the support check
# here) reads the same numerals: a gate that reads "半个月" as no period refuses a
# question the support check would accept.
NUMERAL = _NUM
_UNIT_RE = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
# Latin units must not be the start of a word ("5 min" yes, "3 members" no).
_QTY = re.compile(
    rf"(?P<num>{_NUM})(?:\s*(?:[~～\-—至到]|或)\s*(?P<num2>{_NUM}))?\s*(?P<andhalf>个半)?"
    rf"\s*(?P<unit>{_UNIT_RE})"
    r"(?![A-Za-z])(?P<half>半)?"
)
# "百分之二十" is 20 %, as laws write percentages ("百分之二十至百分之五十").
_PER_CENT = re.compile(rf"百分之(?P<num>{_NUM})")
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d{2})\s*(?:年|-|/|\.)\s*(?P<m>\d{1,2})\s*(?:月|-|/|\.)\s*(?P<d>\d{1,2})\s*日?"
)
# How a value is bounded, as written just before (不少于5年) or after (5年以上) it.
_BEFORE = [
    (
        re.compile(
            r"(?:不少于|不低于|不小于|不短于|至少|最少|≥|>=|不得少于|不应少于|不得低于|不应低于)\s*$"
        ),
        ">=",
    ),
    (
        re.compile(
            r"(?:不超过|不多于|不大于|不高于|不长于|最多|至多|≤|<=|不得超过|不应超过|不得大于|不得高于)\s*$"
        ),
        "<=",
    ),
    (re.compile(r"(?:超过|多于|大于|高于|长于|>)\s*$"), ">"),
    (re.compile(r"(?:少于|低于|小于|短于|<)\s*$"), "<"),
]
_AFTER = [
    (re.compile(r"^\s*(?:及)?(?:以上|以后|及以上)"), ">="),
    (re.compile(r"^\s*(?:及)?(?:以下|以内|之内|内|以前)"), "<="),
]


def parse_number(text: str) -> float | None:
    """``"125"``/``"1,200"``/``"3.5"``/``"二十五"``/``"两"``/``"半"`` → float; None if not a number."""
    s = text.strip()
    if not s:
        return None
    if s == "半":
        return 0.5
    if re.fullmatch(_AR_NUM, s):
        return float(s.replace(",", ""))
    if not re.fullmatch(_CN_NUM, s):
        return None
    total, section, digit = 0, 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch == "万":
            section = (section + digit) * 10000
            total += section
            section, digit = 0, 0
        else:
            section += (digit or 1) * _CN_MULT[ch]
            digit = 0
    return float(total + section + digit)


@dataclass(slots=True, frozen=True)
class Quantity:
    """One stated amount: ``value`` (``high`` for a range) in the family's base unit."""

    value: float
    family: str
    bound: str = "="  # "=", ">=", "<=", ">", "<"
    high: float | None = None
    text: str = ""
    start: int = 0

    def same_amount(self, other: Quantity) -> bool:
        """Equal value (and range end) in the same unit family, regardless of bound."""
        return (
            self.family == other.family
            and _close(self.value, other.value)
            and (
                (self.high is None and other.high is None)
                or (
                    self.high is not None
                    and other.high is not None
                    and _close(self.high, other.high)
                )
            )
        )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def _bound(text: str, start: int, end: int) -> str:
    before = text[max(0, start - 8) : start]
    after = text[end : end + 4]
    for rx, b in _BEFORE:
        if rx.search(before):
            return b
    for rx, b in _AFTER:
        if rx.search(after):
            return b
    return "="


def quantities(text: str) -> list[Quantity]:
    """Every quantity with a unit, and every full date, in ``text`` (in order).

    A full date ``2020年1月1日`` is one quantity of family ``date`` (value yyyymmdd), not a
    year plus a month plus a day.
    """
    t = halfwidth(text)
    out: list[Quantity] = []
    taken: list[tuple[int, int]] = []
    for m in _DATE.finditer(t):
        y, mo, d = int(m["y"]), int(m["m"]), int(m["d"])
        if 1 <= mo <= 12 and 1 <= d <= 31:
            out.append(Quantity(y * 10000 + mo * 100 + d, "date", text=m.group(0), start=m.start()))
            taken.append(m.span())
    for m in _QTY.finditer(t):
        if any(a <= m.start() < b for a, b in taken):
            continue
        # "第3章", "3.5条": numbering, not an amount; a digit glued to a Latin letter or a
        # clause number ("GB/T 1.1", "5.3.2") before it is not an amount either.
        prev = t[m.start() - 1] if m.start() else ""
        if prev and (prev in "第." or (prev.isascii() and prev.isalnum())):
            continue
        value = parse_number(m["num"])
        if value is None:
            continue
        family, factor = _UNITS[m["unit"]]
        if (
            m["unit"] == "度"
            and family == "celsius"
            and not re.search(r"[℃温]", t[max(0, m.start() - 6) : m.end()])
        ):
            continue  # "一度" as in 年度/程度 is not a temperature
        high = parse_number(m["num2"]) if m["num2"] else None
        if m["half"] or m["andhalf"]:  # "一年半", "一个半小时"; "一至两年半" ends at 2.5
            if high is None:
                value += 0.5
            else:
                high += 0.5
        out.append(
            Quantity(
                value * factor,
                family,
                _bound(t, m.start(), m.end()),
                None if high is None else high * factor,
                m.group(0),
                m.start(),
            )
        )
    for m in _PER_CENT.finditer(t):
        value = parse_number(m["num"])
        if value is not None and not any(a <= m.start() < b for a, b in taken):
            out.append(
                Quantity(
                    value, "percent", _bound(t, m.start(), m.end()), None, m.group(0), m.start()
                )
            )
    out.sort(key=lambda q: q.start)
    return out


def same_quantity(q: Quantity, candidates: list[Quantity], *, strict_bound: bool = True) -> bool:
    """Does ``q`` occur among ``candidates``?  With ``strict_bound`` a stated bound must
    not point the other way ("不少于5年" vs "不超过5年"); an unstated one matches any."""
    for c in candidates:
        if not q.same_amount(c):
            continue
        if not strict_bound or "=" in (q.bound, c.bound) or q.bound[0] == c.bound[0]:
            return True
    return False

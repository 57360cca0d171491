"""Standard codes ("GB/T 1.1—2020", "DB37/T 1234—2021", "T/CSSA 001—2022", "Q/ABC 2-2020").

People write the same code a dozen ways: hyphen, en dash or em dash before the year,
full-width letters, with or without a space after the prefix.  Everything that compares,
displays or cites a code goes through :func:`normalize_code`, which produces the form the
standards themselves print: ``PREFIX NUMBER—YEAR`` with an em dash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grammar.numbering import halfwidth

_DASH = r"[-—–－―‐‑]"
# Prefix families.  Industry codes (two capital letters) need "/T", "/Z" or a year, so that
# "PM 2.5" alone is not taken for a standard code — unless the two letters are one of the
# official industry-standard codes (行业标准代号) and the number has two or more digits, so
# that "SL 61" or "JT 808" named without a year in a question is still a code.
_CODE = re.compile(
    r"(?<![A-Za-z/])"
    r"(?P<prefix>"
    r"GB\s*/\s*[TZ]|GB|GJB(?:\s*/\s*Z)?"
    r"|DB\s*\d{2}(?:\d{2}){0,2}\s*(?:/\s*T)?"
    r"|T\s*/\s*[A-Z][A-Z0-9]{1,15}?"
    r"|Q\s*/\s*[A-Z0-9][A-Z0-9\-]{0,15}?"
    r"|[A-Z]{2}\s*/\s*[TZ]"
    r"|(?P<industry>[A-Z]{2})"
    r")"
    r"\s*(?P<num>\d{1,6}(?:\.\d{1,3})?)"
    rf"(?:\s*{_DASH}+\s*(?P<year>(?:19|20)\d{{2}}))?"
    r"(?![\d.]*\d)"
)


# The industry-standard codes of the PRC (行业标准代号, as listed by SAC).  Only used to accept
# a yearless "XX 123": with "/T" or a year any two capital letters count.
_INDUSTRY_CODES = (
    "AQ BB CB CH CJ CY DA DL DZ EJ FZ GA GC GD GH GM GY HB HG HJ HS HY JB JC JG JR JT JY "
    "LB LD LS LY MH MT MZ NB NY QB QC QJ QX RB SB SC SF SH SJ SL SN SW SY TB TD TY WB WH "
    "WJ WM WS WW XB XF YB YC YD YS YY YZ ZY"
)
INDUSTRY_PREFIXES = frozenset(_INDUSTRY_CODES.split())

# International codes ("ISO 9001:2015", "ISO/IEC 27001", "IEC 61508-3", "ISO/TR 10013"): they
# print the year after a colon, and parts with a hyphen.  A question that names one asks about
# a standard the knowledge base may not hold, so it must be recognised as a code.
_INTL = re.compile(
    r"(?<![A-Za-z/])"
    r"(?P<prefix>ISO\s*/\s*IEC(?:\s*/\s*IEEE)?|ISO\s*/\s*(?:TS|TR|PAS)|ISO|IEC(?:\s*/\s*TR)?)"
    r"(?:\s*(?P<kind>TS|TR|PAS)(?![A-Za-z]))?"
    r"\s*(?P<num>\d{1,6}(?:-\d{1,3}){0,3})"
    r"(?:\s*:\s*(?P<year>(?:19|20)\d{2}))?"
    r"(?![\d.]*\d)"
)


@dataclass(slots=True, frozen=True)
class CodeMatch:
    start: int
    end: int
    code: str


def _format(prefix: str, num: str, year: str | None) -> str:
    prefix = re.sub(r"\s+", "", prefix.upper())
    return f"{prefix} {num}" + (f"—{year}" if year else "")


def find_codes(text: str) -> list[CodeMatch]:
    """Every standard code in ``text``, normalised, with its span in ``text``."""
    half = halfwidth(text)
    out: list[CodeMatch] = []
    for m in _CODE.finditer(half):
        industry = m.group("industry")
        if (
            industry
            and not m.group("year")
            and (industry not in INDUSTRY_PREFIXES or len(m.group("num").split(".")[0]) < 2)
        ):
            continue
        out.append(
            CodeMatch(
                m.start(), m.end(), _format(m.group("prefix"), m.group("num"), m.group("year"))
            )
        )
    taken = [(c.start, c.end) for c in out]
    for m in _INTL.finditer(half):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        out.append(CodeMatch(m.start(), m.end(), _format_intl(m)))
    return sorted(out, key=lambda c: c.start)


def _format_intl(m: re.Match[str]) -> str:
    """ "ISO/IEC 27001:2013" — the international form, year after a colon."""
    prefix = re.sub(r"\s+", "", m.group("prefix").upper())
    kind = f" {m.group('kind')}" if m.group("kind") else ""
    year = f":{m.group('year')}" if m.group("year") else ""
    return f"{prefix}{kind} {m.group('num')}{year}"


def normalize_code(raw: str) -> str | None:
    """The normalised code if ``raw`` is (essentially) one standard code, else None.

    >>> normalize_code("GB/T1.1-2020")
    'GB/T 1.1—2020'
    >>> normalize_code("ＧＢ／Ｔ　２４４２１．３－２００９")
    'GB/T 24421.3—2009'
    """
    found = find_codes(raw.strip())
    if len(found) != 1:
        return None
    m = found[0]
    rest = (halfwidth(raw.strip())[: m.start] + halfwidth(raw.strip())[m.end :]).strip()
    return m.code if not rest else None


def code_base(code: str) -> str:
    """The code without its year: "GB/T 1.1—2020" -> "GB/T 1.1", "ISO 9001:2015" ->
    "ISO 9001" (how people cite loosely)."""
    return code.split("—", 1)[0].split(":", 1)[0].strip()


def without_codes(text: str) -> str:
    """``text`` with every standard code replaced by a space, so that "1.1" inside
    "GB/T 1.1—2020" is not read as a clause number and a code does not count as topic."""
    for m in sorted(find_codes(text), key=lambda m: -m.start):
        text = text[: m.start] + " " + text[m.end :]
    return text


def code_matches(asked: str, doc_code: str | None) -> bool:
    """Does a code someone wrote name the document's code?

    Without a year it names every edition ("GB/T 1.1" ~ "GB/T 1.1—2020"); with a year only
    that edition ("T/BZQC 003—2025" is not "T/BZQC 003—2019"), or a document printed
    without a year.
    """
    if not doc_code:
        return False
    if asked == doc_code:
        return True
    if "—" in asked:
        return "—" not in doc_code and code_base(asked) == doc_code
    return code_base(doc_code) == asked


# How file names spell a code's prefix: "GB_T_", "GBT_", "GB-T ", "JRT_", "DB2101T_",
# "T_BZQC_", "TGDRTA_" (团体: T + the body's letters), "HJ_".
_NAME_PREFIX = re.compile(
    r"^(?P<p>GB|GJB|DB\d{2}(?:\d{2}){0,2}|[A-Z]{2})[_\- ]?(?P<t>[TZ])[_\- ]"
    r"|^(?P<g>[TQ])[_\- ]?(?P<body>[A-Z]{2,12})[_\- ]"
)


def code_from_filename(stem: str) -> str | None:
    """A code spelled in a file name with "_" for "/" and " " ("T_BZQC_001-2025_…",
    "GB_T_24421.3-2009", "GBT_22239-2019_…", "TGDRTA_002-2020"), at its start or after
    a prefix such as "标准_"; None if the name holds none with a year."""
    starts = [0] + [m.end() for m in re.finditer(r"[_\- ]", stem)]
    for start in starts[:6]:
        tail = stem[start:]
        if m := _NAME_PREFIX.match(tail):
            if m.group("p"):
                candidate = f"{m.group('p')}/{m.group('t')} " + tail[m.end() :]
            else:
                candidate = f"{m.group('g')}/{m.group('body')} " + tail[m.end() :]
        else:
            candidate = re.sub(r"^([A-Z]{2,})_", r"\1 ", tail)
        found = find_codes(candidate)
        if found and found[0].start == 0 and "—" in found[0].code:
            return found[0].code
    return None

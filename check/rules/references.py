"""Reference rules: the 规范性引用文件 list against the citations in the text.

The list is chapter 2 after its lead-in: one entry per line beginning with a document code.
Body citations are codes found in chapters 3… and the annexes.  Codes are compared by their
base ("GB/T 10001.1"), so a dated citation matches an undated entry and vice versa.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from check.catalogue import rule
from check.draft import Draft, Para
from check.model import Fix, Hit, Severity
from check.rules.common import is_example, is_note, para_hit, span_hit
from check.rules.wording import _lead_in
from grammar.codes import code_base, find_codes
from grammar.schema import ClauseKind
from grammar.wording import LAW_TITLE

_ISO = re.compile(
    r"^(?P<code>(?:ISO|IEC)(?:/IEC)?(?:/TS|/TR)?\s*\d+(?:[.-]\d+)*)(?::(?P<year>\d{4}))?"
)
# A citation of a specific part: "GB/T 10001.1中的5.2", "GB/T 19012的第7章", "…，表1".
_SPECIFIC = re.compile(
    r"^\s*(?:中|的|，|,)?\s*(?:的)?\s*(?:第\s*\d+\s*章|\d+(?:\.\d+)+|表\s*[A-Z]?\.?\d+|图\s*[A-Z]?\.?\d+|附录\s*[A-Z])"
)
_NORMATIVE_CUE = re.compile(r"符合|按照|按|依据|满足|执行|采用|界定的|规定的|要求")


@dataclass(slots=True)
class Entry:
    para: Para
    code: str  # normalised, with year when dated
    base: str
    dated: bool
    kind: int
    number: tuple[int, ...]


def _kind(code: str) -> int:
    """Order of document kinds in the list (GB/T 1.1—2020, 8.6): 国家, 行业, 地方, 团体,
    ISO/IEC, other."""
    if code.startswith("GB"):
        return 0
    if code.startswith("DB"):
        return 2
    if code.startswith("T/"):
        return 3
    if code.startswith(("ISO", "IEC")):
        return 4
    if re.match(r"^[A-Z]{2}(?:/[TZ])?\s", code):
        return 1
    return 5


def entries(draft: Draft) -> list[Entry]:
    if "entries" not in draft.cache:
        draft.cache["entries"] = _entries(draft)
    return draft.cache["entries"]  # type: ignore[return-value]


def _entries(draft: Draft) -> list[Entry]:
    ch = draft.chapter("2")
    if ch is None or "引用" not in ch.clause_title:
        return []
    body = draft.body(ch)
    _text, lead = _lead_in(body)
    out: list[Entry] = []
    for p in body[len(lead) :]:
        t = p.half.strip()
        codes = find_codes(t[:40])
        if codes and codes[0].start == 0:
            code = codes[0].code
        elif m := _ISO.match(t):
            code = re.sub(r"\s+", " ", m.group("code")) + (
                f":{m.group('year')}" if m.group("year") else ""
            )
        else:
            code = ""
        base = (
            code_base(code) if code and not code.startswith(("ISO", "IEC")) else code.split(":")[0]
        )
        nums = tuple(int(x) for x in re.findall(r"\d+", base.split(" ", 1)[-1])) if base else ()
        dated = bool(re.search(r"[—:]\d{4}$", code))
        out.append(Entry(p, code, base, dated, _kind(code) if code else 5, nums))
    return out


def _citations(draft: Draft) -> list[tuple[Para, str, str, int, int]]:
    """(para, base, code, start, end) of every code cited in chapters 3… and annexes."""
    if "citations" in draft.cache:
        return draft.cache["citations"]  # type: ignore[return-value]
    out = []
    for p in draft.body_paras():
        c = p.clause
        if c is None or (c.kind is ClauseKind.CHAPTER and c.clause_no == "2"):
            continue
        if any(h.no == "2" for h in c.heading_path):
            continue
        for m in find_codes(p.text):
            out.append((p, code_base(m.code), m.code, m.start, m.end))
    draft.cache["citations"] = out
    return out


def _own_code(draft: Draft) -> str | None:
    for p in draft.paras[:30]:
        if p.clause is None or p.clause.kind is ClauseKind.PREAMBLE:
            codes = find_codes(p.text)
            if codes:
                return code_base(codes[0].code)
    return None


@rule("references.law", "法律法规不作规范性引用", Severity.ERROR, "8.6", guide="7.2.6")
def law(draft: Draft) -> Iterator[Hit]:
    for e in entries(draft):
        m = LAW_TITLE.search(e.para.text)
        if m and not e.code:
            yield span_hit(
                e.para,
                m.start(),
                m.end(),
                "法律法规被列为规范性引用文件",
                "从第2章删去，需要时列入参考文献",
            )


@rule("references.uncited", "引用文件在正文中被引用", Severity.WARNING, "8.6", guide="7.2.6")
def uncited(draft: Draft) -> Iterator[Hit]:
    cited = {base for _, base, _, _, _ in _citations(draft)}
    text = "\n".join(p.text for p in draft.body_paras())
    for e in entries(draft):
        if not e.code:
            continue
        if e.base in cited or (e.kind == 4 and e.base in text):
            continue
        yield para_hit(
            e.para,
            f"{e.code}列入了规范性引用文件，但正文中没有引用",
            "只列出正文中规范性引用的文件；未引用的删去或移入参考文献",
        )


@rule("references.unlisted", "正文规范性引用的文件列入清单", Severity.WARNING, "8.6", guide="7.2.6")
def unlisted(draft: Draft) -> Iterator[Hit]:
    ch2 = draft.chapter("2")
    if ch2 is None or "引用" not in ch2.clause_title:
        return
    listed = {e.base for e in entries(draft)}
    own = _own_code(draft)
    done: set[str] = set()
    for p, base, code, _s, e in _citations(draft):
        if base in listed or base == own or base in done or is_note(p.text) or is_example(p.text):
            continue
        if (
            p.clause is not None
            and p.clause.annex_type is not None
            and p.clause.annex_type.value == "informative"
        ):
            continue
        window = p.text[max(0, _s - 12) : e + 12]
        if not _NORMATIVE_CUE.search(window) or "参见" in window or "参考" in window:
            continue
        done.add(base)
        yield span_hit(
            p,
            _s,
            e,
            f"正文规范性引用了{code}，但第2章没有列出",
            f"在规范性引用文件清单中列出{code}",
        )


@rule("references.dated", "注日期引用", Severity.WARNING, "9.5", verified=False, guide="7.2.3.1")
def dated(draft: Draft) -> Iterator[Hit]:
    """Citing a particular clause, table or figure of another document needs a dated
    reference, in the text and in the list."""
    undated_list = {e.base for e in entries(draft) if e.code and not e.dated}
    for p, base, code, _s, e in _citations(draft):
        if not _SPECIFIC.match(p.text[e : e + 12]):
            continue
        if "—" not in code or base in undated_list:
            where = "清单中" if base in undated_list else ""
            yield span_hit(
                p,
                _s,
                e,
                f"引用了{base}的具体章条、图或表，但{where}未注日期",
                f"注日期引用，如“{base}—年份”，并在清单中注明同一年份",
            )


_HYPHEN_YEAR = re.compile(
    r"(?<![A-Za-z0-9])(?:GB|DB\d{2,4}|T|Q|[A-Z]{2})(?:\s*/\s*[A-Z0-9]+)?\s*\d+(?:\.\d+)*\s*(?P<dash>[-–－‐‑]|\s+)\s*(?:19|20)\d{2}(?!\d)"
)


@rule(
    "references.year-dash",
    "年份号前用一字线",
    Severity.WARNING,
    "8.1",
    verified=False,
    guide="6.1.2",
)
def year_dash(draft: Draft) -> Iterator[Hit]:
    for p in draft.paras:
        if p.clause is None or p.clause.kind is ClauseKind.PREAMBLE:
            continue
        for m in _HYPHEN_YEAR.finditer(p.text):
            if m.group("dash").isspace():
                continue
            raw = m.group()
            yield span_hit(
                p,
                m.start(),
                m.end(),
                f"文件编号“{raw}”的年份号前用了“{m.group('dash')}”",
                "顺序号和年份号之间用一字线“—”",
                fix=Fix(raw, raw.replace(m.group("dash"), "—")),
            )


@rule("references.order", "规范性引用文件的排列顺序", Severity.WARNING, "8.6", guide="7.2.4")
def order(draft: Draft) -> Iterator[Hit]:
    es = [e for e in entries(draft) if e.code]
    for a, b in itertools.pairwise(es):
        if (b.kind, b.number if b.kind in (0, 4) else ()) < (
            a.kind,
            a.number if a.kind in (0, 4) else (),
        ):
            yield para_hit(
                b.para,
                f"{b.code}排在{a.code}之后，不符合清单的排列顺序",
                "按国家标准、行业标准、地方标准、团体标准、ISO/IEC标准、其他文件排列；国家标准和ISO/IEC标准按顺序号由小到大排列",
            )
            return

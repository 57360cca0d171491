"""Small helpers shared by the rule modules: building hits from paragraphs, diffs."""

from __future__ import annotations

import difflib
import re

from check.draft import Draft, Para, squash
from check.model import Fix, Hit, Location, Severity
from grammar.numbering import RE_CAPTION, RE_EXAMPLE, RE_LIST_ITEM, RE_NOTE, halfwidth
from grammar.schema import Clause

CONTEXT = 160


def loc(p: Para | None, clause: Clause | None = None) -> Location:
    """Where ``p`` is; the clause number is the enclosing clause's (or ``clause``'s)."""
    c = clause or (p.clause if p else None)
    return Location(
        c.clause_no if c and c.clause_no else None, p.line if p else None, p.page if p else None
    )


def context_of(text: str, start: int, end: int) -> str:
    """The paragraph around a span, cut to a readable length."""
    if len(text) <= CONTEXT:
        return text
    a = max(0, start - CONTEXT // 2)
    return ("…" if a else "") + text[a : a + CONTEXT] + ("…" if a + CONTEXT < len(text) else "")


def span_hit(
    p: Para,
    start: int,
    end: int,
    message: str,
    suggestion: str,
    *,
    fix: Fix | None = None,
    severity: Severity | None = None,
) -> Hit:
    return Hit(
        message,
        suggestion,
        loc(p),
        excerpt=p.text[start:end],
        context=context_of(p.text, start, end),
        fix=fix,
        severity=severity,
    )


def para_hit(
    p: Para | None,
    message: str,
    suggestion: str,
    *,
    clause: Clause | None = None,
    severity: Severity | None = None,
) -> Hit:
    text = p.text if p else ""
    return Hit(
        message,
        suggestion,
        loc(p, clause),
        excerpt=text[:CONTEXT],
        context=context_of(text, 0, 0),
        severity=severity,
    )


def clause_hit(
    draft: Draft, clause: Clause, message: str, suggestion: str, *, severity: Severity | None = None
) -> Hit:
    p = draft.heading_para(clause)
    h = para_hit(p, message, suggestion, clause=clause, severity=severity)
    return h


def diff(expected: str, actual: str) -> str:
    """A compact character diff: "…[-删去的][+多出的]…" marks what the draft has wrong."""
    sm = difflib.SequenceMatcher(None, expected, actual, autojunk=False)
    out: list[str] = []
    for op, a1, a2, b1, b2 in sm.get_opcodes():
        if op == "equal":
            seg = expected[a1:a2]
            out.append(seg if len(seg) <= 12 else seg[:5] + "…" + seg[-5:])
        else:
            if a2 > a1:
                out.append(f"[-{expected[a1:a2]}]")
            if b2 > b1:
                out.append(f"[+{actual[b1:b2]}]")
    return "".join(out)


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, squash(a), squash(b), autojunk=False).ratio()


def is_note(text: str) -> bool:
    return bool(RE_NOTE.match(halfwidth(text).lstrip()))


def is_example(text: str) -> bool:
    return bool(RE_EXAMPLE.match(halfwidth(text).lstrip()))


def is_list_item(text: str) -> bool:
    return bool(RE_LIST_ITEM.match(halfwidth(text).lstrip()))


def is_caption(text: str) -> bool:
    return bool(RE_CAPTION.match(halfwidth(text).lstrip()))


def in_annex(clause: Clause | None) -> str | None:
    """The annex letter a clause belongs to, or None."""
    if clause is None:
        return None
    for no in [h.no for h in clause.heading_path] + [clause.clause_no]:
        m = re.fullmatch(r"附录([A-Z])", no)
        if m:
            return m.group(1)
    m = re.match(r"([A-Z])\.", clause.clause_no)
    return m.group(1) if m else None

"""Mechanical fixes (本标准→本文件, 必须→应, （规范性附录）→（规范性）, "-"→"—" before a year).

A fix is applied only on the paragraph it was found in and only where the offending text
is still there, so applying fixes is idempotent and never touches text a rule did not
flag.  The result is a preview of the changed paragraphs plus the fixed text: the draft
file itself is never modified.
"""

from __future__ import annotations

from dataclasses import dataclass

from check.draft import Draft
from check.model import Report


@dataclass(slots=True)
class Change:
    line: int | None
    clause_no: str | None
    before: str
    after: str
    rules: list[str]


def apply_fixes(draft: Draft, report: Report) -> tuple[str, list[Change]]:
    """The draft's text with every mechanical fix applied, and the changed paragraphs."""
    by_para: dict[int, list[tuple[str, str, str]]] = {}
    for f in report.findings:
        if f.fix is None:
            continue
        for p in draft.paras:
            if (
                (p.line, p.page) == (f.location.line, f.location.page)
                and f.fix.old in p.text
                and (not f.context or f.context.strip("…")[:20] in p.text)
            ):
                by_para.setdefault(p.idx, []).append((f.fix.old, f.fix.new, f.rule))
                break
    changes: list[Change] = []
    out: list[str] = []
    for p in draft.paras:
        text = p.text
        fixes = by_para.get(p.idx, [])
        for old, new, _rule in fixes:
            text = text.replace(old, new)
        if text != p.text:
            changes.append(
                Change(
                    p.line,
                    p.clause.clause_no if p.clause else None,
                    p.text,
                    text,
                    sorted({r for _, _, r in fixes}),
                )
            )
        out.append(text)
    return "\n".join(out) + "\n", changes

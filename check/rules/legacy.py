"""2009-era leftovers: wording of GB/T 1.1—2009 that GB/T 1.1—2020 replaced.

Each has a mechanical fix, offered in the app's fix preview.
"""

from __future__ import annotations

from collections.abc import Iterator

from check.catalogue import rule
from check.draft import Draft, squash
from check.model import Fix, Hit, Severity
from check.rules.common import para_hit, span_hit
from check.rules.structure import _ANNEX_LINE
from check.rules.wording import _lead_in, _matches, _text_paras
from grammar.schema import ClauseKind
from grammar.wording import (
    DRAFTING_BASIS,
    OLD_ANNEX_MARK,
    OLD_DRAFTING_BASIS,
    OLD_REFERENCES_LEAD_IN,
    REFERENCES_LEAD_IN,
    THIS_STANDARD,
)


@rule(
    "legacy.this-standard",
    "“本标准”改为“本文件”",
    Severity.ERROR,
    "9.5",
    verified=False,
    guide="8.6.1",
)
def this_standard(draft: Draft) -> Iterator[Hit]:
    """One finding per paragraph (a 2009-style draft says 本标准 in every other line)."""
    done: set[int] = set()
    for p, m in _matches(_text_paras(draft), THIS_STANDARD):
        if p.idx in done:
            continue
        done.add(p.idx)
        n = len(THIS_STANDARD.findall(p.text))
        more = f"（本段共{n}处）" if n > 1 else ""
        yield span_hit(
            p,
            m.start(),
            m.end(),
            f"提及文件自身用了“{m.group()}”{more}",
            "提及文件自身用“本文件”",
            fix=Fix(m.group(), "本文件"),
        )


@rule("legacy.annex-mark", "附录性质的旧标示", Severity.ERROR, "9.6", guide="7.7.2")
def annex_mark(draft: Draft) -> Iterator[Hit]:
    """On annex headings: the segmented ones and any printed "附录B（规范性附录）" line (and
    the line after a bare "附录B"), so a missed heading still gets its finding."""
    prev_annex = False
    for p in draft.paras:
        printed = bool(_ANNEX_LINE.match(p.half.strip()))
        in_head = p.clause is not None and p.clause.kind is ClauseKind.ANNEX
        if in_head or printed or prev_annex:
            for m in OLD_ANNEX_MARK.finditer(p.text):
                new = f"（{m.group(1)}）"
                yield span_hit(
                    p,
                    m.start(),
                    m.end(),
                    f"附录性质标为“{m.group()}”（2009版形式）",
                    f"标示为“{new}”",
                    fix=Fix(m.group(), new),
                )
        prev_annex = printed


@rule("legacy.drafting-basis", "旧的起草依据表述", Severity.ERROR, "8.3", guide="6.2.2")
def drafting_basis(draft: Draft) -> Iterator[Hit]:
    for p in draft.paras[: max(200, len(draft.paras) // 3)]:
        m = OLD_DRAFTING_BASIS.search(p.text)
        if m and "2020" not in p.text:
            yield span_hit(
                p,
                0,
                len(p.text),
                "前言中的起草依据是GB/T 1.1—2009的表述",
                f"改为“{DRAFTING_BASIS}”",
            )
            return


@rule("legacy.references-lead-in", "旧的规范性引用文件引导语", Severity.ERROR, "8.6", guide="7.2.2")
def references_lead_in(draft: Draft) -> Iterator[Hit]:
    ch = draft.chapter("2")
    if ch is None:
        return
    text, used = _lead_in(draft.body(ch))
    if used and OLD_REFERENCES_LEAD_IN.search(text) and squash(text) != squash(REFERENCES_LEAD_IN):
        yield para_hit(
            used[0],
            "规范性引用文件的引导语是GB/T 1.1—2009的表述",
            f"改为“{REFERENCES_LEAD_IN}”",
            clause=ch,
        )

"""Run the selected rules over a draft and attach each finding's basis.

A rule that raises is a bug in the checker, not in the draft: it is logged and reported as
one info finding, so the other rules' findings are never lost.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from check.catalogue import BASIS_STANDARD, GUIDE_STANDARD, Rule, select
from check.draft import Draft
from check.model import SEVERITY_ORDER, Finding, Location, Report, Severity
from grammar.codes import code_base
from ingest.store import ClauseStore

log = logging.getLogger("check")


@dataclass(slots=True, frozen=True)
class BasisClause:
    """Where a basis clause lives, so a finding can name and link it like a citation
    (code, clause number, the 虚构示例 mark of a made-up guide) instead of a raw id."""

    doc_id: str
    standard_code: str
    clause_no: str
    fictitious: bool


@dataclass(slots=True)
class BasisIndex:
    """Clause ids of the guidance documents in a knowledge base, by clause number.

    ``gbt`` holds GB/T 1.1—2020 itself, ``guide`` our sample guide T/BZQC 002—2025; a rule
    links to the standard's clause when present, else to the guide's.
    """

    gbt: dict[str, str] = field(default_factory=dict)
    guide: dict[str, str] = field(default_factory=dict)
    where: dict[str, BasisClause] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: ClauseStore | Path) -> BasisIndex:
        store = store if isinstance(store, ClauseStore) else ClauseStore(store)
        idx = cls()
        if not store.exists:
            return idx
        want = {code_base(BASIS_STANDARD): idx.gbt, code_base(GUIDE_STANDARD): idx.guide}
        docs = [
            d for d in store.documents() if d.standard_code and code_base(d.standard_code) in want
        ]
        for d in docs:
            target = want[code_base(d.standard_code or "")]
            if (
                d.standard_code
                and "—" in d.standard_code
                and d.standard_code not in (BASIS_STANDARD, GUIDE_STANDARD)
            ):
                continue  # another edition (GB/T 1.1—2009) is not the basis
            for c in store.iter_clauses([d.doc_id]):
                if c.clause_no not in target:
                    target[c.clause_no] = c.clause_id
                    idx.where[c.clause_id] = BasisClause(
                        d.doc_id, d.standard_code or "", c.clause_no, bool(d.fictitious)
                    )
        return idx

    def link(self, rule: Rule) -> str | None:
        first = rule.basis.split("，")[0]
        if first in self.gbt:
            return self.gbt[first]
        if rule.guide and rule.guide in self.guide:
            return self.guide[rule.guide]
        return None


def check_draft(
    draft: Draft, rules: Iterable[Rule] | None = None, basis: BasisIndex | None = None
) -> Report:
    """Every finding of ``rules`` (default: all) on ``draft``, sorted by position."""
    t0 = time.perf_counter()
    chosen = list(rules) if rules is not None else select(None)
    findings: list[Finding] = []
    for r in chosen:
        try:
            hits = list(r.fn(draft))
        except Exception:  # a broken rule must not hide the other rules' findings
            log.exception("rule %s failed on %s", r.id, draft.name)
            findings.append(
                Finding(
                    r.id,
                    r.title,
                    Severity.INFO,
                    Location(),
                    "该规则运行出错，未能检查",
                    "请报告此问题",
                    r.basis_label,
                )
            )
            continue
        for h in hits:
            findings.append(
                Finding(
                    rule=r.id,
                    title=r.title,
                    severity=h.severity or r.severity,
                    location=h.location,
                    message=h.message,
                    suggestion=h.suggestion,
                    basis=r.basis_label,
                    basis_clause_id=basis.link(r) if basis else None,
                    excerpt=h.excerpt,
                    context=h.context,
                    fix=h.fix,
                )
            )
    findings.sort(
        key=lambda f: (
            f.location.line or 0,
            f.location.page or 0,
            SEVERITY_ORDER[f.severity],
            f.rule,
        )
    )
    return Report(draft.name, draft.era, findings, [r.id for r in chosen], time.perf_counter() - t0)

"""What a check produces: findings with a location, a suggestion and the rule's basis.

``Finding.to_dict`` is the documented JSON shape of ``python -m check --json``; keys are
only ever added (``excerpt``, ``context``, ``fix``, ``title``), never renamed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """error: the draft breaks a rule of GB/T 1.1—2020; warning: probably breaks one, or
    breaks a recommendation; info: worth a look."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(slots=True, frozen=True)
class Location:
    clause_no: str | None = None
    line: int | None = None
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"clause_no": self.clause_no, "line": self.line, "page": self.page}

    def label(self) -> str:
        """ "5.2.1，第12行" / "第3页"."""
        parts = []
        if self.clause_no:
            parts.append(self.clause_no)
        if self.line:
            parts.append(f"第{self.line}行")
        if self.page:
            parts.append(f"第{self.page}页")
        return "，".join(parts) or "全文"


@dataclass(slots=True)
class Fix:
    """A mechanical replacement of ``old`` by ``new`` on the finding's line."""

    old: str
    new: str

    def to_dict(self) -> dict[str, str]:
        return {"old": self.old, "new": self.new}


@dataclass(slots=True)
class Hit:
    """What a rule reports; the runner adds the rule's id, severity and basis."""

    message: str
    suggestion: str
    location: Location = field(default_factory=Location)
    excerpt: str = ""
    context: str = ""
    fix: Fix | None = None
    severity: Severity | None = None


@dataclass(slots=True)
class Finding:
    rule: str
    title: str
    severity: Severity
    location: Location
    message: str
    suggestion: str
    basis: str
    basis_clause_id: str | None = None
    excerpt: str = ""
    context: str = ""
    fix: Fix | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "rule": self.rule,
            "title": self.title,
            "severity": str(self.severity),
            "location": self.location.to_dict(),
            "message": self.message,
            "suggestion": self.suggestion,
            "basis": self.basis,
        }
        if self.basis_clause_id:
            d["basis_clause_id"] = self.basis_clause_id
        d["excerpt"] = self.excerpt
        d["context"] = self.context
        d["fix"] = self.fix.to_dict() if self.fix else None
        return d


@dataclass(slots=True)
class Report:
    document: str
    era: str
    findings: list[Finding]
    rules_run: list[str]
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        by_sev = {str(s): 0 for s in Severity}
        by_rule: dict[str, int] = {}
        for f in self.findings:
            by_sev[str(f.severity)] += 1
            by_rule[f.rule] = by_rule.get(f.rule, 0) + 1
        return {
            "total": len(self.findings),
            **by_sev,
            "by_rule": dict(sorted(by_rule.items())),
            "rules_run": len(self.rules_run),
            "drafting_edition": self.era,
            "seconds": round(self.seconds, 3),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary(),
        }

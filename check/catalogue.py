"""The rule catalogue: every rule's id, title, severity and basis in GB/T 1.1—2020.

Rules register themselves with :func:`rule`; the catalogue is what ``python -m check
--list-rules`` prints and what README documents.  ``basis`` is the clause of GB/T 1.1—2020
the rule enforces; ``basis_verified`` is False where that clause number could not be
checked against ``gbt-1.1-2020-facts.md`` (chapter- and element-level numbers are listed
there; finer numbers come from memory of the standard).  ``guide`` is the clause of our
sample guide T/BZQC 002—2025 saying the same thing, used for ``basis_clause_id`` when the
knowledge base holds the guide rather than GB/T 1.1—2020 itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from check.model import Hit, Severity

if TYPE_CHECKING:
    from check.draft import Draft

BASIS_STANDARD = "GB/T 1.1—2020"
GUIDE_STANDARD = "T/BZQC 002—2025"

RuleFn = Callable[["Draft"], Iterable[Hit]]


@dataclass(slots=True, frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    basis: str
    basis_verified: bool
    guide: str | None
    fn: RuleFn

    @property
    def group(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def basis_label(self) -> str:
        return f"{BASIS_STANDARD}，{self.basis}"

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "group": self.group,
            "title": self.title,
            "severity": str(self.severity),
            "basis": self.basis_label,
            "basis_verified": self.basis_verified,
            "guide": f"{GUIDE_STANDARD}，{self.guide}" if self.guide else None,
        }


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    title: str,
    severity: Severity,
    basis: str,
    *,
    verified: bool = True,
    guide: str | None = None,
) -> Callable[[RuleFn], RuleFn]:
    """Register a rule function under ``rule_id`` ("group.name")."""

    def deco(fn: RuleFn) -> RuleFn:
        if rule_id in RULES:
            raise ValueError(f"duplicate rule id {rule_id}")
        RULES[rule_id] = Rule(rule_id, title, severity, basis, verified, guide, fn)
        return fn

    return deco


def all_rules() -> dict[str, Rule]:
    """Every registered rule (importing the rule modules registers them)."""
    import check.rules  # noqa: F401  (registration side effect)

    return RULES


def select(spec: Iterable[str] | None) -> list[Rule]:
    """Rules named by ids or group names ("wording", "structure.chapter-numbering").
    Raises ValueError naming what is unknown."""
    rules = all_rules()
    if not spec:
        return list(rules.values())
    wanted: list[Rule] = []
    for item in spec:
        for name in (s.strip() for s in item.replace("，", ",").split(",")):
            if not name:
                continue
            hits = [r for r in rules.values() if r.id == name or r.group == name]
            if not hits:
                raise ValueError(f"未知规则：{name}（python -m check --list-rules 列出全部规则）")
            wanted.extend(h for h in hits if h not in wanted)
    return wanted

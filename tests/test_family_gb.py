"""grammar.families.gb: GB/T 1.1 章/条 numbers."""

from __future__ import annotations

import pytest

from grammar.families.base import REFERENCE, Family
from grammar.families.gb import FAMILY, numbering
from grammar.schema import ClauseKind


@pytest.mark.parametrize(
    ("s", "label", "level", "kind"),
    [
        ("5 要求", "5", 1, ClauseKind.CHAPTER),
        ("5.2 服务人员", "5.2", 2, ClauseKind.CLAUSE),
        ("5.1.2.3.4 细则", "5.1.2.3.4", 5, ClauseKind.CLAUSE),
        ("10", "10", 1, ClauseKind.CHAPTER),
    ],
)
def test_syntax_depth_and_number(s: str, label: str, level: int, kind: ClauseKind) -> None:
    hm = FAMILY.match(s, 0, glued=False)
    assert hm is not None and hm is not REFERENCE
    assert (hm.numbering.label, hm.numbering.level, hm.numbering.kind) == (label, level, kind)
    assert hm.numbering.family is Family.GB
    assert s[hm.rest_start :].strip() == s[len(label) :].strip()


@pytest.mark.parametrize("s", ["5.2.1 的规定", "5.2 给出了", "4.2 ~ 4.5", "5.2 和 5.3"])
def test_references_are_rejected(s: str) -> None:
    assert FAMILY.match(s, 0, glued=False) is REFERENCE


@pytest.mark.parametrize("s", ["05 要求", "5.02 x", "1.2.3.4.5.6 x", "5.2.1服务", "2.5米", "abc"])
def test_not_this_family(s: str) -> None:
    assert FAMILY.match(s, 0, glued=False) is None


def test_glued_numbers_only_when_asked_and_marked() -> None:
    hm = FAMILY.match("3术语和定义", 4, glued=True)
    assert hm is not None and hm is not REFERENCE
    assert hm.glued and hm.numbering.label == "3" and (hm.pos, hm.rest_start) == (4, 5)
    assert FAMILY.match("3术语和定义", 0, glued=False) is None


def test_numbering_key_orders_clauses() -> None:
    assert numbering("5.2.1").key == (5, 2, 1)
    assert numbering("5.10").key > numbering("5.9").key

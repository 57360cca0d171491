"""grammar.families.annex: 附录X (every edition's status mark) and annex clauses."""

from __future__ import annotations

import pytest

from grammar.families.annex import ANNEX, ANNEX_CLAUSE, asks_annex_status, parse_annex_type
from grammar.families.base import ANNEX_BASE, REFERENCE
from grammar.schema import AnnexType, ClauseKind


@pytest.mark.parametrize(
    ("s", "letter", "atype", "title"),
    [
        ("附录A 服务流程", "A", None, "服务流程"),
        ("附录B(规范性)服务评价", "B", AnnexType.NORMATIVE, "服务评价"),
        ("附 录 C (资料性附录)", "C", AnnexType.INFORMATIVE, ""),  # 2009 wording, spaced
        ("附录D(标准的附录)", "D", AnnexType.NORMATIVE, ""),  # 2000 wording
        ("附录E(提示的附录) 示例", "E", AnnexType.INFORMATIVE, "示例"),
    ],
)
def test_annex(s: str, letter: str, atype: AnnexType | None, title: str) -> None:
    hm = ANNEX.match(s, 0, glued=False)
    assert hm is not None and hm is not REFERENCE
    assert hm.numbering.label == f"附录{letter}" and hm.numbering.kind is ClauseKind.ANNEX
    assert hm.numbering.key == (ANNEX_BASE + ord(letter) - ord("A"),)
    assert hm.annex_type is atype
    assert s[hm.rest_start :].strip() == title


def test_annex_references_and_non_annexes() -> None:
    assert ANNEX.match("附录A给出了示例", 0, glued=False) is None  # runs into a word
    assert ANNEX.match("附录A 的规定", 0, glued=False) is REFERENCE
    assert ANNEX.match("附件1", 0, glued=False) is None


def test_annex_clauses() -> None:
    hm = ANNEX_CLAUSE.match("B.2.1 记录", 0, glued=False)
    assert hm is not None and hm is not REFERENCE
    assert hm.numbering.label == "B.2.1" and hm.numbering.level == 3
    assert hm.numbering.key == (ANNEX_BASE + 1, 2, 1)
    assert ANNEX_CLAUSE.match("A.1 中规定", 0, glued=False) is REFERENCE
    assert ANNEX_CLAUSE.match("A.1总则", 0, glued=False) is None
    glued = ANNEX_CLAUSE.match("A.1总则", 0, glued=True)
    assert glued is not None and glued is not REFERENCE and glued.glued


def test_annex_type_alone() -> None:
    assert parse_annex_type("（规范性）") is AnnexType.NORMATIVE
    assert parse_annex_type("（资料性）") is AnnexType.INFORMATIVE
    assert parse_annex_type("规范性要求") is None


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("附录A是规范性附录还是资料性附录？", True),
        ("附录B是什么性质的附录？", True),
        ("2009版里“标准的附录”指什么？", True),
        ("正文里“见附录A”和“参见附录B”怎么区分？", False),
        ("附录A的评价表怎么填？", False),
    ],
)
def test_a_question_asking_an_annex_status_is_recognised(question: str, asked: bool) -> None:
    assert asks_annex_status(question) is asked

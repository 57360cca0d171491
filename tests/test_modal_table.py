"""One table of 能愿动词 (grammar.modality) behind the checker's patterns (grammar.wording),
the title test (grammar.titles) and the support check's matcher (modals): they agree on
what is a modal verb and what is a word that merely contains its character."""

from __future__ import annotations

import pytest

from grammar import wording
from grammar.elements import Provision, provision_of
from grammar.modality import NOT_MODAL, TABLE, modals
from grammar.titles import has_modal


@pytest.mark.parametrize(
    ("text", "canonical", "provision"),
    [
        ("服务人员应持证上岗。", "应", Provision.REQUIREMENT),
        ("设施应纳入日常管理。", "应", Provision.REQUIREMENT),  # 应纳税 is a noun, 应纳入 is not
        ("同时宜采用电子档案。", "宜", Provision.RECOMMENDATION),  # 不合时宜 is an idiom
        ("人员可持证上岗。", "可", Provision.PERMISSION),
        ("系统可回复确认消息。", "可", Provision.PERMISSION),
    ],
)
def test_modal_verbs_agree(text: str, canonical: str, provision: Provision) -> None:
    assert [m.canonical for m in modals(text)] == [canonical]
    assert provision_of(text) is provision


@pytest.mark.parametrize(
    "text",
    [
        "应急预案的响应时间",
        "适宜的便宜事宜",
        "可靠性和可追溯性",
        "认可与许可",
        "不可或缺的功能",
        "应力分析",
    ],
)
def test_words_containing_a_modal_character_are_not_modal(text: str) -> None:
    assert modals(text) == []
    assert provision_of(text) is Provision.STATEMENT
    assert not has_modal(text)


def test_every_spelling_of_a_requirement_or_recommendation_is_found_by_the_checker() -> None:
    for canonical, patterns in (
        ("应", (wording.MODAL_REQUIREMENT, wording.MUST)),
        ("不应", (wording.MODAL_REQUIREMENT, wording.PROHIBITION)),
        ("宜", (wording.MODAL_RECOMMENDATION,)),
        ("不宜", (wording.MODAL_RECOMMENDATION,)),
    ):
        for spelling in TABLE[canonical]:
            if any(ch in spelling for ch in "应宜必得"):
                assert any(p.search(spelling) for p in patterns), spelling


def test_possibility_and_prohibition_are_no_permission() -> None:
    assert not wording.MODAL_PERMISSION.search("可能")
    assert not wording.MODAL_PERMISSION.search("不可")
    assert wording.MODAL_PERMISSION.search("可以")


def test_no_compound_word_is_itself_a_spelling() -> None:
    spellings = {s for spelled in TABLE.values() for s in spelled}
    assert not spellings & set(NOT_MODAL)

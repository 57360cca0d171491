"""The default (extractive) answerer over the bundled samples, with the real model:
right clauses cited, drafting questions led by the governing clauses, plain refusals."""

from __future__ import annotations

import pytest

from qa.answer import REFUSAL, Answerer
from qa.citations import parse_citations

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def answerer(sample_searcher):  # type: ignore[no-untyped-def]
    return Answerer(sample_searcher)


def cited(result) -> set[tuple[str | None, str]]:  # type: ignore[no-untyped-def]
    return {(c.standard_code, c.clause_no) for c in result.citations}


@pytest.mark.parametrize(
    ("question", "code", "clause_no", "fact"),
    [
        pytest.param(
            "养老护理员岗前培训不少于多少学时？",
            "T/BZQC 001—2025",
            "4.2.2.1",
            "40",
            # Known miss: the reranker puts 4.2.2.2 (继续培训, 24 学时) first for this
            # phrasing ("新入职的…岗前培训" in the sample set is answered right).  The answer
            # used to let the clause with most question wording lead instead; held out,
            # that override lost on every set (see README, "lead clause").
            marks=pytest.mark.xfail(strict=True, reason="reranker ranks 继续培训 first"),
        ),
        ("投诉档案要保存几年？", "T/BZQC 003—2025", "8.2", "5"),
        (
            "没有规范性引用文件时第2章怎么写？",
            "T/BZQC 002—2025",
            "7.2.5",
            "本文件没有规范性引用文件",
        ),
    ],
)
def test_extractive_answer_cites_the_right_clause(
    answerer, question: str, code: str, clause_no: str, fact: str
) -> None:  # type: ignore[no-untyped-def]
    r = answerer.answer(question)
    assert not r.refused, r.answer
    assert r.mode == "extractive"
    assert (code, clause_no) in cited(r), (cited(r), r.answer)
    assert fact in r.answer
    # every citation in the text names a clause that was retrieved for this question
    retrieved = {(c.standard_code, c.clause_no) for c in r.retrieved}
    for p in parse_citations(r.answer):
        assert any(p.clause_no == no for _, no in retrieved), p
    assert r.invalid_citations == []


def test_drafting_question_leads_with_governing_clause(answerer) -> None:  # type: ignore[no-untyped-def]
    r = answerer.answer("范围一章怎么写？")
    assert not r.refused, r.answer
    assert r.element == "范围"
    first = r.citations[0]
    assert first.standard_code == "T/BZQC 002—2025" and first.clause_no.startswith("7.1"), (
        r.citations
    )
    assert "适用于" in r.answer


def test_statute_article_lookup(answerer) -> None:  # type: ignore[no-untyped-def]
    r = answerer.answer("标准化法第十条讲的是什么？")
    assert not r.refused
    assert (
        r.citations[0].clause_no == "第十条"
        and r.citations[0].doc_title == "中华人民共和国标准化法"
    )


@pytest.mark.parametrize(
    "question",
    [
        "食品添加剂二氧化硫的最大使用量是多少？",
        "医疗器械注册需要提交哪些资料？",
        "建筑抗震设防烈度怎么确定？",
    ],
)
def test_out_of_corpus_questions_are_refused(answerer, question: str) -> None:  # type: ignore[no-untyped-def]
    r = answerer.answer(question)
    assert r.refused, r.answer
    assert r.answer == REFUSAL and r.citations == []


def test_follow_up_question_uses_history(answerer) -> None:  # type: ignore[no-untyped-def]
    first = answerer.answer("规范性引用文件怎么排序？")
    assert not first.refused
    follow = answerer.answer("那没有引用文件时呢？", history=[(first.question, first.answer)])
    assert not follow.refused
    assert ("T/BZQC 002—2025", "7.2.5") in cited(follow), cited(follow)

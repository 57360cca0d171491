"""Evaluation metrics against values computed by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pytest

from eval import metrics as M
from eval.fingerprint import fingerprint
from eval.gold import GoldResolution, ResolvedQuestion
from eval.questions import Gold, Question, QuestionSet, SetMeta
from eval.runner import AnswerOutcome, QuestionResult, RetrievalOutcome, SetRun
from eval.summary import check_thresholds, lookup, summarize

GOLD = {"a": 2, "b": 1}
L3 = math.log2(3)  # discount at rank 2


def test_recall_uses_grade_two_targets() -> None:
    ranked = ["x", "b", "a", "y"]
    # targets = {a}: b (grade 1) at rank 2 is not a hit, a at rank 3 is
    assert M.first_hit_rank(ranked, GOLD) == 3
    assert M.recall_at_k(ranked, GOLD, 2) == 0.0
    assert M.recall_at_k(ranked, GOLD, 3) == 1.0
    assert M.mrr_at_k(ranked, GOLD, 10) == pytest.approx(1 / 3)
    assert M.mrr_at_k(ranked, GOLD, 2) == 0.0


def test_recall_falls_back_to_any_gold_without_grade_two() -> None:
    gold = {"a": 1, "b": 1}
    assert M.first_hit_rank(["x", "b"], gold) == 2
    assert M.recall_at_k(["x", "b"], gold, 1) == 0.0
    assert M.mrr_at_k(["x", "b"], gold, 10) == 0.5


def test_ndcg_graded() -> None:
    # DCG = 1/log2(3) (b at 2) + 2/log2(4) (a at 3) = 0.6309 + 1.0
    # IDCG = 2/log2(2) + 1/log2(3) = 2.6309
    got = M.ndcg_at_k(["x", "b", "a", "y"], GOLD, 10)
    assert got == pytest.approx((1 / L3 + 1.0) / (2 + 1 / L3))
    assert got == pytest.approx(0.61991, abs=1e-4)
    assert M.ndcg_at_k(["a", "b"], GOLD, 10) == pytest.approx(1.0)
    assert M.ndcg_at_k(["a", "b"], GOLD, 1) == pytest.approx(1.0)  # IDCG@1 = 2 as well
    assert M.ndcg_at_k(["x"], GOLD, 10) == 0.0
    assert M.ndcg_at_k(["a"], {}, 10) == 0.0


def test_chunks_hold_several_clauses_each_credited_once() -> None:
    # rank 2 holds a and b: only the best (a, gain 2) is credited there
    ranked = [{"x", "y"}, {"a", "b"}]
    assert M.first_hit_rank(ranked, GOLD) == 2
    assert M.ndcg_at_k(ranked, GOLD, 10) == pytest.approx((2 / L3) / (2 + 1 / L3))
    # the same chunk twice: a at rank 1 (2/1), b at rank 2 (1/log2 3) → ideal
    assert M.ndcg_at_k([{"a", "b"}, {"a", "b"}], GOLD, 10) == pytest.approx(1.0)


def test_citation_metrics() -> None:
    assert M.citation_validity(3, 1) == 0.75
    assert M.citation_validity(0, 0) is None
    assert M.citation_precision(["a", "x"], GOLD) == 0.5
    assert M.citation_precision(["b"], GOLD) == 1.0  # grade 1 is still gold
    assert M.citation_precision([], GOLD) is None
    assert M.citation_recall(["a", "x"], GOLD) == 1.0
    assert M.citation_recall(["b"], GOLD) == 0.0  # target is a
    assert M.citation_recall(["b"], {"a": 2, "c": 2}) == 0.0
    assert M.citation_recall(["a"], {"a": 2, "c": 2}) == 0.5
    assert M.citation_recall(["a"], {}) is None


def test_key_fact_coverage_plain_and_fingerprint() -> None:
    answer = "铃响4声内接听，维修时限为２４ 小时。"
    # "4声" found, "24小时" found after NFKC + whitespace removal, "5分钟" missing
    assert M.key_fact_coverage(answer, ["4声", "24小时", "5分钟"]) == pytest.approx(2 / 3)
    fp_yes, fp_no = fingerprint("维修时限"), fingerprint("抢修时限")
    assert M.key_fact_coverage(answer, ["4声"], [fp_yes, fp_no]) == pytest.approx(2 / 3)
    assert M.key_fact_coverage(answer, [], []) is None


def test_refusal_summary() -> None:
    pairs = [(False, True), (False, False), (True, False), (True, True), (True, False)]
    got = M.refusal_summary(pairs)
    assert got["correct_refusal_rate"] == 0.5  # 1 of 2 unanswerable refused
    assert got["false_refusal_rate"] == pytest.approx(1 / 3)  # 1 of 3 answerable refused
    assert got["refusal_accuracy"] == pytest.approx(3 / 5)
    assert M.refusal_summary([(True, False)])["correct_refusal_rate"] is None


def test_percentiles_and_mean() -> None:
    assert M.percentile([40, 10, 30, 20], 50) == 25.0
    assert M.percentile([10, 20, 30, 40], 95) == pytest.approx(38.5)  # 30 + 0.85 * 10
    assert M.percentile([7], 95) == 7
    assert M.percentile([], 50) is None
    assert M.mean([1.0, None, 0.0]) == 0.5
    assert M.mean([None]) is None


def _ret(first: int | None, ms: float = 10.0) -> RetrievalOutcome:
    return RetrievalOutcome([], first, 1 / first if first else 0.0, 0.5 if first else 0.0, ms)


def _ans(
    refused: bool, precision: float | None, cited: int, invalid: int, ms: float
) -> AnswerOutcome:
    return AnswerOutcome(
        "…", refused, ["c"] * cited, [], ["x"] * invalid, None, precision, precision, 1.0, ms
    )


def test_summary_and_thresholds() -> None:
    g = Gold("D", None, "1", 2, "e")
    q1 = Question("q1", "lookup", "?", [g])
    q2 = Question("q2", "numeric", "?", [g])
    q3 = Question("q3", "unanswerable", "?")
    r1 = QuestionResult(q1, {"a": 2}, [], [], {"hybrid+exact": _ret(1), "naive": _ret(None)})
    r2 = QuestionResult(q2, {"a": 2}, [], [], {"hybrid+exact": _ret(4), "naive": _ret(2)})
    r3 = QuestionResult(q3, {}, [], [], {"hybrid+exact": _ret(None), "naive": _ret(None)})
    r1.answer = _ans(False, 1.0, 2, 0, 100)
    r2.answer = _ans(False, 0.5, 1, 1, 300)
    r3.answer = _ans(True, None, 0, 0, 50)
    qset = QuestionSet(SetMeta("t", "1", ["x"]), [q1, q2, q3])
    run = SetRun(
        qset,
        [r1, r2, r3],
        GoldResolution([ResolvedQuestion(q) for q in (q1, q2, q3)]),
        ["hybrid+exact", "naive"],
    )
    s = summarize(run)
    he = s["retrieval"]["hybrid+exact"]
    assert he["n"] == 2  # the unanswerable question is not scored for retrieval
    assert he["recall@1"] == 0.5 and he["recall@3"] == 0.5 and he["recall@5"] == 1.0
    assert he["mrr@10"] == pytest.approx((1 + 0.25) / 2)
    assert he["curve"][:5] == [0.5, 0.5, 0.5, 1.0, 1.0]
    assert s["retrieval"]["naive"]["recall@5"] == 0.5
    assert s["margin_recall@5_pts"] == 50.0
    a = s["answer"]
    assert a["citation_validity"] == pytest.approx(3 / 4)  # 3 kept, 1 removed
    assert a["citation_precision"] == 0.75
    assert a["refusal_accuracy"] == 1.0 and a["false_refusal_rate"] == 0.0
    assert a["latency_p50_ms"] == 100
    assert s["by_type"]["numeric"]["retrieval"]["hybrid+exact"]["recall@5"] == 1.0
    assert lookup(s, "answer", "citation_precision") == 0.75
    ok = {"hybrid+exact": {"recall@5": 0.9, "mrr@10": 0.6}, "answer": {"false_refusal_rate": 0.1}}
    assert check_thresholds(s, ok) == []
    bad = {"hybrid+exact": {"recall@1": 0.9}, "answer": {"false_refusal_rate": -0.1, "nope": 1}}
    failed = check_thresholds(s, bad)
    assert len(failed) == 3
    assert any("recall@1 = 0.500 < 0.9" in f for f in failed)
    assert any("nope: not measured" in f for f in failed)


def test_summary_by_split_and_unresolved_gold_counts_as_a_miss() -> None:
    g = Gold("D", None, "1", 2, "e")
    q1 = Question("q1", "lookup", "?", [g], split="dev")
    q2 = Question("q2", "lookup", "?", [g], split="test")
    q3 = Question("q3", "lay", "?", [g], split="test")
    r1 = QuestionResult(q1, {"a": 2}, [], [], {"hybrid+exact": _ret(1)})
    r2 = QuestionResult(q2, {"a": 2}, [], [], {"hybrid+exact": _ret(2)})
    # q3's evidence is in no clause of the knowledge base: scored, and a miss
    r3 = QuestionResult(q3, {}, [], ["D 1: evidence not found"], {"hybrid+exact": _ret(None)})
    for r, cited in ((r1, ["a"]), (r2, ["x", "a"]), (r3, ["y"])):
        r.answer = AnswerOutcome("…", False, cited, [], [], 1.0, None, None, None, 10.0)
    qset = QuestionSet(SetMeta("t", "1", ["x"]), [q1, q2, q3])
    run = SetRun(
        qset,
        [r1, r2, r3],
        GoldResolution([ResolvedQuestion(q) for q in (q1, q2, q3)]),
        ["hybrid+exact"],
    )
    s = summarize(run)
    assert s["retrieval"]["hybrid+exact"]["n"] == 3
    assert s["retrieval"]["hybrid+exact"]["recall@5"] == pytest.approx(2 / 3)
    dev, test = s["by_split"]["dev"], s["by_split"]["test"]
    assert dev["n"] == 1 and test["n"] == 2
    assert dev["retrieval"]["hybrid+exact"]["recall@1"] == 1.0
    assert test["retrieval"]["hybrid+exact"]["recall@5"] == 0.5
    assert test["by_type"]["lay"]["retrieval"]["hybrid+exact"]["recall@5"] == 0.0


def test_split_table_scores_the_reranked_pipeline_the_answers_use() -> None:
    """The per-split table must read the pipeline the answerer ranks with (reranked), not the
    unreranked one: otherwise its R@1 disagrees with the answer columns beside it."""
    from eval.report import _split_blocks

    def split(r1_plain: float, r1_reranked: float | None) -> dict:
        retrieval = {"hybrid+exact": {"recall@1": r1_plain}}
        if r1_reranked is not None:
            retrieval["hybrid+exact+rerank"] = {"recall@1": r1_reranked}
        return {"n": 4, "retrieval": retrieval, "answer": {}}

    table = _split_blocks({"dev": split(0.25, 0.75), "test": split(0.5, 1.0)})[-1].rows
    assert [row[2] for row in table[1:]] == ["0.750", "1.000"]
    plain = _split_blocks({"test": split(0.5, None)})[-1].rows
    assert plain[1][2] == "0.500"

"""Aggregate per-question outcomes of a :class:`eval.runner.SetRun` into report numbers.

Kept apart from the runner (which only measures) and the report (which only formats), so
the threshold check and the report read the very same dict.

Which questions count where:

* retrieval metrics: answerable questions with at least one resolved gold clause;
* citation precision / recall: those of them that were answered (not refused);
* citation validity: every citation made, over all questions (micro average);
* key-fact coverage: answerable questions that list key facts (a refusal scores 0);
* refusal metrics: all questions;
* LLM-judged faithfulness / relevancy (``--judge`` only): answered questions the judge gave
  usable verdicts on (``judged``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eval import metrics as M
from eval.runner import NAIVE, NAIVE_CLAUSE, K, QuestionResult, SetRun

CUTOFFS = (1, 3, 5, 10)
# Metrics where a smaller value is better (the threshold is a ceiling, not a floor).
LOWER_IS_BETTER = {"false_refusal_rate", "latency_p50_ms", "latency_p95_ms"}


def _hit(first: int | None, k: int) -> float:
    return 1.0 if first is not None and first <= k else 0.0


def retrieval_summary(results: Iterable[QuestionResult], mode: str) -> dict[str, Any]:
    """Recall@{1,3,5,10}, MRR@10, nDCG@10, the Recall@k curve (k=1..10) and search latency."""
    rs = [r for r in results if r.scored and mode in r.retrieval]
    outs = [r.retrieval[mode] for r in rs]
    out: dict[str, Any] = {"n": len(rs)}
    for k in CUTOFFS:
        out[f"recall@{k}"] = M.mean(_hit(o.first_hit, k) for o in outs)
    out[f"mrr@{K}"] = M.mean(o.mrr for o in outs)
    out[f"ndcg@{K}"] = M.mean(o.ndcg for o in outs)
    out["curve"] = [M.mean(_hit(o.first_hit, k) for o in outs) for k in range(1, K + 1)]
    lat = M.latency_summary([o.ms for o in outs])
    out["latency_p50_ms"], out["latency_p95_ms"] = lat["p50_ms"], lat["p95_ms"]
    return out


def answer_summary(
    results: Iterable[QuestionResult], judged: bool = False
) -> dict[str, Any] | None:
    """Citation, key-fact and refusal metrics plus end-to-end answer latency (and, when the
    LLM judge ran, faithfulness, relevancy and the number of judged answers)."""
    rs = [r for r in results if r.answer is not None]
    if not rs:
        return None
    answers = [r.answer for r in rs if r.answer is not None]
    n_valid = sum(len(a.cited) for a in answers)
    n_invalid = sum(len(a.invalid) for a in answers)
    out: dict[str, Any] = {
        "n": len(rs),
        "citation_validity": M.citation_validity(n_valid, n_invalid),
        "citation_precision": M.mean(a.precision for a in answers),
        "citation_recall": M.mean(a.recall for a in answers),
        "first_citation": M.mean(a.first for a in answers),
        "key_fact_coverage": M.mean(a.key_facts for a in answers),
    }
    refusals = M.refusal_summary((r.question.answerable, r.answer.refused) for r in rs if r.answer)
    out.update(refusals)
    lat = M.latency_summary([a.ms for a in answers])
    out["latency_p50_ms"], out["latency_p95_ms"] = lat["p50_ms"], lat["p95_ms"]
    # Rule-based support check (no LLM): mean supported share of statements, and drifts.
    out["rule_faithfulness"] = M.mean(a.rule_faithfulness for a in answers)
    for key in ("modality_drift", "modality_corrected", "number_drift", "unsupported"):
        out[f"statements_{key}"] = sum(a.statement_counts.get(key, 0) for a in answers)
    out["llm_errors"] = sum(1 for a in answers if a.error)
    if any(a.raw is not None or a.fallback for a in answers):
        # LLM mode: answers where no statement of the model survived the check and the
        # clauses were quoted instead; and the answerable share the model alone left
        # unanswered (refused, or answered by that fallback).
        out["llm_fallbacks"] = sum(1 for a in answers if a.fallback)
        own = [r.answer.refused or bool(r.answer.fallback) for r in rs if r.question.answerable]
        out["llm_own_refusal_rate"] = sum(own) / len(own) if own else None
    if judged:
        from eval.judge import judge_summary

        out.update(judge_summary([a.judge for a in answers]))
    return out


def summarize(run: SetRun) -> dict[str, Any]:
    """Everything the report and ``--check`` need, as plain JSON-ready data."""
    retrieval = {m: retrieval_summary(run.results, m) for m in run.modes}
    by_type = _by_type(run.results, run.modes, run.judged)
    out: dict[str, Any] = {
        "questions": len(run.results),
        "scored_for_retrieval": sum(1 for r in run.results if r.scored),
        "gold": run.resolution.to_json(),
        "retrieval": retrieval,
        "answer": answer_summary(run.results, run.judged),
        "by_type": by_type,
    }
    splits = sorted({r.question.split for r in run.results if r.question.split})
    if splits:
        out["by_split"] = {}
        for name in splits:
            rs = [r for r in run.results if r.question.split == name]
            out["by_split"][name] = {
                "n": len(rs),
                "retrieval": {
                    m: {k: v for k, v in retrieval_summary(rs, m).items() if k != "curve"}
                    for m in run.modes
                },
                "answer": answer_summary(rs, run.judged),
                "by_type": _by_type(rs, run.modes, run.judged),
            }
    best = retrieval.get("hybrid+exact", {})
    for key, base_mode in (
        ("margin_recall@5_pts", NAIVE),
        ("margin_recall@5_pts_clause", NAIVE_CLAUSE),
    ):
        base = retrieval.get(base_mode, {})
        if best.get("recall@5") is not None and base.get("recall@5") is not None:
            out[key] = round((best["recall@5"] - base["recall@5"]) * 100, 1)
    return out


def _by_type(results: list[QuestionResult], modes: list[str], judged: bool) -> dict[str, Any]:
    """Per question type: R@1, R@5 and MRR@10 per mode, and the answer metrics."""
    out: dict[str, Any] = {}
    for t in sorted({r.question.type for r in results}, key=_type_order):
        rs = [r for r in results if r.question.type == t]
        out[t] = {
            "n": len(rs),
            "retrieval": {
                m: {
                    k: v
                    for k, v in retrieval_summary(rs, m).items()
                    if k in ("n", "recall@1", "recall@5", "mrr@10")
                }
                for m in modes
            },
            "answer": answer_summary(rs, judged),
        }
    return out


def _type_order(t: str) -> int:
    from eval.questions import QUESTION_TYPES

    return QUESTION_TYPES.index(t) if t in QUESTION_TYPES else len(QUESTION_TYPES)


def lookup(summary: dict[str, Any], group: str, metric: str) -> float | None:
    """Value of ``metric`` in ``group`` ("answer" or a retrieval mode), for thresholds."""
    section = (
        summary.get("answer") if group == "answer" else summary.get("retrieval", {}).get(group)
    )
    if not section:
        return None
    value = section.get(metric)
    return float(value) if isinstance(value, int | float) else None


def check_thresholds(summary: dict[str, Any], thresholds: dict[str, dict[str, float]]) -> list[str]:
    """Failed checks of one set as readable lines; empty when every threshold is met.

    ``thresholds`` is ``{"<group>": {"<metric>": value}}``; a value is a floor, except for
    metrics in :data:`LOWER_IS_BETTER` where it is a ceiling.  A metric that could not be
    computed fails (a check that silently passes on missing data is no check).
    """
    failed: list[str] = []
    for group, metrics in thresholds.items():
        if group.startswith("_"):
            continue
        for metric, want in metrics.items():
            got = lookup(summary, group, metric)
            if got is None:
                failed.append(f"{group} {metric}: not measured (threshold {want})")
            elif metric in LOWER_IS_BETTER and got > want:
                failed.append(f"{group} {metric} = {got:.3f} > {want}")
            elif metric not in LOWER_IS_BETTER and got < want:
                failed.append(f"{group} {metric} = {got:.3f} < {want}")
    return failed

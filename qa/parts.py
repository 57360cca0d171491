"""Per-part retrieval: each part of a multi-part question brings its best clause forward.

"服务计划执行率和投诉处理及时率分别要达到多少？" is answered by one clause per rate, but as a
whole it matches best a clause naming both (an indicator list, the chapter heading), which
then leads the answer alone.  Like LlamaIndex's sub-question engine, without a language
model: the query plan splits the question (:func:`qa.plan.part_plans`), each part is
retrieved and reranked on its own with the same pipeline and reranker, and each part's
best clause — when the whole question's reranker does not find it far-fetched
(:data:`PART_MARGIN`) — moves ahead of the clauses that are best for no part.  The whole
question's order is kept among the promoted clauses and among the rest; a clause the
question names (exact route) stays first.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from qa.plan import QueryPlan

# A part's best clause is promoted when the whole question's reranker score is within this
# of the best (log-odds): a part misread from the question must not bring a clause the
# whole question finds far-fetched.  Twice the bound a side citation must meet
# (qa.answer.SIDE_MARGIN = 2.5): the clause naming both parts is exactly the one the whole
# question's wording favours, often by 3–4 (A.2.2 vs A.1.2 in the sample set).  On the dev
# questions of the ten tuning sets 5 promoted the same clauses as no bound at all; 2.5
# lost one first hit.
PART_MARGIN = 5.0

H = TypeVar("H")


def part_leads(plan: QueryPlan, best_of: Callable[[QueryPlan], Sequence[str]]) -> list[str]:
    """Clause ids of each part's best clause, one per part, without repeats, in part
    order.  ``best_of(part)``: the part's ranking (clause ids, best first)."""
    out: list[str] = []
    for part in plan.parts:
        for cid in best_of(part)[:1]:
            if cid not in out:
                out.append(cid)
    return out


def promote(
    hits: Sequence[H],
    scores: Sequence[float],
    leads: Sequence[str],
    clause_id: Callable[[H], str],
    is_exact: Callable[[H], bool],
    margin: float = PART_MARGIN,
) -> tuple[list[int], list[int]]:
    """New order of ``hits`` (indices): exact-route hits first as they were, then the
    parts' best clauses that the whole question's ``scores`` keep within ``margin`` of the
    best (NaN or missing scores: no bound), in their current order, then the rest.  Also
    the indices promoted."""
    known = [s for s in scores if not math.isnan(s)]
    best = max(known, default=math.nan)
    wanted = set(leads)

    def promoted(i: int) -> bool:
        if clause_id(hits[i]) not in wanted:
            return False
        if i >= len(scores) or math.isnan(scores[i]) or math.isnan(best):
            return True
        return scores[i] >= best - margin

    exact = [i for i in range(len(hits)) if is_exact(hits[i])]
    up = [i for i in range(len(hits)) if i not in exact and promoted(i)]
    rest = [i for i in range(len(hits)) if i not in exact and i not in up]
    return exact + up + rest, up


def reorder(seq: Sequence[Any], order: Sequence[int]) -> list[Any]:
    """``seq`` in ``order`` (indices past its end are skipped)."""
    return [seq[i] for i in order if i < len(seq)]

"""Reciprocal rank fusion of ranked lists (Cormack et al., 2009).

RRF uses ranks, not scores, so cosine similarities (≈0.7–0.9 for e5) and BM25 scores
(unbounded) combine without calibration.  Weights scale each list's contribution; the
constant ``k0 = 60`` is the value from the paper.

:data:`HYBRID_K0` is the constant the dense + BM25 fusion of a search uses (index.retrievers,
and Qdrant's engine-side fusion): smaller than the paper's, because with k0 = 60 a clause
one retriever ranks near the top and the other misses (a lay question the embedder
understands but whose words the clause does not use) scores below clauses both rank
only mid-list — 1/(60+3) < 2/(60+30) — and drops out of the top ten.  With k0 = 20 a
top-3 hit of one list (1/23) outranks a rank-30 hit of both (2/50), while agreement
still wins among near ranks.  Measured on the tuning splits (docs/evaluation-history.md
"Hybrid fusion: a smaller RRF constant").
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K0 = 60
HYBRID_K0 = 20

T = TypeVar("T", bound=Hashable)


def rrf(
    ranked_lists: Sequence[Sequence[T]], weights: Sequence[float] | None = None, k0: int = K0
) -> list[tuple[T, float]]:
    """Fuse ranked lists (best first) into one ``[(item, score)]``, best first.

    Ties keep the order in which items were first seen, earlier lists first, so the
    result is deterministic.
    """
    if weights is None:
        weights = [1.0] * len(ranked_lists)
    if len(weights) != len(ranked_lists):
        raise ValueError("one weight per ranked list")
    scores: dict[T, float] = {}
    for items, w in zip(ranked_lists, weights, strict=True):
        if w <= 0:
            continue
        for rank, item in enumerate(items, start=1):
            scores[item] = scores.get(item, 0.0) + w / (k0 + rank)
    order = {item: i for i, item in enumerate(scores)}
    return sorted(scores.items(), key=lambda kv: (-kv[1], order[kv[0]]))

"""Reciprocal rank fusion of ranked lists (Cormack et al., 2009).

RRF uses ranks, not scores, so cosine similarities (≈0.7–0.9 for e5) and BM25 scores
(unbounded) combine without calibration.  Weights scale each list's contribution; the
constant ``k0 = 60`` is the value from the paper and works without tuning.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K0 = 60

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

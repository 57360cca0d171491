"""Pseudo-relevance feedback: the question's words, plus the distinctive words of the
clauses a first search ranked best.

A question in everyday words ("孩子在网上买东西被骗了怎么办") shares few words with the
clause that answers it ("未成年人网络消费……退款"): BM25 finds nothing or the wrong
clause, and the embedder, which does understand the question, ranks loosely among one
document's clauses.  The first search's best hits, though, are mostly in the right place —
the right document, often the right section — and they speak the standard's language.
Borrowing their distinctive words (RM3, Lavrenko & Croft 2001; Rocchio 1971 for vectors)
gives the lexical retriever words it can match, without a word list or a model.

Drift is the known failure of feedback (a wrong first hit pulls its neighbours up), so the
expanded search runs only inside the documents the first hits belong to, and its ranking
is fused with the first one rather than replacing it (:func:`index.retrievers.feedback`).

The words borrowed are chosen by their BM25 weight in each feedback clause (rarity in the
knowledge base × saturated frequency in the clause), each clause's weights normalised to
sum to 1 (a long clause does not outvote a short one), averaged over the clauses; words
held by most clauses of the searched documents (the document title, which BM25 indexes
with every clause, and the documents' everyday vocabulary) are left out: inside those
documents they tell no clause from another.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from index.bm25 import BM25Index

TERMS = 10  # words borrowed from the feedback clauses
SHARE = 0.5  # their total weight, relative to the question's own words
COMMON = 0.5  # a word held by more than this share of the searched clauses is not borrowed


def feedback_weights(
    bm25: BM25Index,
    rows: Sequence[int],
    own: Sequence[int],
    within: np.ndarray,
    *,
    terms: int = TERMS,
    share: float = SHARE,
    common: float = COMMON,
) -> dict[int, float]:
    """Query weights by matrix column: the question's own words (``own``) at 1 each, and
    the ``terms`` most distinctive words of the feedback clauses (``rows``) sharing
    ``share`` × (number of own words, at least 1) in proportion to their feedback weight.
    ``within`` (bool per row) marks the clauses the expanded query will search; a word
    held by more than ``common`` of them is not borrowed."""
    out = {c: 1.0 for c in own}
    if not rows or terms <= 0 or share <= 0:
        return out
    pooled: dict[int, float] = {}
    for r in rows:
        cols, vals = bm25.row_terms(r)
        total = float(vals.sum())
        if total <= 0:
            continue
        for c, v in zip(cols.tolist(), (vals / total).tolist(), strict=True):
            if c not in out:
                pooled[c] = pooled.get(c, 0.0) + v / len(rows)
    n = int(within.sum())
    chosen: list[tuple[int, float]] = []
    for c, w in sorted(pooled.items(), key=lambda kv: (-kv[1], kv[0])):
        if len(chosen) == terms:
            break
        if bm25.held_by(c, within) <= common * n:
            chosen.append((c, w))
    z = sum(w for _, w in chosen)
    if z <= 0:
        return out
    budget = share * max(len(own), 1)
    out.update({c: budget * w / z for c, w in chosen})
    return out

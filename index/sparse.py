"""BM25 as sparse vectors, so an external engine can score it (the Qdrant backend).

BM25 of a query ``q`` against a clause ``d`` is a sum over shared terms of
``idf(t) · tf_part(t, d)``.  The idf part depends on the whole collection and changes with
every insert; the tf part depends only on the clause and the collection's average length.
So each clause is stored as a sparse vector of tf parts, the engine multiplies in the idf at
query time (Qdrant: ``Modifier.IDF``, the same Lucene idf ``ln(1 + (N − df + 0.5)/(df + 0.5))``
that bm25s uses), and the query is a sparse vector of ones over its distinct terms.

Term ids are a stable hash of our own jieba tokens (clause numbers and codes stay whole, see
:mod:`index.tokenize`), not a vocabulary: nothing to keep in sync between processes or
machines, and a new word needs no re-indexing.  31-bit blake2b collides for about one pair
in 4·10⁵ distinct terms at a million words — harmless for ranking.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

K1 = 1.5  # bm25s defaults, so the embedded and the external backend rank alike
B = 0.75


def term_id(token: str) -> int:
    """Stable 31-bit id of a token (the same in every process, Python version and host)."""
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=4).digest(), "big") & (
        0x7FFFFFFF
    )


@dataclass(slots=True, frozen=True)
class SparseTerms:
    """A sparse vector: sorted term ids and their weights."""

    indices: list[int]
    values: list[float]

    def __bool__(self) -> bool:
        return bool(self.indices)


def _merge(weights: dict[int, float]) -> SparseTerms:
    ids = sorted(weights)
    return SparseTerms(ids, [weights[i] for i in ids])


def document_terms(tokens: Sequence[str], avgdl: float) -> SparseTerms:
    """The tf parts of one clause, as bm25s computes them ("lucene" variant):
    ``tf / (tf + k1·(1 − b + b·dl/avgdl))``, so both backends give the same scores."""
    counts = Counter(tokens)
    dl = len(tokens)
    norm = K1 * (1.0 - B + B * dl / max(avgdl, 1e-6))
    weights: dict[int, float] = {}
    for tok, tf in counts.items():
        tid = term_id(tok)  # two tokens hashing alike simply add up
        weights[tid] = weights.get(tid, 0.0) + tf / (tf + norm)
    return _merge(weights)


def query_terms(tokens: Sequence[str]) -> SparseTerms:
    """A query: each distinct term once (bm25s scores a repeated query word once too)."""
    return _merge({term_id(t): 1.0 for t in dict.fromkeys(tokens)})

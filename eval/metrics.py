"""Evaluation metrics as pure functions (no I/O), so each can be checked by hand in tests.

Ranked lists are sequences whose items are either one clause id (the searcher returns
clauses) or a collection of clause ids (a naive 500-character chunk overlaps several
clauses, and retrieves all of them at once).  Gold is a mapping ``clause_id → grade``
(2: answers the question; 1: relevant context).

Definitions (documented here because every report quotes them):

* **target** clauses of a question: its grade-2 gold, or all gold if it has no grade 2.
* ``recall_at_k`` (hit rate): 1 if any target clause is in the top k, else 0; averaged over
  questions it is the fraction of questions whose answer clause was retrieved.
* ``mrr_at_k``: 1/rank of the first target clause within the top k, else 0.
* ``ndcg_at_k``: graded gains (2/1), DCG = Σ gain / log2(rank + 1), each gold clause credited
  once (at its best rank), normalised by the ideal ordering of the gold grades.
* copies of one standard: a clause of a copy that holds a gold entry's evidence counts as
  that gold clause (:mod:`eval.gold`); :func:`canonical` rewrites ranked or cited ids to
  the gold clause they stand for before any metric reads them.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence

from eval.fingerprint import contains, normalize

RankedItem = str | Collection[str]


def _ids(item: RankedItem) -> Collection[str]:
    return (item,) if isinstance(item, str) else item


def canonical(items: Sequence[RankedItem], aliases: Mapping[str, str]) -> list[list[str]]:
    """``items`` (ranked or cited) with every clause id that stands for a gold clause in a
    copy of its standard replaced by that gold clause's id (duplicates within one item
    dropped), so the metrics below credit it like the gold clause itself."""
    return [list(dict.fromkeys(aliases.get(c, c) for c in _ids(item))) for item in items]


def targets(gold: Mapping[str, int]) -> set[str]:
    """Clauses that count as a hit: grade 2, or every gold clause when none is grade 2."""
    top = {cid for cid, g in gold.items() if g >= 2}
    return top or set(gold)


def first_hit_rank(ranked: Sequence[RankedItem], gold: Mapping[str, int]) -> int | None:
    """1-based rank of the first item holding a target clause, or None."""
    want = targets(gold)
    for rank, item in enumerate(ranked, start=1):
        if want.intersection(_ids(item)):
            return rank
    return None


def recall_at_k(ranked: Sequence[RankedItem], gold: Mapping[str, int], k: int) -> float:
    """1.0 if a target clause is within the top ``k``, else 0.0 (see module docstring)."""
    rank = first_hit_rank(ranked[:k], gold)
    return 1.0 if rank is not None else 0.0


def mrr_at_k(ranked: Sequence[RankedItem], gold: Mapping[str, int], k: int) -> float:
    """Reciprocal rank of the first target clause within the top ``k`` (0 if none)."""
    rank = first_hit_rank(ranked[:k], gold)
    return 1.0 / rank if rank is not None else 0.0


def ndcg_at_k(ranked: Sequence[RankedItem], gold: Mapping[str, int], k: int) -> float:
    """Graded nDCG@k; a chunk holding several gold clauses gains the best not yet credited."""
    if not gold:
        return 0.0
    credited: set[str] = set()
    dcg = 0.0
    for rank, item in enumerate(ranked[:k], start=1):
        fresh = [cid for cid in _ids(item) if cid in gold and cid not in credited]
        if not fresh:
            continue
        best = max(fresh, key=lambda cid: gold[cid])
        credited.add(best)
        dcg += gold[best] / math.log2(rank + 1)
    ideal = sorted(gold.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(r + 1) for r, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg else 0.0


# ------------------------------------------------------------------ answers
def citation_validity(n_valid: int, n_invalid: int) -> float | None:
    """Share of an answer's citations that name a retrieved clause.

    ``AnswerResult.citations`` holds the valid ones, ``invalid_citations`` the removed ones.
    None when the answer cited nothing (a refusal).
    """
    total = n_valid + n_invalid
    return n_valid / total if total else None


def citation_precision(cited: Iterable[str], gold: Mapping[str, int]) -> float | None:
    """Cited clauses that are gold (any grade) / cited clauses; None if nothing was cited."""
    ids = set(cited)
    return len(ids & set(gold)) / len(ids) if ids else None


def first_citation_hit(cited: Sequence[str], gold: Mapping[str, int]) -> float | None:
    """1.0 when the answer's first citation is a target clause (it holds the answer),
    0.0 when it is another; None when nothing was cited."""
    if not cited:
        return None
    return 1.0 if cited[0] in targets(gold) else 0.0


def citation_recall(cited: Iterable[str], gold: Mapping[str, int]) -> float | None:
    """Target (grade-2) gold clauses cited / target gold clauses; None without gold."""
    want = targets(gold)
    return len(want & set(cited)) / len(want) if want else None


def key_fact_coverage(
    answer: str, key_facts: Sequence[str], key_facts_fp: Sequence[Mapping[str, object]] = ()
) -> float | None:
    """Fraction of key facts found in the answer (normalised substring / fingerprint).

    None when the question lists no key facts.
    """
    total = len(key_facts) + len(key_facts_fp)
    if not total:
        return None
    norm = normalize(answer)
    found = sum(1 for f in key_facts if normalize(f) in norm)
    found += sum(1 for fp in key_facts_fp if contains(answer, evidence_fp=dict(fp)))
    return found / total


def refusal_summary(decisions: Iterable[tuple[bool, bool]]) -> dict[str, float | int | None]:
    """Refusal behaviour from ``(answerable, refused)`` pairs.

    * ``correct_refusal_rate``: unanswerable questions that were refused (want 1.0);
    * ``false_refusal_rate``: answerable questions that were refused (want 0.0);
    * ``refusal_accuracy``: share of all questions where refuse/answer was the right call.
    """
    pairs = list(decisions)
    unans = [refused for answerable, refused in pairs if not answerable]
    ans = [refused for answerable, refused in pairs if answerable]
    right = sum(1 for answerable, refused in pairs if answerable != refused)
    return {
        "unanswerable": len(unans),
        "answerable": len(ans),
        "correct_refusal_rate": sum(unans) / len(unans) if unans else None,
        "false_refusal_rate": sum(ans) / len(ans) if ans else None,
        "refusal_accuracy": right / len(pairs) if pairs else None,
    }


# ------------------------------------------------------------------ aggregation
def percentile(values: Sequence[float], p: float) -> float | None:
    """``p``-th percentile (0–100) with linear interpolation, as numpy's default."""
    if not values:
        return None
    xs = sorted(values)
    pos = (len(xs) - 1) * p / 100.0
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def latency_summary(ms: Sequence[float]) -> dict[str, float | None]:
    """p50 / p95 / mean of latencies in milliseconds."""
    return {
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "mean_ms": sum(ms) / len(ms) if ms else None,
    }


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the defined values (None entries are not applicable and are skipped)."""
    xs = [v for v in values if v is not None]
    return sum(xs) / len(xs) if xs else None


# ------------------------------------------------------------------ refusal calibration
def refusal_curve(
    items: Iterable[tuple[bool, float | None, bool]], thresholds: Sequence[float]
) -> list[dict[str, float | None]]:
    """Share refused, answerable and unanswerable, if the refusal gate's threshold were
    each of ``thresholds``.

    ``items``: ``(answerable, relevance, refused_otherwise)`` per question — the gate
    score of the question's best hit (None: nothing usable was retrieved, always refused)
    and whether it is refused for another reason (a named document that is absent).
    """
    rows = list(items)
    out: list[dict[str, float | None]] = []
    for t in thresholds:
        ans = [other or r is None or r < t for a, r, other in rows if a]
        un = [other or r is None or r < t for a, r, other in rows if not a]
        out.append(
            {
                "threshold": t,
                "answerable_refused": sum(ans) / len(ans) if ans else None,
                "unanswerable_refused": sum(un) / len(un) if un else None,
            }
        )
    return out


def best_threshold(
    items: Sequence[tuple[bool, float | None, bool]], thresholds: Sequence[float]
) -> float:
    """The threshold with the lowest balanced error (share of answerable refused plus
    share of unanswerable answered); ties go to the lower threshold (refuse less)."""
    best = (math.inf, thresholds[0])
    for row in refusal_curve(items, thresholds):
        a = row["answerable_refused"] or 0.0
        u = row["unanswerable_refused"]
        err = a + (1.0 - u if u is not None else 0.0)
        if err < best[0] - 1e-12:
            best = (err, float(row["threshold"] or 0.0))
    return best[1]

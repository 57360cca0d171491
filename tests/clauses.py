"""One way for tests to make a :class:`Clause` without a document (LLM, citation, prompt
and gate tests build a handful of clauses by hand), and a search hit around one."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grammar.schema import Clause, ClauseKind, HeadingRef


def make_clause(
    no: str,
    text: str,
    *,
    code: str | None = None,
    title: str = "",
    doc_title: str | None = None,
    doc_id: str | None = None,
    heading_path: list[HeadingRef] | None = None,
    seq: int = 0,
) -> Clause:
    """A body clause ``no`` of the document ``code`` (its title defaults to "<code>标题")."""
    doc = doc_id or code or "d"
    return Clause(
        clause_id=f"{doc}:{no}",
        doc_id=doc,
        doc_title=doc_title if doc_title is not None else f"{code or doc}标题",
        standard_code=code,
        clause_no=no,
        clause_title=title,
        heading_path=list(heading_path or []),
        kind=ClauseKind.CLAUSE,
        annex_type=None,
        text=text,
        source=f"/src/{doc}.txt",
        page=None,
        start=0,
        end=len(text),
        seq=seq,
    )


def chapter_maker(
    code: str, doc_title: str, chapter: HeadingRef
) -> Callable[[str, str, str, int], Clause]:
    """``mk(no, title, text, seq)``: clauses of one standard under one chapter — the gate
    tests read titles, heading paths and text of a handful of such clauses."""

    def mk(no: str, title: str, text: str, seq: int) -> Clause:
        return make_clause(
            no,
            text,
            code=code,
            title=title,
            doc_title=doc_title,
            doc_id="d",
            heading_path=[chapter],
            seq=seq,
        )

    return mk


@dataclass
class FakeHit:
    """The fields of a search hit that answer composition, reranking and the refusal gate
    read (``index.search.Hit`` duck type)."""

    clause: Clause
    score: float
    dense_score: float | None
    route: str = "hybrid"
    bm25_score: float | None = None
    rank: int = 0


def feature_column(x: np.ndarray, name: str) -> np.ndarray:
    """One reranker feature's column of a ``qa.rerank.features`` matrix, by its name."""
    from qa.rerank import FEATURES

    return x[:, FEATURES.index(name)]


class RecordingOrder:
    """A reranker (the ``order`` protocol of ``qa.rerank``) that records the inputs it is
    handed and keeps the hits' order (or reverses it): a test then sees which per-hit
    inputs reached the model, and that its order is applied to the right hits."""

    name = "spy"
    needs_inputs = True

    def __init__(self, *, reverse: bool = False) -> None:
        self.reverse = reverse
        self.seen: list[Any] = []

    def order(self, plan: Any, hits: Sequence[Any], children: Any, inputs: Any = None) -> list[int]:
        self.seen.append(inputs)
        ids = list(range(len(hits)))
        return ids[::-1] if self.reverse else ids


def one_feature_reranker(path: Path, feature: str, weight: float = 1.0) -> Path:
    """Write a linear reranker model (``qa.rerank.LinearReranker`` file) that weighs one
    feature and ignores the rest, unscaled: a test then knows what order to expect."""
    from qa.rerank import FEATURES

    w = [0.0] * len(FEATURES)
    w[FEATURES.index(feature)] = weight
    model = {
        "features": list(FEATURES),
        "weights": w,
        "bias": 0.0,
        "mean": [0.0] * len(FEATURES),
        "scale": [1.0] * len(FEATURES),
    }
    path.write_text(json.dumps(model))
    return path


def separable_groups(questions: int, candidates: int, feature: int, lift: float, seed: int):  # type: ignore[no-untyped-def]
    """Reranker training groups (``eval.train_rerank.Group``) of random features where
    the right candidate of each question stands out by ``lift`` in column ``feature``
    (three columns): a fit that learns anything must learn that column."""
    import numpy as np

    from eval.train_rerank import Group

    rng = np.random.default_rng(seed)
    groups = []
    for q in range(questions):
        x = rng.normal(size=(candidates, 3))
        y = np.zeros(candidates)
        y[q % candidates] = 1.0
        x[q % candidates, feature] += lift
        groups.append(Group(str(q), x, y, np.zeros(candidates, dtype=bool)))
    return groups

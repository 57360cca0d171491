"""Cross-validation folds by corpus, shared by the reranker's and the gate's trainers.

The question sets tuned on are asked over three corpora: the real standards (standards,
fresh, fresh2, fresh3 — their dev sides split by document the same way), the five web
guides (webguides, webguides2, webguides3) and the repository's samples.  Leaving one
*set* out still trains on the documents of the set scored, so the held-out figure
flatters the model (in session 7 it promised gains the document-disjoint test splits did
not show).  Leaving a whole corpus out is "tune on two, score on the third": what an
unseen corpus will see.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

T = TypeVar("T")


def corpus_key(corpus: Iterable[str] | None, name: str) -> tuple[str, ...]:
    """The key that groups sets asked over the same documents: the sorted corpus paths a
    set names (``_meta.corpus``), or the set's own name when it names none."""
    paths = tuple(sorted(str(c) for c in corpus or ()))
    return paths or (name,)


def fold_names(
    names: Iterable[str], corpus_of: Mapping[str, Sequence[str]]
) -> dict[str, list[str]]:
    """Fold name ("standards+fresh+fresh2") → the sets in it, in the order given; a set
    with no known corpus is a fold of its own."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for name in names:
        groups.setdefault(tuple(corpus_of.get(name, (name,))), []).append(name)
    return {"+".join(members): members for members in groups.values()}


def set_to_fold(members: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Invert a fold → sets map (:func:`fold_names`) into set name → fold name."""
    return {s: fold for fold, names in members.items() for s in names}


def fold_of(names: Iterable[str], corpus_of: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Set name → the name of its fold (:func:`fold_names`)."""
    return set_to_fold(fold_names(names, corpus_of))


def fold_name(name: str, folds: Mapping[str, str] | None) -> str:
    """The fold of set ``name`` in a set → fold map (:func:`fold_of`); a set missing from
    it (or no map at all) is a fold of its own: leave one set out."""
    return (folds or {}).get(name, name)


def pooled(
    per_set: Mapping[str, list[T]], folds: Mapping[str, str] | None = None
) -> dict[str, list[T]]:
    """Per-set lists (items, scores) merged into their folds (``folds``: set → fold, see
    :func:`fold_name`), set by set in the order given."""
    out: dict[str, list[T]] = {}
    for name, rows in per_set.items():
        out.setdefault(fold_name(name, folds), []).extend(rows)
    return out


def by_corpus(
    sets: Mapping[str, list[T]], corpus_of: Mapping[str, Sequence[str]]
) -> dict[str, list[T]]:
    """Merge the sets asked over the same corpus into one fold: its items, set by set in
    the order given."""
    return pooled(sets, fold_of(sets, corpus_of))

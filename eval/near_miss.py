"""``python -m eval.near_miss``: what the reranker puts above a gold clause it nearly found.

Most wrong first hits have the gold clause a few places below (lay questions on the dev
splits of session 13: R@1 .51, R@5 .79).  A new feature helps only if it separates the two,
so before designing one it pays to know *what* outranks the gold and *which* features
prefer it.  For each answerable dev question whose best gold clause is ranked 2nd to
``--depth``, this tool compares the first hit with that gold clause:

* **relation** (:func:`relation`): a clause of another document (``copy`` when its text
  shares most of the gold's bigrams: the same fact stated twice), the gold's parent
  section (``ancestor``), one of its subclauses (``descendant``), a ``sibling`` under the
  same heading path, a clause of the same chapter, or of the same document elsewhere;
* **kind** (:func:`kind`): a terminology entry, front matter (cover, 前言, 引言, 范围), a
  generic heading (总则, 基本要求…) over a gold that is not one, or plain content;
* **length**: the first hit more than twice as long as the gold, or the other way round;
* **features** (:func:`favouring`): the features whose weighted, standardised value adds
  most to the first hit's score over the gold's (what the linear model prefers it for),
  and for every feature on how many near misses it speaks for the first hit and on how
  many for the gold (:func:`contributions`): a feature that never speaks for the gold
  cannot be reweighted into finding it.

The order is the stored model's (``qa/rerank.json``, which has seen the dev splits it was
trained on) or, with ``--folds corpus``, each corpus ranked by a model fitted on the
others at the stored model's L2 (what an unseen corpus would see).  Test splits are never
read.  Output: Markdown tables of counts; no question text.

Usage::

    python -m eval.near_miss [--workspace DIR] [--set FILE ...] [--type lay]
        [--depth 10] [--folds stored|corpus]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grammar.schema import Clause, ClauseKind

COPY_OVERLAP = 0.4  # bigram Jaccard of two texts above which they state the same thing
_GENERIC = re.compile(r"总则|通则|概述|一般规定|一般要求|基本要求|通用要求|总体要求|基本原则")
_FRONT_TITLES = re.compile(r"^(?:范围|前言|引言|目的|适用范围|总则)$")
_SPACE = re.compile(r"\s+")


def _bigrams(text: str) -> set[str]:
    t = _SPACE.sub("", text)
    return {t[i : i + 2] for i in range(len(t) - 1)}


def overlap(a: str, b: str) -> float:
    """Bigram Jaccard of two texts (whitespace ignored: PDF text spaces its characters)."""
    ga, gb = _bigrams(a), _bigrams(b)
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


def relation(first: Clause, gold: Clause) -> str:
    """Where ``first`` sits relative to ``gold`` in the documents' trees (see the module
    docstring); structure first, because a parent section and a sibling call for
    different remedies (prefer the specific clause; read the one asked)."""
    if first.doc_id != gold.doc_id:
        return "copy" if overlap(first.text, gold.text) >= COPY_OVERLAP else "other_document"
    first_path = [h.no for h in first.heading_path]
    gold_path = [h.no for h in gold.heading_path]
    if first.clause_no and first.clause_no in gold_path:
        return "ancestor"
    if gold.clause_no and gold.clause_no in first_path:
        return "descendant"
    if first_path == gold_path:
        return "sibling"
    if first_path[:1] and first_path[:1] == gold_path[:1]:
        return "same_chapter"
    return "same_document"


def _titles(c: Clause) -> str:
    return " ".join([*(h.title for h in c.heading_path), c.clause_title])


def kind(first: Clause, gold: Clause) -> str:
    """What sort of clause ``first`` is: ``term``, ``front`` (cover, 前言/引言, 范围), a
    ``generic`` clause (总则/基本要求… in its title or heading path, when the gold's has
    none) or ``content``."""
    if first.kind == ClauseKind.TERM:
        return "term"
    if first.kind in (ClauseKind.PREAMBLE, ClauseKind.ELEMENT) or _FRONT_TITLES.match(
        first.clause_title.strip()
    ):
        return "front"
    if _GENERIC.search(_titles(first)) and not _GENERIC.search(_titles(gold)):
        return "generic"
    return "content"


def length_class(first: Clause, gold: Clause) -> str:
    """``first_longer`` / ``gold_longer`` (more than twice the other's text) or ``similar``."""
    a, b = len(first.text), len(gold.text)
    if a > 2 * b:
        return "first_longer"
    if b > 2 * a:
        return "gold_longer"
    return "similar"


def contributions(model: dict[str, Any], x_first: np.ndarray, x_gold: np.ndarray) -> np.ndarray:
    """Per feature, how much it adds to the first hit's linear score over the gold's
    (weight × standardised difference; negative: it speaks for the gold)."""
    w = np.asarray(model["weights"]) / np.asarray(model["scale"])
    return w * (np.asarray(x_first) - np.asarray(x_gold))


def favouring(
    model: dict[str, Any],
    x_first: np.ndarray,
    x_gold: np.ndarray,
    names: Sequence[str],
    top: int = 2,
) -> list[str]:
    """The ``top`` features adding most to the first hit's linear score over the gold's,
    positive contributions only."""
    return _strongest(contributions(model, x_first, x_gold), names, top)


def _strongest(d: np.ndarray, names: Sequence[str], top: int = 2) -> list[str]:
    """The ``top`` names with the largest positive contributions ``d``."""
    return [names[k] for k in np.argsort(-d, kind="stable")[:top] if d[k] > 1e-12]


@dataclass(slots=True, frozen=True)
class NearMiss:
    """One question whose best gold clause ranks 2nd to ``depth``th."""

    qid: str
    qtype: str
    gold_rank: int  # 1-based rank of the best-ranked gold clause
    relation: str
    kind: str
    length: str
    favouring: tuple[str, ...]
    pipeline_first: bool  # the first hit was the retrieval pipeline's first too
    for_first: frozenset[str] = frozenset()  # features that speak for the first hit
    for_gold: frozenset[str] = frozenset()  # ... and for the gold


def near_misses(
    groups: Sequence[Any],
    model: dict[str, Any],
    names: Sequence[str],
    *,
    depth: int = 10,
    qtype: str | None = None,
) -> list[NearMiss]:
    """The near misses of ``groups`` (:class:`eval.train_rerank.Group` with clauses) when
    ranked by ``model``, exact-route hits first as the answerer keeps them."""
    from eval.train_rerank import ranked_order

    out: list[NearMiss] = []
    for g in groups:
        if qtype is not None and g.qtype != qtype:
            continue
        if not g.clauses or not g.y.any():
            continue
        order = ranked_order(g, model)
        rank = next(r for r, i in enumerate(order) if g.y[i] > 0)
        if rank == 0 or rank >= depth:
            continue
        first, gold = order[0], order[rank]
        d = contributions(model, g.x[first], g.x[gold])
        out.append(
            NearMiss(
                g.qid,
                g.qtype,
                rank + 1,
                relation(g.clauses[first], g.clauses[gold]),
                kind(g.clauses[first], g.clauses[gold]),
                length_class(g.clauses[first], g.clauses[gold]),
                tuple(_strongest(d, names)),
                first == 0,
                frozenset(names[k] for k in range(len(d)) if d[k] > 1e-12),
                frozenset(names[k] for k in range(len(d)) if d[k] < -1e-12),
            )
        )
    return out


def table(misses: Sequence[NearMiss]) -> list[str]:
    """Markdown: counts by relation × kind, then the features that favour the first hit
    most often (each near miss counts its top two), then length and gold rank."""
    rel = Counter((m.relation, m.kind) for m in misses)
    lines = [f"near misses: {len(misses)}", "", "| relation | kind | count |", "|---|---|---:|"]
    lines += [f"| {r} | {k} | {n} |" for (r, k), n in rel.most_common()]
    feats = Counter(f for m in misses for f in m.favouring)
    lines += ["", "| feature favouring the first hit | count |", "|---|---:|"]
    lines += [f"| {f} | {n} |" for f, n in feats.most_common(10)]
    first, gold = Counter(), Counter()
    for m in misses:
        first.update(m.for_first)
        gold.update(m.for_gold)
    lines += ["", "| feature | speaks for the first hit | for the gold |", "|---|---:|---:|"]
    lines += [
        f"| {f} | {first[f]} | {gold[f]} |"
        for f in sorted(set(first) | set(gold), key=lambda f: (-first[f] - gold[f], f))
    ]
    lines += [
        "",
        "length: " + ", ".join(f"{k} {n}" for k, n in Counter(m.length for m in misses).items()),
        "gold rank: "
        + ", ".join(
            f"{k} {n}" for k, n in sorted(Counter(min(m.gold_rank, 4) for m in misses).items())
        ).replace("4 ", "4+ "),
        f"first hit was the pipeline's first: {sum(m.pipeline_first for m in misses)}",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    from eval.cli import quiet_loggers, tuning_searchers
    from eval.folds import by_corpus, corpus_key
    from eval.train_rerank import TUNING_SETS, collect, fit_listwise
    from ingest.workspace import resolve_workspace
    from qa.rerank import FEATURES, WEIGHTS_FILE

    p = argparse.ArgumentParser(prog="python -m eval.near_miss", description=__doc__)
    p.add_argument("--set", dest="sets", action="append", metavar="FILE")
    p.add_argument("--workspace")
    p.add_argument("--model", default=str(WEIGHTS_FILE))
    p.add_argument("--type", dest="qtype", help="only questions of this type (e.g. lay)")
    p.add_argument("--depth", type=int, default=10)
    p.add_argument("--folds", choices=("stored", "corpus"), default="stored")
    args = p.parse_args(argv)
    stored = json.loads(Path(args.model).read_text(encoding="utf-8"))
    if tuple(stored.get("features", ())) != FEATURES:
        print(f"错误：{args.model} 的特征与 qa.rerank.FEATURES 不一致", file=sys.stderr)
        return 2
    quiet_loggers()
    ws = resolve_workspace(args.workspace)
    sets: dict[str, list[Any]] = {}
    corpus_of: dict[str, tuple[str, ...]] = {}
    for qset, searcher in tuning_searchers(args.sets or TUNING_SETS, ws):
        sets[qset.meta.name] = collect(qset, searcher)
        corpus_of[qset.meta.name] = corpus_key(qset.meta.corpus, qset.meta.name)
    misses: list[NearMiss] = []
    if args.folds == "corpus":
        folds = by_corpus(sets, corpus_of)
        for held, groups in folds.items():
            train = [g for name, gs in folds.items() if name != held for g in gs]
            model = fit_listwise(train, l2=float(stored.get("l2", 30.0)))
            misses += near_misses(groups, model, FEATURES, depth=args.depth, qtype=args.qtype)
    else:
        groups = [g for gs in sets.values() for g in gs]
        misses = near_misses(groups, stored, FEATURES, depth=args.depth, qtype=args.qtype)
    print("\n".join(table(misses)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

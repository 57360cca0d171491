"""``python -m eval.train_rerank``: fit the linear reranker with leave-one-set-out CV.

For every answerable question of each set the retrieval pipeline's top ``DEPTH``
candidates are scored with :func:`qa.rerank.features`; the label is whether a candidate
is a target gold clause.  A logistic regression (numpy, L2, standardised features) is
fitted on all sets but one and scored on the held-out one (Recall@1/5 and MRR of the
reranked list against the pipeline's own order), for each set in turn; the final model is
fitted on every set and written to ``qa/rerank.json`` together with the held-out figures,
so the repository records how well it generalises, not how well it fits.

Usage::

    python -m eval.train_rerank [--set FILE ...] [--workspace DIR] [--out qa/rerank.json]

Each set is evaluated on its knowledge base ``eval-<name>`` (built like ``python -m eval``
does).  Held-out splits of a set (``"split": "test"`` questions) are never trained on.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from eval import metrics as M
from eval.questions import QuestionSet, load_question_set

log = logging.getLogger("eval.train_rerank")

L2 = 1.0
ITERS = 800
LR = 0.2


@dataclass(slots=True)
class Group:
    """One question's candidates: features, labels, exact-route mask."""

    qid: str
    x: np.ndarray
    y: np.ndarray
    exact: np.ndarray


def fit(groups: list[Group], l2: float = L2, iters: int = ITERS) -> dict[str, Any]:
    """Logistic regression by gradient descent on standardised features; positives are
    weighted up to balance the classes (one or two gold clauses among twenty)."""
    x = np.vstack([g.x for g in groups])
    y = np.concatenate([g.y for g in groups])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    pos = max(1.0, float(y.sum()))
    sw = np.where(y > 0, (len(y) - pos) / pos, 1.0)
    sw = sw / sw.mean()
    w = np.zeros(z.shape[1])
    b = 0.0
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-(z @ w + b)))
        g = sw * (p - y)
        w -= LR * (z.T @ g / len(y) + l2 * w / len(y))
        b -= LR * float(g.mean())
    return {
        "weights": w.round(6).tolist(),
        "bias": round(b, 6),
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
    }


def _scores(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    z = (x - np.asarray(model["mean"])) / np.asarray(model["scale"])
    return z @ np.asarray(model["weights"]) + model["bias"]


def ranked_labels(g: Group, model: dict[str, Any] | None) -> list[float]:
    """Labels in the order the model ranks (None: the pipeline's order); exact-route
    candidates stay first, as :func:`qa.rerank.rerank` keeps them."""
    idx = list(range(len(g.y)))
    if model is not None:
        s = _scores(model, g.x)
        exact = [i for i in idx if g.exact[i]]
        rest = sorted((i for i in idx if not g.exact[i]), key=lambda i: (-s[i], i))
        idx = exact + rest
    return [float(g.y[i]) for i in idx]


def score(groups: list[Group], model: dict[str, Any] | None) -> dict[str, float]:
    """Recall@1, Recall@5 and MRR@10 over questions (a question whose gold is not among
    the candidates counts as a miss, as in the evaluation)."""
    r1 = r5 = mrr = 0.0
    for g in groups:
        labels = ranked_labels(g, model)
        first = next((i for i, v in enumerate(labels) if v > 0), None)
        r1 += first is not None and first < 1
        r5 += first is not None and first < 5
        mrr += 1.0 / (first + 1) if first is not None and first < 10 else 0.0
    n = max(1, len(groups))
    return {"n": len(groups), "recall@1": r1 / n, "recall@5": r5 / n, "mrr@10": mrr / n}


def collect(qset: QuestionSet, searcher: Any, *, include_test: bool = False) -> list[Group]:
    """Candidate groups of the answerable questions with resolved gold."""
    from eval.gold import resolve_set
    from index.retrievers import pipeline_for
    from qa.answer import retrieve
    from qa.plan import make_plan
    from qa.rerank import DEPTH, features

    resolution = resolve_set(qset, searcher.store)
    docs = searcher.documents()
    out: list[Group] = []
    for rq in resolution.questions:
        q = rq.question
        if not q.answerable or not rq.grades:
            continue
        if getattr(q, "split", None) == "test" and not include_test:
            continue
        plan = make_plan(q.question, (), docs)
        hits, children = retrieve(searcher, plan, DEPTH, pipeline_for("hybrid", exact=True))
        if not hits:
            continue
        want = M.targets(rq.grades)
        x = features(plan, hits, children)
        y = np.asarray([1.0 if h.clause.clause_id in want else 0.0 for h in hits])
        exact = np.asarray([h.route == "exact" for h in hits])
        out.append(Group(q.id, x, y, exact))
    return out


def ablate(groups: list[Group], columns: list[int]) -> list[Group]:
    """``groups`` with the given feature columns held at 0 (the fit then gives them no
    weight): what the model does without those features."""
    for g in groups:
        g.x[:, columns] = 0.0
    return groups


def cross_validate(sets: dict[str, list[Group]]) -> dict[str, Any]:
    """Leave one set out: train on the others, score the held-out set before/after."""
    out: dict[str, Any] = {}
    for held, groups in sets.items():
        train = [g for name, gs in sets.items() if name != held for g in gs]
        if not train or not groups:
            continue
        model = fit(train)
        out[held] = {"hybrid+exact": score(groups, None), "+rerank": score(groups, model)}
    return out


def main(argv: list[str] | None = None) -> int:
    from core.kb import KnowledgeBase
    from eval.cli import default_sets, prepare_kb, quiet_loggers
    from ingest.workspace import resolve_workspace
    from qa.rerank import FEATURES, WEIGHTS_FILE

    p = argparse.ArgumentParser(prog="python -m eval.train_rerank", description=__doc__)
    p.add_argument("--set", dest="sets", action="append", metavar="FILE")
    p.add_argument("--workspace")
    p.add_argument("--out", default=str(WEIGHTS_FILE))
    p.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="FEATURE",
        help="ablation: train without this feature (held at 0; repeatable)",
    )
    args = p.parse_args(argv)
    unknown = [f for f in args.without if f not in FEATURES]
    if unknown:
        print(
            f"错误：未知特征 {', '.join(unknown)}（可选：{', '.join(FEATURES)}）", file=sys.stderr
        )
        return 2
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    quiet_loggers()
    ws = resolve_workspace(args.workspace)
    sets: dict[str, list[Group]] = {}
    for path in [Path(s) for s in args.sets] if args.sets else default_sets():
        qset = load_question_set(path)
        if qset.missing_corpus():
            print(f"跳过题集 {qset.meta.name}：语料不存在", file=sys.stderr)
            continue
        kb = f"eval-{qset.meta.name}"
        prepare_kb(qset, ws, kb, quiet=True)
        searcher = KnowledgeBase.at(ws, kb).searcher(sync=True)
        quiet_loggers()
        sets[qset.meta.name] = ablate(
            collect(qset, searcher), [FEATURES.index(f) for f in args.without]
        )
        log.info("%s: %d questions", qset.meta.name, len(sets[qset.meta.name]))
    if len(sets) < 2:
        print("错误：交叉验证至少需要两个题集", file=sys.stderr)
        return 2
    cv = cross_validate(sets)
    model = fit([g for gs in sets.values() for g in gs])
    data = {
        "features": list(FEATURES),
        **model,
        "trained_on": {k: len(v) for k, v in sets.items()},
        "without": args.without,
        "leave_one_set_out": cv,
    }
    Path(args.out).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    for held, r in cv.items():
        a, b = r["hybrid+exact"], r["+rerank"]
        print(
            f"held out {held:<12} n={a['n']:<4} R@1 {a['recall@1']:.3f} → {b['recall@1']:.3f}  "
            f"R@5 {a['recall@5']:.3f} → {b['recall@5']:.3f}  MRR {a['mrr@10']:.3f} → {b['mrr@10']:.3f}"
        )
    print(f"模型已写入 {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m eval.train_rerank``: fit the linear reranker with leave-one-corpus-out CV.

For every answerable question of each set the retrieval pipeline's top ``DEPTH``
candidates are scored with :func:`qa.rerank.feature_rows` (with the sentence cosines and word
counts the answerer gives it); the label is whether a candidate is a target gold clause.
The weights are fitted *listwise* by default: a softmax over each question's candidates,
maximising the mass on its gold clauses — what Recall@1 rewards.  ``--fit pointwise`` is
the logistic regression used before (one row per candidate, classes balanced).

Cross-validation leaves one corpus out at a time (the sets asked over the same documents
are one fold, :func:`eval.folds.by_corpus`; ``--folds set`` leaves one set out instead): fit on the
others, score the held-out fold (Recall@1/5 and MRR of the reranked list against the
pipeline's order).  The L2 strength follows the *one-standard-error rule*
(:func:`one_se_choice`): the strongest L2 of :data:`L2_GRID` whose mean held-out-fold
Recall@1 is within one standard error of the best one's.  The rule was fixed before
looking, because picking the plain best let one question of cross-validated Recall@1
choose a weakly regularised model that lost on document-disjoint test splits.  The final
model is fitted on every set with it and written to ``qa/rerank.json`` with the held-out
figures and the grid, so the repository records how well it generalises, not how well it
fits.
``--ablation`` repeats the cross-validation with each feature group of
:data:`qa.rerank.GROUPS` held at zero and prints the table the README shows.

Without ``--set`` it trains on :data:`TUNING_SETS` — the sets the project may tune on —
never on whatever else ``eval/questions_*.jsonl`` holds (held-out sets live there too).

Usage::

    python -m eval.train_rerank [--set FILE ...] [--workspace DIR] [--out qa/rerank.json]
        [--fit listwise|pointwise] [--without FEATURE ...] [--without-group GROUP ...]
        [--ablation] [--zh-scorer MODEL_DIR]

``--zh-scorer`` adds the optional second scorer's rank feature (:mod:`qa.zh_scorer`) and
writes ``qa/rerank_zh.json`` instead.

Each set is evaluated on its knowledge base ``eval-<name>`` (built like ``python -m eval``
does).  Held-out splits of a set (``"split": "test"`` questions) are never trained on.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from eval.folds import by_corpus, corpus_key
from eval.questions import QuestionSet

log = logging.getLogger("eval.train_rerank")

L2 = 1.0
# The question sets tuned on (their "test" splits are skipped by :func:`collect`).
TUNING_SETS = tuple(
    Path(__file__).with_name(f"questions_{n}.jsonl")
    for n in (
        "sample",
        "webguides",
        "standards",
        "fresh",
        "fresh2",
        "webguides2",
        "fresh3",
        "webguides3",
        "fresh4",
        "webguides4",
        "fresh5",
        "webguides5",
        "fresh6",
        "webguides6",
        "fresh7",
        "webguides7",
        "fresh8",
        "webguides8",
        "fresh9",
        "webguides9",
        "fresh10",
        "webguides10",
        "fresh11",
        "webguides11",
        "fresh12",
        "webguides12",
        "fresh13",
        "webguides13",
        "fresh14",
        "fresh15",
        "fresh16",
    )
)
L2_GRID = (1.0, 3.0, 10.0, 30.0, 100.0)  # listwise: chosen by the 1-SE rule (one_se_choice)
ITERS = 800
LR = 0.2


@dataclass(slots=True)
class Group:
    """One question's candidates: features, labels, exact-route mask; the question's type
    and the candidate clauses ride along for diagnosis (:mod:`eval.near_miss`), which
    reads what outranks the gold, not just that something does."""

    qid: str
    x: np.ndarray
    y: np.ndarray
    exact: np.ndarray
    qtype: str = ""
    clauses: tuple[Any, ...] = ()
    # Named headings that may follow a clause under them (qa.rerank.yielding): read by
    # ranked_order so held-out figures order candidates as the answerer does.
    yields: dict[int, frozenset[int]] = field(default_factory=dict)


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


def fit_listwise(groups: list[Group], l2: float = L2, iters: int = ITERS) -> dict[str, Any]:
    """Softmax over each question's candidates, maximising the probability mass on its
    gold clauses: what Recall@1 rewards (the pointwise fit spends its effort separating
    easy negatives from another question's positives).  Exact-route candidates are left
    out, as :func:`qa.rerank.rerank` keeps them first anyway."""
    x = np.vstack([g.x for g in groups])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    zs, ys = [], []
    for g in groups:
        keep = ~g.exact
        if keep.sum() < 2 or g.y[keep].sum() == 0:
            continue
        zs.append((g.x[keep] - mean) / scale)
        ys.append(g.y[keep])
    # One padded array (questions x candidates x features) so each step is a few array
    # operations instead of a Python loop over questions; padding is masked out.
    n = max(1, len(zs))
    width = max((len(y) for y in ys), default=1)
    z_all = np.zeros((len(zs), width, x.shape[1]))
    y_all = np.zeros((len(zs), width))
    live = np.zeros((len(zs), width), dtype=bool)
    for i, (z, y) in enumerate(zip(zs, ys, strict=True)):
        z_all[i, : len(y)], y_all[i, : len(y)], live[i, : len(y)] = z, y, True
    w = np.zeros(x.shape[1])
    for _ in range(iters):
        s = np.where(live, z_all @ w, -np.inf)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        q = p * y_all
        q /= q.sum(axis=1, keepdims=True)
        grad = np.einsum("glf,gl->f", z_all, p - q)
        w -= LR * (grad / n + l2 * w / n)
    return {
        "weights": w.round(6).tolist(),
        "bias": 0.0,
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
    }


def _scores(model: dict[str, Any], x: np.ndarray) -> np.ndarray:
    z = (x - np.asarray(model["mean"])) / np.asarray(model["scale"])
    return z @ np.asarray(model["weights"]) + model["bias"]


def ranked_order(g: Group, model: dict[str, Any] | None) -> list[int]:
    """Candidate indices in the order the model ranks (None: the pipeline's order);
    exact-route candidates stay first, as :func:`qa.rerank.rerank` keeps them (a named
    heading may follow a clause under it, :func:`qa.rerank.settle`)."""
    from qa.rerank import settle

    idx = list(range(len(g.y)))
    if model is None:
        return idx
    s = _scores(model, g.x)
    exact = [i for i in idx if g.exact[i]]
    return settle(
        exact, sorted((i for i in idx if not g.exact[i]), key=lambda i: (-s[i], i)), g.yields
    ).order


def ranked_labels(g: Group, model: dict[str, Any] | None) -> list[float]:
    """Labels in the order :func:`ranked_order` gives."""
    return [float(g.y[i]) for i in ranked_order(g, model)]


def top_hits(groups: list[Group], model: dict[str, Any] | None) -> np.ndarray:
    """Per question, 1.0 when the first candidate (as ranked) is gold: the Recall@1 the
    questions average, kept per question so its standard error can be computed."""
    return np.asarray([ranked_labels(g, model)[0] > 0 if g.y.size else 0.0 for g in groups], float)


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


def collect(
    qset: QuestionSet, searcher: Any, *, include_test: bool = False, scorer: Any = None
) -> list[Group]:
    """Candidate groups of the answerable questions with resolved gold.  With ``scorer``
    (a :class:`qa.zh_scorer.ZhScorer`) each row ends with its rank feature, as
    :class:`qa.rerank.ZhLinearReranker` computes it."""
    from eval.gold import resolve_set
    from index.retrievers import pipeline_for
    from qa.answer import retrieve
    from qa.doc_frequency import DocumentFrequency
    from qa.gate_inputs import BigramFrequency, SentenceScorer
    from qa.plan import make_plan
    from qa.rerank import DEPTH, feature_rows, rerank_inputs, yielding

    resolution = resolve_set(qset, searcher.store)
    docs = searcher.documents()
    sentences = SentenceScorer.for_searcher(searcher)
    frequency = BigramFrequency().for_searcher(searcher)
    doc_frequency = DocumentFrequency().for_searcher(searcher)
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
        want = rq.hit_targets
        inputs = rerank_inputs(
            plan,
            hits,
            children,
            sentences=sentences,
            frequency=frequency,
            documents=docs,
            doc_frequency=doc_frequency,
        )
        x = feature_rows(plan, hits, children, inputs, scorer)
        y = np.asarray([1.0 if h.clause.clause_id in want else 0.0 for h in hits])
        exact = np.asarray([h.route == "exact" for h in hits])
        yields = yielding(plan, hits, children)
        out.append(Group(q.id, x, y, exact, q.type, tuple(h.clause for h in hits), yields))
    return out


def ablate(groups: list[Group], columns: list[int]) -> list[Group]:
    """Copies of ``groups`` with the given feature columns held at 0 (the fit then gives
    them no weight): what the model does without those features."""
    out = []
    for g in groups:
        x = g.x.copy()
        x[:, columns] = 0.0
        out.append(replace(g, x=x))
    return out


FITTERS = {"listwise": fit_listwise, "pointwise": fit}


def cross_validate(
    sets: dict[str, list[Group]],
    fitter: Any = fit_listwise,
    l2: float = L2,
    hits: dict[str, np.ndarray] | None = None,
) -> dict[str, Any]:
    """Leave one set (fold) out: train on the others, score the held-out set before/after.
    ``hits``, when given, receives each fold's per-question held-out top-1 hits
    (:func:`top_hits`) for the standard error of :func:`choose_l2`."""
    out: dict[str, Any] = {}
    for held, groups in sets.items():
        train = [g for name, gs in sets.items() if name != held for g in gs]
        if not train or not groups:
            continue
        model = fitter(train, l2=l2)
        out[held] = {"hybrid+exact": score(groups, None), "+rerank": score(groups, model)}
        if hits is not None:
            hits[held] = top_hits(groups, model)
    return out


def mean_recall1(cv: dict[str, Any]) -> float:
    """Mean held-out Recall@1 over the sets (each set weighs the same)."""
    vals = [r["+rerank"]["recall@1"] for r in cv.values()]
    return float(np.mean(vals)) if vals else 0.0


def fold_mean_se(hits: dict[str, np.ndarray]) -> float:
    """Standard error of the mean-over-folds held-out Recall@1, with questions as the
    sampling unit: each fold's held-out predictions are pooled into per-question top-1
    hits (0/1), fold ``f``'s Recall@1 has variance ``s_f² / n_f`` (``s_f²`` the sample
    variance of its hits), and the mean of ``F`` folds has
    ``SE = sqrt(Σ_f s_f² / n_f) / F``.  Folds are independent (disjoint questions), so
    their variances add.  A fold of one question adds nothing (no variance estimate)."""
    folds = [h for h in hits.values() if len(h)]
    if not folds:
        return 0.0
    var = sum(float(np.var(h, ddof=1)) / len(h) for h in folds if len(h) > 1)
    return float(np.sqrt(var)) / len(folds)


def one_se_choice(means: dict[float, float], se: float) -> float:
    """The one-standard-error rule: the strongest L2 whose mean held-out Recall@1 is at
    least the best mean minus ``se`` (the best L2's standard error, :func:`fold_mean_se`).
    Differences smaller than the noise of the estimate do not buy a weaker penalty."""
    best = max(means.values())
    return max(l2 for l2, r1 in means.items() if r1 >= best - se - 1e-12)


def choose_l2(
    sets: dict[str, list[Group]], fitter: Any
) -> tuple[float, dict[str, Any], dict[str, Any]]:
    """The L2 strength of :data:`L2_GRID` by the one-standard-error rule
    (:func:`one_se_choice`), its cross-validation, and the grid (mean held-out Recall@1 per
    L2, the best L2 and its standard error) for the record."""
    runs: dict[float, tuple[float, dict[str, Any], dict[str, np.ndarray]]] = {}
    for l2 in L2_GRID:
        hits: dict[str, np.ndarray] = {}
        cv = cross_validate(sets, fitter, l2, hits)
        runs[l2] = (mean_recall1(cv), cv, hits)
        log.info("L2 %g: mean held-out R@1 %.4f", l2, runs[l2][0])
    means = {l2: r[0] for l2, r in runs.items()}
    best = max(means, key=lambda l2: (means[l2], l2))
    se = fold_mean_se(runs[best][2])
    chosen = one_se_choice(means, se)
    log.info("best L2 %g (%.4f, SE %.4f) → 1-SE rule chooses L2 %g", best, means[best], se, chosen)
    grid = {
        "rule": "1-SE",
        "mean_recall@1": {f"{l2:g}": round(r1, 4) for l2, r1 in means.items()},
        "best": best,
        "se": round(se, 4),
    }
    return chosen, runs[chosen][1], grid


def ablation_table(sets: dict[str, list[Group]], fitter: Any, l2: float) -> list[str]:
    """Markdown rows: held-out Recall@1 per set with all features, and with each feature
    group of :data:`qa.rerank.GROUPS` held at zero."""
    from qa.rerank import FEATURES, GROUPS

    names = list(sets)
    rows = [
        "| features | " + " | ".join(f"{n} R@1" for n in names) + " | mean |",
        "|---|" + "---|" * (len(names) + 1),
    ]
    base = cross_validate(sets, fitter, l2)
    first = {n: base[n]["hybrid+exact"]["recall@1"] for n in names}
    rows.append(
        "| no reranker | "
        + " | ".join(f"{first[n]:.3f}" for n in names)
        + f" | {np.mean(list(first.values())):.3f} |"
    )
    variants = [("all", [])] + [
        (f"without {g}", [FEATURES.index(f) for f in fs]) for g, fs in GROUPS.items()
    ]
    for label, cols in variants:
        cv = (
            base
            if not cols
            else cross_validate({n: ablate(gs, cols) for n, gs in sets.items()}, fitter, l2)
        )
        rows.append(
            f"| {label} | "
            + " | ".join(f"{cv[n]['+rerank']['recall@1']:.3f}" for n in names)
            + f" | {mean_recall1(cv):.3f} |"
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    from eval.cli import quiet_loggers, tuning_searchers
    from ingest.workspace import resolve_workspace
    from qa.rerank import FEATURES, GROUPS, WEIGHTS_FILE, ZH_WEIGHTS_FILE

    p = argparse.ArgumentParser(prog="python -m eval.train_rerank", description=__doc__)
    p.add_argument("--set", dest="sets", action="append", metavar="FILE")
    p.add_argument("--workspace")
    p.add_argument("--out", help=f"default {WEIGHTS_FILE} ({ZH_WEIGHTS_FILE} with --zh-scorer)")
    p.add_argument(
        "--zh-scorer",
        metavar="MODEL_DIR",
        help="fit with the second scorer's rank feature (qa.zh_scorer; a sentence-transformers "
        "model directory)",
    )
    p.add_argument("--fit", choices=sorted(FITTERS), default="listwise")
    p.add_argument(
        "--without",
        action="append",
        default=[],
        metavar="FEATURE",
        help="ablation: train without this feature (held at 0; repeatable)",
    )
    p.add_argument(
        "--without-group",
        action="append",
        default=[],
        metavar="GROUP",
        help=f"ablation: train without a feature group ({', '.join(GROUPS)}; repeatable)",
    )
    p.add_argument(
        "--folds",
        choices=("corpus", "set"),
        default="corpus",
        help="cross-validation folds: one per corpus (default; sets over the same documents "
        "are one fold) or one per question set",
    )
    p.add_argument(
        "--ablation",
        action="store_true",
        help="print held-out Recall@1 with each feature group held at zero (Markdown)",
    )
    args = p.parse_args(argv)
    unknown = [f for f in args.without if f not in FEATURES]
    unknown += [g for g in args.without_group if g not in GROUPS]
    if unknown:
        print(
            f"错误：未知特征或特征组 {', '.join(unknown)}"
            f"（特征：{', '.join(FEATURES)}；特征组：{', '.join(GROUPS)}）",
            file=sys.stderr,
        )
        return 2
    without = list(args.without) + [f for g in args.without_group for f in GROUPS[g]]
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    quiet_loggers()
    ws = resolve_workspace(args.workspace)
    scorer = None
    names = list(FEATURES)
    if args.zh_scorer:
        from qa.zh_scorer import FEATURE, ZhScorer

        scorer = ZhScorer.load(args.zh_scorer)
        names.append(FEATURE)
    out = Path(args.out or (ZH_WEIGHTS_FILE if scorer else WEIGHTS_FILE))
    sets: dict[str, list[Group]] = {}
    corpus_of: dict[str, tuple[str, ...]] = {}
    for qset, searcher in tuning_searchers(args.sets or TUNING_SETS, ws):
        sets[qset.meta.name] = ablate(
            collect(qset, searcher, scorer=scorer), [FEATURES.index(f) for f in without]
        )
        corpus_of[qset.meta.name] = corpus_key(qset.meta.corpus, qset.meta.name)
        log.info("%s: %d questions", qset.meta.name, len(sets[qset.meta.name]))
    if args.folds == "corpus":
        sets = by_corpus(sets, corpus_of)
    if len(sets) < 2:
        print("错误：交叉验证至少需要两个题集（或两个语料）", file=sys.stderr)
        return 2
    fitter = FITTERS[args.fit]
    grid: dict[str, Any] | None = None
    if args.fit == "listwise":
        l2, cv, grid = choose_l2(sets, fitter)
    else:
        l2, cv = L2, cross_validate(sets, fitter)
    model = fitter([g for gs in sets.values() for g in gs], l2=l2)
    data = {
        "features": names,
        **model,
        "fit": args.fit,
        "l2": l2,
        "l2_grid": grid,
        "trained_on": {k: len(v) for k, v in sets.items()},
        "without": without,
        "leave_one_set_out": cv,
    }
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    for held, r in cv.items():
        a, b = r["hybrid+exact"], r["+rerank"]
        print(
            f"held out {held:<12} n={a['n']:<4} R@1 {a['recall@1']:.3f} → {b['recall@1']:.3f}  "
            f"R@5 {a['recall@5']:.3f} → {b['recall@5']:.3f}  MRR {a['mrr@10']:.3f} → {b['mrr@10']:.3f}"
        )
    print(f"{args.fit}，L2 {l2:g}；模型已写入 {out}")
    if args.ablation:
        print("\n".join(ablation_table(sets, fitter, l2)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

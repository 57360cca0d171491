"""``python -m eval.train_adapter``: fit the linear query adapter (:mod:`index.adapter`).

The dense embedder is frozen; lay questions ("门口的台阶要多宽才够轮椅上去？") and the
standards' wording ("无障碍坡道的净宽度") sit far apart in its space.  A linear map of the
*query* vector, ``q' = normalize(W q)`` with ``W`` close to the identity, moves questions
toward the clauses that answer them without re-embedding a single passage.

For every answerable dev question of the tuning sets (test splits are never read) the
trainer records the question's query vector — the embedding of its search topic, made by
the same :meth:`index.retrievers.Context.qvec` the search uses, with no adapter — its gold
clauses, and a pool of candidates: the dense top :data:`POOL` of the whole knowledge base,
the pipeline's top :data:`PIPELINE_POOL` (hybrid, scoped, exact: the same-document
siblings the reranker must tell apart) and, when fitting, up to :data:`IN_BATCH` gold
clauses of the other training questions on the same knowledge base (in-batch negatives).  A clause scores as its best window, as in
:func:`index.retrievers.dense`.

The loss is a softmax over each question's pool at temperature ``tau``, maximising the
mass on its gold clauses, plus ``l2 · ||D||²`` with ``D = W − I`` (the map stays near the
identity, so a question unlike the training ones keeps nearly its own vector).  ``D`` acts
on the question *minus the mean training question* (``center``): ``q' = normalize(q +
D (q − c))``.  Without the centre the fit's strongest direction is one shift added to
every question alike — a prior over passages that helps the corpora it was fitted on and
costs a held-out one (docs/evaluation-history.md "Query adapter").  ``D`` is kept to rank ``rank`` (projected
on its leading singular vectors every ten steps of full-batch Adam).

Cross-validation leaves one corpus out (the sets asked over the same documents are one
fold, :func:`eval.folds.fold_of`): fit on two corpora, score the third's dense
Recall@1/5 over its whole knowledge base; the point of :data:`GRID` with the best mean
held-out-corpus dense Recall@1 gain is fitted on every dev question and written, with
the fold figures, to :data:`index.adapter.ADAPTER_FILE`.

Usage::

    python -m eval.train_adapter [--workspace DIR] [--set FILE ...] [--out FILE]
        [--cache FILE.npz] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("eval.train_adapter")

POOL = 100  # dense candidates per question (whole knowledge base, no adapter)
PIPELINE_POOL = 30  # the default pipeline's candidates per question
EVAL_K = 10  # ranks kept when scoring a fold
IN_BATCH = 64  # other questions' gold clauses added to each question's softmax


@dataclass(slots=True)
class KbVectors:
    """Every embedded window of one knowledge base: ``vectors`` (rows, unit length) and,
    per row, the index of its clause in ``clause_ids``."""

    name: str
    clause_ids: list[str]
    vectors: np.ndarray
    owner: np.ndarray


@dataclass(slots=True)
class Item:
    """One dev question: its set, type, raw query vector, gold clause indices and pool
    (clause indices into its knowledge base's ``clause_ids``)."""

    set_name: str
    qid: str
    qtype: str
    kb: str
    q: np.ndarray
    gold: np.ndarray
    pool: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


# ---------------------------------------------------------------- export
def kb_vectors(name: str, snap: Any) -> KbVectors:
    """Read every window vector of a FAISS-backed snapshot back from the index."""
    ids = [cid for cid in snap.clauses if snap.indexed is None or cid in snap.indexed]
    vids, owner = snap.vector_ids(ids)
    vecs = snap.dense.vectors(vids).astype(np.float32)
    return KbVectors(name, ids, vecs, np.asarray(owner, dtype=np.int64))


def clause_scores(kb: KbVectors, q: np.ndarray) -> np.ndarray:
    """Per clause of ``kb``, the cosine of its best window with ``q`` (one row per query
    when ``q`` is 2-D)."""
    q2 = np.atleast_2d(q)
    sims = q2 @ kb.vectors.T
    out = np.full((len(q2), len(kb.clause_ids)), -2.0, dtype=np.float32)
    for row in range(len(q2)):
        np.maximum.at(out[row], kb.owner, sims[row])
    return out if q.ndim == 2 else out[0]


def collect(qset: Any, searcher: Any, kb: KbVectors) -> list[Item]:
    """The dev questions of ``qset`` with resolved gold, as :class:`Item` (test splits
    are skipped before anything else is read of them)."""
    from eval.gold import resolve_set
    from index.retrievers import Context
    from qa.plan import make_plan

    questions = [q for q in qset.questions if getattr(q, "split", None) != "test"]
    dev = type(qset)(meta=qset.meta, questions=questions)
    resolution = resolve_set(dev, searcher.store)
    docs = searcher.documents()
    index_of = {cid: i for i, cid in enumerate(kb.clause_ids)}
    out: list[Item] = []
    for rq in resolution.questions:
        q = rq.question
        if not q.answerable or not rq.grades:
            continue
        want = rq.hit_targets
        gold = sorted(index_of[c] for c in want if c in index_of)
        if not gold:
            continue
        plan = make_plan(q.question, (), docs)
        snap = searcher._snap
        ctx = Context(snap, searcher.embedder, plan.search, adapter=None)
        vec = np.asarray(ctx.qvec(), dtype=np.float32)
        dense_top = np.argsort(-clause_scores(kb, vec))[:POOL]
        hits = searcher.retrieve(plan.search, PIPELINE_POOL, "hybrid+exact")
        pool = set(dense_top.tolist()) | {
            index_of[h.clause.clause_id] for h in hits if h.clause.clause_id in index_of
        }
        out.append(
            Item(
                qset.meta.name,
                q.id,
                q.type,
                kb.name,
                vec,
                np.asarray(gold, dtype=np.int64),
                np.asarray(sorted(pool | set(gold)), dtype=np.int64),
            )
        )
    return out


def export(paths: list[Path], workspace: Path) -> tuple[dict[str, KbVectors], list[Item]]:
    """Vectors of every tuning set's knowledge base and the dev questions' items; sets
    over the same clauses (the real-standards sets) share one :class:`KbVectors`."""
    from eval.cli import tuning_searchers

    kbs: dict[str, KbVectors] = {}
    items: list[Item] = []
    for qset, searcher in tuning_searchers(paths, workspace):
        vecs = kb_vectors(qset.meta.name, searcher._snap)
        same = next((k for k in kbs.values() if k.clause_ids == vecs.clause_ids), None)
        if same is None:
            kbs[vecs.name] = vecs
            same = vecs
        got = collect(qset, searcher, same)
        items += got
        log.info("%s: %d dev questions (vectors of %s)", qset.meta.name, len(got), same.name)
    return kbs, items


def save_cache(path: Path, kbs: dict[str, KbVectors], items: list[Item]) -> None:
    """The exported vectors and items in one ``.npz`` (a fast loop over settings)."""
    arrays: dict[str, Any] = {}
    for name, kb in kbs.items():
        arrays[f"kb/{name}/vectors"] = kb.vectors
        arrays[f"kb/{name}/owner"] = kb.owner
        arrays[f"kb/{name}/ids"] = np.asarray(kb.clause_ids)
    meta = [{"set": it.set_name, "qid": it.qid, "type": it.qtype, "kb": it.kb} for it in items]
    arrays["items/meta"] = np.asarray(json.dumps(meta, ensure_ascii=False))
    arrays["items/q"] = np.stack([it.q for it in items])
    for i, it in enumerate(items):
        arrays[f"items/{i}/gold"] = it.gold
        arrays[f"items/{i}/pool"] = it.pool
    np.savez(path, **arrays)


def load_cache(path: Path) -> tuple[dict[str, KbVectors], list[Item]]:
    with np.load(path, allow_pickle=False) as data:
        names = sorted({k.split("/")[1] for k in data.files if k.startswith("kb/")})
        kbs = {
            n: KbVectors(
                n,
                [str(x) for x in data[f"kb/{n}/ids"]],
                data[f"kb/{n}/vectors"],
                data[f"kb/{n}/owner"],
            )
            for n in names
        }
        meta = json.loads(str(data["items/meta"]))
        qs = data["items/q"]
        items = [
            Item(
                m["set"],
                m["qid"],
                m["type"],
                m["kb"],
                qs[i],
                data[f"items/{i}/gold"],
                data[f"items/{i}/pool"],
            )
            for i, m in enumerate(meta)
        ]
    return kbs, items


# ---------------------------------------------------------------- fit
@dataclass(slots=True, frozen=True)
class Settings:
    """One point of the grid: ``rank`` of ``W − I`` (0: a full matrix), L2 on
    ``W − I``, softmax temperature, full-batch Adam steps, learning rate."""

    rank: int = 32
    center: bool = True
    l2: float = 0.03
    tau: float = 0.05
    steps: int = 100
    lr: float = 1e-3


@dataclass(slots=True)
class _Group:
    """One question as the fit reads it: its raw query vector, the window vectors of its
    pool's clauses, each window's clause (0 … clauses−1, contiguous) and the gold mask."""

    q: np.ndarray
    windows: np.ndarray
    owner: np.ndarray
    starts: np.ndarray
    gold: np.ndarray


def _spans(kb: KbVectors) -> tuple[np.ndarray, np.ndarray]:
    """Per clause of ``kb``, the first and one-past-last row of its windows."""
    n = len(kb.clause_ids)
    first = np.searchsorted(kb.owner, np.arange(n), side="left")
    last = np.searchsorted(kb.owner, np.arange(n), side="right")
    return first, last


def groups(kbs: dict[str, KbVectors], items: list[Item], seed: int = 0) -> list[_Group]:
    """:class:`_Group` of every item (its pool's windows gathered once).  Besides its own
    pool, each question's softmax runs over up to :data:`IN_BATCH` gold clauses of the
    other questions of ``items`` on its knowledge base (in-batch negatives: clauses
    somebody asks about, which a drifting map would pull toward every question)."""
    spans = {name: _spans(kb) for name, kb in kbs.items()}
    golds: dict[str, np.ndarray] = {}
    for it in items:
        golds[it.kb] = np.union1d(golds.get(it.kb, np.zeros(0, np.int64)), it.gold)
    rng = np.random.default_rng(seed)
    out = []
    for it in items:
        kb = kbs[it.kb]
        first, last = spans[it.kb]
        others = np.setdiff1d(golds[it.kb], it.gold)
        if len(others) > IN_BATCH:
            others = rng.choice(others, IN_BATCH, replace=False)
        pool = np.union1d(np.union1d(it.pool, it.gold), others)
        rows = [np.arange(first[c], last[c]) for c in pool]
        owner = np.concatenate([np.full(len(r), i) for i, r in enumerate(rows)])
        idx = np.concatenate(rows)
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
        out.append(
            _Group(
                it.q.astype(np.float32),
                kb.vectors[idx].astype(np.float32),
                owner,
                starts,
                np.isin(pool, it.gold),
            )
        )
    return out


def _adapted(q: np.ndarray, d: np.ndarray, mu: np.ndarray) -> tuple[np.ndarray, float]:
    raw = q + d @ (q - mu)
    norm = float(np.linalg.norm(raw))
    return raw / max(norm, 1e-9), norm


def _loss_grad(
    gs: list[_Group], d: np.ndarray, s: Settings, mu: np.ndarray
) -> tuple[float, np.ndarray]:
    """Mean softmax loss over the questions and its gradient with respect to ``D = W − I``."""
    total = 0.0
    dq = np.zeros((len(gs), d.shape[0]), dtype=np.float32)
    qs = np.zeros_like(dq)
    for i, g in enumerate(gs):
        qa, norm = _adapted(g.q, d, mu)
        sims = g.windows @ qa
        best = np.maximum.reduceat(sims, g.starts)
        z = best / s.tau
        z -= z.max()
        p = np.exp(z)
        p /= p.sum()
        mass = float(p[g.gold].sum())
        total -= np.log(max(mass, 1e-30))
        dz = p.copy()
        dz[g.gold] -= p[g.gold] / max(mass, 1e-30)
        dz /= s.tau
        # A clause scores as its best window: the gradient flows through that one.
        dwin = np.where(sims >= best[g.owner] - 1e-7, dz[g.owner], 0.0)
        dqa = dwin @ g.windows
        dqa -= float(dqa @ qa) * qa  # through the normalisation
        dq[i] = dqa / max(norm, 1e-9)
        qs[i] = g.q - mu
    n = max(len(gs), 1)
    loss = total / n + s.l2 * float((d * d).sum())
    return loss, (dq.T @ qs) / n + 2 * s.l2 * d


def _low_rank(d: np.ndarray, rank: int) -> np.ndarray:
    if rank <= 0 or rank >= min(d.shape):
        return d
    u, sv, vt = np.linalg.svd(d)
    return (u[:, :rank] * sv[:rank]) @ vt[:rank]


def center_of(items: list[Item], s: Settings) -> np.ndarray:
    """The point ``W`` maps around: the mean query vector (``center``), else the origin."""
    dim = len(items[0].q) if items else 0
    if not s.center or not items:
        return np.zeros(dim, dtype=np.float32)
    return np.mean([it.q for it in items], axis=0).astype(np.float32)


def fit(kbs: dict[str, KbVectors], items: list[Item], s: Settings) -> np.ndarray:
    """``D = W − I`` minimising the pooled softmax loss plus ``l2 · ||D||²`` by full-batch
    Adam from ``D = 0``; with ``rank`` > 0, ``D`` is projected on its best rank-``rank``
    approximation after every step (the low-rank constraint)."""
    dim = next(iter(kbs.values())).vectors.shape[1]
    d = np.zeros((dim, dim), dtype=np.float32)
    gs = groups(kbs, items)
    if not gs:
        return d
    mu = center_of(items, s)
    m = np.zeros_like(d)
    v = np.zeros_like(d)
    b1, b2 = 0.9, 0.999
    for step in range(1, s.steps + 1):
        _, g = _loss_grad(gs, d, s, mu)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        d -= s.lr * (m / (1 - b1**step)) / (np.sqrt(v / (1 - b2**step)) + 1e-8)
        if s.rank > 0 and (step % 10 == 0 or step == s.steps):
            d = _low_rank(d, s.rank)
    return d.astype(np.float32)


def recall(
    kbs: dict[str, KbVectors],
    items: list[Item],
    d: np.ndarray | None,
    mu: np.ndarray | None = None,
) -> dict[str, float]:
    """Dense Recall@1/@5 and MRR@10 over each question's whole knowledge base (a clause
    scores as its best window), with ``W = I + d`` (None: the identity)."""
    r1 = r5 = mrr = 0.0
    n = 0
    for name, kb in kbs.items():
        mine = [it for it in items if it.kb == name]
        if not mine:
            continue
        q = np.stack([it.q for it in mine]).astype(np.float32)
        if d is not None:
            q = q + (q - (0.0 if mu is None else mu)) @ d.T
            q /= np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-9)
        starts = np.flatnonzero(np.r_[True, kb.owner[1:] != kb.owner[:-1]])
        best = np.maximum.reduceat(q @ kb.vectors.T, starts, axis=1)
        for row, it in enumerate(mine):
            top = np.max(best[row, it.gold])
            rank = int((best[row] > top).sum())
            r1 += rank < 1
            r5 += rank < 5
            mrr += 1.0 / (rank + 1) if rank < EVAL_K else 0.0
            n += 1
    n = max(n, 1)
    return {"n": n, "recall@1": r1 / n, "recall@5": r5 / n, "mrr@10": mrr / n}


# ---------------------------------------------------------------- cross-validation
# Centred, rank 32, 100 steps; the L2 is chosen.  Measured before (docs/evaluation-history.md "Query adapter"):
# without the centre the fit learns one shift shared by every question — a prior over
# passages that helped the corpora it was fitted on and cost the held-out one; weaker L2
# (0.001) overfits every fold.
GRID = tuple(Settings(rank=32, l2=l2, steps=100) for l2 in (0.01, 0.03, 0.1))


def fold_of_items(items: list[Item], folds: dict[str, str]) -> dict[str, list[Item]]:
    """Items grouped by the fold (corpus) of their set."""
    out: dict[str, list[Item]] = {}
    for it in items:
        out.setdefault(folds.get(it.set_name, it.set_name), []).append(it)
    return out


def cross_validate(
    kbs: dict[str, KbVectors], by_fold: dict[str, list[Item]], s: Settings
) -> dict[str, Any]:
    """Leave one corpus out: fit on the others, dense figures of the held-out corpus with
    ``W = I`` and with the fitted map, on all its questions and on its lay ones."""
    out: dict[str, Any] = {}
    for held, test in by_fold.items():
        train = [it for name, its in by_fold.items() if name != held for it in its]
        if not train or not test:
            continue
        d = fit(kbs, train, s)
        mu = center_of(train, s)
        lay = [it for it in test if it.qtype == "lay"]
        out[held] = {
            "identity": recall(kbs, test, None),
            "adapter": recall(kbs, test, d, mu),
            "lay_identity": recall(kbs, lay, None),
            "lay_adapter": recall(kbs, lay, d, mu),
        }
    return out


def mean_gain(cv: dict[str, Any]) -> float:
    """Mean over held-out corpora of the dense Recall@1 gain (each corpus weighs the
    same)."""
    gains = [r["adapter"]["recall@1"] - r["identity"]["recall@1"] for r in cv.values()]
    return float(np.mean(gains)) if gains else 0.0


def choose(
    kbs: dict[str, KbVectors], by_fold: dict[str, list[Item]], grid: tuple[Settings, ...]
) -> tuple[Settings, dict[str, Any], list[dict[str, Any]]]:
    """The settings of ``grid`` with the best mean held-out-corpus dense Recall@1 (ties:
    the earlier, i.e. lower-rank, more regularised point), with its cross-validation and
    the table of every point for the record."""
    table = []
    best: tuple[float, Settings, dict[str, Any]] | None = None
    for s in grid:
        cv = cross_validate(kbs, by_fold, s)
        gain = mean_gain(cv)
        log.info("%s: mean held-out dense R@1 gain %+.4f", s, gain)
        table.append({"settings": asdict(s), "gain": round(gain, 4)})
        if best is None or gain > best[0] + 1e-12:
            best = (gain, s, cv)
    assert best is not None
    return best[1], best[2], table


def factors(d: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """``u``, ``v`` with ``D = v uᵀ`` (:class:`index.adapter.QueryAdapter`) of rank
    ``rank`` (0: full)."""
    left, sv, right = np.linalg.svd(d.astype(np.float64))
    r = len(sv) if rank <= 0 else min(rank, len(sv))
    return right[:r].T.astype(np.float32), (left[:, :r] * sv[:r]).astype(np.float32)


def _figures(cv: dict[str, Any]) -> dict[str, Any]:
    return {
        fold: {k: {m: round(float(x), 4) for m, x in v.items()} for k, v in r.items()}
        for fold, r in cv.items()
    }


def main(argv: list[str] | None = None) -> int:
    from eval.folds import corpus_key, fold_of
    from eval.questions import load_question_set
    from eval.train_rerank import TUNING_SETS
    from index.adapter import ADAPTER_FILE, ENV_ADAPTER, QueryAdapter
    from index.embedders import make_embedder
    from ingest.workspace import resolve_workspace

    p = argparse.ArgumentParser(prog="python -m eval.train_adapter", description=__doc__)
    p.add_argument("--set", dest="sets", action="append", metavar="FILE")
    p.add_argument("--workspace")
    p.add_argument("--out", default=str(ADAPTER_FILE))
    p.add_argument("--cache", help="read the exported vectors from / write them to this .npz")
    p.add_argument(
        "--dry-run", action="store_true", help="cross-validate and print; write no adapter"
    )
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    # The vectors are exported with the embedder's own query vector, never an adapter's.
    os.environ[ENV_ADAPTER] = "off"
    paths = [Path(s) for s in args.sets] if args.sets else list(TUNING_SETS)
    corpus_of = {}
    for path in paths:
        meta = load_question_set(path).meta
        corpus_of[meta.name] = corpus_key(meta.corpus, meta.name)
    folds = fold_of(list(corpus_of), corpus_of)
    cache = Path(args.cache) if args.cache else None
    if cache is not None and cache.is_file():
        kbs, items = load_cache(cache)
    else:
        kbs, items = export(paths, resolve_workspace(args.workspace))
        if cache is not None:
            save_cache(cache, kbs, items)
    by_fold = fold_of_items(items, folds)
    if len(by_fold) < 2:
        print("错误：交叉验证至少需要两个语料", file=sys.stderr)
        return 2
    chosen, cv, table = choose(kbs, by_fold, GRID)
    for held, r in cv.items():
        a, b, la, lb = r["identity"], r["adapter"], r["lay_identity"], r["lay_adapter"]
        print(
            f"held out {held.split('+')[0]:<10} n={a['n']:<4} dense R@1 {a['recall@1']:.3f} → "
            f"{b['recall@1']:.3f}  R@5 {a['recall@5']:.3f} → {b['recall@5']:.3f}  "
            f"lay R@1 {la['recall@1']:.3f} → {lb['recall@1']:.3f} (n={la['n']})"
        )
    print(f"chosen {asdict(chosen)}; mean held-out dense R@1 gain {mean_gain(cv):+.4f}")
    if args.dry_run:
        return 0
    d = fit(kbs, items, chosen)
    u, v = factors(d, chosen.rank)
    embedder = make_embedder()
    center = center_of(items, chosen) if chosen.center else None
    QueryAdapter(embedder.name, embedder.dim, u, v, center).save(
        Path(args.out),
        settings=asdict(chosen),
        grid=table,
        held_out_corpus=_figures(cv),
        trained_on={n: sum(1 for it in items if it.set_name == n) for n in corpus_of},
    )
    print(f"适配器已写入 {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

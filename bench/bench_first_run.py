"""First run of the app on a cold machine: how soon it is usable, how long the vectors take.

The app's first run imports the bundled samples (``ui.bootstrap.ensure_samples``), opens a
keyword-only searcher (``Searcher.open_keyword_only``: BM25 built in memory) so the finder
and answers work at once, and embeds in the background (``index.build.sync_index`` with
``sentences=False``: the clause vectors, after which the full index is used), then the
sentence vectors in a second background job (``index.build.add_sentence_vectors``).  This
times the four steps in one process on a fresh workspace and a fresh embedding cache (so
nothing is read from an earlier run), and prints the load average: on a shared machine the
embedding time is meaningful only with it.

    python bench/bench_first_run.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-first-run-"))
    os.environ["STDQA_EMBED_CACHE"] = str(tmp / "embeddings.sqlite")  # cold: nothing cached
    sys.path.insert(0, str(ROOT))
    from index.build import add_sentence_vectors, sync_index
    from index.embedders import make_embedder
    from index.progress import EmbedProgress
    from index.search import Searcher
    from ingest.store import ClauseStore
    from ingest.workspace import DEFAULT_KB, kb_path
    from ui.bootstrap import ensure_samples

    ws = tmp / "ws"
    load_before = os.getloadavg()[0]
    t0 = time.perf_counter()
    report = ensure_samples(ws, ROOT / "samples", open_index=lambda _ws, _kb: None)
    assert report is not None
    t1 = time.perf_counter()
    embedder = make_embedder()
    Searcher.open_keyword_only(ws, DEFAULT_KB, embedder=embedder)
    t2 = time.perf_counter()
    progress = EmbedProgress()
    store = ClauseStore(kb_path(ws, DEFAULT_KB))
    sync_index(store, embedder, progress=progress, sentences=False)
    t3 = time.perf_counter()
    sentences = add_sentence_vectors(store, embedder)
    t4 = time.perf_counter()
    print(
        f"load {load_before:.1f}→{os.getloadavg()[0]:.1f} · {report.kb_clauses} clauses · "
        f"import {t1 - t0:.1f} s · keyword index {t2 - t1:.1f} s · usable after {t2 - t0:.1f} s · "
        f"embedding {t3 - t2:.1f} s ({progress.snapshot().describe()}) · "
        f"then {sentences} sentence vectors in {t4 - t3:.1f} s (background, after the full "
        f"index is in use; +{(t4 - t3) / (t3 - t2):.0%} of the clause embedding)"
    )


if __name__ == "__main__":
    main()

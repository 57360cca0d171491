"""Ingest cost per file versus knowledge-base size (issue 14: commits were O(KB size)).

Ingests the same 100 small generated files into an empty knowledge base and into one that
already holds ``--existing`` sources (synthesised directly: a snapshot manifest plus one
clause file per source, as a real store would have), and reports both times and their
ratio with the load average.  Before the journal, every per-file commit rewrote and
fsynced the whole manifest and listed every clause file: 1.5 s vs 15.5 s (×10).

    python bench/bench_ingest_commit.py [--files 100] [--existing 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grammar.schema import SCHEMA_VERSION
from ingest.pipeline import ingest_paths
from ingest.store import ClauseStore

TEXT = "T/BENCH {i:04d}—2099\n基准测试规范{i}\n1 范围\n本文件规定了第{i}号要求。\n2 要求\n2.1 条款{i}。\n"


def _files(folder: Path, n: int) -> None:
    folder.mkdir(parents=True)
    for i in range(n):
        (folder / f"f{i:04d}.txt").write_text(TEXT.format(i=i), encoding="utf-8")


def _prefill(root: Path, n: int) -> None:
    (root / "clauses").mkdir(parents=True)
    sources = {}
    for i in range(n):
        name = f"{i:016x}-1.jsonl"
        (root / "clauses" / name).write_text("", encoding="utf-8")
        src = f"/bench/existing/{i}.txt"
        sources[src] = {
            "source": src,
            "sha256": f"{i:064x}",
            "size": 1,
            "fmt": "txt",
            "revision": 1,
            "ingested_at": 0.0,
            "clause_file": name,
            "documents": [],
            "text_files": {},
        }
    manifest = {"schema": SCHEMA_VERSION, "generation": 1, "sources": sources, "retired": []}
    (root / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def _run(tmp: Path, label: str, existing: int, files: int) -> float:
    src = tmp / f"src-{label}"
    _files(src, files)
    root = tmp / f"kb-{label}"
    if existing:
        _prefill(root, existing)
    started = time.perf_counter()
    report = ingest_paths([src], ClauseStore(root), kb=label)
    seconds = time.perf_counter() - started
    assert report.count(report.files[0].status) == files
    return seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--existing", type=int, default=5000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        empty = _run(tmp, "empty", 0, args.files)
        full = _run(tmp, "full", args.existing, args.files)
    load = os.getloadavg()[0]
    print(
        json.dumps(
            {
                "files": args.files,
                "existing_sources": args.existing,
                "seconds_into_empty": round(empty, 2),
                "seconds_into_existing": round(full, 2),
                "ratio": round(full / empty, 2),
                "load_average_1min": round(load, 1),
            }
        )
    )


if __name__ == "__main__":
    main()

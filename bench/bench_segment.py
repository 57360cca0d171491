"""Segmentation throughput: clauses per second for clean → split → segment → chunk.

Reads the bundled samples (and ../shared/corpus/web-guides and the Markdown/HTML real
standards of ../shared/corpus/standards when present) once, then runs
the in-memory stages repeatedly; file reading and embedding are excluded, as the target
(≥ 5,000 clauses/s on 2 cores) is about the clause grammar.

    python bench/bench_segment.py [--repeat 20] [--cpu] [--json bench/results/segment.json]

``--cpu`` times with the process's CPU time instead of the wall clock: on a machine shared
by many jobs the wall clock mostly measures waiting, CPU time what the code costs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grammar.families.base import halfwidth  # noqa: E402
from ingest.chunk import split_long_clauses  # noqa: E402
from ingest.clean import clean_lines  # noqa: E402
from ingest.readers import read_document  # noqa: E402
from ingest.readers.base import Line  # noqa: E402
from ingest.segment import segment_lines  # noqa: E402
from ingest.split import split_documents  # noqa: E402


def corpus() -> list[tuple[str, list[Line]]]:
    files = sorted((ROOT / "samples").rglob("*.txt"))
    web = ROOT.parent / "shared" / "corpus" / "web-guides"
    if web.is_dir():
        files += sorted(web.glob("*.txt"))
    # Real standards (Markdown and HTML transcriptions; PDFs are slow to read, not to segment).
    standards = ROOT.parent / "shared" / "corpus" / "standards"
    if standards.is_dir():
        files += sorted(p for p in standards.glob("*.*") if p.suffix in (".md", ".html"))
        files = [p for p in files if p.name != "README.md"]
    return [(str(f), read_document(f).lines) for f in files]


def run_once(docs: list[tuple[str, list[Line]]]) -> int:
    # Every pass starts cold: memoised helpers must not carry lines over from the last pass.
    halfwidth.cache_clear()
    total = 0
    for source, lines in docs:
        cleaned = clean_lines(lines)
        for k, part in enumerate(split_documents(cleaned.lines, cleaned.breaks).parts):
            seg = segment_lines(
                part.lines,
                doc_id=f"d{k}",
                doc_title=part.title or "t",
                standard_code=None,
                source=source,
            )
            total += len(split_long_clauses(seg.clauses, seg.text))
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "segment.json")
    ap.add_argument("--cpu", action="store_true", help="time CPU seconds, not wall clock")
    args = ap.parse_args()
    docs = corpus()
    chars = sum(len(ln.text) for _, lines in docs for ln in lines)
    run_once(docs)  # warm-up (regex compilation)
    best = float("inf")
    clauses = 0
    clock = time.process_time if args.cpu else time.perf_counter
    for _ in range(args.repeat):
        t0 = clock()
        clauses = run_once(docs)
        best = min(best, clock() - t0)
    result = {
        "files": len(docs),
        "chars": chars,
        "clauses_per_run": clauses,
        "best_seconds": round(best, 4),
        "clauses_per_second": round(clauses / best),
        "chars_per_second": round(chars / best),
        "clock": "cpu" if args.cpu else "wall",
        "load_average": os.getloadavg()[0],
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
    }
    print("| files | clauses/run | best run (s) | clauses/s | chars/s |")
    print("|---|---|---|---|---|")
    print(
        f"| {result['files']} | {clauses} | {result['best_seconds']} | "
        f"{result['clauses_per_second']:,} | {result['chars_per_second']:,} |"
    )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

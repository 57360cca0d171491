"""Benchmark the PDF reader on a generated standards-like PDF.

    python bench/bench_pdf.py --pages 200 --repeat 3

Generates the PDF with the test fixture generator (cover, running header with code and
title, "- n -" footers, clause headings, wrapped paragraphs, list items, notes; CJK text in
reportlab's built-in STSong-Light, so no system font is needed), then times
``read_document`` on it.  Prints a human summary and, last, one JSON line for scripts.
The target is >= 20 pages/s on 2 cores; most of the time is pypdf's text extraction,
which the JSON reports separately ("extract_share").
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pypdf import PdfReader

from ingest.readers import read_document
from ingest.readers.pdf import extract_pages
from tests.fixtures.make_pdf_fixtures import make_standard_pdf


def _nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run(pages: int, repeat: int, pdf: Path | None = None) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        path = pdf or Path(tmp) / f"standard_{pages}p.pdf"
        if pdf is None:
            t0 = time.perf_counter()
            make_standard_pdf(path, pages)
            generate_s = time.perf_counter() - t0
        else:
            generate_s = 0.0
        size = path.stat().st_size

        times = []
        doc = None
        for _ in range(repeat):
            t0 = time.perf_counter()
            doc = read_document(path)
            times.append(time.perf_counter() - t0)
        assert doc is not None

        t0 = time.perf_counter()
        extract_pages(PdfReader(path))
        extract_s = time.perf_counter() - t0

    page_count = doc.page_count or 0
    best, median = min(times), statistics.median(times)
    return {
        "bench": "pdf_reader",
        "pages": page_count,
        "bytes": size,
        "repeat": repeat,
        "lines": len(doc.lines),
        "best_s": round(best, 4),
        "median_s": round(median, 4),
        "pages_per_s_best": round(page_count / best, 1),
        "pages_per_s_median": round(page_count / median, 1),
        "extract_share": round(min(extract_s / median, 1.0), 2),
        "generate_s": round(generate_s, 2),
        "nproc": _nproc(),
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark ingest.readers on a PDF.")
    parser.add_argument("--pages", type=int, default=200, help="pages to generate")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs")
    parser.add_argument("--pdf", type=Path, help="time this PDF instead of a generated one")
    args = parser.parse_args()
    result = run(args.pages, max(args.repeat, 1), args.pdf)
    print(f"nproc: {result['nproc']}")
    print(
        f"{result['pages']} pages, {result['lines']} lines: median {result['median_s']} s, "
        f"{result['pages_per_s_median']} pages/s (best {result['pages_per_s_best']} pages/s); "
        f"pypdf extraction {result['extract_share']:.0%} of the time"
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()

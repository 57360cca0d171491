"""Draft-checker speed: a 100-page draft read, segmented and checked end to end.

The draft is the synthetic clean draft (check/synthetic.py) with its core chapters repeated
until it reaches ``--pages`` pages of about 1 000 characters, written as DOCX and as TXT;
each is checked ``--repeat`` times with every rule (reading included) and the median is
reported with the load average, since the machine is shared.

    python bench/bench_check.py [--pages 100] [--repeat 5] [--json bench/results/check.json]
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

from docx import Document  # noqa: E402

from check.draft import Draft  # noqa: E402
from check.runner import check_draft  # noqa: E402
from check.synthetic import clean_draft, pages  # noqa: E402


def make_draft(n_pages: int) -> str:
    chapters = 2
    text = clean_draft(chapters)
    while pages(text) < n_pages:
        chapters += 1
        text = clean_draft(chapters)
    return text


def write_docx(text: str, path: Path) -> None:
    doc = Document()
    for line in text.splitlines():
        doc.add_paragraph(line)
    doc.save(str(path))


def time_one(path: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, findings).  On a shared machine the CPU
    time is the figure that does not depend on how many other jobs are running."""
    t0, c0 = time.perf_counter(), time.process_time()
    report = check_draft(Draft.load(path))
    return time.perf_counter() - t0, time.process_time() - c0, len(report.findings)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", type=Path, default=ROOT / "bench" / "results" / "check.json")
    args = ap.parse_args()
    text = make_draft(args.pages)
    result: dict[str, object] = {
        "pages": round(pages(text)),
        "chars": len(text),
        "lines": text.count("\n"),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("txt", "docx"):
            path = Path(tmp) / f"draft.{fmt}"
            if fmt == "txt":
                path.write_text(text, encoding="utf-8")
            else:
                write_docx(text, path)
            time_one(path)  # warm-up: imports, regex compilation
            runs = [time_one(path) for _ in range(args.repeat)]
            result[fmt] = {
                "median_seconds": round(statistics.median(t for t, _, _ in runs), 3),
                "best_seconds": round(min(t for t, _, _ in runs), 3),
                "median_cpu_seconds": round(statistics.median(c for _, c, _ in runs), 3),
                "findings": runs[0][2],
            }
    result["loadavg_1min"] = round(os.getloadavg()[0], 2)
    result["cpus"] = os.cpu_count()
    print(
        "| format | pages | chars | median wall (s) | best wall (s) | median CPU (s) | findings | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for fmt in ("txt", "docx"):
        r = result[fmt]
        print(
            f"| {fmt} | {result['pages']} | {result['chars']:,} | {r['median_seconds']} | {r['best_seconds']} | {r['median_cpu_seconds']} | {r['findings']} | {result['loadavg_1min']} |"
        )  # type: ignore[index]
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()

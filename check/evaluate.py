"""Quality report of the draft checker: injected-defect recall and findings on published
standards.  ``python -m check.evaluate [--no-corpus]`` prints the Markdown tables README
shows.

Recall: every defect of :data:`check.synthetic.DEFECTS` injected alone into the clean
synthetic draft; found when the defect's rule reports anything.  False positives: every
document of ../shared/corpus/standards (when present), style taken from its MANIFEST.
"""

from __future__ import annotations

import argparse
import csv
import logging
from collections import Counter
from pathlib import Path

from check.draft import Draft
from check.runner import check_draft
from check.synthetic import DEFECTS, clean_draft, inject

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "standards"


def recall() -> tuple[int, int, list[str]]:
    base = clean_draft()
    missed = []
    for d in DEFECTS:
        rules = {f.rule for f in check_draft(Draft.from_text(inject(base, d))).findings}
        if d[0] not in rules:
            missed.append(f"{d[0]}（{d[1]}）")
    return len(DEFECTS) - len(missed), len(DEFECTS), missed


def corpus_rows(root: Path) -> list[dict[str, object]]:
    with (root / "MANIFEST.tsv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    out = []
    for r in rows:
        path = root / r["file"]
        if not path.is_file():
            continue
        report = check_draft(Draft.load(path))
        sev = Counter(str(f.severity) for f in report.findings)
        legacy = sum(f.rule.startswith("legacy.") for f in report.findings)
        other_err = Counter(
            f.rule
            for f in report.findings
            if f.severity == "error" and not f.rule.startswith("legacy.")
        )
        out.append(
            {
                "file": r["file"],
                "style": "2020" if "2020 style" in r.get("notes", "") else "2009",
                "era": report.era,
                "error": sev["error"],
                "warning": sev["warning"],
                "info": sev["info"],
                "legacy": legacy,
                "other_errors": dict(other_err.most_common()),
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-corpus", action="store_true", help="only the injected-defect recall")
    args = ap.parse_args()
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    found, total, missed = recall()
    print(f"Injected-defect recall: {found}/{total} = {100 * found / total:.1f} %")
    for m in missed:
        print(f"- missed: {m}")
    if args.no_corpus or not (CORPUS / "MANIFEST.tsv").is_file():
        return
    rows = corpus_rows(CORPUS)
    print()
    print(
        "| document | style | detected | errors | of which 2009 leftovers | other errors | warnings | info |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        other = ", ".join(f"{k} {v}" for k, v in r["other_errors"].items()) or "—"  # type: ignore[union-attr]
        leftovers = min(int(r["legacy"]), int(r["error"]))  # type: ignore[call-overload]
        print(
            f"| {r['file']} | {r['style']} | {r['era']} | {r['error']} | {leftovers} | {other} | {r['warning']} | {r['info']} |"
        )
    for style in ("2020", "2009"):
        sel = [r for r in rows if r["style"] == style]
        if sel:
            mean = sum(int(r["error"]) for r in sel) / len(sel)  # type: ignore[call-overload]
            print(f"\n{style}-style: {len(sel)} documents, mean errors per document {mean:.2f}")


if __name__ == "__main__":
    main()

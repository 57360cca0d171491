"""False-positive check on published standards (../shared/corpus/standards, when present).

Published standards are the nearest thing to a correct draft: on the 2020-style ones the
checker may report at most one error per document on average; 2009-style ones must get the
2009 leftovers (本标准, （规范性附录）, the old drafting basis).  The style of each document
is read from the corpus MANIFEST, not guessed from the file name.  PDFs are slow to read
(pypdf) and run only with the slow tests.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from check.draft import Draft
from check.runner import check_draft

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "standards"
if not CORPUS.is_dir():  # the worktree layout: /work/wt/<name>/tests → /work/shared
    CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "standards"
MANIFEST = CORPUS / "MANIFEST.tsv"


def manifest() -> list[tuple[Path, str]]:
    if not MANIFEST.is_file():
        return []
    with MANIFEST.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [
        (CORPUS / r["file"], "2020" if "2020 style" in r.get("notes", "") else "2009")
        for r in rows
        if (CORPUS / r["file"]).is_file()
    ]


def counts(path: Path) -> tuple[int, int, str]:
    """(error-severity findings, 2009-leftover findings, detected edition)."""
    report = check_draft(Draft.load(path))
    errors = sum(f.severity == "error" for f in report.findings)
    legacy = sum(f.rule.startswith("legacy.") for f in report.findings)
    return errors, legacy, report.era


def docs(style: str, *, pdf: bool) -> list[Path]:
    return [p for p, s in manifest() if s == style and (p.suffix == ".pdf") == pdf]


needs_corpus = pytest.mark.skipif(not manifest(), reason="../shared/corpus/standards not present")


@needs_corpus
@pytest.mark.parametrize("pdf", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_2020_style_standards_have_few_errors(pdf: bool) -> None:
    paths = docs("2020", pdf=pdf)
    if not paths:
        pytest.skip("no 2020-style documents of this format")
    errors = [counts(p)[0] for p in paths]
    assert sum(errors) / len(errors) <= 1.0, dict(zip((p.name for p in paths), errors, strict=True))


@needs_corpus
@pytest.mark.parametrize("pdf", [False, pytest.param(True, marks=pytest.mark.slow)])
def test_2009_style_standards_get_the_leftovers(pdf: bool) -> None:
    paths = docs("2009", pdf=pdf)
    if not paths:
        pytest.skip("no 2009-style documents of this format")
    for p in paths:
        _errors, legacy, era = counts(p)
        assert legacy > 0 and era == "2009", p.name

"""Structure gold: the segmenter's outline against hand-checked outlines.

The bundled samples (standards and laws) must segment exactly (precision = recall = 1, code and title right).
The real corpus in ``../shared/corpus/standards`` (never copied into the repository; the
tests skip when it is absent) must reach the issue's target: heading precision and recall
of at least 0.98, micro-averaged over all headings, and the right standard code and title
for every document.

Known shortfalls are marked ``xfail(strict=False)`` with the figure measured when the mark
was set; remove a mark once the document passes (``python -m eval.outline`` prints the
current scores).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eval.outline import (
    GOLD_DIR,
    SAMPLES_GOLD_DIR,
    TARGET,
    TITLE_TARGET,
    OutlineScore,
    gold_files,
    load_gold,
    micro,
    score_file,
    title_matches,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SAMPLE_FILES = sorted([*SAMPLES.glob("standards/*.txt"), *SAMPLES.glob("laws/*.txt")])


def _corpus() -> Path:
    env = os.environ.get("STDQA_STANDARDS_CORPUS")
    return Path(env) if env else ROOT.parent / "shared" / "corpus" / "standards"


CORPUS = _corpus()
CORPUS_GOLD = gold_files(GOLD_DIR)
SAMPLE_GOLD = gold_files(SAMPLES_GOLD_DIR)

# Still wrong when last measured (python -m eval.outline; README "Outline scores").
KNOWN_BAD_CODE: set[str] = set()
KNOWN_BAD_TITLE = {
    "GBT_11982.1-2005_pvc_sheet_flooring_web_article.html",
}
# Micro-averaged heading precision / recall over the corpus: 0.903 / 0.855 at ea8e680 (the
# gate was an xfail then); 0.990 / 0.988 since the segmenter work of issue 11 (seg branch).


def _marked(files: set[str], reason: str) -> list[object]:
    out = []
    for g in CORPUS_GOLD:
        name = load_gold(g).file
        marks = [pytest.mark.xfail(reason=reason, strict=False)] if name in files else []
        out.append(pytest.param(name, marks=marks, id=name[:40]))
    return out


# --- the gold files themselves ------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS_GOLD + SAMPLE_GOLD, ids=lambda p: p.name[:40])
def test_gold_file_is_well_formed(path: Path) -> None:
    """Every entry has a number; parents are earlier entries; no body text (short titles)."""
    gold = load_gold(path)
    assert gold.file and gold.title and gold.headings
    seen: set[str] = set()
    for h in gold.headings:
        assert h.no, path
        assert len(h.title) <= 12, (path.name, h)
        assert not h.parent or h.parent in seen, (path.name, h)
        seen.add(h.no)


def test_every_corpus_document_and_sample_has_gold() -> None:
    assert sorted(load_gold(g).file for g in SAMPLE_GOLD) == sorted(f.name for f in SAMPLE_FILES)
    if CORPUS.is_dir():
        files = {
            p.name
            for p in CORPUS.iterdir()
            if p.suffix in (".md", ".pdf", ".html") and p.stem != "README"
        }
        assert files == {load_gold(g).file for g in CORPUS_GOLD}


# --- samples: exact ---------------------------------------------------------------------


@pytest.mark.parametrize("path", SAMPLE_GOLD, ids=lambda p: p.name[:40])
def test_sample_outline_is_exact(path: Path) -> None:
    gold = load_gold(path)
    [source] = [f for f in SAMPLE_FILES if f.name == gold.file]
    s = score_file(gold, source)
    assert (s.precision, s.recall) == (1.0, 1.0), (s.missed[:10], s.extra[:10])
    assert s.title_agreement >= 0.95
    assert s.code_ok, (s.code_found, s.code_expected)
    assert s.title_ok, (s.title_found, s.title_expected)


# --- the real corpus -----------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_scores() -> dict[str, OutlineScore]:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/standards not present")
    scores = {}
    for g in CORPUS_GOLD:
        gold = load_gold(g)
        scores[gold.file] = score_file(gold, CORPUS / gold.file)
    return scores


@pytest.mark.slow
def test_corpus_heading_precision_and_recall(corpus_scores: dict[str, OutlineScore]) -> None:
    m = micro(list(corpus_scores.values()))
    worst = sorted(corpus_scores.values(), key=lambda s: s.recall + s.precision)[:5]
    detail = [(s.file[:30], round(s.precision, 3), round(s.recall, 3)) for s in worst]
    assert m["precision"] >= TARGET and m["recall"] >= TARGET, (m, detail)


@pytest.mark.slow
def test_corpus_title_accuracy(corpus_scores: dict[str, OutlineScore]) -> None:
    """Titles right (issue 11 item 4): the gold title, or none where the gold has none;
    0.958 before the title rules of grammar.titles, opening body words given as titles 47."""
    m = micro(list(corpus_scores.values()))
    errors = [(s.file[:20], *e) for s in corpus_scores.values() for e in s.title_errors][:20]
    assert m["title_accuracy"] >= TITLE_TARGET, (m, errors)
    assert m["title_spurious"] <= 0.02 * m["untitled"], errors


def test_title_matches() -> None:
    assert title_matches("服务流程", "服务流程")
    assert title_matches("码率", "码率 code rate")  # a term with its English equivalent
    assert not title_matches("码率", "码率控制")
    assert title_matches("采集记录仪的实时时间 (", "采集记录仪的实时时间 (08H)")  # cut at 12
    assert title_matches("智能传感器SDI-12", "智能传感器SDI-12 通信协议")  # cut at a space
    assert title_matches("前言", "", "前言")  # an element is its own title
    assert not title_matches("服务流程", "")
    assert not title_matches("对信用等级为", "")


@pytest.mark.slow
@pytest.mark.parametrize("name", _marked(KNOWN_BAD_CODE, "standard code not found yet"))
def test_corpus_standard_code(name: str, corpus_scores: dict[str, OutlineScore]) -> None:
    s = corpus_scores[name]
    assert s.code_ok, (s.code_found, s.code_expected)


@pytest.mark.slow
@pytest.mark.parametrize("name", _marked(KNOWN_BAD_TITLE, "document title wrong"))
def test_corpus_document_title(name: str, corpus_scores: dict[str, OutlineScore]) -> None:
    s = corpus_scores[name]
    assert s.title_ok, (s.title_found, s.title_expected)

"""Outline (heading structure) scores of the segmenter against hand-checked gold outlines.

``python -m eval.outline [--corpus DIR] [--gold DIR] [--only SUBSTR] [--json]`` segments
every document that has a gold outline (``tests/gold/outlines/<file stem>.tsv``), without
storing anything, and prints per-document heading precision and recall plus the micro
average over all headings, and whether the standard code and the title were found.

Why these numbers: every answer cites a clause number, so a heading that is missed (its
text swallowed by the previous clause) or invented (a table row or 目次 entry taken as a
heading) shows up directly as a wrong citation.  A heading counts as found when a clause
with the same normalised number *and* the same parent exists (the parent catches an
annex clause "A.1" hung under chapter 9, or a term hung under the wrong chapter); the
title is a secondary check reported separately, because OCR-damaged titles are common
and the number is what is cited: *exact titles* is the share of gold-titled headings found
with exactly the gold title (see :func:`title_matches`), and *spurious titles* counts headings
the gold records without a title that were given one (opening body words taken as a title);
*title accuracy* counts both: a found heading's title is right when it is the gold title, or
empty where the gold has none.  ``目次``/``目录`` clauses are ignored on both sides (a
TOC clause is harmless, its entries becoming headings are not).

Gold file format (UTF-8 TSV, ``#`` lines are a header)::

    # file: GBT_19056-2012_vehicle_travelling_data_recorder.pdf
    # code: GB/T 19056—2012          ("-" = the document shows no code: not checked)
    # title: 汽车行驶记录仪
    1<TAB><TAB>范围<TAB>p7 L143
    3.1<TAB>3<TAB>术语<TAB>...

Columns: clause number, parent number ("" for top level, "附录A" for "A.1"), short title
(at most 12 characters, never body text), where the heading is in the extracted text.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from grammar.schema import Clause, ClauseKind

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "tests" / "gold" / "outlines"
SAMPLES_GOLD_DIR = ROOT / "tests" / "gold" / "samples"
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "standards"
TARGET = 0.98  # the CI gate on the micro-averaged heading F-measure's parts
TITLE_TARGET = 0.98  # the CI gate on title accuracy over the found headings

log = logging.getLogger(__name__)

_IGNORED_ELEMENTS = {"目次", "目录"}
_DASHES = re.compile(r"[-－–—―‐]+")


@dataclass(slots=True, frozen=True)
class Heading:
    """One outline entry: what a reader would list as the document's structure."""

    no: str
    parent: str
    title: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.no, self.parent)


@dataclass(slots=True)
class GoldOutline:
    file: str
    code: str | None
    title: str
    headings: list[Heading]
    path: Path


@dataclass(slots=True)
class OutlineScore:
    """Scores of one document (counts kept so that micro averages can be formed)."""

    file: str
    gold: int
    predicted: int
    matched: int
    title_agree: int
    code_expected: str | None
    code_found: str | None
    title_expected: str
    title_found: str
    missed: list[Heading] = field(default_factory=list)
    extra: list[Heading] = field(default_factory=list)
    titled: int = 0  # matched headings whose gold records a title
    title_exact: int = 0  # of those, found with exactly that title (see title_matches)
    untitled: int = 0  # matched headings the gold records without a title
    title_spurious: int = 0  # of those, found with a title all the same
    title_errors: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else (1.0 if not self.gold else 0.0)

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    @property
    def title_agreement(self) -> float:
        return self.title_agree / self.matched if self.matched else 0.0

    @property
    def title_accuracy(self) -> float:
        """Share of found headings whose title is right: the gold title exactly (see
        :func:`title_matches`), or no title where the gold records none."""
        n = self.titled + self.untitled
        return (self.title_exact + self.untitled - self.title_spurious) / n if n else 1.0

    @property
    def code_ok(self) -> bool:
        """True when the document shows no code, or the found code equals the expected."""
        return self.code_expected is None or norm_code(self.code_found) == norm_code(
            self.code_expected
        )

    @property
    def title_ok(self) -> bool:
        return norm_title(self.title_found) == norm_title(self.title_expected)

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "title_agreement": round(self.title_agreement, 4),
            "title_accuracy": round(self.title_accuracy, 4),
            "titled": self.titled,
            "title_exact": self.title_exact,
            "untitled": self.untitled,
            "title_spurious": self.title_spurious,
            "code_expected": self.code_expected,
            "code_found": self.code_found,
            "code_ok": self.code_ok,
            "title_expected": self.title_expected,
            "title_found": self.title_found,
            "title_ok": self.title_ok,
            "missed": [h.no for h in self.missed],
            "extra": [h.no for h in self.extra],
        }


def norm_no(no: str) -> str:
    """Normalise a clause number: NFKC (full-width digits, dots), no spaces ("3. 1")."""
    s = unicodedata.normalize("NFKC", no or "")
    return re.sub(r"\s+", "", s)


def norm_code(code: str | None) -> str:
    s = unicodedata.normalize("NFKC", code or "")
    s = _DASHES.sub("—", s)
    return re.sub(r"\s+", "", s).upper()


def norm_title(title: str | None) -> str:
    s = unicodedata.normalize("NFKC", title or "")
    return re.sub(r"[\s　]+", "", s)


def title_similar(a: str, b: str) -> bool:
    """Loose title agreement: one is a prefix of the other, or the first 12 characters
    are mostly the same (OCR drops and spacing differ between transcriptions)."""
    x, y = norm_title(a)[:12], norm_title(b)[:12]
    if not x or not y:
        return x == y
    if x.startswith(y) or y.startswith(x):
        return True
    return SequenceMatcher(None, x, y).ratio() >= 0.6


_GOLD_TITLE_CHARS = 12  # gold titles are cut at this many characters
_CJK = re.compile(r"[\u4e00-\u9fff]")


def title_matches(gold: str, found: str, no: str = "") -> bool:
    """Strict title agreement (what ``title_accuracy`` counts): the found title equals the
    gold one, or starts with it when the gold title was cut at 12 characters.  A term's
    title may carry its English equivalent after the Chinese term ("码率 code rate"); an
    element (前言, 参考文献) is its own title, so an empty found title is right there."""
    g, f = norm_title(gold), norm_title(found)
    if not f and g == norm_title(no):
        return True
    if gold.strip() and found.strip().startswith(gold.strip() + " "):
        return True  # the gold title was cut at a space ("智能传感器SDI-12" of "… 通信协议")
    if len(gold.strip()) >= _GOLD_TITLE_CHARS:
        return f.startswith(g)
    if f == g:
        return True
    rest = f[len(g) :]
    return bool(g) and f.startswith(g) and not _CJK.match(rest) and not rest[:1].isdigit()


def load_gold(path: Path) -> GoldOutline:
    """Read one gold outline file (see the module docstring for the format)."""
    meta: dict[str, str] = {}
    headings: list[Heading] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip():
            continue
        if raw.startswith("#"):
            key, _, value = raw[1:].partition(":")
            meta.setdefault(key.strip(), value.strip())
            continue
        cols = raw.split("\t")
        cols += [""] * (3 - len(cols))
        headings.append(Heading(norm_no(cols[0]), norm_no(cols[1]), cols[2].strip()))
    code = meta.get("code") or None
    return GoldOutline(
        file=meta.get("file", path.stem),
        code=None if code in (None, "-") else code,
        title=meta.get("title", ""),
        headings=headings,
        path=path,
    )


def clause_headings(clauses: Iterable[Clause]) -> list[Heading]:
    """The outline the segmenter produced: one entry per clause (parts of a clause split
    for the embedder count once); the preamble and 目次 are not headings."""
    out: list[Heading] = []
    open_at: dict[int, str] = {}  # depth -> clause number of the latest clause there
    for c in clauses:
        if c.kind is ClauseKind.PREAMBLE or int(c.extra.get("part", 0) or 0) > 1:
            continue
        depth = len(c.heading_path)
        open_at[depth] = c.clause_no
        if c.kind is ClauseKind.ELEMENT and c.clause_no in _IGNORED_ELEMENTS:
            continue
        # The parent is the enclosing clause itself (a heading path may label a section
        # "第一节" while its number is "第三章第一节").
        parent = open_at.get(depth - 1, c.heading_path[-1].no) if c.heading_path else ""
        if parent in _IGNORED_ELEMENTS:
            parent = ""
        out.append(Heading(norm_no(c.clause_no), norm_no(parent), c.clause_title))
    return out


def score(
    gold: GoldOutline, predicted: list[Heading], code: str | None, title: str
) -> OutlineScore:
    """Match headings as multisets of (number, parent): a duplicate number in the
    document must be found as often as it occurs."""
    want = Counter(h.key for h in gold.headings)
    have = Counter(h.key for h in predicted)
    matched = sum((want & have).values())
    pred_titles: dict[tuple[str, str], list[str]] = {}
    for h in predicted:
        pred_titles.setdefault(h.key, []).append(h.title)
    title_agree = 0
    for h in gold.headings:
        if h.key in have and any(title_similar(h.title, t) for t in pred_titles[h.key]):
            title_agree += 1
    title_agree = min(title_agree, matched)
    titled = exact = untitled = spurious = 0
    errors: list[tuple[str, str, str]] = []
    for h in gold.headings:
        if h.key not in have:
            continue
        found = pred_titles[h.key]
        if h.title:
            titled += 1
            ok = any(title_matches(h.title, t, h.no) for t in found)
            exact += ok
        else:
            untitled += 1
            ok = any(not norm_title(t) for t in found)
            spurious += not ok
        if not ok:
            errors.append((h.no, h.title, found[0]))
    missed = _surplus(gold.headings, want - have)
    extra = _surplus(predicted, have - want)
    return OutlineScore(
        file=gold.file,
        gold=len(gold.headings),
        predicted=len(predicted),
        matched=matched,
        title_agree=title_agree,
        code_expected=gold.code,
        code_found=code,
        title_expected=gold.title,
        title_found=title,
        missed=missed,
        extra=extra,
        titled=titled,
        title_exact=exact,
        untitled=untitled,
        title_spurious=spurious,
        title_errors=errors,
    )


def _surplus(headings: list[Heading], surplus: Counter[tuple[str, str]]) -> list[Heading]:
    """The headings (in document order) that account for the ``surplus`` counts."""
    left = Counter(surplus)
    out = []
    for h in headings:
        if left[h.key] > 0:
            left[h.key] -= 1
            out.append(h)
    return out


def score_file(gold: GoldOutline, source: Path) -> OutlineScore:
    """Segment ``source`` (nothing is stored) and score it against ``gold``."""
    from ingest.pipeline import process_file  # heavy import only when scoring

    processed = process_file(source)
    clauses = [c for d in processed.documents for c in d.clauses]
    first = processed.documents[0].info
    return score(gold, clause_headings(clauses), first.standard_code, first.title)


def gold_files(gold_dir: Path = GOLD_DIR) -> list[Path]:
    return sorted(gold_dir.glob("*.tsv"))


def evaluate(
    corpus: Path = DEFAULT_CORPUS, gold_dir: Path = GOLD_DIR, only: str | None = None
) -> list[OutlineScore]:
    """Score every gold outline whose source file exists in ``corpus``."""
    scores = []
    for gpath in gold_files(gold_dir):
        gold = load_gold(gpath)
        if only and only not in gold.file:
            continue
        source = corpus / gold.file
        if not source.is_file():
            log.warning("source missing for %s: %s", gpath.name, source)
            continue
        scores.append(score_file(gold, source))
    return scores


def micro(scores: list[OutlineScore]) -> dict[str, float]:
    g = sum(s.gold for s in scores)
    p = sum(s.predicted for s in scores)
    m = sum(s.matched for s in scores)
    precision = m / p if p else 0.0
    recall = m / g if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    titled = sum(s.titled for s in scores)
    untitled = sum(s.untitled for s in scores)
    return {
        "gold": g,
        "predicted": p,
        "matched": m,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "title_accuracy": (
            sum(s.title_exact + s.untitled - s.title_spurious for s in scores) / (titled + untitled)
            if titled + untitled
            else 1.0
        ),
        "titled_exact": sum(s.title_exact for s in scores) / titled if titled else 1.0,
        "titled": titled,
        "untitled": untitled,
        "title_spurious": sum(s.title_spurious for s in scores),
    }


def format_table(scores: list[OutlineScore]) -> str:
    """Markdown table, the form used in README."""
    lines = [
        "| document | gold | found | precision | recall | title acc. | code | title |",
        "|---|---:|---:|---:|---:|---:|:-:|:-:|",
    ]
    for s in scores:
        lines.append(
            f"| {s.file[:48]} | {s.gold} | {s.predicted} | {s.precision:.3f} | "
            f"{s.recall:.3f} | {s.title_accuracy:.3f} | {'✓' if s.code_ok else '✗'} | "
            f"{'✓' if s.title_ok else '✗'} |"
        )
    m = micro(scores)
    lines.append(
        f"| **micro average** | {m['gold']} | {m['predicted']} | {m['precision']:.3f} | "
        f"{m['recall']:.3f} | {m['title_accuracy']:.3f} | "
        f"{sum(s.code_ok for s in scores)}/{len(scores)} | "
        f"{sum(s.title_ok for s in scores)}/{len(scores)} |"
    )
    lines.append("")
    lines.append(
        f"Titles right: {m['title_accuracy']:.3f} of the found headings; "
        f"{m['titled_exact']:.3f} of {m['titled']} gold-titled headings have exactly that "
        f"title; {m['title_spurious']} of {m['untitled']} headings the gold records "
        "without a title were given one."
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.outline", description=__doc__.split("\n")[0])
    p.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder of source files")
    p.add_argument("--gold", type=Path, default=GOLD_DIR, help="folder of gold outline .tsv")
    p.add_argument("--only", help="score only files whose name contains this")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--show", action="store_true", help="list missed and extra headings")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    if not args.corpus.is_dir() or not args.gold.is_dir():
        print(f"错误：找不到语料或金标准目录：{args.corpus} / {args.gold}", file=sys.stderr)
        return 2
    scores = evaluate(args.corpus, args.gold, args.only)
    if not scores:
        print("错误：没有可评分的文档", file=sys.stderr)
        return 2
    if args.json:
        out = {"documents": [s.to_dict() for s in scores], "micro": micro(scores)}
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    print(format_table(scores))
    if args.show:
        for s in scores:
            if s.missed or s.extra:
                print(f"\n## {s.file}")
                print("  missed:", " ".join(h.no for h in s.missed[:80]))
                print("  extra: ", " ".join(h.no for h in s.extra[:80]))
        for s in scores:
            if s.title_errors:
                print(f"\n## titles: {s.file}")
                for no, want, got in s.title_errors[:60]:
                    print(f"  {no}\t{want or '（无标题）'}\t→ {got[:40] or '（无标题）'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

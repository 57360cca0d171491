"""``python -m eval.drafting``: how well drafting mode works on a knowledge base.

Two measures, printed as Markdown (or ``--json``):

* **Element tagging accuracy** against the hand-checked sample ``tests/gold/elements.tsv``
  (chapters and front matter of the samples and of real standards in
  ``../shared/corpus/standards`` when present): share of clauses whose element is right.
* **Coverage per element**: for every element of the catalogue, "X怎么写？" on the knowledge
  base — is there a rule, at least one fixed wording, how many real examples (from how
  many standards).  The target: a rule always, a pattern when the guidance states one, an
  example whenever the knowledge base holds a standard with that element.

    python -m eval.drafting [--kb NAME] [--workspace DIR] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from grammar.elements import tag_elements
from grammar.schema import Clause

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "gold" / "elements.tsv"
ROOTS = (ROOT / "samples" / "standards", ROOT.parent / "shared" / "corpus" / "standards")


def read_gold(path: Path = GOLD) -> dict[str, list[tuple[str, str, str]]]:
    """``{file stem: [(clause_no, title prefix, element)]}``."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        stem, no, title, element = line.split("\t")
        out.setdefault(stem, []).append((no, title, element))
    return out


def find_document(stem: str, roots: Iterable[Path] = ROOTS) -> Path | None:
    for root in roots:
        if root.is_dir():
            hits = [p for p in root.glob(f"{stem}.*") if p.suffix != ".tsv"]
            if hits:
                return hits[0]
    return None


def _unit(clauses: list[Clause], no: str, title: str) -> list[int]:
    """Indexes of the clauses of one gold unit: the heading and everything under it."""

    def starts(t: str) -> bool:
        return t.replace(" ", "").startswith(title)

    return [
        i
        for i, c in enumerate(clauses)
        if (c.clause_no == no and starts(c.clause_title))
        or (c.heading_path and c.heading_path[0].no == no and starts(c.heading_path[0].title))
    ]


def score_tagging(gold: dict[str, list[tuple[str, str, str]]] | None = None) -> dict[str, object]:
    """Clause-weighted tagging accuracy over every gold document that is present."""
    from ingest.pipeline import process_file

    gold = read_gold() if gold is None else gold
    right = total = 0
    docs = 0
    misses: list[str] = []
    for stem, rows in gold.items():
        path = find_document(stem)
        if path is None:
            continue
        docs += 1
        clauses = [c for d in process_file(path).documents for c in d.clauses]
        tags = tag_elements(clauses)
        for no, title, want in rows:
            idx = _unit(clauses, no, title)
            if not idx:
                total += 1
                misses.append(f"{stem} {no} {title}: 未切分出该单元")
                continue
            for i in idx:
                total += 1
                if str(tags[i]) == want:
                    right += 1
                else:
                    misses.append(f"{stem} {clauses[i].clause_no}: {tags[i]} ≠ {want}")
    return {
        "documents": docs,
        "clauses": total,
        "accuracy": round(right / total, 4) if total else None,
        "misses": misses,
    }


def coverage(searcher) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Rule / pattern / example counts for every element of the catalogue."""
    from qa.drafting import _INSTANCES, drafting_help
    from qa.elements import element_named

    rows = []
    for name in _INSTANCES:
        help_ = drafting_help(f"{name}怎么写？", searcher, element=element_named(name))
        ex = help_.examples if help_ else []
        rows.append(
            {
                "element": name,
                "rules": len(help_.rules) if help_ else 0,
                "patterns": len(help_.patterns) if help_ else 0,
                "examples": len(ex),
                "example_documents": sorted({c.standard_code or c.doc_title for c in ex}),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.drafting", description=__doc__.split("\n")[0])
    ap.add_argument("--kb", default=None, help="知识库（省略则只评元素标注）")
    ap.add_argument("--workspace")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out: dict[str, object] = {"tagging": score_tagging()}
    if args.kb:
        from core.kb import KnowledgeBase

        searcher = KnowledgeBase.at(args.workspace, args.kb).searcher(sync=True)
        out["coverage"] = coverage(searcher)
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))
        return 0
    t = out["tagging"]
    assert isinstance(t, dict)
    print(f"元素标注准确率：{t['accuracy']}（{t['clauses']} 个条款，{t['documents']} 个文档）")
    for m in t["misses"][:20]:  # type: ignore[index]
        print(f"  误标：{m}", file=sys.stderr)
    if "coverage" in out:
        print("\n| 要素 | 规则 | 句式 | 示例 | 示例来自 |\n|---|---:|---:|---:|---|")
        for r in out["coverage"]:  # type: ignore[union-attr]
            print(
                f"| {r['element']} | {r['rules']} | {r['patterns']} | {r['examples']} "
                f"| {'、'.join(r['example_documents'])} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

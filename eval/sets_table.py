"""The README's table of question sets, generated from the sets themselves.

``python -m eval.sets_table`` prints one Markdown row per ``eval/questions_*.jsonl``: the
corpus it is over, its size, answerable / unanswerable, dev / test and its role (a tuning set
has a dev side; a held-out set is all test until a later session converts it).  Why a
generator: the table used to be prose written by hand each session and drifted from the
files; ``tests/test_readme_sets_table.py`` checks the README's rows against this output, so a
set added, resized or converted without the README following fails the suite.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from eval.questions import REPO_ROOT, load_question_set

HEADER = (
    "| set | corpus | questions | answerable / unanswerable | dev / test | role |",
    "|---|---|---:|---:|---:|---|",
)


def _natural(path: Path) -> tuple[str, int]:
    """fresh, fresh2, …, fresh10 in that order (not fresh, fresh10, fresh2)."""
    m = re.fullmatch(r"questions_([a-z]+?)(\d*)\.jsonl", path.name)
    return (m.group(1), int(m.group(2) or 1)) if m else (path.name, 0)


def row(path: Path) -> str:
    """One set's row, read as the evaluation reads it (:func:`eval.questions.load_question_set`)."""
    qset = load_question_set(path)
    questions = qset.questions
    unanswerable = sum(1 for q in questions if not q.answerable)
    dev = sum(1 for q in questions if (q.split or "dev") == "dev")
    corpus = ", ".join(c.replace("../shared/corpus/", "") for c in qset.meta.corpus)
    role = "held out" if qset.meta.held_out else "tuning"
    return (
        f"| `{path.name}` | {corpus} | {len(questions)} | "
        f"{len(questions) - unanswerable} / {unanswerable} | {dev} / {len(questions) - dev} | {role} |"
    )


def table(root: Path = REPO_ROOT) -> list[str]:
    """The header and one row per question set, in natural order."""
    sets = sorted((root / "eval").glob("questions_*.jsonl"), key=_natural)
    return [*HEADER, *(row(p) for p in sets)]


def main() -> int:
    print("\n".join(table()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

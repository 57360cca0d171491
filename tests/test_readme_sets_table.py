"""The README's table of question sets is what ``python -m eval.sets_table`` prints."""

from __future__ import annotations

from eval.questions import REPO_ROOT
from eval.sets_table import HEADER, table


def test_the_readme_lists_every_question_set_as_it_is() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    start = readme.index(HEADER[0])
    rows = []
    for line in readme[start:]:
        if not line.startswith("|"):
            break
        rows.append(line)
    assert rows == table(), "README's question-set table is stale: python -m eval.sets_table"

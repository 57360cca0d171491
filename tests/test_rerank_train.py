"""The reranker trainer's labels (eval.train_rerank.collect) on a real knowledge base that
holds one standard twice: the retrieval shows one copy of a clause, so the copy in the
other file must be labelled gold too, whichever file the gold entry names."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import COPIES_COPY, COPIES_SOURCE, HashEmbedder

from eval.questions import Gold, Question, QuestionSet, SetMeta
from eval.train_rerank import collect
from index.search import Searcher

SOURCE, COPY = COPIES_SOURCE, COPIES_COPY
QUESTION = "每件投诉延期的时间累计最多多少个工作日？"


@pytest.fixture(scope="module")
def searcher(copies_ws: Path) -> Searcher:
    return Searcher.open(copies_ws, "default", embedder=HashEmbedder(), sync=True)


def _set(source: str) -> QuestionSet:
    gold = Gold(None, source, "6.5.2.2", 2, evidence="每件投诉延期的时间累计不应超过")
    q = Question("c-1", "numeric", QUESTION, [gold])
    return QuestionSet(SetMeta("copies", "1", ["corpus"]), [q])


def test_the_copy_of_a_gold_clause_in_the_other_file_is_labelled_gold(
    searcher: Searcher,
) -> None:
    """Whichever file the gold names, the clause 6.5.2.2 the candidates show (one copy of
    it, from either file) is the positive; without the copy labels one of the two runs
    would have no positive at all and the listwise fit would drop the question."""
    shown_from: set[str] = set()
    for source in (SOURCE.name, COPY):
        [group] = collect(_set(source), searcher)
        hits, _ = _candidates(searcher)
        gold = [h for h, y in zip(hits, group.y, strict=True) if y > 0]
        assert [h.clause.clause_no for h in gold] == ["6.5.2.2"], source
        sources = {d.doc_id: Path(d.source).name for d in searcher.documents()}
        shown_from.add(sources[gold[0].clause.doc_id])
    # The same copy is shown both times: in one run it is the *other* file's clause.
    assert len(shown_from) == 1


def _candidates(searcher: Searcher):  # type: ignore[no-untyped-def]
    from index.retrievers import pipeline_for
    from qa.answer import retrieve
    from qa.plan import make_plan
    from qa.rerank import DEPTH

    plan = make_plan(QUESTION, (), searcher.documents())
    return retrieve(searcher, plan, DEPTH, pipeline_for("hybrid", exact=True))

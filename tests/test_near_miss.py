"""eval.near_miss: what outranks a gold clause ranked 2nd–10th, and which features prefer it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from eval.near_miss import favouring, kind, length_class, near_misses, relation, table
from eval.train_rerank import Group, ablate
from grammar.schema import ClauseKind, HeadingRef
from tests.clauses import make_clause

CH5 = HeadingRef("5", "服务要求")
CH52 = HeadingRef("5.2", "服务人员")
CH6 = HeadingRef("6", "服务流程")


def test_relation_reads_the_tree_not_the_words() -> None:
    gold = make_clause("5.2.1", "护理员应持证上岗。", code="A", heading_path=[CH5, CH52])
    parent = make_clause("5.2", "", code="A", heading_path=[CH5])
    child = make_clause(
        "5.2.1.1", "证书应在有效期内。", code="A", heading_path=[CH5, CH52, HeadingRef("5.2.1", "")]
    )
    sibling = make_clause("5.2.2", "护理员应定期培训。", code="A", heading_path=[CH5, CH52])
    cousin = make_clause(
        "5.3.1", "设施应完好。", code="A", heading_path=[CH5, HeadingRef("5.3", "设施")]
    )
    elsewhere = make_clause("6.1", "应受理申请。", code="A", heading_path=[CH6])
    copy = make_clause("4.1", "护理员应持证上岗。", code="B", heading_path=[])
    other = make_clause("4.2", "收费应公开。", code="B", heading_path=[])
    assert relation(parent, gold) == "ancestor"
    assert relation(child, gold) == "descendant"
    assert relation(sibling, gold) == "sibling"
    assert relation(cousin, gold) == "same_chapter"
    assert relation(elsewhere, gold) == "same_document"
    assert relation(copy, gold) == "copy"
    assert relation(other, gold) == "other_document"


def test_kind_term_front_generic_content() -> None:
    gold = make_clause("5.2.1", "护理员应持证上岗。", heading_path=[CH5, CH52])
    term = replace(make_clause("3.1", "养老护理员：从事护理的人员。"), kind=ClauseKind.TERM)
    scope = make_clause("1", "本文件规定了服务要求。", title="范围")
    preface = replace(make_clause("前言", "本文件按照GB/T 1.1起草。"), kind=ClauseKind.ELEMENT)
    generic = make_clause("4.1", "服务应规范。", heading_path=[HeadingRef("4", "基本要求")])
    assert kind(term, gold) == "term"
    assert kind(scope, gold) == "front"
    assert kind(preface, gold) == "front"
    assert kind(generic, gold) == "generic"
    # a generic heading over a gold under the same kind of heading is not "generic"
    assert (
        kind(generic, make_clause("4.2", "x", heading_path=[HeadingRef("4", "基本要求")]))
        == "content"
    )
    assert (
        kind(make_clause("5.2.2", "护理员应定期培训。", heading_path=[CH5, CH52]), gold)
        == "content"
    )


def test_length_class() -> None:
    short, long = make_clause("1", "短句。"), make_clause("2", "很长的一段条文。" * 5)
    assert length_class(long, short) == "first_longer"
    assert length_class(short, long) == "gold_longer"
    assert length_class(short, short) == "similar"


def test_favouring_names_the_features_that_raise_the_first_hit() -> None:
    model = {"weights": [1.0, 2.0, -1.0], "scale": [1.0, 1.0, 0.5], "mean": [0.0] * 3, "bias": 0.0}
    names = ("a", "b", "c")
    # b adds 2·0.5 = 1.0, a adds 0.6, c (negative weight, lower value) adds 0.2/0.5 = 0.4
    assert favouring(model, np.array([0.6, 0.5, 0.0]), np.array([0.0, 0.0, 0.2]), names) == [
        "b",
        "a",
    ]
    # nothing favours a first hit that is worse on every weighted feature
    assert favouring(model, np.zeros(3), np.array([1.0, 1.0, -1.0]), names) == []


def _group(
    texts: list[tuple[str, str, list[HeadingRef]]], x: list[float], gold: int, qtype: str = "lay"
) -> Group:
    clauses = tuple(make_clause(no, t, code="A", heading_path=p) for no, t, p in texts)
    y = np.zeros(len(texts))
    y[gold] = 1.0
    return Group("q", np.asarray(x, float)[:, None], y, np.zeros(len(texts), bool), qtype, clauses)


MODEL = {"weights": [1.0], "bias": 0.0, "mean": [0.0], "scale": [1.0]}
TREE = [
    ("5.2.2", "护理员应定期培训。", [CH5, CH52]),
    ("5.2.1", "护理员应持证上岗。", [CH5, CH52]),
    ("6.1", "应受理申请。", [CH6]),
]


def test_near_misses_rank_by_the_model_and_skip_hits_and_deep_misses() -> None:
    miss = _group(TREE, [0.9, 0.5, 0.1], gold=1)
    (m,) = near_misses([miss], MODEL, ("f",))
    assert m.for_first == {"f"} and m.for_gold == set()
    assert (m.gold_rank, m.relation, m.kind, m.favouring, m.pipeline_first) == (
        2,
        "sibling",
        "content",
        ("f",),
        True,
    )
    # reordered by the model: the gold's score puts it first — not a miss
    assert near_misses([_group(TREE, [0.1, 0.9, 0.5], gold=1)], MODEL, ("f",)) == []
    # the gold third: a miss at depth 10, none at depth 2
    deep = _group(TREE, [0.9, 0.5, 0.7], gold=1)
    (m,) = near_misses([deep], MODEL, ("f",))
    assert (m.gold_rank, m.pipeline_first) == (3, True)
    assert near_misses([deep], MODEL, ("f",), depth=2) == []
    # only the type asked for
    assert near_misses([miss], MODEL, ("f",), qtype="lookup") == []


def test_exact_route_hits_stay_first() -> None:
    g = _group(TREE, [0.1, 0.9, 0.5], gold=1)
    g.exact[2] = True  # a clause the question named leads whatever its score
    (m,) = near_misses([g], MODEL, ("f",))
    assert (m.gold_rank, m.relation, m.pipeline_first) == (2, "same_document", False)


def test_ablate_keeps_the_clauses_for_diagnosis() -> None:
    g = _group(TREE, [0.9, 0.5, 0.1], gold=1)
    (a,) = ablate([g], [0])
    assert a.clauses == g.clauses and a.qtype == "lay"
    assert not a.x.any() and g.x.any()


def test_table_counts() -> None:
    g = _group(TREE, [0.9, 0.5, 0.1], gold=1)
    lines = table(near_misses([g, g], MODEL, ("f",)))
    assert lines[0] == "near misses: 2"
    assert "| sibling | content | 2 |" in lines
    assert "| f | 2 |" in lines
    assert "| f | 2 | 0 |" in lines  # f speaks for the first hit on both, for the gold on none
    with pytest.raises(StopIteration):
        next(line for line in lines if "same_document" in line)

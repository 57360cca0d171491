"""A heading the question names only to say where to look ("附录E 中，风向按几个方位编码？")
gives up the top to the clause under it that the ranking prefers — on hand-built clauses,
no index (qa.rerank.yielding / settle, and the same order in eval.train_rerank).  Which
hits keep the top is what settle knows and hands on (``Settled.pinned``, ``rerank``'s
``pinned_out``, read by qa.answer.retrieve); a caller mixing up its lists is an error."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from clauses import FakeHit, RecordingOrder, make_clause

from eval.train_rerank import Group, ranked_order, score
from grammar.schema import AnnexType, ClauseKind, HeadingRef
from qa.plan import make_plan
from qa.rerank import rerank, settle, yielding

ANNEX = replace(
    make_clause("附录E", "", code="SL 651—2014", title="水文信息报文编码格式", seq=10),
    kind=ClauseKind.ANNEX,
    annex_type=AnnexType.NORMATIVE,
    is_section=True,
)
UNDER = [HeadingRef("附录E", "水文信息报文编码格式"), HeadingRef("E.1", "降水类信息编码")]
WIND = make_clause(
    "E.1.2.5", "风向按16个方位编码，代码9表示南。", code="SL 651—2014", heading_path=UNDER, seq=12
)
RAIN = make_clause("E.1.2.1", "降水量以毫米计。", code="SL 651—2014", heading_path=UNDER, seq=11)
BODY = make_clause("6.6.1", "发报时间占6个字节。", code="SL 651—2014", seq=5)
QUESTION = "SL 651—2014 附录 E 中，风向按几个方位编码？"


def hits(*rest: FakeHit) -> list[FakeHit]:
    """The annex heading found by the exact route, then the ranked candidates."""
    return [FakeHit(ANNEX, 0.05, 0.80, "exact"), *rest]


def children_of(hs: list[FakeHit]) -> list[list]:  # type: ignore[type-arg]
    return [[RAIN, WIND] if h.clause is ANNEX else [] for h in hs]


def test_named_empty_annex_follows_the_clause_under_it() -> None:
    plan = make_plan(QUESTION)
    hs = hits(FakeHit(WIND, 0.03, 0.90), FakeHit(BODY, 0.02, 0.85), FakeHit(RAIN, 0.01, 0.8))
    assert yielding(plan, hs, children_of(hs)) == {0: frozenset({1, 3})}
    # Today's order pinned the heading first (order [0, 1, 2, 3]): the gold came second.
    assert rerank(RecordingOrder(), plan, hs, children_of(hs)) == [1, 0, 2, 3]


def test_heading_keeps_the_top_when_the_ranking_prefers_a_clause_elsewhere() -> None:
    plan = make_plan(QUESTION)
    hs = hits(FakeHit(BODY, 0.03, 0.90), FakeHit(WIND, 0.02, 0.85))
    assert rerank(RecordingOrder(), plan, hs, children_of(hs)) == [0, 1, 2]


def test_heading_stays_first_when_its_status_is_asked() -> None:
    """Only the heading states 规范性/资料性: it is the answer."""
    plan = make_plan("SL 651—2014 附录 E 是规范性附录还是资料性附录？")
    hs = hits(FakeHit(WIND, 0.03, 0.90))
    assert yielding(plan, hs, children_of(hs)) == {}
    assert rerank(RecordingOrder(), plan, hs, children_of(hs)) == [0, 1]


def test_named_clause_with_text_of_its_own_stays_first() -> None:
    with_text = replace(
        ANNEX, text="本附录规定了水文信息报文的编码格式和各类要素的标识符。", is_section=False
    )
    plan = make_plan(QUESTION)
    hs = [FakeHit(with_text, 0.05, 0.8, "exact"), FakeHit(WIND, 0.03, 0.9)]
    assert yielding(plan, hs, [[], []]) == {}
    assert rerank(RecordingOrder(), plan, hs, [[], []]) == [0, 1]


def test_nested_headings_each_follow_their_own_descendant() -> None:
    # 0: a chapter heading, 1: a section under it (both named, both empty), 2: a clause
    # under both; 3: elsewhere.  Shallowest inserted first, the deeper lands nearer.
    order = settle([0, 1], [2, 3], {1: frozenset({2}), 0: frozenset({1, 2})}).order
    assert order == [2, 1, 0, 3]
    # The section's descendant is not the ranking's best: the section keeps its pin and
    # the chapter follows it.
    kept = settle([0, 1], [3, 2], {1: frozenset({2}), 0: frozenset({1, 2})})
    assert kept.order == [1, 0, 3, 2]


def test_held_out_scoring_orders_candidates_as_the_answerer_does() -> None:
    x = np.asarray([[0.0], [1.0], [0.5]])
    y = np.asarray([0.0, 1.0, 0.0])
    exact = np.asarray([True, False, False])
    model = {"weights": [1.0], "bias": 0.0, "mean": [0.0], "scale": [1.0]}
    pinned = Group("q", x, y, exact)
    named = Group("q", x, y, exact, yields={0: frozenset({1})})
    assert ranked_order(pinned, model) == [0, 1, 2]
    assert ranked_order(named, model) == [1, 0, 2]
    assert score([pinned], model)["recall@1"] == 0.0
    assert score([named], model)["recall@1"] == 1.0


def test_settle_counts_the_hits_that_keep_the_top() -> None:
    # No heading yields: every exact-route hit is pinned.
    assert settle([0, 1], [2, 3], {}).pinned == 2
    # The heading follows the ranking's best clause under it: nothing is pinned.
    gave_up = settle([0], [1, 2], {0: frozenset({1})})
    assert (gave_up.order, gave_up.pinned) == ([1, 0, 2], 0)
    # A heading following a pinned clause under it still stands above every ranked hit.
    behind = settle([0, 1], [2, 3], {0: frozenset({1})})
    assert (behind.order, behind.pinned) == ([1, 0, 2, 3], 2)
    # Nested headings both following a ranked clause: none pinned.
    nested = settle([0, 1], [2, 3], {1: frozenset({2}), 0: frozenset({1, 2})})
    assert (nested.order, nested.pinned) == ([2, 1, 0, 3], 0)


def test_settle_rejects_a_yielding_heading_that_is_no_exact_route_hit() -> None:
    """``yielding`` only returns exact-route hits; a caller that mixes the lists up got
    the heading silently ignored before."""
    with pytest.raises(ValueError, match="exact-route"):
        settle([0], [1, 2], {1: frozenset({2})})
    with pytest.raises(ValueError, match="exact-route"):
        settle([0], [0, 1], {})


def test_rerank_passes_on_which_hits_kept_the_top() -> None:
    plan = make_plan(QUESTION)
    children = [[WIND], [], []]
    gave_up = [
        FakeHit(ANNEX, 0.05, 0.80, "exact"),
        FakeHit(WIND, 0.03, 0.9),
        FakeHit(BODY, 0.02, 0.85),
    ]
    kept: list[int] = []
    assert rerank(RecordingOrder(), plan, gave_up, children, pinned_out=kept) == [1, 0, 2]
    assert kept == []
    pinned = [
        FakeHit(ANNEX, 0.05, 0.80, "exact"),
        FakeHit(BODY, 0.03, 0.9),
        FakeHit(WIND, 0.02, 0.85),
    ]
    kept = []
    assert rerank(RecordingOrder(), plan, pinned, [[WIND], [], []], pinned_out=kept) == [0, 1, 2]
    assert kept == [0]


def test_the_clause_the_named_heading_yielded_to_leads_the_answer() -> None:
    """Ranked below E.1.2.5, the named 附录E no longer leads (it answered with the annex's
    title alone) and is not cited beside it; a named heading ranked first still leads."""
    from qa.answer import lead_index, yielded_headings

    hs = [FakeHit(WIND, 0.03, 0.90), FakeHit(ANNEX, 0.05, 0.80, "exact"), FakeHit(BODY, 0.02, 0.8)]
    covers = [0.5, 0.9, 0.1]
    assert lead_index(hs, covers, reranked=True) == 0
    assert yielded_headings(hs, 0) == {1}
    pinned = [FakeHit(ANNEX, 0.05, 0.80, "exact"), FakeHit(WIND, 0.03, 0.90)]
    assert lead_index(pinned, [0.9, 0.5], reranked=True) == 0
    assert yielded_headings(pinned, 0) == frozenset()


def test_a_named_clause_below_a_clause_elsewhere_still_leads() -> None:
    """Only the heading's own subtree takes the lead from it: a clause of another chapter
    ranked first does not."""
    from qa.answer import lead_index, yielded_headings

    hs = [FakeHit(BODY, 0.03, 0.90), FakeHit(ANNEX, 0.05, 0.80, "exact")]
    assert lead_index(hs, [0.9, 0.1], reranked=True) == 1
    assert yielded_headings(hs, 1) == frozenset()

"""A count of a list's items asked over the list's single items (session 16): "“关键步骤和
措施”一共列了几步？第四步是什么？" retrieves 二、4. and its siblings, none of which lists
anything or states a number, so the gate read the count as missing and refused the
answerable question over the very list it counts.  The gate reads the list a hit is an
item of — its parent and the parent's children (qa.gate.item_of, qa.answer.list_items)."""

from __future__ import annotations

from clauses import FakeHit, make_clause

from grammar.schema import Clause, HeadingRef
from qa.answer import list_items
from qa.gate import ItemOf, gate_features, item_of, slot_filled, slot_in_lead
from qa.gate_inputs import BigramFrequency
from qa.relevance import content_grams

STEPS = HeadingRef("二、", "关键步骤和措施")
SECRECY = HeadingRef("五、", "文件的保密性")


def clause(no: str, text: str, seq: int, path: list[HeadingRef], title: str = "") -> Clause:
    return make_clause(
        no, text, title=title, doc_title="服务品牌方案", doc_id="w", heading_path=path, seq=seq
    )


INTRO = clause("一、", "为提升服务品牌，制定本方案。", 1, [], "目的")
PARENT = clause("二、", "", 2, [], "关键步骤和措施")
ITEMS = [
    clause("二、1.", "明确服务理念，确定品牌定位。", 3, [STEPS]),
    clause("二、2.", "制定服务标准，覆盖服务全过程。", 4, [STEPS]),
    clause("二、3.", "开展员工培训，提升服务技能。", 5, [STEPS]),
    clause("二、4.", "设立服务监督和反馈机制，及时处理客户投诉。", 6, [STEPS]),
]
LONE_PARENT = clause("五、", "", 7, [], "文件的保密性")
LONE = clause("五、1.", "服务管理文件中的相关信息应按保密制度进行保护。", 8, [SECRECY])
ALL = [INTRO, PARENT, *ITEMS, LONE_PARENT, LONE]
KIDS = {PARENT.clause_id: ITEMS, LONE_PARENT.clause_id: [LONE]}


def children(clause_id: str) -> list[Clause]:
    return KIDS.get(clause_id, [])


def hit(c: Clause) -> FakeHit:
    return FakeHit(c, 1.0, 0.9, bm25_score=1.0)


Q = "服务品牌方案的“关键步骤和措施”一共列了几步？第四步是什么？"


def test_an_item_knows_the_list_it_belongs_to() -> None:
    of = item_of(ITEMS[3], ALL, children)
    assert of is not None and of.parent is PARENT and list(of.items) == ITEMS
    # no parent (a top-level clause), or a parent with one child only: no list
    assert item_of(INTRO, ALL, children) is None
    assert item_of(LONE, ALL, children) is None
    # the parent is found whatever order the document's clauses come in
    assert item_of(ITEMS[0], list(reversed(ALL)), children) == of


def test_a_list_count_over_an_item_reads_its_list() -> None:
    """Failed before session 16: the fourth step alone states no number and lists
    nothing, so ``slot_lead`` was 0 and ``slot_filled`` 0."""
    topic = content_grams(Q)
    freq = BigramFrequency()
    freq.count(ALL)
    hits = [hit(ITEMS[3]), hit(ITEMS[1]), hit(ITEMS[2])]
    kids: list[list[Clause]] = [[], [], []]
    lists = [item_of(h.clause, ALL, children) for h in hits]
    assert slot_in_lead(Q, topic, hits, kids) == 0.0
    assert slot_in_lead(Q, topic, hits, kids, lists) == 1.0
    alone = slot_filled(Q, topic, hits, kids, freq)
    listed = slot_filled(Q, topic, hits, kids, freq, lists)
    assert alone == 0.0 and listed > 0.5
    # as high as the parent section itself, retrieved, would score
    assert listed == slot_filled(Q, topic, [hit(PARENT)], [ITEMS], freq)
    f = gate_features(Q, topic, hits, kids, [False] * 3, frequency=freq, lists=lists)
    assert f is not None and f["slot_lead"] == 1.0 and f["slot_filled"] == listed


def test_a_single_item_and_other_questions_read_no_list() -> None:
    topic = content_grams("文件一共划分成几个密级？")
    lone = [item_of(LONE, ALL, children)]
    assert slot_in_lead("文件一共划分成几个密级？", topic, [hit(LONE)], [[]], lone) == 0.0
    # a question that counts no list's items is read as before, lists or not
    q = "第四步要求设立什么机制？"
    lists: list[ItemOf | None] = [item_of(ITEMS[3], ALL, children)]
    assert slot_in_lead(q, content_grams(q), [hit(ITEMS[3])], [[]], lists) == slot_in_lead(
        q, content_grams(q), [hit(ITEMS[3])], [[]]
    )


class Searcher:
    """The two lookups :func:`qa.answer.list_items` asks of a searcher."""

    def clauses_of(self, doc_id: str) -> list[Clause]:
        return [c for c in ALL if c.doc_id == doc_id]

    def children(self, clause_id: str) -> list[Clause]:
        return children(clause_id)


def test_the_answerer_looks_lists_up_only_for_a_list_count() -> None:
    hits = [hit(ITEMS[3]), hit(INTRO)]
    found = list_items(Searcher(), Q, hits)
    assert len(found) == 2 and found[0] is not None and found[0].parent is PARENT
    assert found[1] is None
    assert list_items(Searcher(), "第四步要求设立什么机制？", hits) == []
    assert list_items(object(), Q, hits) == []  # a searcher that cannot list clauses

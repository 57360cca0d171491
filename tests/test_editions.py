"""Editions of one standard (grammar.editions): an edition year asked of no document in
particular sets the family's other editions aside, in the query, the plan and the search."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES, HashEmbedder

from grammar.editions import asked_years, families, set_aside, year_of
from grammar.schema import DocumentInfo
from index.query import parse_query
from qa.plan import make_plan


def _doc(doc_id: str, code: str | None, title: str = "视频监控联网系统技术要求") -> DocumentInfo:
    return DocumentInfo(doc_id, title, code, f"/c/{doc_id}", 1, 1)


DOCS = [
    _doc("pdf16", "GB/T 28181—2016"),
    _doc("md16", "GB/T 28181—2016"),  # a copy of the 2016 edition
    _doc("v22", "GB/T 28181—2022"),
    _doc("t11", "JT/T 808—2011", "道路运输车辆卫星定位系统 终端通讯协议"),
    _doc("t19", "JT/T 808—2019", "道路运输车辆卫星定位系统 终端通信协议"),
    _doc("base", "GB/T 22239—2019", "信息安全技术 网络安全等级保护基本要求"),  # one edition
    _doc("noyear", "GB/T 1.1", "标准化工作导则"),
    _doc("web", None, "服务标准化实施方案"),
]


# ------------------------------------------------------------------ grammar
def test_asked_years_reads_editions_not_dates() -> None:
    assert asked_years("按2022版联网标准，注册失败怎么办？") == {"2022"}
    assert asked_years("（2016版）注册多久失效？") == {"2016"}
    assert asked_years("按 2022 年版的规定") == {"2022"}
    assert asked_years("28181-2016 和 28181—2022 有何不同") == {"2016", "2022"}
    assert asked_years("2022年发布以后有什么变化？") == set()  # a date, not an edition
    assert asked_years("注册多久失效？") == set()


def test_families_are_one_number_in_several_years() -> None:
    fam = families(DOCS)
    assert set(fam) == {"GB/T 28181", "JT/T 808"}  # one edition, no year, no code: none
    assert fam["GB/T 28181"] == {"2016": {"pdf16", "md16"}, "2022": {"v22"}}
    assert year_of("GB/T 28181-2016") == "2016" and year_of("GB/T 1.1") is None
    # copies of one edition alone are no family
    assert families([_doc("a", "GB/T 28181—2016"), _doc("b", "GB/T 28181—2016")]) == {}


def test_set_aside_the_other_editions_of_the_families_holding_the_year() -> None:
    assert set(set_aside({"2022"}, DOCS)) == {"pdf16", "md16"}
    assert set(set_aside({"2016"}, DOCS)) == {"v22"}
    # 2019 is an edition of JT/T 808 (and the year of a standard held once: kept)
    assert set_aside({"2019"}, DOCS) == ("t11",)
    # both years of a family asked: both kept; a year no family holds: nothing
    assert set_aside({"2016", "2022"}, DOCS) == ()
    assert set_aside({"2008"}, DOCS) == ()
    assert set_aside(set(), DOCS) == ()


# ------------------------------------------------------------------ query and plan
def test_an_edition_asked_of_no_document_sets_the_others_aside() -> None:
    q = parse_query("摄像头注册老是失败，应该不停重试吗？（按2022版联网标准）", DOCS)
    assert q.named is None and q.hinted == ()
    assert set(q.set_aside) == {"pdf16", "md16"}
    assert parse_query("摄像头注册老是失败，应该不停重试吗？", DOCS).set_aside == ()


def test_a_named_or_hinted_document_sets_aside_its_own_other_editions_only() -> None:
    named = parse_query("GB/T 28181 的2022版里注册过期时间是多少？", DOCS)
    assert named.named == ("v22",) and set(named.set_aside) == {"pdf16", "md16"}
    hinted = parse_query("28181 的2016版里心跳周期是多少？", DOCS)
    assert set(hinted.hinted) == {"pdf16", "md16"} and hinted.set_aside == ("v22",)
    # the 2011 asked is GB/T 28181's (not held): JT/T 808—2019 is not set aside
    older = parse_query("GB/T 28181—2016比2011版新增了哪些附录？", DOCS)
    assert set(older.named or ()) == {"pdf16", "md16"} and older.set_aside == ("v22",)
    assert set_aside({"2011"}, DOCS, within={"pdf16"}) == ()
    assert set_aside({"2016"}, DOCS, within={"v22"}) == ()  # a document named stays


def test_each_part_of_a_question_asks_its_own_edition() -> None:
    # a part is the whole question narrowed to one conjunct: the edition said once is in
    # every part, and editions coordinated are one per part
    plan = make_plan("2016版和2022版联网标准分别规定注册多久失效？", (), DOCS)
    assert plan.search.set_aside == ()  # the whole question asks both
    assert [set(p.search.set_aside) for p in plan.parts] == [{"v22"}, {"pdf16", "md16"}]


# ------------------------------------------------------------------ the search
SOURCE = SAMPLES / "standards" / "T_BZQC_003-2025_物业服务_客户投诉处理规范.txt"
OTHER = SAMPLES / "standards" / "T_BZQC_002-2025_服务标准编写指南.txt"


@pytest.fixture(scope="module")
def editions_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two editions of one sample standard (2025 and a 2019 one with other time limits)
    and a standard held in one edition."""
    from ingest.pipeline import ingest_paths
    from ingest.store import ClauseStore
    from ingest.workspace import kb_path

    ws = tmp_path_factory.mktemp("editions-ws")
    corpus = ws / "corpus"
    corpus.mkdir()
    text = SOURCE.read_text(encoding="utf-8")
    (corpus / SOURCE.name).write_text(text, encoding="utf-8")
    old = text.replace("003—2025", "003—2019").replace("2025-", "2019-")
    (corpus / "T_BZQC_003-2019_物业服务_客户投诉处理规范.txt").write_text(old, encoding="utf-8")
    (corpus / OTHER.name).write_text(OTHER.read_text(encoding="utf-8"), encoding="utf-8")
    store = ClauseStore(kb_path(ws, "default"))
    assert ingest_paths([corpus], store, kb="default").ok
    return ws


def test_the_search_leaves_the_other_edition_out(editions_ws: Path) -> None:
    from index.search import Searcher

    s = Searcher.open(editions_ws, "default", embedder=HashEmbedder(), sync=True)
    code = {d.doc_id: d.standard_code for d in s.documents()}
    assert sorted(c or "" for c in code.values()) == [
        "T/BZQC 002—2025",
        "T/BZQC 003—2019",
        "T/BZQC 003—2025",
    ]
    both = s.search("业主投诉以后多久要给答复？", 10)
    assert {code[h.clause.doc_id] for h in both} >= {"T/BZQC 003—2019", "T/BZQC 003—2025"}
    for year, other in (("2019", "T/BZQC 003—2025"), ("2025", "T/BZQC 003—2019")):
        plan = s.parse(f"业主投诉以后多久要给答复？（按{year}版）")
        assert [code[d] for d in plan.set_aside] == [other]
        for pipeline in ("hybrid+exact", "bm25", "dense"):
            hits = s.retrieve(plan, 10, pipeline)
            assert len(hits) == 10 and other not in {code[h.clause.doc_id] for h in hits}
    # a standard outside the family is never left out
    plan = s.parse("服务标准编写时，标准的结构是怎样的？（2019版）")
    assert "T/BZQC 002—2025" in {code[h.clause.doc_id] for h in s.retrieve(plan, 10)}

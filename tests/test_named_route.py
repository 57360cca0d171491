"""Questions that point at a document (partial code, abbreviation of its title, edition)
and at a drafting element of it: the pointing, the scoped search, the element route."""

from __future__ import annotations

from types import SimpleNamespace

from grammar.schema import Clause, ClauseKind, DocumentInfo, HeadingRef
from index.exact import documents_named
from index.query import documents_hinted, parse_query
from index.retrievers import Context, Ranking, element_first, exact_first, scoped
from index.sections import children_map, descendants, element_sections

DOCS = [
    DocumentInfo("grading", "信息安全技术 网络安全等级保护定级指南", "GB/T 22240—2020", "", 1, 1),
    DocumentInfo(
        "process", "信息安全技术 网络安全等级保护测评过程指南", "GB/T 28449—2018", "", 1, 1
    ),
    DocumentInfo("testreq", "信息安全技术 网络安全等级保护测评要求", "GB/T 28448—2019", "", 1, 1),
    DocumentInfo("base", "信息安全技术 网络安全等级保护基本要求", "GB/T 22239—2019", "", 1, 1),
    DocumentInfo(
        "fin", "金融行业网络安全等级保护实施指引 第2部分：基本要求", "JR/T 0071.2—2020", "", 1, 1
    ),
    DocumentInfo(
        "t11", "道路运输车辆卫星定位系统 终端通讯协议及数据格式", "JT/T 808—2011", "", 1, 1
    ),
    DocumentInfo(
        "t19", "道路运输车辆卫星定位系统 终端通信协议及数据格式", "JT/T 808—2019", "", 1, 1
    ),
    DocumentInfo(
        "floor", "聚氯乙烯卷材地板 第1部分：带基材的聚氯乙烯卷材地板", "GB/T 11982.1—2005", "", 1, 1
    ),
]


# ------------------------------------------------------------------ pointing
def test_an_abbreviation_of_a_title_points_at_the_document() -> None:
    # characters taken from the title in order, words shortened
    assert documents_hinted("等保定级指南的范围怎么写？", DOCS) == ("grading",)
    # 测评过程指南 fits better than 测评要求: the longest fit wins
    assert documents_hinted("等保测评指南里的测评准备？", DOCS) == ("process",)


def test_abbreviations_made_of_shared_or_generic_words_point_at_nothing() -> None:
    # 等保基本要求 fits three titles: not distinctive
    docs = [
        *DOCS,
        DocumentInfo("sec", "证券期货业网络安全等级保护基本要求", "JR/T 0060—2021", "", 1, 1),
    ]
    assert documents_hinted("等保基本要求的第三级？", docs) == ()
    assert set(documents_hinted("等保基本要求的第三级？", DOCS)) == {"base", "fin"}
    # generic title words only
    assert documents_hinted("技术协议要求有哪些？", DOCS) == ()
    # too spread over the title to be an abbreviation
    assert documents_hinted("信息化的级别怎么定？", DOCS) == ()


def test_partial_codes_point_at_the_document() -> None:
    assert documents_hinted("0071.2 里第三级的要求？", DOCS) == ("fin",)
    assert documents_hinted("808—2019 的注册消息？", DOCS) == ("t19",)
    assert set(documents_hinted("808 的注册消息？", DOCS)) == {"t11", "t19"}
    # the series number names its part
    assert documents_hinted("11982 的翘曲要求？", DOCS) == ("floor",)


def test_a_series_code_names_its_part_but_another_part_or_edition_is_absent() -> None:
    assert documents_named("GB/T 11982 的范围是什么？", DOCS) == ["floor"]
    assert documents_named("GB/T 11982—2005 的范围是什么？", DOCS) == ["floor"]
    assert documents_named("GB/T 11982.2 的范围是什么？", DOCS) == []
    assert documents_named("GB/T 11982—2010 的范围是什么？", DOCS) == []


def test_a_code_cited_inside_a_document_does_not_make_it_present() -> None:
    # GB/T 25069 is only cited in the text of the base's documents; a document is named
    # by its own codes (stored, printed in its title, in its file name), never its text
    assert documents_named("GB/T 25069—2010 的术语有哪些？", DOCS) == []
    assert documents_named("GB/T 25069 的术语有哪些？", DOCS) == []


# ------------------------------------------------------------------ routes
def _c(
    cid: str, doc: str, no: str, title: str, seq: int, path: list[HeadingRef], text: str
) -> Clause:
    return Clause(
        cid, doc, doc, None, no, title, path, ClauseKind.CLAUSE, None, text, "", None, 0, 0, seq
    )


CLAUSES = [
    _c(
        "g:fore",
        "grading",
        "前言",
        "",
        1,
        [],
        "本文件按照GB/T 1.1—2020的规定起草。本文件代替GB/T 22240—2008。",
    ),
    _c(
        "g:1",
        "grading",
        "1",
        "范 围",
        2,
        [],
        "本文件给出了等级保护对象的定级原则、方法和流程。",
    ),
    _c("g:toc", "grading", "3", "术语和定义", 3, [], ""),
    _c(
        "g:6",
        "grading",
        "6",
        "确定定级对象",
        4,
        [],
        "确定定级对象的方法和流程应按本章执行。",
    ),
    _c("p:fore", "process", "前言", "", 1, [], "本文件按照GB/T 1.1—2009的规定起草。"),
    _c("p:1", "process", "1", "范围", 2, [], "本文件规定了测评工作的过程。"),
    _c(
        "p:A",
        "process",
        "附录A",
        "测评工具",
        3,
        [],
        "附录给出测评工具的使用。",
    ),
    _c(
        "t:A",
        "testreq",
        "附录A",
        "测评力度",
        1,
        [],
        "附录给出测评力度。",
    ),
    _c("t:1", "testreq", "1", "范围", 2, [], "本文件规定了测评的要求。"),
]
CLAUSES.append(_c("t:5", "testreq", "5", "测评要求", 3, [], "第三级测评要求如下。"))
BY_ID = {c.clause_id: c for c in CLAUSES}


def _ctx(text: str, focus: tuple[str, ...] = ()) -> Context:
    by_doc: dict[str, list[Clause]] = {}
    for c in CLAUSES:
        by_doc.setdefault(c.doc_id, []).append(c)
    snap = SimpleNamespace(
        clauses=BY_ID, by_doc=by_doc, docs=DOCS, remote=None, children=children_map(CLAUSES)
    )
    query = parse_query(text, DOCS, focus=focus)
    return Context(snap, embedder=None, query=query, _qvec=0)  # type: ignore[arg-type]


def _ranking(*ids: str) -> Ranking:
    return [(cid, 1.0 / (i + 1), "hybrid") for i, cid in enumerate(ids)]


def _in_scope(ctx: Context) -> Ranking:
    """A stand-in retriever: the allowed documents' clauses, in document order."""
    return [
        (c.clause_id, 1.0, "inner")
        for c in CLAUSES
        if ctx.allowed is None or c.doc_id in ctx.allowed
    ]


def test_scoped_search_fills_the_top_with_the_pointed_documents_clauses() -> None:
    ctx = _ctx("定级指南的前言写了什么？")
    assert ctx.query.hinted == ("grading",)
    # the whole-base search found a sibling's clauses first and only one of grading's
    ranked = scoped(_in_scope)(ctx, _ranking("p:fore", "t:1", "p:1", "g:6"))
    ids = [cid for cid, _, _ in ranked]
    assert ids[0] == "g:6" and ids.index("g:fore") < ids.index("p:1")
    # the others are still there, behind
    assert {"p:fore", "t:1", "p:1"} <= set(ids)


def test_scoped_search_does_nothing_without_a_pointed_document() -> None:
    ctx = _ctx("前言里写什么？")
    ranked = _ranking("p:fore", "t:1")
    assert scoped(_in_scope)(ctx, ranked) == ranked


def test_the_element_asked_of_a_pointed_document_leads() -> None:
    ctx = _ctx("测评过程指南的范围一章是怎么写的？", focus=("范围", "适用范围"))
    ranked = element_first(ctx, _ranking("t:1", "p:fore", "p:A", "p:1"))
    assert ranked[0][0] == "p:1" and ranked[0][2] == "exact"
    assert [cid for cid, _, _ in ranked[1:]] == ["t:1", "p:fore", "p:A"]


def test_the_element_route_waits_for_a_document_and_for_no_clause_reference() -> None:
    ranked = _ranking("t:1", "p:1")
    # no document pointed at: the rules about 范围 should win, nothing new happens
    assert element_first(_ctx("范围一章怎么写？", focus=("范围",)), ranked) == ranked
    # a clause named: the exact route's business
    assert element_first(_ctx("定级指南的范围 6 章讲什么？", focus=("范围",)), ranked) == ranked


def test_a_clause_reference_goes_to_the_document_pointed_at_by_title() -> None:
    ctx = _ctx("测评过程指南的附录A讲什么？")
    ranked = exact_first(ctx, _ranking("t:A", "p:1", "p:A"))
    assert ranked[0][0] == "p:A" and ranked[0][2] == "exact"
    # pointed at a document without that annex: no other document's annex A is "the" one
    ranked = exact_first(_ctx("定级指南的附录A讲什么？"), _ranking("t:A", "p:A"))
    assert all(route != "exact" for _, _, route in ranked)


def test_element_sections_are_found_by_heading_and_skip_empty_lines() -> None:
    children = children_map(CLAUSES)
    grading = [c for c in CLAUSES if c.doc_id == "grading"]
    assert [c.clause_id for c in element_sections(grading, ("范围",), children)] == ["g:1"]
    assert [c.clause_id for c in element_sections(grading, ("前言",), children)] == ["g:fore"]
    # "3 术语和定义" with no text and no children is a 目次 line
    assert element_sections(grading, ("术语和定义",), children) == []
    assert descendants(children, "g:6") == []


def _cover(cid: str, doc: str, element: str | None) -> Clause:
    c = Clause(
        cid, doc, doc, None, "", doc, [], ClauseKind.PREAMBLE, None,
        "Technical guide for classification\n2020-04-28 发布\n2020-11-01 实施", "", None, 0, 0, 0,
    )  # fmt: skip
    if element is not None:
        c.extra["element"] = element
    return c


def test_the_cover_is_the_section_of_the_element_cover() -> None:
    # The text before the first heading has no heading "封面"; the element structure
    # gives it that element.
    cover = _cover("g:cover", "grading", "封面")
    clauses = [cover, *(c for c in CLAUSES if c.doc_id == "grading")]
    children = children_map(clauses)
    assert element_sections(clauses, ("封面", "封面要素"), children) == [cover]
    # an article's opening (no element: not a structured standard) is no cover
    opening = _cover("g:open", "grading", None)
    assert element_sections([opening], ("封面",), children_map([opening])) == []
    # nor is the cover the section of another element
    assert element_sections(clauses, ("前言",), children) == [BY_ID["g:fore"]]


def test_the_cover_of_a_pointed_document_leads_a_question_about_the_cover() -> None:
    cover = _cover("g:cover", "grading", "封面")
    ctx = _ctx("定级指南封面上的发布日期是哪天？", focus=("封面", "封面要素"))
    ctx.snap.by_doc["grading"] = [cover, *ctx.snap.by_doc["grading"]]
    ctx.snap.clauses = {**BY_ID, "g:cover": cover}
    ctx.snap.children = children_map(list(ctx.snap.clauses.values()))
    ranked = element_first(ctx, _ranking("g:6", "p:fore", "g:cover"))
    assert ranked[0][0] == "g:cover" and ranked[0][2] == "exact"


def test_a_numbered_name_of_the_vocabulary_is_not_the_element_section() -> None:
    # "附录A" is among 附录's names as vocabulary; asked which annex holds something, the
    # first annex is no answer: the element route stays out and the ranking decides
    annex = _c(
        "p:B", "process", "附录A", "测评工具", 3, [], "本附录给出测评工具的使用方法和注意事项。"
    )
    ctx = _ctx("测评过程指南把测评工具放在哪个附录里？", focus=("附录", "规范性附录", "附录A"))
    ctx.snap.by_doc["process"] = [*ctx.snap.by_doc["process"], annex]
    ctx.snap.clauses = {**BY_ID, "p:B": annex}
    ranked = _ranking("p:1", "t:A", "p:B")
    assert element_first(ctx, ranked) == ranked


def test_an_element_named_in_the_title_is_not_the_element_asked() -> None:
    # testreq is pointed at by "测评要求", a part of its title; its chapter "5 测评要求"
    # is not asked for by that word
    ctx = _ctx("等保测评要求里第三级怎么测？", focus=("测评要求",))
    assert ctx.query.hinted == ("testreq",)
    ranked = _ranking("p:1", "t:1", "t:5")
    assert element_first(ctx, ranked) == ranked


def test_the_best_ranked_clause_of_the_element_section_leads() -> None:
    # "…里某术语是怎么定义的": the entry, not the chapter heading, leads
    terms = HeadingRef("3", "术语和定义")
    clauses = [
        _c("d:3", "grading", "3", "术语和定义", 1, [], ""),
        _c("d:3.1", "grading", "3.1", "等级保护对象", 2, [terms], "对象。"),
        _c("d:3.2", "grading", "3.2", "业务信息", 3, [terms], "信息。"),
        _c("d:6", "grading", "6", "确定定级对象", 4, [], "确定。"),
        _c("o:3", "process", "3", "术语和定义", 1, [], "下列术语适用于本文件。"),
    ]
    snap = SimpleNamespace(
        clauses={c.clause_id: c for c in clauses},
        by_doc={"grading": clauses[:4], "process": clauses[4:]},
        docs=DOCS,
        remote=None,
        children=children_map(clauses),
    )
    query = parse_query("定级指南里业务信息是怎么定义的？", DOCS, focus=("术语和定义", "定义"))
    ctx = Context(snap, embedder=None, query=query)  # type: ignore[arg-type]
    ranked = element_first(ctx, _ranking("o:3", "d:6", "d:3.2", "d:3.1"))
    assert [(cid, route) for cid, _, route in ranked[:3]] == [
        ("d:3.2", "exact"),
        ("d:3.1", "hybrid"),
        ("o:3", "hybrid"),
    ]


def test_titles_are_named_whatever_the_width_of_their_brackets() -> None:
    docs = [
        DocumentInfo("a", "公司优质服务规范细则", None, "", 1, 1),
        DocumentInfo("b", "公司优质服务规范细则(四篇)", None, "", 1, 1),
    ]
    assert documents_named("公司优质服务规范细则（四篇）的三不准？", docs) == ["b"]
    assert documents_named("公司优质服务规范细则的三不准？", docs) == ["a"]


def test_a_guide_with_rules_about_the_element_is_left_to_the_ranking() -> None:
    # process has "1 范围" (its own) and "8.5 范围" (rules about writing one): either may
    # be meant, the element route stays out
    rules = _c(
        "p:8.5",
        "process",
        "8.5",
        "范围",
        9,
        [HeadingRef("8", "要素")],
        "范围应给出文件的对象和适用界限，不应包含要求。",
    )
    ctx = _ctx("测评过程指南的范围怎么写？", focus=("范围",))
    ctx.snap.by_doc["process"] = [*ctx.snap.by_doc["process"], rules]
    ctx.snap.clauses = {**BY_ID, "p:8.5": rules}
    ranked = _ranking("p:8.5", "t:1", "p:1")
    assert element_first(ctx, ranked) == ranked

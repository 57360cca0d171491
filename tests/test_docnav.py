"""Document navigation without a browser: routes, context, cross-reference links, pages,
the original file, and the HTML the document view and the chat build from them."""

from __future__ import annotations

import os
import re
from pathlib import Path

from grammar.schema import Clause, ClauseKind, DocumentInfo, HeadingRef
from qa.citations import Citation
from ui.docnav import (
    context_of,
    href,
    original_file,
    page_label,
    pdf_at_page,
    ref_links,
    route_from,
)
from ui.render import answer_html, clause_block, compact_card, linked_text, outline

EVIL = '<script>alert("x")</script>'


def clause(
    doc: str, seq: int, no: str, title: str = "", text: str = "", path: tuple[str, ...] = ()
) -> Clause:
    return Clause(
        clause_id=f"{doc}:{seq:05d}",
        doc_id=doc,
        doc_title=f"文档{doc}",
        standard_code={"a": "T/XX 001—2025", "g": "GB/T 1.1—2020"}.get(doc),
        clause_no=no,
        clause_title=title,
        heading_path=[HeadingRef(p, "") for p in path],
        kind=ClauseKind.CLAUSE,
        annex_type=None,
        text=text,
        source=f"/x/{doc}.pdf",
        page=seq + 1 if doc == "g" else None,
        start=0,
        end=0,
        seq=seq,
    )


DOC_A = [
    clause("a", 0, "1", "范围", "本文件规定了服务要求。"),
    clause("a", 1, "5", "要求"),
    clause("a", 2, "5.1", "总则", "总则。", ("5",)),
    clause("a", 3, "5.2", "人员", "人员应持证。", ("5",)),
    clause("a", 4, "5.2.1", "培训", "每年培训。", ("5", "5.2")),
    clause("a", 5, "5.3", "记录", "记录见5.2，格式按附录A，保存3.5倍时间。", ("5",)),
    clause("a", 6, "附录A", "记录表", "表格。"),
]
DOC_G = [clause("g", 0, "8", "要素"), clause("g", 1, "8.6", "规范性引用文件", "……", ("8",))]
DOCS = [
    DocumentInfo("a", "文档a", "T/XX 001—2025", "/x/a.txt", len(DOC_A), 0),
    DocumentInfo("g", "文档g", "GB/T 1.1—2020", "/x/g.pdf", len(DOC_G), 0, pages=40),
]
BY_DOC = {"a": DOC_A, "g": DOC_G}


def test_route_round_trip_and_missing_parts() -> None:
    url = href("我的库", "d&1", "d&1:00003")
    assert url.startswith("?") and "&doc=d%261&" in url
    from urllib.parse import parse_qsl

    params = dict(parse_qsl(url[1:]))
    route = route_from(params)
    assert route is not None and (route.kb, route.doc_id, route.clause_id) == (
        "我的库",
        "d&1",
        "d&1:00003",
    )
    assert route_from({"doc": "x"}) is None  # no knowledge base: not a route
    assert route_from({"kb": "k", "doc": "x"}).clause_id is None  # type: ignore[union-attr]


def test_context_parent_neighbours_children() -> None:
    ctx = context_of(DOC_A, "a:00003")  # 5.2
    assert ctx is not None
    assert ctx.parent is DOC_A[1]  # 5 要求
    assert (ctx.previous, ctx.next) == (DOC_A[2], DOC_A[4])
    assert ctx.children == [DOC_A[4]]  # 5.2.1
    assert (ctx.index, ctx.total) == (3, 7)
    section = context_of(DOC_A, "a:00001")
    assert section is not None and section.children == [DOC_A[2], DOC_A[3], DOC_A[5]]
    assert context_of(DOC_A, "a:99999") is None
    assert context_of(DOC_A, None).clause is DOC_A[0]  # type: ignore[union-attr]
    first = context_of(DOC_A, "a:00000")
    assert first is not None and first.previous is None and first.parent is None


def test_cross_references_link_within_the_knowledge_base_only() -> None:
    c = DOC_A[5]
    links = ref_links(c, DOCS, BY_DOC.__getitem__)
    named = {c.text[x.start : x.end]: x.clause_id for x in links}
    assert named == {"5.2": "a:00003", "附录A": "a:00006"}  # not "3.5倍", a quantity
    other = clause("a", 7, "5.4", "", "按GB/T 1.1—2020 的 8.6 编写，并见GB/T 20000.1—2014 的 3.1。")
    links = ref_links(other, DOCS, BY_DOC.__getitem__)
    spans = [(other.text[x.start : x.end], x.doc_id, x.clause_id) for x in links]
    # The code of a standard in the KB links to it, its 8.6 to that clause; a standard not
    # in the KB is not guessed in the current document.
    assert spans == [("GB/T 1.1—2020", "g", None), ("8.6", "g", "g:00001")]
    assert "GB/T 1.1—2020" in links[1].title
    # A clause never links to itself; a chapter reference finds the chapter.
    me = clause("a", 3, "5.2", "", "见5.2和第5章。")
    assert [(x.clause_id) for x in ref_links(me, DOCS, BY_DOC.__getitem__)] == ["a:00001"]


def test_pages_and_pdf_fragment() -> None:
    assert page_label(DOC_G[1]) == "第 2 页" and page_label(DOC_A[0]) == ""
    assert pdf_at_page("app/static/originals/x.pdf", 7) == "app/static/originals/x.pdf#page=7"
    assert pdf_at_page("u.pdf", None) == "u.pdf"


def test_original_file_checks_it_is_the_ingested_one(tmp_path: Path) -> None:
    from ingest.store import sha256_file

    f = tmp_path / "规范.pdf"
    f.write_bytes(b"%PDF-1.4 one")
    sha = sha256_file(f)
    ok = original_file(str(f), sha)
    assert ok.available and ok.is_pdf and ok.mime == "application/pdf"
    f.write_bytes(b"%PDF-1.4 edited later")
    os.utime(f, ns=(1, 10**18))  # a different mtime: the cached hash is not reused
    assert "已被修改" in original_file(str(f), sha).problem
    assert "不在原位置" in original_file(str(tmp_path / "gone.txt"), sha).problem


def test_linked_text_escapes_and_links() -> None:
    c = clause("a", 8, "5.5", "", f"{EVIL} 见5.2 <b>x</b>")
    links = ref_links(c, DOCS, BY_DOC.__getitem__)
    out = linked_text(c.text, links, "k", ["x"])
    assert "<script" not in out and "<b>" not in out
    assert 'class="stdqa-xref" href="?kb=k&amp;doc=a&amp;clause=a%3A00003"' in out
    assert ">5.2</a>" in out and "<mark>x</mark>" in out
    block = clause_block(DOC_G[1], "body", link="?kb=k")
    assert "第 2 页" in block and 'href="?kb=k"' in block


def test_outline_rows_are_links_with_pages_and_one_current() -> None:
    evil = [clause("g", 0, "1", EVIL), DOC_G[1]]
    out = outline(evil, "g:00001", kb="k", sections={"g:00000"})
    assert "<script" not in out
    assert out.count("<a ") == 2 and out.count('target="_self"') == 2
    assert out.count("▶") == 1 and 'class="current"' in out and 'class="section"' in out
    assert '<span class="pg">2</span>' in out


def _citation(c: Clause) -> Citation:
    return Citation.from_clause(c, 1.0)


def test_answer_markers_link_to_their_cards_and_stay_inert() -> None:
    cites = [_citation(DOC_A[3]), _citation(DOC_G[1])]
    answer = (
        "人员应持证〔T/XX 001—2025，5.2〕。引用见〔GB/T 1.1，8.6〕。"
        f"[点我](javascript:alert(1)) {EVIL} 〔别的文件，9.9〕"
    )
    out = answer_html(answer, cites, ["c0", "c1"])
    assert 'href="#c0"' in out and 'href="#c1"' in out  # the code without year matches too
    assert 'title="5.2 人员\n人员应持证。"' in out
    # The only live "<" are our anchors: the rest is backslash-escaped for Markdown.
    assert not re.search(r"(?<!\\)<(?!/?a[ >])", out), out
    assert "](javascript" not in out
    assert "〔别的文件，9.9〕" in out and out.count("stdqa-marker") == 2
    card = compact_card(cites[1], ["规范性"], anchor="c1", kb="k")
    assert card.startswith('<details class="stdqa-cite">') and 'id="c1"' in card
    assert "第 2 页" in card and 'target="_blank"' in card


def test_fictitious_samples_carry_the_mark_on_cards_and_hits() -> None:
    from dataclasses import replace

    from ui.marks import MARK
    from ui.render import hit_card

    real = DOC_A[0]
    made_up = replace(real, extra={"fictitious": True})
    assert MARK not in compact_card(_citation(real), [], anchor="a", kb="k")
    assert MARK in compact_card(_citation(made_up), [], anchor="a", kb="k")
    assert MARK in hit_card(made_up, [], rank=1, score=1.0, route="bm25", kb="k")
    assert MARK not in hit_card(real, [], rank=1, score=1.0, route="bm25", kb="k")

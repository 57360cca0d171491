"""The 条款检索 page: search clauses directly, filter, and read one in its document.

Drafters often know roughly which clause they want ("术语条目的来源怎么标"); a ranked list
with the matching words highlighted is faster than a chat answer.  Opening a hit shows the
document's outline with that clause marked, so its place in the structure is visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from grammar.elements import Element
from ui import render, state
from ui.safety import inert_markdown
from ui.settings import MODE_LABELS, SEARCH_MODES, Settings

if TYPE_CHECKING:
    from index.search import Searcher

OPEN_KEY = "finder_open"  # clause_id shown in the document view


def _open(clause_id: str | None) -> None:
    st.session_state[OPEN_KEY] = clause_id


def _jump(key: str) -> None:
    st.session_state[OPEN_KEY] = st.session_state[key]


def render_document_view(searcher: Searcher, clause_id: str, terms: list[str]) -> None:
    """Outline of the clause's document (clause marked) next to the clause's text."""
    clause = searcher.get(clause_id)
    if clause is None:
        _open(None)
        return
    clauses = searcher.clauses_of(clause.doc_id)
    with st.container(border=True):
        top, close = st.columns([6, 1])
        code = f"{clause.standard_code} " if clause.standard_code else ""
        top.subheader(inert_markdown(f"{code}《{clause.doc_title}》"))
        close.button("关闭", key="finder_close", on_click=_open, args=(None,))
        left, right = st.columns([2, 3])
        with left:
            st.caption(f"文档结构（{len(clauses)} 个条款）")
            st.markdown(render.outline(clauses, clause_id), unsafe_allow_html=True)
        with right:
            ids = [c.clause_id for c in clauses]
            labels = {c.clause_id: c.heading or c.clause_title or "（正文）" for c in clauses}
            key = f"finder_jump_{clause_id}"
            st.selectbox(
                "跳转到条款",
                ids,
                index=ids.index(clause_id) if clause_id in ids else 0,
                format_func=labels.__getitem__,
                key=key,
                on_change=_jump,
                args=(key,),
            )
            if clause.heading_path:
                st.caption(inert_markdown(" › ".join(h.label() for h in clause.heading_path)))
            st.markdown(render.context([clause], clause_id, terms), unsafe_allow_html=True)
            if clause.page:
                st.caption(f"PDF 第 {clause.page} 页")


def render_finder_page(settings: Settings) -> None:
    """The 条款检索 page."""
    ws = state.workspace()
    st.header("条款检索")
    kbs = state.available_kbs(ws)
    current = state.current_kb()
    kb = st.selectbox(
        "知识库", kbs, index=kbs.index(current) if current in kbs else 0, key="finder_kb"
    )
    searcher = state.searcher_for(ws, kb)
    if searcher is None:
        st.info("该知识库还没有文件。请到「知识库」页上传。")
        return
    docs = searcher.documents()
    titles = {
        d.doc_id: f"{d.standard_code + ' ' if d.standard_code else ''}{d.title}" for d in docs
    }
    codes = sorted({d.standard_code for d in docs if d.standard_code})

    query = st.text_input("检索词", placeholder="例如：规范性引用文件 引导语", key="finder_q")
    c1, c2, c5, c3, c4 = st.columns([3, 2, 2, 2, 1])
    doc_ids = c1.multiselect(
        "限定文档", list(titles), format_func=titles.__getitem__, key="finder_docs"
    )
    chosen_codes = c2.multiselect("限定标准编号", codes, key="finder_codes")
    elements = c5.multiselect(
        "限定要素", [str(e) for e in Element], key="finder_elements", help="如只看各标准的“范围”"
    )
    mode = c3.selectbox(
        "检索方式",
        SEARCH_MODES,
        index=SEARCH_MODES.index(settings.search_mode),
        format_func=MODE_LABELS.__getitem__,
        key="finder_mode",
    )
    k = int(c4.number_input("条数", 1, 100, max(settings.top_k, 10), key="finder_k"))

    terms = render.query_terms(query)
    opened = st.session_state.get(OPEN_KEY)
    if opened:
        render_document_view(searcher, opened, terms)
    if not query.strip():
        st.caption("输入检索词后显示匹配的条款；可按文档或标准编号筛选。")
        return

    from index.search import SearchFilters

    filters = SearchFilters(
        doc_ids=tuple(doc_ids), standard_codes=tuple(chosen_codes), elements=tuple(elements)
    )
    hits = searcher.search(
        query.strip(),
        k=k,
        mode=mode,
        filters=filters if (doc_ids or chosen_codes) else None,
        weights=settings.weights,
    )
    st.caption(f"找到 {len(hits)} 个条款")
    for hit in hits:
        st.markdown(
            render.hit_card(hit.clause, terms, rank=hit.rank, score=hit.score, route=hit.route),
            unsafe_allow_html=True,
        )
        st.button(
            "在文档中查看",
            key=f"finder_open_{hit.clause.clause_id}",
            on_click=_open,
            args=(hit.clause.clause_id,),
        )

"""The 条款检索 page: search clauses directly, filter, and read one in its document.

Drafters often know roughly which clause they want ("术语条目的来源怎么标"); a ranked list
with the matching words highlighted is faster than a chat answer.  Each hit links to the
document view (:mod:`ui.docview`): the outline with that clause marked, its neighbours
and the original file.
"""

from __future__ import annotations

import streamlit as st

from grammar.elements import Element
from ui import marks, render, state
from ui.i18n import MULTISELECT_PLACEHOLDER
from ui.settings import MODE_LABELS, SEARCH_MODES, Settings


def render_finder_page(kb: str, settings: Settings) -> None:
    """The 条款检索 page over ``kb``, the knowledge base chosen in the sidebar (one
    choice for every page, so the finder and the chat never search different KBs)."""
    ws = state.workspace()
    st.header("条款检索")
    st.caption(f"知识库：{state.kb_label(kb)}（在侧栏切换）")
    searcher = state.searcher_for(ws, kb)
    if searcher is None:
        st.info("该知识库还没有文件。请到「知识库」页上传。")
        return
    docs = searcher.documents()
    titles = {d.doc_id: marks.doc_label(d) for d in docs}
    codes = sorted({d.standard_code for d in docs if d.standard_code})

    query = st.text_input("检索词", placeholder="例如：规范性引用文件 引导语", key="finder_q")
    c1, c2, c5, c3, c4 = st.columns([3, 2, 2, 2, 1])
    doc_ids = c1.multiselect(
        "限定文档",
        list(titles),
        format_func=titles.__getitem__,
        key="finder_docs",
        placeholder=MULTISELECT_PLACEHOLDER,
    )
    chosen_codes = c2.multiselect(
        "限定标准编号", codes, key="finder_codes", placeholder=MULTISELECT_PLACEHOLDER
    )
    elements = c5.multiselect(
        "限定要素",
        [str(e) for e in Element],
        key="finder_elements",
        help="如只看各标准的“范围”",
        placeholder=MULTISELECT_PLACEHOLDER,
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
        filters=filters if (doc_ids or chosen_codes or elements) else None,
        weights=settings.weights,
    )
    st.caption(f"找到 {len(hits)} 个条款")
    for hit in hits:
        # The link opens the document view in a new tab: the hit list stays as it is.
        st.markdown(
            render.hit_card(
                hit.clause, terms, rank=hit.rank, score=hit.score, route=hit.route, kb=kb
            ),
            unsafe_allow_html=True,
        )

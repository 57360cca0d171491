"""The 起草 page: for one element, the rule, the fixed wording (subject filled in) and how
real standards in the knowledge base wrote it; and the skeleton of a whole new standard,
exported as Markdown or DOCX.

Everything shown comes from the knowledge base and is cited; clause text and the user's
subject are rendered as escaped text (``ui.render.escape``) or code blocks, never as live
Markdown/HTML.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from qa.citations import Citation
from qa.drafting import _INSTANCES, drafting_help, example_text
from qa.elements import element_named
from qa.skeleton import DOC_TYPES, build_skeleton, fill
from ui import marks, render, state
from ui.safety import inert_markdown

SUBJECT_MAX = 60


def render_drafting_page(kb: str) -> None:
    st.header("起草")
    st.caption("选一个要素，看规则、固定句式和知识库中真实标准的写法；或生成一部新标准的框架。")
    searcher = state.searcher_for(state.workspace(), kb)
    if searcher is None:
        st.info("当前知识库还没有文档：请先在“知识库”页导入标准。")
        return
    one, whole = st.tabs(["单个要素", "整部标准框架"])
    with one:
        left, right = st.columns([1, 2])
        name = left.selectbox("要素", list(_INSTANCES), key="draft_element")
        subject = right.text_input(
            "主题（填入句式的空白）",
            max_chars=SUBJECT_MAX,
            key="draft_subject",
            placeholder="例如：社区助浴服务",
        )
        element = element_named(name)
        help_ = drafting_help(f"{name}怎么写？", searcher, element=element) if element else None
        if not help_:
            st.info("知识库中没有关于该要素的规则或示例。")
            return
        st.subheader("规则")
        if not help_.rules:
            st.caption("知识库中没有规定该要素写法的条款（可导入 GB/T 1.1—2020 或行业编写指南）。")
        for c in help_.rules:
            st.markdown(
                render.citation_card(Citation.from_clause(c, 0.0), []), unsafe_allow_html=True
            )
        st.subheader("句式")
        if not help_.patterns:
            st.caption("规则中没有给出固定句式。")
        for p in help_.patterns:
            st.code(fill(p.text, subject.strip()), language=None)
            st.caption(
                inert_markdown(
                    marks.marked_title(
                        f"依据：{p.clause.standard_code or p.clause.doc_title}，{p.clause.clause_no}",
                        p.clause,
                    )
                )
            )
        st.subheader("示例")
        if not help_.examples:
            st.caption("知识库中没有含该要素的标准。")
        for c in help_.examples:
            card = replace(Citation.from_clause(c, 0.0), text=example_text(c))
            st.markdown(render.citation_card(card, []), unsafe_allow_html=True)
    with whole:
        a, b = st.columns([1, 2])
        doc_type = a.selectbox("文件类型", list(DOC_TYPES), key="draft_doctype")
        subject2 = b.text_input(
            "标准主题",
            max_chars=SUBJECT_MAX,
            key="draft_subject2",
            placeholder="例如：社区助浴服务",
        )
        if st.button("生成框架", key="draft_build", type="primary"):
            st.session_state["draft_skeleton"] = build_skeleton(doc_type, subject2, searcher)
        skel = st.session_state.get("draft_skeleton")
        if skel is not None:
            md = skel.to_markdown()
            st.code(md, language="markdown")
            c1, c2 = st.columns(2)
            c1.download_button("下载 Markdown", md.encode("utf-8"), "标准框架.md", "text/markdown")
            c2.download_button(
                "下载 DOCX",
                skel.to_docx(),
                "标准框架.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            )

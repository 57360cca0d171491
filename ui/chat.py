"""The 问答 page: ask drafting questions, get answers that cite clauses.

History lives in ``st.session_state`` (the open conversation's turns), is saved in the
workspace after every answer (:mod:`ui.conversations`: a reload restores it) and is passed to
the answerer as ``[(question, answer), …]`` so a follow-up ("那它的格式呢？") is understood.
Each answer shows its citations as cards with the query terms highlighted, an expander
with the neighbouring clauses, and a Markdown download.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

import streamlit as st

from core.assembly import answerer_for
from core.errors import user_message
from qa.answer import Answerer, AnswerResult
from qa.citations import Citation, cite
from qa.cli import MAX_QUESTION_CHARS
from qa.drafting import drafting_help, example_text
from qa.risk import result_risks
from ui import conversations, marks, render, state
from ui.docview import run_page_script
from ui.export import answer_markdown
from ui.safety import inert_markdown
from ui.settings import Settings, llm_config

HISTORY_KEY = "chat_turns"
TURNS_OF_KEY = "chat_turns_of"  # the conversation id the turns in HISTORY_KEY belong to
PLACEHOLDER = "输入问题，例如：范围一章怎么写？"


@dataclass(slots=True)
class Turn:
    kb: str
    result: AnswerResult


def turns() -> list[Turn]:
    if HISTORY_KEY not in st.session_state:
        st.session_state[HISTORY_KEY] = []
    return st.session_state[HISTORY_KEY]


def history_for(kb: str) -> list[tuple[str, str]]:
    """Earlier exchanges with this KB, oldest first (refusals too: a follow-up may
    rephrase the question that was refused)."""
    return [(t.result.question, t.result.answer) for t in turns() if t.kb == kb]


def make_answerer(searcher: object, settings: Settings) -> Answerer:
    """The session's answerer (built by :mod:`core.assembly`, like the CLIs'), with the
    process-wide cached chat model in LLM mode."""
    mode = settings.answer_mode
    chat = state.get_chat_model(llm_config(settings)) if mode == "llm" else None
    return answerer_for(
        searcher,
        mode=mode,  # type: ignore[arg-type]
        chat=chat,
        k=settings.top_k,
        # While the vectors are still being built (first run) only keywords can be searched.
        search_mode="bm25" if getattr(searcher, "keyword_only", False) else settings.search_mode,
        weights=settings.weights,
    )


def citation_anchors(idx: int, result: AnswerResult) -> list[str]:
    """HTML ids of the citation cards of answer ``idx`` (targets of its 〔…〕 markers)."""
    return [f"stdqa-c{idx}-{n}" for n in range(len(result.citations))]


def render_citations(result: AnswerResult, kb: str, idx: int) -> None:
    """Citation cards, one collapsed line each (label, clause, document, page); opened,
    the clause text and a link to the clause in its document (context, original file)."""
    terms = render.query_terms(f"{result.question} {result.query}")
    anchors = citation_anchors(idx, result)
    st.markdown(f"**引用条款（{len(result.citations)}）**")
    st.markdown(
        "".join(
            render.compact_card(c, terms, anchor=a, kb=kb)
            for c, a in zip(result.citations, anchors, strict=True)
        ),
        unsafe_allow_html=True,
    )


def render_drafting(result: AnswerResult, searcher: object, kb: str) -> None:
    """For "X怎么写？": the rule, the fixed wording and real examples side by side (each
    computed once per question and knowledge base)."""
    cache = st.session_state.setdefault("drafting_help", {})
    key = (kb, result.question)
    if key not in cache:
        cache[key] = drafting_help(result.question, searcher)  # type: ignore[arg-type]
    help_ = cache[key]
    if not help_:
        return
    with st.expander(f"起草参考：{help_.element}（规则 · 句式 · 示例）", expanded=False):
        rules, patterns, examples = st.columns(3)
        rules.markdown("**规则**")
        for c in help_.rules:
            rules.markdown(
                render.citation_card(Citation.from_clause(c, 0.0), []), unsafe_allow_html=True
            )
        patterns.markdown("**句式**")
        for p in help_.patterns:
            patterns.code(p.text, language=None)
            patterns.caption(
                inert_markdown(marks.marked_title(f"依据：{cite(p.clause)}", p.clause))
            )
        if not help_.patterns:
            patterns.caption("规则中没有给出固定句式。")
        examples.markdown("**示例**")
        for c in help_.examples:
            card = replace(Citation.from_clause(c, 0.0), text=example_text(c, 200))
            examples.markdown(render.citation_card(card, []), unsafe_allow_html=True)
        if not help_.examples:
            examples.caption("知识库中没有含该要素的其他标准。")


def render_result(turn: Turn, idx: int, searcher: object | None) -> None:
    """One assistant answer: text (or refusal), citations, export button."""
    r = turn.result
    if r.refused:
        st.info(inert_markdown(r.answer))
        st.caption("可以换一种说法，或到「条款检索」页直接查找条款。")
        return
    anchors = citation_anchors(idx, r)
    st.markdown(render.answer_html(r.answer, r.citations, anchors), unsafe_allow_html=True)
    for flag in result_risks(r):
        st.warning(inert_markdown(flag.message()), icon="⚠️")
    if r.invalid_citations:
        st.caption(
            inert_markdown(
                f"已删除 {len(r.invalid_citations)} 个无法核实的引用："
                f"{'、'.join(r.invalid_citations)}"
            )
        )
    dropped = [d for d in (r.support.dropped if r.support else []) if d.status != "duplicate"]
    if dropped:
        st.caption(f"已删除 {len(dropped)} 条与所引条款不符（数值、能愿动词）或无依据的陈述。")
    if any(c.fictitious for c in r.citations):
        st.caption(
            f"标有「{marks.MARK}」的条款出自本项目编写的虚构示例标准，仅供演示，不能作为起草依据。"
        )
    if r.citations:
        render_citations(r, turn.kb, idx)
    if searcher is not None:
        render_drafting(r, searcher, turn.kb)
    st.download_button(
        "导出 Markdown",
        data=answer_markdown(r, kb=turn.kb),
        file_name=f"回答-{idx + 1}.md",
        mime="text/markdown",
        key=f"export-{idx}",
        on_click="ignore",
    )


def _stream(answerer: Answerer, question: str, kb: str, sink: list[AnswerResult]) -> Iterator[str]:
    for item in answerer.stream(question, history_for(kb)):
        if isinstance(item, AnswerResult):
            sink.append(item)
        else:
            yield item


def ask(question: str, searcher: object, kb: str, settings: Settings) -> None:
    """Answer ``question`` live (streaming into a placeholder), then keep it in history."""
    with st.chat_message("user"):
        st.text(question)
    # The question (and so the start of the answer as it streams) into view.
    run_page_script(render.SCROLL_TO_LAST_QUESTION)
    with st.chat_message("assistant"):
        box = st.empty()
        box.caption("正在检索条款…")
        sink: list[AnswerResult] = []
        shown = ""
        try:
            answerer = make_answerer(searcher, settings)
            for chunk in _stream(answerer, question, kb, sink):
                shown += chunk
                box.markdown(inert_markdown(shown) + "▌")
        except Exception as exc:  # a dead LLM endpoint must not kill the page
            box.error(inert_markdown(f"回答失败：{user_message(exc)}"))
            return
        box.empty()
        turn = Turn(kb, sink[-1])
        turns().append(turn)
        st.session_state[TURNS_OF_KEY] = conversations.save(state.workspace(), kb, turn.result)
        render_result(turn, len(turns()) - 1, searcher)
    # Once the cards are laid out: the question and the start of the answer stay in view,
    # not the end of the cards.
    run_page_script(render.SCROLL_TO_LAST_QUESTION)


def render_chat_page(kb: str, settings: Settings) -> None:
    """The 问答 page."""
    ws = state.workspace()
    cid = conversations.current_id(ws)
    if st.session_state.get(TURNS_OF_KEY, "-") != cid:  # opened, switched or reloaded
        st.session_state[HISTORY_KEY] = [Turn(k, r) for k, r in conversations.load(ws, cid)]
        st.session_state[TURNS_OF_KEY] = cid
    searcher = state.searcher_for(ws, kb)
    head, actions = st.columns([5, 1], vertical_alignment="bottom")
    head.header("标准起草问答")
    with actions:
        conversations.render_actions(ws, cid)
    st.caption(
        f"知识库：{state.kb_label(kb)} · 回答方式：{'大模型' if settings.answer_mode == 'llm' else '摘录条款'}"
        " · 每条结论都附条款编号，请对照原文核实。"
    )
    for i, turn in enumerate(turns()):
        with st.chat_message("user"):
            st.text(turn.result.question)
        with st.chat_message("assistant"):
            render_result(turn, i, searcher if turn.kb == kb else state.searcher_for(ws, turn.kb))
    if searcher is None:
        st.info("当前知识库还没有文件。请到「知识库」页上传标准文件。")
    # In st.bottom the box is pinned below the page like a plain st.chat_input, but without
    # Streamlit's stick-to-bottom scrolling: that scrolled every answer to the end of its
    # citation cards and won against any script that showed the answer's start.
    question = st.bottom.chat_input(
        PLACEHOLDER, disabled=searcher is None, max_chars=MAX_QUESTION_CHARS
    )
    if question and question.strip() and searcher is not None:
        ask(question.strip(), searcher, kb, settings)
    conversations.render_sidebar(ws, st.session_state.get(conversations.CONV_KEY))

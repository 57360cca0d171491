"""The 设置 page: how answers are made and clauses found, and which large model to use.

Settings are saved in the workspace (:mod:`ui.prefs`) and read once per browser session
into one :class:`Settings` object under a non-widget session key (Streamlit forgets a
widget's state when its page is not shown; the chat and the finder read the settings on
every page).  A change on this page is written back at once.

Every option is explained in a drafter's words: what it changes in the answers, not
which algorithm it tunes.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import streamlit as st

from qa.llm_config import LLMConfig
from ui import prefs, state
from ui.prefs import SEARCH_MODES, Settings
from ui.safety import inert_markdown

__all__ = ["MODE_LABELS", "SEARCH_MODES", "Settings", "get_settings", "render_settings_page"]

log = logging.getLogger(__name__)

SETTINGS_KEY = "settings"
SETTINGS_WS_KEY = "settings_workspace"
KEY_EDIT = "set_llm_key_edit"
MODE_LABELS = {
    "hybrid": "综合查找（按意思 + 按字词，推荐）",
    "dense": "按意思查找",
    "bm25": "按字词查找",
}
MODE_HELP = (
    "“按意思查找”能找到换了说法的条款（问“投诉怎么处理”，也能找到“投诉受理”）；"
    "“按字词查找”只找含有问题中字词的条款，适合查术语、标准编号；"
    "“综合查找”把两者合起来，一般用它即可。"
)
ANSWER_LABELS = {"extractive": "摘录条款（无需大模型）", "llm": "大模型生成（引用条款）"}
ANSWER_HELP = (
    "摘录条款：直接摘出知识库中最相关的条款原文作为回答，不需要大模型，每句话都能在原文中找到。\n\n"
    "大模型生成：由大模型根据找到的条款组织语言回答，每句都标出处；"
    "程序会逐句核对出处，删去与条款不符的句子。"
)
TOP_K_HELP = (
    "回答前先从知识库中找出最相关的若干条条款作为依据。"
    "多一些不容易漏掉规定，但回答更长、稍慢；少一些回答更集中。一般 8–12 条即可。"
)
WEIGHT_HELP = (
    "综合查找时两种结果怎样合并：调高“按意思”，换了说法的条款更容易排到前面；"
    "调高“按字词”，含有问题原词（术语、编号）的条款更靠前。两者相同表示同等看待。"
)


def get_settings() -> Settings:
    """This session's settings (read from the workspace once); LLM mode falls back to
    extractive while no model is configured."""
    ws = state.workspace()
    s = st.session_state.get(SETTINGS_KEY)
    if not isinstance(s, Settings) or st.session_state.get(SETTINGS_WS_KEY) != str(ws):
        s = prefs.load_settings(ws)
        st.session_state[SETTINGS_KEY] = s
        st.session_state[SETTINGS_WS_KEY] = str(ws)
    if s.answer_mode == "llm" and not llm_config(s).configured:
        s = replace(s, answer_mode="extractive")
    return s


def llm_config(settings: Settings | None = None) -> LLMConfig:
    """The large model the answers use (workspace settings over environment variables)."""
    return prefs.llm_config(state.workspace(), settings or get_settings())


def _store(new: Settings) -> None:
    """Keep ``new`` for this session and save it in the workspace if it changed."""
    old = st.session_state.get(SETTINGS_KEY)
    st.session_state[SETTINGS_KEY] = new
    if new != old:
        try:
            prefs.save_settings(state.workspace(), new)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)
            st.warning("设置未能保存到工作区（磁盘已满或只读），仅在本次使用中有效。")


def _save_llm(s: Settings) -> None:
    url = str(st.session_state.get("set_llm_url", "")).strip()
    model = str(st.session_state.get("set_llm_model", "")).strip()
    if url and not prefs.valid_endpoint(url):
        st.session_state["set_llm_notice"] = ("error", "接口地址应以 http:// 或 https:// 开头")
        return
    _store(replace(s, llm_base_url=url, llm_model=model))
    key = str(st.session_state.get("set_llm_key", "")).strip()
    if key:
        prefs.save_key(state.workspace(), key)
        st.session_state["set_llm_key"] = ""
        st.session_state[KEY_EDIT] = False
    st.session_state["set_llm_notice"] = ("success", "已保存大模型设置")


def _clear_key() -> None:
    prefs.clear_key(state.workspace())
    st.session_state[KEY_EDIT] = False
    st.session_state["set_llm_notice"] = ("success", "已清除保存在工作区的 API 密钥")


def _render_llm(s: Settings) -> None:
    ws = state.workspace()
    cfg = llm_config(s)
    st.subheader("大模型")
    st.caption(
        "选择“大模型生成”时使用。可以用 DeepSeek、通义千问等在线服务，也可以用本机的 Ollama、"
        "vLLM（填它们的 OpenAI 兼容接口地址）。不填则只能用摘录方式回答。"
    )
    notice = st.session_state.pop("set_llm_notice", None)
    if notice:
        getattr(st, notice[0])(notice[1])
    if cfg.configured:
        st.caption(inert_markdown(f"当前：{cfg.describe()}"))
    st.text_input(
        "接口地址",
        value=s.llm_base_url,
        key="set_llm_url",
        placeholder="例如 https://api.deepseek.com/v1 或 http://localhost:11434/v1",
        help="服务商文档中的“OpenAI 兼容接口”地址（base URL）。留空则使用启动时的环境变量设置。",
    )
    st.text_input(
        "模型名称",
        value=s.llm_model,
        key="set_llm_model",
        placeholder="例如 deepseek-chat、qwen-plus、qwen2.5:7b",
        help="服务商给出的模型名。",
    )
    source = prefs.key_source(ws)
    editing = st.session_state.get(KEY_EDIT) or source is None
    if source and not editing:
        where = "保存在工作区" if source == "workspace" else "来自环境变量"
        st.text_input(
            "API 密钥", value=f"已设置（{where}）", disabled=True, key="set_llm_key_shown"
        )
        a, b = st.columns(2)
        a.button(
            "更换密钥",
            key="set_llm_key_replace",
            on_click=st.session_state.__setitem__,
            args=(KEY_EDIT, True),
        )
        if source == "workspace":
            b.button("清除密钥", key="set_llm_key_clear", on_click=_clear_key)
    else:
        st.text_input(
            "API 密钥",
            type="password",
            key="set_llm_key",
            placeholder="粘贴服务商给的密钥（本机模型一般不需要）",
            help="只保存在工作区中仅本人可读的文件里，不会再显示出来。",
        )
    st.button("保存大模型设置", key="set_llm_save", on_click=_save_llm, args=(s,), type="primary")


def render_settings_page() -> None:
    """The 设置 page."""
    s = get_settings()
    cfg = llm_config(s)
    st.header("设置")
    st.caption("设置保存在工作区中，重新打开或刷新页面后仍然有效。")

    st.subheader("回答方式")
    modes = ["extractive", "llm"] if cfg.configured else ["extractive"]
    answer_mode = st.radio(
        "回答方式",
        modes,
        index=modes.index(s.answer_mode),
        format_func=ANSWER_LABELS.__getitem__,
        key="set_answer_mode",
        label_visibility="collapsed",
    )
    st.caption(ANSWER_HELP)
    if not cfg.configured:
        st.info(
            "未配置大模型，只能使用摘录方式回答。要启用大模型回答，在下方“大模型”一节填写接口地址和"
            "模型名称；也可以在启动前设置环境变量 `STDQA_LLM_BASE_URL`、`STDQA_LLM_MODEL`、"
            "`STDQA_LLM_API_KEY`，或用本地模型 `STDQA_LLM_GGUF=/路径/模型.gguf`"
            "（需 `pip install llama-cpp-python`）。"
        )

    st.subheader("查找条款")
    search_mode = st.selectbox(
        "查找方式",
        SEARCH_MODES,
        index=SEARCH_MODES.index(s.search_mode),
        format_func=MODE_LABELS.__getitem__,
        key="set_search_mode",
        help=MODE_HELP,
    )
    top_k = st.slider("每次参考的条款数", 3, 30, s.top_k, key="set_top_k", help=TOP_K_HELP)
    dense_w, bm25_w = s.dense_weight, s.bm25_weight
    if search_mode == "hybrid":  # the weights only matter when two result lists are merged
        c1, c2 = st.columns(2)
        dense_w = c1.slider(
            "“按意思”的比重", 0.0, 2.0, s.dense_weight, 0.1, key="set_dense_w", help=WEIGHT_HELP
        )
        bm25_w = c2.slider(
            "“按字词”的比重", 0.0, 2.0, s.bm25_weight, 0.1, key="set_bm25_w", help=WEIGHT_HELP
        )
        if dense_w == 0 and bm25_w == 0:
            st.warning("两个比重都为 0 时无法排序，已按同等看待处理。")
            dense_w = bm25_w = 1.0
    _store(
        replace(
            s,
            answer_mode=str(answer_mode),
            top_k=int(top_k),
            dense_weight=float(dense_w),
            bm25_weight=float(bm25_w),
            search_mode=str(search_mode),
        )
    )
    st.divider()
    _render_llm(st.session_state[SETTINGS_KEY])

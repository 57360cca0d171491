"""Answer and search options, kept per browser session.

Widget values are copied into one :class:`Settings` object under a non-widget session
key, because Streamlit forgets a widget's state when its page is not shown; the chat and
the finder read the settings on every page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import streamlit as st

from qa.llm import LLMConfig

SETTINGS_KEY = "settings"
SEARCH_MODES = ("hybrid", "dense", "bm25")
MODE_LABELS = {"hybrid": "混合（向量 + BM25）", "dense": "仅向量", "bm25": "仅 BM25 关键词"}
ANSWER_LABELS = {"extractive": "摘录条款（无需大模型）", "llm": "大模型生成（引用条款）"}


@dataclass(slots=True, frozen=True)
class Settings:
    answer_mode: str = "extractive"
    top_k: int = 10
    dense_weight: float = 1.0
    bm25_weight: float = 1.0
    search_mode: str = "hybrid"

    @property
    def weights(self) -> tuple[float, float]:
        return (self.dense_weight, self.bm25_weight)


def get_settings() -> Settings:
    """This session's settings; LLM mode falls back to extractive if the model
    configuration disappeared (it is read from the environment)."""
    s = st.session_state.get(SETTINGS_KEY)
    if not isinstance(s, Settings):
        s = Settings()
        st.session_state[SETTINGS_KEY] = s
    if s.answer_mode == "llm" and not LLMConfig.from_env_or_unconfigured().configured:
        s = replace(s, answer_mode="extractive")
    return s


def render_settings_page() -> None:
    """The 设置 page."""
    s = get_settings()
    cfg = LLMConfig.from_env_or_unconfigured()
    st.header("设置")

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
    if cfg.configured:
        st.caption(f"大模型：{cfg.describe()}")
    else:
        st.info(
            "未配置大模型，只能使用摘录方式回答。要启用大模型回答，请在启动前设置环境变量：\n\n"
            "- OpenAI 兼容接口（DeepSeek、通义千问、Ollama、vLLM 等）：`STDQA_LLM_BASE_URL`、"
            "`STDQA_LLM_MODEL`，需要时再设 `STDQA_LLM_API_KEY`；\n"
            "- 或本地 GGUF 模型：`STDQA_LLM_GGUF=/路径/模型.gguf`（需 `pip install llama-cpp-python`）。"
        )

    st.subheader("检索")
    search_mode = st.selectbox(
        "检索方式",
        SEARCH_MODES,
        index=SEARCH_MODES.index(s.search_mode),
        format_func=MODE_LABELS.__getitem__,
        key="set_search_mode",
    )
    top_k = st.slider("检索条款数 top-k", 3, 30, s.top_k, key="set_top_k")
    c1, c2 = st.columns(2)
    dense_w = c1.slider("向量权重", 0.0, 2.0, s.dense_weight, 0.1, key="set_dense_w")
    bm25_w = c2.slider("BM25 权重", 0.0, 2.0, s.bm25_weight, 0.1, key="set_bm25_w")
    if search_mode == "hybrid" and dense_w == 0 and bm25_w == 0:
        st.warning("两个权重都为 0 时混合检索没有依据，已按 1:1 处理。")
        dense_w = bm25_w = 1.0
    st.session_state[SETTINGS_KEY] = Settings(
        answer_mode=str(answer_mode),
        top_k=int(top_k),
        dense_weight=float(dense_w),
        bm25_weight=float(bm25_w),
        search_mode=str(search_mode),
    )

"""标准起草助手 — Streamlit entry point: ``streamlit run app.py``.

Only wiring: page config, styles, first-run bootstrap, sidebar navigation and the
knowledge-base switch.  Each page lives in its own ``ui`` module.
"""

from __future__ import annotations

import streamlit as st

from ui import render, state
from ui.bootstrap import run_bootstrap
from ui.chat import render_chat_page
from ui.drafting import render_drafting_page
from ui.finder import render_finder_page
from ui.kb import render_kb_page
from ui.review import render_review_page
from ui.settings import get_settings, render_settings_page

PAGES = ("问答", "起草", "条款检索", "知识库", "审查", "设置")

st.set_page_config(page_title="标准起草助手", page_icon="📐", layout="wide")
st.markdown(render.STYLE, unsafe_allow_html=True)

ws = state.workspace()
run_bootstrap(ws)

with st.sidebar:
    st.title("标准起草助手")
    page = st.radio("页面", PAGES, key="page")
    kbs = state.available_kbs(ws)
    if st.session_state.get(state.KB_KEY) not in kbs:
        st.session_state[state.KB_KEY] = kbs[0]
    kb = st.selectbox("知识库", kbs, key=state.KB_KEY)
    st.caption(f"工作区：{ws}")

settings = get_settings()
if page == "问答":
    render_chat_page(kb, settings)
elif page == "起草":
    render_drafting_page(kb)
elif page == "条款检索":
    render_finder_page(settings)
elif page == "知识库":
    render_kb_page(kb)
elif page == "审查":
    render_review_page(kb)
else:
    render_settings_page()

"""标准起草助手 — Streamlit entry point: ``streamlit run app.py``.

Only wiring: page config, styles, first-run bootstrap, sidebar navigation and the
knowledge-base switch.  Each page lives in its own ``ui`` module.

Pages go through ``st.navigation``: each has its own URL, and on a phone the sidebar
overlay closes by itself once a page is chosen (a radio button in the sidebar kept it
open over the page and blocked every tap).  ``session_state["page"]`` (a page title)
picks the default page: tests and in-app links use it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui import docview, i18n, marks, mobile, render, state
from ui.bootstrap import render_embedding_status, run_bootstrap
from ui.chat import render_chat_page
from ui.drafting import render_drafting_page
from ui.finder import render_finder_page
from ui.kb import render_kb_page
from ui.review import render_review_page
from ui.settings import get_settings, render_settings_page

st.set_page_config(
    page_title="标准起草助手", page_icon="📐", layout="wide", initial_sidebar_state="auto"
)
st.markdown(render.STYLE, unsafe_allow_html=True)
st.markdown(i18n.style(), unsafe_allow_html=True)
st.markdown(marks.STYLE, unsafe_allow_html=True)

ws = state.workspace()
run_bootstrap(ws)


def _kb() -> str:
    return state.current_kb()


# (title, url path, icon, body): the body reads the sidebar's KB and the settings at run time.
PAGES: tuple[tuple[str, str, str, Callable[[], None]], ...] = (
    ("问答", "chat", ":material/chat:", lambda: render_chat_page(_kb(), get_settings())),
    ("起草", "draft", ":material/edit_note:", lambda: render_drafting_page(_kb())),
    ("条款检索", "finder", ":material/search:", lambda: render_finder_page(_kb(), get_settings())),
    ("知识库", "kb", ":material/folder:", lambda: render_kb_page(_kb())),
    ("审查", "review", ":material/fact_check:", lambda: render_review_page(_kb())),
    ("设置", "settings", ":material/settings:", render_settings_page),
)
wanted = st.session_state.get("page") or PAGES[0][0]
pages = [
    st.Page(body, title=title, url_path=path, icon=icon, default=title == wanted)
    for title, path, icon, body in PAGES
]
if not any(title == wanted for title, *_ in PAGES):
    pages[0] = st.Page(PAGES[0][3], title=PAGES[0][0], url_path=PAGES[0][1], default=True)
page = st.navigation(pages, position="sidebar")
mobile.close_sidebar_after_navigation(page.url_path)
# ?kb=…&doc=…&clause=… opens the document view (before the sidebar: it may set the KB).
route = docview.active_route(ws, page.url_path)

with st.sidebar:
    kbs = state.available_kbs(ws)
    if st.session_state.get(state.KB_KEY) not in kbs:
        st.session_state[state.KB_KEY] = kbs[0]
    st.selectbox(
        "知识库",
        kbs,
        key=state.KB_KEY,
        format_func=state.kb_label,
        on_change=mobile.request_close,
        help="问答、起草、检索和审查都只用这个知识库中的文件",
    )
    st.caption(f"工作区：{ws}")

render_embedding_status(ws, state.current_kb())
if route is not None:
    docview.render_document_page(ws, route)
else:
    page.run()

"""Close the sidebar overlay after a choice in it on a narrow screen.

On a phone the sidebar is an overlay over the page; left open after a choice it blocks
every tap.  Streamlit's page navigation closes it itself, but only when the browser's user
agent says "mobile" — a narrow desktop window, a tablet in split view or a headless test
browser at 390×844 keeps it open — and nothing closes it after the other choices made
there (a saved conversation, 新对话, the knowledge base).  So after each page change, and
after any of those choices (their callbacks call :func:`request_close`), this adds a
zero-height component whose script (fixed text of ours; nothing from documents or users)
clicks the sidebar's own collapse button when the viewport is narrow and the overlay is
open.
"""

from __future__ import annotations

import streamlit as st

LAST_PAGE_KEY = "mobile_last_page"
CLOSE_KEY = "mobile_close_requested"
COUNT_KEY = "mobile_close_count"
NARROW_PX = 768  # Streamlit's own breakpoint for the overlay sidebar

_SCRIPT = f"""
<script>
(function () {{
  const doc = window.parent.document;
  if (window.parent.innerWidth >= {NARROW_PX}) return;
  const bar = doc.querySelector('[data-testid="stSidebar"]');
  if (!bar || bar.getBoundingClientRect().right <= 0) return;  // already closed
  const btn = doc.querySelector('[data-testid="stSidebarCollapseButton"] button');
  if (btn) btn.click();
}})();
</script>
"""


def request_close() -> None:
    """Callback for a sidebar widget: close the overlay (on a narrow screen) on this run."""
    st.session_state[CLOSE_KEY] = True


def close_sidebar_after_navigation(page_key: str) -> None:
    """Call once per run with the current page's identity (its URL path)."""
    asked = bool(st.session_state.pop(CLOSE_KEY, False))
    changed = st.session_state.get(LAST_PAGE_KEY) != page_key
    first = LAST_PAGE_KEY not in st.session_state
    st.session_state[LAST_PAGE_KEY] = page_key
    # The first page of a session: the overlay starts closed on narrow screens.
    if not asked and (first or not changed):
        return
    # A new number each time: identical markup in two runs in a row would keep the old
    # frame, and its script would not run again.
    n = st.session_state[COUNT_KEY] = st.session_state.get(COUNT_KEY, 0) + 1
    with st.sidebar:
        st.iframe(f"{_SCRIPT}<!-- {n} -->", height=1)

"""Close the sidebar overlay after a page is chosen on a narrow screen.

On a phone the sidebar is an overlay over the page; left open after a choice it blocks
every tap.  Streamlit's page navigation closes it itself, but only when the browser's user
agent says "mobile" — a narrow desktop window, a tablet in split view or a headless test
browser at 390×844 keeps it open.  So after each page change this adds a zero-height
component whose script (fixed text of ours; nothing from documents or users) clicks the
sidebar's own collapse button when the viewport is narrow and the overlay is open.
"""

from __future__ import annotations

import streamlit as st

LAST_PAGE_KEY = "mobile_last_page"
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


def close_sidebar_after_navigation(page_key: str) -> None:
    """Call once per run with the current page's identity (its URL path)."""
    if st.session_state.get(LAST_PAGE_KEY) == page_key:
        return
    first = LAST_PAGE_KEY not in st.session_state
    st.session_state[LAST_PAGE_KEY] = page_key
    if first:  # the first page of a session: the overlay starts closed on narrow screens
        return
    with st.sidebar:
        st.iframe(_SCRIPT, height=1)

"""The document view: one document as a clickable outline, the current clause in context,
cross-references as links, page numbers and the original file.

It is reached by URL (``?kb=…&doc=…&clause=…``, see :mod:`ui.docnav`) from every citation
card, the finder and the knowledge-base page, so a view can be shared and survives a
reload.  Links inside the view (outline rows, previous/next, parent section,
cross-references) navigate in the same tab, so the browser's Back button walks back
through the clauses read; links *into* the view from an answer open a new tab, so the
conversation stays where it was.

Everything from the document is escaped (:mod:`ui.render`); the only script on the page
is ours: it scrolls the outline to the current clause.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from ui import marks, render, state
from ui.docnav import (
    CLAUSE_PARAM,
    DOC_PARAM,
    KB_PARAM,
    ClauseContext,
    OriginalFile,
    Route,
    context_of,
    href,
    original_file,
    page_label,
    pdf_at_page,
    ref_links,
    route_from,
)
from ui.safety import inert_markdown

if TYPE_CHECKING:
    from grammar.schema import Clause, DocumentInfo
    from index.search import Searcher

log = logging.getLogger(__name__)
SEEN_KEY = "docview_seen"  # (route, page, kb) when the view was last drawn
ROOT = Path(__file__).resolve().parents[1]
SERVED_DIR = ROOT / "static" / "originals"  # served at app/static/originals/ when enabled

# Scrolls the outline box (not the page) so the current row is in view.  Ours, constant:
# no document text ever goes into a script.
_SCROLL_OUTLINE = """<script>
(function () {
  function go(n) {
    const doc = window.parent.document;  // run from a same-origin iframe
    const box = doc.querySelector('.stdqa-outline');
    const row = box && box.querySelector('.current');
    if (row) { box.scrollTop = row.offsetTop - box.clientHeight / 3; }
    else if (n > 0) { setTimeout(function () { go(n - 1); }, 150); }
  }
  go(20);
})();
</script>"""


def run_page_script(script_html: str) -> None:
    """Run one of *our* constant scripts against the page, from a 1-pixel same-origin
    iframe (``window.parent`` is the app).  ``st.html``'s own script support proved
    unreliable: its element is sometimes remounted empty and the script never runs."""
    st.iframe(script_html, height=1)


def close() -> None:
    """Leave the document view (back to the page chosen in the sidebar); other query
    parameters (the open conversation) stay."""
    for key in (KB_PARAM, DOC_PARAM, CLAUSE_PARAM):
        if key in st.query_params:
            del st.query_params[key]
    st.session_state.pop(SEEN_KEY, None)


def active_route(ws: Path, page: str) -> Route | None:
    """The document route of this run, or None; ``page`` names the navigation's page.

    Call before the sidebar is drawn: the first time a route is seen its knowledge base
    becomes the sidebar's (so the sidebar and the view agree); choosing another page or
    knowledge base in the sidebar afterwards closes the view.
    """
    route = route_from(st.query_params)
    if route is None:
        st.session_state.pop(SEEN_KEY, None)
        return None
    seen = st.session_state.get(SEEN_KEY)
    if seen is None or seen[0] != route:
        if route.kb in state.available_kbs(ws):
            st.session_state[state.KB_KEY] = route.kb
        st.session_state[SEEN_KEY] = (route, page, None)
        return route
    _, seen_page, kb = seen
    if page != seen_page or (kb is not None and st.session_state.get(state.KB_KEY) != kb):
        close()
        return None
    return route


def _remember(route: Route) -> None:
    """After drawing: the KB the sidebar shows with this view (a later change closes it)."""
    seen = st.session_state.get(SEEN_KEY)
    page = seen[1] if seen and seen[0] == route else None
    st.session_state[SEEN_KEY] = (route, page, st.session_state.get(state.KB_KEY))


def served_url(original: OriginalFile, sha256: str | None) -> str | None:
    """A URL the browser can open the original at (``#page=N`` works on it), when
    Streamlit's static file serving is on; None otherwise (then: download only).

    The file is linked (or copied) to ``static/originals/<hash><ext>``: named by content,
    so no upload name reaches a URL and an unchanged file is placed once."""
    if not (original.available and sha256 and st.get_option("server.enableStaticServing")):
        return None
    target = SERVED_DIR / f"{sha256[:24]}{original.path.suffix.lower()}"
    try:
        if not target.is_file():
            SERVED_DIR.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            try:
                os.link(original.path, tmp)
            except OSError:
                shutil.copyfile(original.path, tmp)
            os.replace(tmp, target)
    except OSError as exc:  # a read-only install: the download still works
        log.warning("cannot serve %s: %s", original.path, exc)
        return None
    return f"app/static/originals/{target.name}"


def unserve(sha256: str | None) -> None:
    """Remove the served copy of a deleted document's original (if any)."""
    if not sha256:
        return
    for p in SERVED_DIR.glob(f"{sha256[:24]}.*"):
        p.unlink(missing_ok=True)


def _source_sha(searcher: Searcher, source: str) -> str | None:
    entry = searcher.store.entry(source)
    return entry.sha256 if entry else None


def _original_section(doc: DocumentInfo, clause: Clause, searcher: Searcher) -> None:
    sha = _source_sha(searcher, doc.source)
    original = original_file(doc.source, sha)
    if not original.available:
        st.caption(inert_markdown(f"原文件不可用：{original.problem}"))
        return
    cols = st.columns([1, 1, 2])
    cols[0].download_button(
        "下载原文件",
        data=original.path.read_bytes,
        file_name=original.name,
        mime=original.mime,
        key="docview_download",
        on_click="ignore",
        help=inert_markdown(original.name),
    )
    if original.is_pdf:
        url = served_url(original, sha)
        if url:
            label = f"在浏览器中打开（{page_label(clause) or '第 1 页'}）"
            cols[1].link_button(label, pdf_at_page(url, clause.page))
        elif clause.page:
            cols[1].caption(f"本条在 PDF {page_label(clause)}")


def _breadcrumb(clauses: list[Clause], ctx: ClauseContext, kb: str) -> str:
    chain: list[Clause] = []
    cur = ctx
    while cur.parent is not None and len(chain) < 8:
        chain.append(cur.parent)
        cur = context_of(clauses, cur.parent.clause_id) or ClauseContext(cur.parent)
    parts = [
        f'<a href="{render.escape(href(kb, c.doc_id, c.clause_id))}" target="_self">'
        f"{render.escape(c.heading)}</a>"
        for c in reversed(chain)
    ]
    return f'<div class="stdqa-path">位置：{" › ".join(parts)}</div>' if parts else ""


def _nav_links(ctx: ClauseContext, kb: str) -> str:
    def link(c: Clause | None, text: str) -> str:
        if c is None:
            return f'<span style="opacity:.4">{text}</span>'
        url = render.escape(href(kb, c.doc_id, c.clause_id))
        return f'<a href="{url}" target="_self" title="{render.escape(c.heading)}">{text}</a>'

    return (
        f'<div class="stdqa-meta">{link(ctx.previous, "← 上一条")} · '
        f"第 {ctx.index + 1}/{ctx.total} 条 · {link(ctx.next, '下一条 →')}</div>"
    )


def _clause_html(
    clause: Clause, searcher: Searcher, kb: str, *, css: str, current: bool = False
) -> str:
    link = None if current else href(kb, clause.doc_id, clause.clause_id)
    links = ref_links(clause, searcher.documents(), searcher.clauses_of)
    return render.clause_block(
        clause, render.linked_text(clause.text, links, kb), css=css, link=link
    )


def _context_html(ctx: ClauseContext, searcher: Searcher, kb: str) -> str:
    # The parent section is in the breadcrumb above; here the reading order.
    parts: list[str] = []
    if ctx.previous is not None:
        parts.append(_clause_html(ctx.previous, searcher, kb, css="clause near"))
    parts.append(_clause_html(ctx.clause, searcher, kb, css="clause current", current=True))
    if ctx.children:
        rows = "".join(
            f'<li><a href="{render.escape(href(kb, c.doc_id, c.clause_id))}" target="_self">'
            f"{render.escape(c.heading)}</a></li>"
            for c in ctx.children
        )
        parts.append(f'<div class="clause near"><ul>{rows}</ul></div>')
    nxt = ctx.next
    if nxt is not None and (not ctx.children or nxt is not ctx.children[0]):
        parts.append(_clause_html(nxt, searcher, kb, css="clause near"))
    return f'<div class="stdqa-context">{"".join(parts)}</div>'


def render_document_page(ws: Path, route: Route) -> None:
    """Draw the document view for ``route``."""
    st.button("← 返回", on_click=close, key="docview_back")
    searcher = state.searcher_for(ws, route.kb)
    doc = None
    if searcher is not None:
        doc = next((d for d in searcher.documents() if d.doc_id == route.doc_id), None)
    if searcher is None or doc is None:
        st.warning("该文档不在知识库中（可能已被删除，或链接中的知识库不存在）。")
        _remember(route)
        return
    clauses = searcher.clauses_of(doc.doc_id)
    ctx = context_of(clauses, route.clause_id)
    if ctx is None:
        st.warning("链接中的条款已不在该文档中（文档可能已重新导入），显示文档开头。")
        ctx = context_of(clauses, None)
    if ctx is None:
        st.info("该文档没有条款。")
        _remember(route)
        return
    clause = ctx.clause
    code = f"{doc.standard_code} " if doc.standard_code else ""
    st.subheader(inert_markdown(f"{code}《{doc.title}》"))
    if marks.is_fictitious(doc):
        st.markdown(
            f'{marks.STYLE}{marks.badge_html(doc)} <span class="stdqa-meta">{marks.TIP}</span>',
            unsafe_allow_html=True,
        )
    facts = [
        f"知识库：{state.kb_label(route.kb)}",
        f"文件：{Path(doc.source).name}",
        f"{len(clauses)} 个条款",
    ]
    if doc.pages:
        facts.append(f"共 {doc.pages} 页")
    st.caption(inert_markdown(" · ".join(facts)))
    _original_section(doc, clause, searcher)
    left, right = st.columns([2, 3])
    with left:
        st.caption("文档结构（点击条款跳转）")
        sections = {c.clause_id for c in clauses if searcher.is_section(c)}
        st.markdown(
            render.outline(clauses, clause.clause_id, kb=route.kb, sections=sections),
            unsafe_allow_html=True,
        )
    with right:
        st.markdown(
            _breadcrumb(clauses, ctx, route.kb) + _nav_links(ctx, route.kb),
            unsafe_allow_html=True,
        )
        st.markdown(_context_html(ctx, searcher, route.kb), unsafe_allow_html=True)
    run_page_script(_SCROLL_OUTLINE)
    _remember(route)

"""HTML for clause text, citation cards and document outlines.

Everything that comes from a document (titles, headings, clause text) is HTML-escaped
before it is shown: an uploaded HTML page or a scraped article may contain ``<script>`` or
``<img onerror=…>``, and the app renders these fragments with ``unsafe_allow_html``.  The
only raw HTML emitted is this module's own markup around escaped text.

Highlighting finds query terms in the *raw* text and escapes every piece (matched or not)
before wrapping matches in ``<mark>``; matching escaped text instead could let a term such
as "amp" or "lt" split an entity ("&amp;") and produce broken markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from grammar.schema import Clause
from qa.citations import Citation, cite
from ui import marks
from ui.docnav import RefLink, href

CARD_CLASS = "stdqa-cite"  # stable marker: tests and the browser check look for it
HIT_CLASS = "stdqa-hit"

_CSS = f"""
<style>
.{CARD_CLASS}, .{HIT_CLASS} {{
  border: 1px solid rgba(128,128,128,.35); border-left: 4px solid #c0392b;
  border-radius: 6px; padding: .6rem .8rem; margin: .4rem 0; background: rgba(250,250,250,.04);
}}
.{HIT_CLASS} {{ border-left-color: #2c6fbb; }}
.stdqa-label {{ font-weight: 600; color: #c0392b; }}
.stdqa-meta {{ font-size: .85rem; opacity: .8; margin: .15rem 0 .35rem 0; }}
.stdqa-path {{ font-size: .8rem; opacity: .7; }}
.stdqa-text {{ white-space: pre-wrap; line-height: 1.6; font-size: .95rem; }}
.stdqa-text mark {{ background: #ffe58f; color: inherit; padding: 0 1px; border-radius: 2px; }}
.stdqa-outline {{ position: relative; max-height: 32rem; overflow-y: auto; font-size: .88rem; line-height: 1.7; }}
.stdqa-outline .current {{ font-weight: 700; background: #ffe58f55; }}
.stdqa-outline a {{ display: block; color: inherit; text-decoration: none; border-radius: 3px; }}
.stdqa-outline a:hover {{ background: rgba(128,128,128,.15); }}
.stdqa-outline .section {{ font-weight: 600; }}
.stdqa-outline .pg, .stdqa-pg {{ float: right; font-size: .75rem; opacity: .6; font-weight: 400; }}
.stdqa-context .current {{ border-left: 3px solid #c0392b; padding-left: .5rem; }}
.stdqa-context .clause {{ margin: .4rem 0; }}
.stdqa-context .near {{ opacity: .75; }}
.stdqa-context .near .stdqa-text {{ font-size: .88rem; }}
a.stdqa-xref {{ color: #2c6fbb; text-decoration: underline dotted; }}
a.stdqa-marker {{ color: #c0392b; text-decoration: none; border-bottom: 1px dotted #c0392b; }}
details.{CARD_CLASS} {{ padding: .3rem .7rem; margin: .25rem 0; }}
details.{CARD_CLASS} > summary {{ cursor: pointer; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; font-size: .92rem; }}
details.{CARD_CLASS} > summary .stdqa-label {{ margin-right: .4rem; }}
details.{CARD_CLASS} > summary .stdqa-meta {{ display: inline; margin: 0; }}
details.{CARD_CLASS}[open] > summary {{ white-space: normal; }}
details.{CARD_CLASS} .stdqa-open {{ font-size: .85rem; }}
@media (max-width: 640px) {{ .stdqa-outline {{ max-height: 14rem; }} }}
/* The 1-pixel iframes that run our page scripts (ui.docview.run_page_script): no trace. */
[data-testid="stElementContainer"][height="1px"]:has(> iframe) {{
  position: absolute; width: 0; height: 0; overflow: hidden; margin: 0;
}}
</style>
"""
STYLE = marks.STYLE + _CSS  # the 虚构示例 badge is used in cards and hits


# Question words that would otherwise light up half of every clause.
_STOP_WORDS = (
    "怎么 怎样 如何 什么 哪些 哪个 多少 是否 能否 可以 需要 应该 应当 请问 一下 关于 对于 有关 "
    "相关 规定 要求 内容 问题 编写 写法 这个 那个 我们 以及 或者 还是 进行 其中 标准 文件"
)
_STOP = frozenset(_STOP_WORDS.split())


@lru_cache(maxsize=1)
def _jieba():  # imported lazily: the dictionary takes a second to load
    import jieba

    jieba.setLogLevel(60)
    return jieba


def query_terms(query: str, limit: int = 12) -> list[str]:
    """Words of a query worth highlighting: jieba words of two or more characters (or
    Latin/number tokens), minus question words, longest first."""
    terms: list[str] = []
    for word in _jieba().lcut(query or ""):
        w = word.strip()
        if len(w) < 2 or w in _STOP or not re.search(r"[\w\u4e00-\u9fff]", w):
            continue
        if w not in terms:
            terms.append(w)
    terms.sort(key=len, reverse=True)
    return terms[:limit]


def escape(text: str | None) -> str:
    """HTML-escape document text (quotes included, for attribute safety)."""
    return html.escape(text or "", quote=True)


def highlight(text: str, terms: Iterable[str]) -> str:
    """``text`` as escaped HTML with every occurrence of ``terms`` wrapped in <mark>."""
    words = sorted({t for t in terms if t and t.strip()}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out: list[str] = []
    cursor = 0
    for m in pattern.finditer(text or ""):
        out.append(escape(text[cursor : m.start()]))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        cursor = m.end()
    out.append(escape((text or "")[cursor:]))
    return "".join(out)


def _card(
    css: str,
    *,
    label: str,
    doc_title: str,
    standard_code: str | None,
    heading: str,
    heading_path: Sequence[str],
    text: str,
    terms: Iterable[str],
    extra: str = "",
    with_text: bool = True,
    badge: str = "",
) -> str:
    meta = " · ".join(
        escape(x) for x in (f"《{doc_title}》", standard_code or "", heading) if x.strip()
    )
    path = " › ".join(escape(h) for h in heading_path)
    return (
        f'<div class="{css}">'
        f'<div class="stdqa-label">{escape(label)}{badge}</div>'
        f'<div class="stdqa-meta">{meta}{escape(extra)}</div>'
        + (f'<div class="stdqa-path">{path}</div>' if path else "")
        + (f'<div class="stdqa-text">{highlight(text, terms)}</div>' if with_text else "")
        + "</div>"
    )


def citation_card(citation: Citation, terms: Iterable[str], *, with_text: bool = True) -> str:
    """A citation as a card: label 〔…〕, document, code, clause, heading path, text
    (``with_text=False`` under an answer that already quotes the clause: each clause is
    shown once, its full text one click away in the context expander)."""
    heading = f"{citation.clause_no} {citation.clause_title}".strip()
    return _card(
        CARD_CLASS,
        label=citation.label,
        doc_title=citation.doc_title,
        standard_code=citation.standard_code,
        heading=heading,
        heading_path=citation.heading_path,
        text=citation.text,
        terms=terms,
        with_text=with_text,
        badge=marks.badge_html(citation),
    )


def hit_card(
    clause: Clause,
    terms: Iterable[str],
    *,
    rank: int,
    score: float,
    route: str,
    kb: str | None = None,
) -> str:
    """A search result as a card (same layout as a citation, different colour); with
    ``kb`` it ends with a link to the clause in the document view (new tab)."""
    link = ""
    if kb is not None:
        url = escape(href(kb, clause.doc_id, clause.clause_id))
        link = f'<a class="stdqa-open" href="{url}" target="_blank">在文档中查看 ↗</a>'
    page = f" · 第 {clause.page} 页" if clause.page else ""
    card = _card(
        HIT_CLASS,
        label=f"{rank}. {cite(clause)}",
        doc_title=clause.doc_title,
        standard_code=clause.standard_code,
        heading=clause.heading,
        heading_path=[h.label() for h in clause.heading_path],
        text=clause.text,
        terms=terms,
        extra=f"{page} · 得分 {score:.3f}（{route}）",
        badge=marks.badge_html(clause),
    )
    badge = marks.badge_html(clause)
    if badge:  # after the label: a made-up sample is never quoted as a real standard
        card = card.replace("</div>", f"{badge}</div>", 1)
    return card[: -len("</div>")] + link + "</div>" if link else card


def outline(
    clauses: Sequence[Clause],
    current_id: str,
    *,
    kb: str | None = None,
    sections: Iterable[str] = (),
) -> str:
    """A document's clause headings, indented by depth, the current one marked ▶.

    With ``kb`` every row is a link to that clause in the document view (same tab: the
    outline is the document's table of contents), PDF page numbers on the right; clauses
    in ``sections`` (headings that only group sub-clauses) are shown in bold."""
    groups = set(sections)
    rows = []
    for c in clauses:
        head = c.heading or c.clause_title or "（正文）"
        indent = min(len(c.heading_path), 6) * 1.1
        current = c.clause_id == current_id
        mark = "▶ " if current else ""
        classes = " ".join(
            x
            for x in ("current" if current else "", "section" if c.clause_id in groups else "")
            if x
        )
        cls = f' class="{classes}"' if classes else ""
        style = f' style="padding-left:{indent:.1f}rem"'
        if kb is None:
            rows.append(f"<div{cls}{style}>{mark}{escape(head)}</div>")
            continue
        page = f'<span class="pg">{c.page}</span>' if c.page else ""
        link = escape(href(kb, c.doc_id, c.clause_id))
        rows.append(f'<a{cls}{style} href="{link}" target="_self">{page}{mark}{escape(head)}</a>')
    return f'<div class="stdqa-outline">{"".join(rows)}</div>'


def linked_text(text: str, links: Sequence[RefLink], kb: str, terms: Iterable[str] = ()) -> str:
    """Clause text as escaped HTML, its cross-references as links into the document view
    (built from :func:`ui.docnav.ref_links`, never from markup in the text) and query
    terms highlighted outside the links."""
    terms = list(terms)
    out: list[str] = []
    cursor = 0
    for link in links:
        out.append(highlight(text[cursor : link.start], terms))
        url = escape(href(kb, link.doc_id, link.clause_id))
        out.append(
            f'<a class="stdqa-xref" href="{url}" target="_self" title="{escape(link.title)}">'
            f"{escape(text[link.start : link.end])}</a>"
        )
        cursor = link.end
    out.append(highlight(text[cursor:], terms))
    return "".join(out)


def clause_block(clause: Clause, body: str, *, css: str = "clause", link: str | None = None) -> str:
    """One clause of the document view: heading (a link when ``link``), page, body HTML
    (already escaped by the caller: :func:`linked_text` or :func:`escape`)."""
    head = escape(clause.heading or "（正文）")
    if link:
        head = f'<a href="{escape(link)}" target="_self">{head}</a>'
    page = f'<span class="stdqa-pg">第 {clause.page} 页</span>' if clause.page else ""
    text = f'<div class="stdqa-text">{body}</div>' if body else ""
    return f'<div class="{css}"><div class="stdqa-label">{page}{head}</div>{text}</div>'


def citation_summary(citation: Citation) -> str:
    """One line that names a citation: clause heading, document, page (plain text)."""
    heading = f"{citation.clause_no} {citation.clause_title}".strip()
    parts = [heading, f"《{citation.doc_title}》"]
    if citation.page:
        parts.append(f"第 {citation.page} 页")
    return " · ".join(p for p in parts if p)


def compact_card(citation: Citation, terms: Iterable[str], *, anchor: str, kb: str) -> str:
    """A citation as a collapsed ``<details>`` card: one line (label, heading, document,
    page) that opens to the clause text and a link to the clause in its document.

    ``anchor`` is the id of the card's body: a marker link ``#anchor`` in the answer
    scrolls to the card and the browser opens the ``<details>`` around its target."""
    path = " › ".join(escape(h) for h in citation.heading_path)
    url = escape(href(kb, citation.doc_id, citation.clause_id))
    return (
        f'<details class="{CARD_CLASS}"><summary><span class="stdqa-label">'
        f"{escape(citation.label)}</span>{marks.badge_html(citation)}"
        f'<span class="stdqa-meta">{escape(citation_summary(citation))}</span></summary>'
        f'<div id="{escape(anchor)}">'
        + (f'<div class="stdqa-path">{path}</div>' if path else "")
        + f'<div class="stdqa-text">{highlight(citation.text, terms)}</div>'
        f'<a class="stdqa-open" href="{url}" target="_blank">在文档中查看（上下文、原文件）↗</a>'
        "</div></details>"
    )


def marker(label: str, anchor: str, title: str) -> str:
    """An inline citation 〔…〕 of an answer as a link to its card, the clause text as
    its hover title."""
    return (
        f'<a class="stdqa-marker" href="#{escape(anchor)}" title="{escape(title)}">'
        f"{escape(label)}</a>"
    )


def context(clauses: Sequence[Clause], current_id: str, terms: Iterable[str]) -> str:
    """The cited clause with its neighbours, each with its heading; the cited one marked."""
    terms = list(terms)
    parts = []
    for c in clauses:
        cls = "clause current" if c.clause_id == current_id else "clause"
        body = highlight(c.text, terms) if c.clause_id == current_id else escape(c.text)
        parts.append(
            f'<div class="{cls}"><div class="stdqa-label">{escape(c.heading)}</div>'
            f'<div class="stdqa-text">{body}</div></div>'
        )
    return f'<div class="stdqa-context">{"".join(parts)}</div>'


def neighbours(clauses: Sequence[Clause], clause_id: str, radius: int = 2) -> list[Clause]:
    """The clause and up to ``radius`` clauses either side of it in document order."""
    for i, c in enumerate(clauses):
        if c.clause_id == clause_id:
            return list(clauses[max(0, i - radius) : i + radius + 1])
    return []


def answer_html(answer: str, citations: Sequence[Citation], anchors: Sequence[str]) -> str:
    """An answer for ``st.markdown(..., unsafe_allow_html=True)``: the text made inert
    (:func:`ui.safety.inert_markdown`: no link, image, tag or math from the model or the
    documents) with each citation 〔…〕 that names one of ``citations`` turned into a
    :func:`marker` linking to ``anchors[i]``, the card of citation ``i``.

    Markers are matched by label first, then by the same rule that verified them
    (:func:`qa.citations.resolve`), so "〔GB/T 1.1，8.6〕" finds the card of 8.6 of
    GB/T 1.1—2020."""
    from qa.citations import parse_citations, resolve
    from ui.safety import inert_markdown

    by_label = {c.label: i for i, c in enumerate(citations)}
    pool = [_as_clause(c) for c in citations]
    out: list[str] = []
    cursor = 0
    for parsed in parse_citations(answer):
        i = by_label.get(parsed.raw)
        if i is None:
            hit = resolve(parsed, pool)
            i = pool.index(hit) if hit is not None else None
        if i is None:
            continue
        out.append(inert_markdown(answer[cursor : parsed.start]))
        c = citations[i]
        title = f"{c.clause_no} {c.clause_title}".strip() + f"\n{c.text}"
        out.append(marker(parsed.raw, anchors[i], _clip(title, 400)))
        cursor = parsed.end
    out.append(inert_markdown(answer[cursor:]))
    return "".join(out)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_clause(c: Citation) -> Clause:
    """A citation as the clause record :func:`qa.citations.resolve` matches against."""
    from grammar.schema import ClauseKind

    return Clause(
        clause_id=c.clause_id,
        doc_id=c.doc_id,
        doc_title=c.doc_title,
        standard_code=c.standard_code,
        clause_no=c.clause_no,
        clause_title=c.clause_title,
        heading_path=[],
        kind=ClauseKind.CLAUSE,
        annex_type=None,
        text=c.text,
        source=c.source,
        page=c.page,
        start=0,
        end=0,
        seq=0,
    )


# After a question and after its answer: keep the last question (and so the answer's start)
# at the top of the view while the answer and its cards lay out (late layout, fonts, the
# drafting help can move it), until the user scrolls, types or clicks (their scrolling wins),
# or 6 s have passed.  The chat box sits in st.bottom (ui.chat), so Streamlit does not
# scroll to the bottom against it.  Ours, constant: no document or model text goes into a
# script.
SCROLL_TO_LAST_QUESTION = """<script>
(function () {
  const page = window.parent;  // this runs in a zero-height same-origin iframe
  const document = page.document;
  const stopAt = Date.now() + 6000;
  let stopped = false;
  const stop = function () { stopped = true; };
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (e) {
    page.addEventListener(e, stop, {once: true, passive: true});
  });
  // data-stdqa-pinned on <body> says the pinning of answer N is over (the browser test
  // waits for it instead of guessing how long layout takes on a loaded machine).
  const runs = (page.stdqaPinRuns = (page.stdqaPinRuns || 0) + 1);
  function go() {
    if (stopped || Date.now() > stopAt) {
      document.body.dataset.stdqaPinned = String(runs);
      return;
    }
    const msgs = document.querySelectorAll('[data-testid="stChatMessage"]');
    if (msgs.length >= 2) {
      const q = msgs[msgs.length - 2];
      if (Math.abs(q.getBoundingClientRect().top) > 80) { q.scrollIntoView({block: "start"}); }
    }
    setTimeout(go, 150);
  }
  setTimeout(go, 100);
})();
</script>"""

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

CARD_CLASS = "stdqa-cite"  # stable marker: tests and the browser check look for it
HIT_CLASS = "stdqa-hit"

STYLE = f"""
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
.stdqa-outline {{ max-height: 32rem; overflow-y: auto; font-size: .88rem; line-height: 1.7; }}
.stdqa-outline .current {{ font-weight: 700; background: #ffe58f33; }}
.stdqa-context .current {{ border-left: 3px solid #c0392b; padding-left: .5rem; }}
.stdqa-context .clause {{ margin: .4rem 0; }}
</style>
"""

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
) -> str:
    meta = " · ".join(
        escape(x) for x in (f"《{doc_title}》", standard_code or "", heading) if x.strip()
    )
    path = " › ".join(escape(h) for h in heading_path)
    return (
        f'<div class="{css}">'
        f'<div class="stdqa-label">{escape(label)}</div>'
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
    )


def hit_card(clause: Clause, terms: Iterable[str], *, rank: int, score: float, route: str) -> str:
    """A search result as a card (same layout as a citation, different colour)."""
    return _card(
        HIT_CLASS,
        label=f"{rank}. {cite(clause)}",
        doc_title=clause.doc_title,
        standard_code=clause.standard_code,
        heading=clause.heading,
        heading_path=[h.label() for h in clause.heading_path],
        text=clause.text,
        terms=terms,
        extra=f" · 得分 {score:.3f}（{route}）",
    )


def outline(clauses: Sequence[Clause], current_id: str) -> str:
    """A document's clause headings, indented by depth, the current one marked ▶."""
    rows = []
    for c in clauses:
        head = c.heading or c.clause_title or "（正文）"
        indent = min(len(c.heading_path), 6) * 1.1
        mark = "▶ " if c.clause_id == current_id else ""
        cls = ' class="current"' if c.clause_id == current_id else ""
        rows.append(f'<div{cls} style="padding-left:{indent:.1f}rem">{mark}{escape(head)}</div>')
    return f'<div class="stdqa-outline">{"".join(rows)}</div>'


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

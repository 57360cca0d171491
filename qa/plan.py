"""Parse the question once: the query plan that retrieval and the refusal gate both read.

Before, the answerer, the searcher and the refusal gate each re-read the question for
what they needed (the follow-up merge, the element, named documents, clause numbers), with
slightly different rules.  :func:`make_plan` reads it once:

* ``text`` — the question, merged with the previous one when it is a follow-up that
  refers back ("那它的格式呢？") or has no topic of its own;
* ``element`` — the drafting element asked about ("范围一章怎么写？" → 范围), with how-to
  phrasing and whether the whole element is asked (``general``);
* ``search`` — the :class:`index.query.SearchQuery`: topic without document names, plus
  the element's vocabulary; documents named by code or title; clause references;
* ``grams`` — the question's content words (character bigrams) for wording overlap;
* ``parts`` — one plan per part of a question that asks several things ("A和B分别…",
  "…？…？", :func:`qa.asks.split_asks`), each searched on its own (:mod:`qa.parts`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from grammar.elements import FIXED_CHAPTERS
from grammar.refs import Ref, find_refs
from grammar.wording import quoted_spans
from index.query import SearchQuery, parse_query
from qa.asks import split_asks
from qa.elements import ELEMENTS, Element, detect_element, element_named, is_general, is_how_to
from qa.relevance import content_grams

_ANAPHORA = re.compile(
    r"^(那|那么|还有|另外|再|它|其|该|这|上述|以上|同样|此外)|它|这个|那个|上述|该条|这条|这一章"
)


def merge_follow_up(question: str, history: Sequence[tuple[str, str]]) -> str:
    """The text to search with.  A follow-up that refers back ("那它的格式呢？") or has no
    topic of its own ("还有呢？") is searched together with the previous question, so it
    still finds the clauses on normative references; a short question with its own topic
    ("术语和定义怎么写？") is searched on its own."""
    q = question.strip()
    if not history:
        return q
    own_topic = detect_element(q) is not None or sum(1 for g in content_grams(q) if len(g) > 1) >= 2
    if _ANAPHORA.search(q) or not own_topic:
        return f"{history[-1][0].strip()} {q}"
    return q


_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def _pointing_refs(text: str) -> list[Ref]:
    """The clause references of ``text`` that have candidates, in the order
    :func:`index.exact.parse_clause_refs` keeps them: the positions the two readers below
    return index ``SearchQuery.refs``."""
    return [r for r in find_refs(text) if r.candidates]


def quoted_wording_refs(text: str) -> set[int]:
    """Which clause references of ``text`` (by position among those with candidates, the
    order :func:`index.exact.parse_clause_refs` keeps) are part of quoted wording:
    "“见附录A”和“参见附录B”怎么区分使用？" quotes two phrasings a drafter may write; it points
    at no annex.  A quotation holding nothing but the reference (“附录A”) still points."""
    spans = quoted_spans(text)
    out: set[int] = set()
    for i, ref in enumerate(_pointing_refs(text)):
        for a, b in spans:
            if a <= ref.start < b:
                rest = text[a + 1 : ref.start] + text[ref.end : b - 1]
                if _WORD.search(rest):
                    out.add(i)
    return out


_CHAPTER = re.compile(r"^第\s*([1-3一二三])\s*章$")
_DIGIT = {"一": "1", "二": "2", "三": "3"}


def fixed_chapter_refs(text: str) -> dict[int, Element]:
    """Clause references of ``text`` (by position, as :func:`quoted_wording_refs`) that
    are one of the chapters GB/T 1.1—2020 fixes in every standard ("第2章", "第三章"),
    with the element that chapter is (:data:`grammar.elements.FIXED_CHAPTERS`)."""
    out: dict[int, Element] = {}
    for i, ref in enumerate(_pointing_refs(text)):
        m = _CHAPTER.match(ref.text.replace(" ", ""))
        if m:
            element = element_named(str(FIXED_CHAPTERS[_DIGIT.get(m.group(1), m.group(1))]))
            if element is not None:
                out[i] = element
    return out


@dataclass(slots=True, frozen=True)
class QueryPlan:
    """Everything read from one question (see module docstring)."""

    question: str
    text: str
    element: Element | None
    how_to: bool
    general: bool
    search: SearchQuery
    grams: frozenset[str]
    parts: tuple[QueryPlan, ...] = ()

    @property
    def named(self) -> tuple[str, ...] | None:
        """Documents named by code or title (None: none; empty: named but absent)."""
        return self.search.named


def _search(
    question: str, text: str, docs: list[Any], element: Element | None
) -> tuple[SearchQuery, bool]:
    """The search query and whether the whole element is asked (``general``)."""
    general = element is not None and is_general(question, element)
    expand: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()
    if element is not None:
        focus = element.names()
        # "范围一章怎么写？" has no topic but the element: its vocabulary finds the clauses
        # governing it.  "规范性引用文件怎么排序？" has its own topic (排序); expanding it
        # would pull the element's other clauses (引导语, 注日期) above the answer.
        if general:
            expand = (element.name, *element.expand)
    return parse_query(text, docs, expand=expand, focus=focus), general


def part_plans(question: str, whole: QueryPlan, docs: list[Any]) -> tuple[QueryPlan, ...]:
    """A plan per part of ``question`` (none when it asks one thing, see
    :func:`qa.asks.split_asks`).  A part naming no document keeps the documents the whole
    question names or points at ("JT/T 809 里……？又……？")."""
    names = [str(getattr(d, "title", "") or "") for d in docs]
    names += [n for e in ELEMENTS for n in e.names()]
    asks = split_asks(question, names)
    out: list[QueryPlan] = []
    for ask in asks:
        part = make_plan(ask, (), docs, split=False)
        if part.search.named is None and not part.search.hinted and whole.search.preferred:
            search = replace(part.search, named=whole.search.named, hinted=whole.search.hinted)
            part = replace(part, search=search)
        out.append(part)
    return tuple(out)


def make_plan(
    question: str,
    history: Sequence[tuple[str, str]] = (),
    documents: Iterable[Any] = (),
    *,
    split: bool = True,
) -> QueryPlan:
    """Build the plan of ``question`` against the knowledge base's ``documents``
    (``split``: also the plans of its parts, when it asks several things)."""
    text = merge_follow_up(question, history)
    element = detect_element(question) or detect_element(text)
    docs = list(documents)
    search, general = _search(question, text, docs, element)
    # "我的标准没有引用文件，第2章还要保留吗？该写什么？": asked how to write, of no document
    # in particular, a chapter GB/T 1.1 fixes is that element of the drafter's own
    # standard — answered by the rules about it, not by some document's chapter 2.
    fixed: dict[int, Element] = {}
    if search.refs and is_how_to(question) and not search.preferred:
        fixed = fixed_chapter_refs(text)
        if fixed and element is None:
            element = next(iter(fixed.values()))
            search, general = _search(question, text, docs, element)
    if search.refs and (dropped := quoted_wording_refs(text) | set(fixed)):
        refs = tuple(r for i, r in enumerate(search.refs) if i not in dropped)
        search = replace(search, refs=refs)
    # Wording overlap is judged on the question itself; a follow-up too short to carry
    # its topic ("那它呢？") borrows the previous question's wording too.
    grams = content_grams(question)
    if len([g for g in grams if len(g) > 1]) < 2:
        grams = content_grams(text)
    plan = QueryPlan(
        question=question,
        text=text,
        element=element,
        how_to=is_how_to(question),
        general=general,
        search=search,
        grams=frozenset(grams),
    )
    if split and not history:
        plan = replace(plan, parts=part_plans(question, plan, docs))
    return plan

"""What a retrieval pipeline reads from a question, parsed once.

The question names documents ("GB/T 1.1—2020 的 8.6 条", "标准化法规定了……"), clauses
("8.6 条"), and a topic.  Each retriever needs a different view: dense and BM25 search the
topic without the document names (a title repeated in every passage of a document drowns
the topic), the exact route needs the clause references and the documents they belong to,
the document boost needs the named documents.  :class:`SearchQuery` holds all of them so
no stage parses the text again; :func:`parse_query` builds it from plain text (the
``python -m index search`` CLI) and ``qa.plan`` builds it with more knowledge (follow-ups,
the drafting element asked about).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from grammar.codes import find_codes, without_codes
from grammar.editions import asked_years, set_aside, year_of
from grammar.numbering import halfwidth
from grammar.schema import DocumentInfo
from index.exact import (
    ClauseRef,
    document_codes,
    documents_named,
    parse_clause_refs,
    strip_document_names,
)

MIN_TOPIC = 4  # "标准化法第十条" leaves nothing worth searching for once the name is gone


@dataclass(slots=True, frozen=True)
class SearchQuery:
    """One question as the retrievers see it.

    ``text``: the question (a follow-up already merged with what it refers to);
    ``topic``: what dense and BM25 search for (document names removed, expansions added);
    ``named``: ids of the documents named by code or title (None: none named; empty: a
    named document that is not in the knowledge base);
    ``refs``: clause references with the documents they may be in;
    ``focus``: words a governing heading carries (the drafting element asked about), for
    the reranker;
    ``hinted``: documents the question points at loosely (:func:`documents_hinted`), which
    rise in the ranking like named ones but never make a question "about an absent
    document";
    ``set_aside``: documents of the editions the question does not mean — it asks for an
    edition year ("按2022版联网标准", "28181 的2016版") and the knowledge base holds that
    standard (the named or hinted one, else any) in other years too
    (:func:`grammar.editions.set_aside`).  The search leaves them out, so neither the
    reranker nor the gate reads the other edition's near-identical clauses or its 前言
    listing every change.
    """

    text: str
    topic: str
    named: tuple[str, ...] | None = None
    refs: tuple[ClauseRef, ...] = ()
    focus: tuple[str, ...] = field(default_factory=tuple)
    hinted: tuple[str, ...] = ()
    set_aside: tuple[str, ...] = ()

    @property
    def preferred(self) -> tuple[str, ...]:
        """Documents to favour: the named ones, else the hinted ones."""
        return self.named or self.hinted


MIN_TITLE_RUN = 4  # characters of a title the question must repeat to point at it
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_BARE_NUMBER = re.compile(r"(?<![\d.])(\d{3,6}(?:\.\d{1,3})?)(?![\d.])")
_YEAR = re.compile(r"(?:19|20)\d{2}")


# Words every kind of standard has in its title; a stretch made of them alone ("技术要求",
# "服务规范") points at no document in particular.
_GENERIC = re.compile(
    "技术|要求|规范|指南|指引|导则|规程|规定|标准|协议|系统|管理|服务|数据|信息|通信|通讯|"
    "基本|安全|方法|条件|设备|格式|交换|控制|传输|网络|实施|第\\d*部分|部分|及|和|与|的|"
    "行业|地方|团体|企业|国家"
)


def _telling(run: str) -> bool:
    """Does a stretch of title say more than the generic title words?"""
    return len(_GENERIC.sub("", run)) >= 2


def _runs(title: str) -> list[str]:
    return _CJK.findall(re.sub(r"\s", "", halfwidth(without_codes(title))))


def _longest_stretch(runs: Iterable[str], shortest: int, fits: Callable[[str], bool]) -> str:
    """The longest stretch (at least ``shortest`` characters) of one of ``runs`` that
    ``fits``; the first found among equals."""
    best = ""
    for run in runs:
        for i in range(len(run)):
            for j in range(len(run), i + max(shortest, len(best) + 1) - 1, -1):
                if fits(run[i:j]):
                    best = run[i:j]
                    break
    return best


def _shared_run(query: str, title: str) -> str:
    """The longest stretch of ``title`` (CJK, at least MIN_TITLE_RUN characters) that the
    query repeats."""
    return _longest_stretch(_runs(title), MIN_TITLE_RUN, lambda s: s in query)


MIN_ABBREVIATION = 4  # characters of an abbreviation ("等保定级") taken for a title
SPREAD = 3  # an abbreviation spans at most this many times its length of the title


def _subsequence_span(short: str, long: str) -> int | None:
    """Length of the shortest stretch of ``long`` holding ``short``'s characters in order
    (None when it does not): how spread out an abbreviation is over the title."""
    best: int | None = None
    for start in (i for i, ch in enumerate(long) if ch == short[0]):
        pos = start
        for ch in short[1:]:
            pos = long.find(ch, pos + 1)
            if pos < 0:
                break
        else:
            span = pos - start + 1
            best = span if best is None or span < best else best
    return best


def _abbreviation(query: str, title: str) -> str:
    """The longest stretch of ``query`` (CJK, at least :data:`MIN_ABBREVIATION`
    characters) whose characters ``title`` holds in order, compactly — how Chinese
    abbreviations are formed ("等保测评指南" for "网络安全等级保护测评过程指南": each
    character taken from the title, in order, words shortened to their first characters).
    Spread over more than :data:`SPREAD` times its length of the title, a stretch is a
    coincidence."""

    def compact(short: str) -> bool:
        span = _subsequence_span(short, title)
        return span is not None and span <= SPREAD * len(short)

    return _longest_stretch(_CJK.findall(query), MIN_ABBREVIATION, compact)


def _number_key(number: str) -> str:
    """A document number as people shorten it: leading zeros dropped ("0071.2" ~ "71.2")."""
    return number.lstrip("0") or number


def _code_numbers(d: DocumentInfo) -> set[str]:
    """The numbers a document's codes carry, with and without the part ("0071.2" and
    "0071": people name the series for its part)."""
    out: set[str] = set()
    for c in document_codes(d):
        num = c.split(" ", 1)[-1].split("—")[0].strip()
        out |= {_number_key(num), _number_key(num.split(".", 1)[0])}
    return out


def documents_hinted(query: str, documents: Sequence[DocumentInfo]) -> tuple[str, ...]:
    """Documents a question points at without naming them in full.

    People call a standard by a telling part of its title ("定级指南的范围…" for
    《信息安全技术 网络安全等级保护定级指南》) or by its bare number and edition ("28181 的
    2022版").  Only documents with a standard code are pointed at by title.  A stretch of a title of at least :data:`MIN_TITLE_RUN` characters counts
    only when it is distinctive — no more than two different titles contain it, so the
    family name every document shares ("网络安全等级保护") points at none; a bare number
    counts when it is the number of a document's code.  An edition ("2016版", "—2022")
    then keeps the documents of that year when some have it."""
    docs = list(documents)
    if len(docs) < 2:
        return ()
    q = re.sub(r"[\s《》]", "", halfwidth(query))
    titles = {d.doc_id: re.sub(r"\s", "", without_codes(d.title)) for d in docs}
    hinted: list[str] = []
    abbreviated: dict[str, int] = {}  # doc id -> length of the abbreviation it matched
    fitted: dict[str, int] = {}  # abbreviation -> how many titles it fits
    for d in docs:
        # Only standards are pointed at by title: their titles are formal names; a web
        # article's title ("优质服务管理办法") is a loose phrase every question may echo.
        if not d.standard_code:
            continue
        run = _shared_run(q, d.title)
        if run and _telling(run) and len({t for t in titles.values() if run in t}) <= 2:
            hinted.append(d.doc_id)
            continue
        # An abbreviation ("等保定级指南") is a looser match than a stretch of the title,
        # held to the same guards: telling characters, at most two titles fit it.
        short = _abbreviation(q, titles[d.doc_id])
        if not short or not _telling(short):
            continue
        if short not in fitted:
            fitted[short] = len({t for t in titles.values() if _abbreviation(short, t) == short})
        if fitted[short] <= 2:
            abbreviated[d.doc_id] = len(short)
    # Abbreviations only when no stretch of a title is repeated as written; of the titles
    # one fits, those it fits longest ("等保测评指南" is the 测评过程指南, not the 测评要求).
    if not hinted:
        longest = max(abbreviated.values(), default=0)
        hinted += [i for i, n in abbreviated.items() if n == longest]
    spans = [(m.start, m.end) for m in find_codes(q)]
    numbers = {
        m.group(1)
        for m in _BARE_NUMBER.finditer(q)
        if not any(a <= m.start() < b for a, b in spans) and not _YEAR.fullmatch(m.group(1))
    }
    if numbers:
        numbers = {_number_key(n) for n in numbers}
        for d in docs:
            if _code_numbers(d) & numbers and d.doc_id not in hinted:
                hinted.append(d.doc_id)
    hinted = of_edition(query, hinted, docs)
    return tuple(hinted) if len(hinted) < len(docs) else ()


def of_edition(query: str, doc_ids: Sequence[str], documents: Sequence[DocumentInfo]) -> list[str]:
    """``doc_ids`` narrowed to the edition the question asks for ("2016版", "2022 版"),
    when some of them are of that year (else unchanged)."""
    years = asked_years(query)
    if not years:
        return list(doc_ids)
    by_doc = {d.doc_id: _years(d) for d in documents}
    dated = [i for i in doc_ids if by_doc.get(i, set()) & years]
    return dated or list(doc_ids)


def _years(d: DocumentInfo) -> set[str]:
    """The edition years of a document's codes, read the way :mod:`grammar.editions` reads
    them (an ISO-style "GB/T 1.1:2020" or a hyphen has a year too, not only "—")."""
    return {y for c in document_codes(d) if (y := year_of(c))}


def parse_query(
    text: str,
    documents: Iterable[DocumentInfo],
    *,
    expand: Iterable[str] = (),
    focus: Iterable[str] = (),
) -> SearchQuery:
    """Parse ``text`` against the documents of a knowledge base.

    ``expand``: words appended to the searched topic (an element's vocabulary);
    ``focus``: see :class:`SearchQuery`.
    """
    docs = list(documents)
    text = text.strip()
    named = documents_named(text, docs)
    if named:
        named = of_edition(text, named, docs)
    hinted = () if named else documents_hinted(text, docs)
    # The edition asked: the other editions of the standards held in that year step aside
    # — of the named or hinted documents' standards, else of every standard.  Named and
    # hinted documents are narrowed to the year already, but only as a preference: the
    # other edition's near-identical clauses still filled the places behind them.
    pointed = named if named is not None else (hinted or None)
    aside = set_aside(asked_years(text), docs, pointed)
    topic = text
    if named:
        rest = strip_document_names(text, docs)
        if len(rest) >= MIN_TOPIC:
            topic = rest
    extra = " ".join(dict.fromkeys(w for w in expand if w))
    if extra:
        topic = f"{topic} {extra}"
    return SearchQuery(
        text=text,
        topic=topic,
        named=None if named is None else tuple(named),
        refs=tuple(parse_clause_refs(text, docs)),
        focus=tuple(dict.fromkeys(focus)),
        hinted=hinted,
        set_aside=aside,
    )

"""Editions of one standard: which documents are one standard in different years, and which
edition a question asks for.

A knowledge base often holds a standard in more than one edition (GB/T 28181—2016 and
GB/T 28181—2022, JT/T 808—2011 and JT/T 808—2019), each perhaps in several copies
(:mod:`grammar.copies`).  The editions share most of their wording, so a question about one
edition finds the other's clauses as readily as its own — and the newer edition's 前言,
a list of every change against the older one, holds every technical term of both.  People
say which edition they mean by its year alone ("按2022版联网标准", "（2016版）", "2022 年版")
and name the standard only loosely ("联网标准", "国标平台"), too loosely for the question to
point at a document (:func:`index.query.documents_hinted`).  The year is then the only
thing telling the editions apart.

A *family* is the documents whose stored codes are one number in two or more years
(:func:`families`); copies of one edition are one year of it.  :func:`set_aside`: for an
edition year asked, the documents of the *other* years of each family that holds the
asked year (of the named documents' families, when the question names some) — the
editions the question does not mean.  Documents outside those families are never set
aside: a year says nothing about a standard that has one edition.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from grammar.codes import code_base
from grammar.copies import edition
from grammar.numbering import halfwidth
from grammar.schema import DocumentInfo

# "2016版", "2022 年版", "28181—2022" / "808-2019" (a number with its year): how a question
# gives an edition.  A year alone ("2022年发布的…") is a date, not an edition.
_VERSION = re.compile(
    r"((?:19|20)\d{2})\s*年?\s*版|(?<![\d.])\d{3,6}(?:\.\d{1,3})?\s*[-—–]\s*((?:19|20)\d{2})"
)


def asked_years(text: str) -> frozenset[str]:
    """The edition years ``text`` asks for ("按2022版…" → {"2022"}; none → empty)."""
    q = re.sub(r"\s", "", halfwidth(text))
    return frozenset(a or b for a, b in _VERSION.findall(q))


def year_of(code: str | None) -> str | None:
    """The year of a stored code with one ("GB/T 28181—2016" → "2016"), else None."""
    norm = edition(code)
    if norm is None:
        return None
    return re.split(r"[—:]", norm)[-1].strip() or None


def families(docs: Iterable[DocumentInfo]) -> dict[str, dict[str, frozenset[str]]]:
    """Code without its year → year → the ids of the documents of that edition, for the
    standards held in two or more editions (a standard held once, or only in copies of
    one edition, is absent).  Only stored codes with a year count: a code without one
    could be any edition."""
    by_number: dict[str, dict[str, set[str]]] = {}
    for d in docs:
        year = year_of(d.standard_code)
        if year is None or d.standard_code is None:
            continue
        number = code_base(edition(d.standard_code) or d.standard_code)
        by_number.setdefault(number, {}).setdefault(year, set()).add(d.doc_id)
    return {
        number: {y: frozenset(ids) for y, ids in years.items()}
        for number, years in by_number.items()
        if len(years) > 1
    }


def set_aside(
    years: Collection[str],
    docs: Iterable[DocumentInfo],
    within: Collection[str] | None = None,
) -> tuple[str, ...]:
    """The documents of the editions a question asking for ``years`` does not mean: in each
    family (:func:`families`) holding an edition of one of ``years``, the documents of its
    other years.  ``within``: the documents the question names or points at, when it does —
    the year is then theirs, and only their families are read ("GB/T 28181—2016 比2011版…"
    says nothing of JT/T 808—2011); None: a question about no document in particular,
    whose year applies to every family holding it.  A family with none of the years asked
    keeps every edition (the year is another standard's), and a question asking two years
    of a family ("从2016版到2022版") keeps both."""
    if not years:
        return ()
    wanted = set(years)
    out: list[str] = []
    for editions in families(docs).values():
        if not wanted & editions.keys():
            continue
        if within is not None and not any(set(within) & ids for ids in editions.values()):
            continue
        for year, ids in sorted(editions.items()):
            if year not in wanted:
                out += sorted(ids - set(within or ()))  # a document named stays
    return tuple(out)

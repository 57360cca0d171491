"""Tables of contents: find them, so that they never become structure or swallow the body.

A 目次 repeats the headings of the body, so a segmenter that reads it as structure opens
every clause twice: first empty (from the TOC), and then the real heading is refused as a
duplicate and its text is glued to whatever came before.  Real TOCs come in many shapes:

* "目次" / "目 录" / "CONTENTS" as a heading, or no heading at all;
* entries with dot leaders and a page number after ("5 要求……3") or before ("前言 Ⅲ……");
  with no leaders ("5.1 总则 3"), or with no page number at all (a Markdown transcription);
* the whole TOC collapsed into one line ("前言 Ⅲ1 范围 12 规范性引用文件 1…");
* entries the cleaner already removed (dot-leader lines), leaving only the "目次" heading;
* a TOC whose numbering disagrees with the body (a chapter renumbered after the TOC was made).

The rule: after a TOC heading (or at a run of two or more entries that end in page numbers),
lines are TOC while they look like entries.  The body begins at the first line that does not
(a sentence, a title line), at a heading that repeats an entry already listed, or at an entry
without page number that is followed by body text (the TOC's entries were stripped: "目次",
"前言", then the foreword's first sentence).
"""

from __future__ import annotations

import re

from grammar.codes import normalize_code
from grammar.numbering import Family, halfwidth, match_heading
from ingest.readers.base import Line

_TOC_HEADING = re.compile(r"^(?:目[ \t]*次|目[ \t]*录|CONTENTS|Contents|Table of [Cc]ontents)$")
_PAGE = r"(?:[0-9]{1,3}|[IVXivx]{1,5}|[Ⅰ-Ⅻ]{1,3})"
# An entry's page number at the end, maybe behind leaders: "5 要求 3", "附录A（规范性）…12".
_PAGE_END = re.compile(rf"(?:[\u4e00-\u9fff)）A-Za-z]\s*|\s|[.…·]{{2,}}\s*){_PAGE}\s*$")
_LEADERS = re.compile(r"[.…·]{3,}|…{2,}")
# One entry inside a collapsed line: title text, then a page number glued to the next number.
_GLUED_ENTRY = re.compile(
    rf"[\u4e00-\u9fff)）]\s*{_PAGE}\s*(?:[1-9]\d?(?:\.\d+)*\s|附\s*录|参\s*考|索\s*引|前\s*言|引\s*言)"
)
_SENTENCE = re.compile(r"[。；;]\s*$|[，,]")
_MAX_ENTRY = 90
_FIGURE_LIST = re.compile(r"^(?:表|图)\s*[A-Z]?\.?\d")
# A TOC without heading is looked for only near the start of a document.
_HEADLESS_WITHIN = 0.2


def is_toc_heading(text: str) -> bool:
    return bool(_TOC_HEADING.match(halfwidth(text).strip()))


_BULLET = re.compile(r"^\s*[-*+]\s+")
_TRAILER = re.compile(rf"(?:\s*[.…·]{{2,}})?\s*{_PAGE}?\s*(?:[.…·]{{2,}})?\s*$")


def _key(text: str) -> str | None:
    """What identifies an entry: its heading number ("5.1", "附录A", "前言")."""
    t = _BULLET.sub("", halfwidth(text)).strip()
    hm = match_heading(t) or match_heading(_TRAILER.sub("", t))
    return hm.numbering.label if hm is not None else None


def has_page_number(text: str) -> bool:
    t = halfwidth(text).strip()
    return bool(_LEADERS.search(t)) or (
        bool(_PAGE_END.search(t)) and len(t) <= _MAX_ENTRY and not _SENTENCE.search(t)
    )


def is_collapsed(text: str) -> bool:
    """Several entries run together on one line."""
    return len(_GLUED_ENTRY.findall(halfwidth(text))) >= 3


def entry_like(text: str) -> bool:
    """Could ``text`` be a TOC line: an entry, a collapsed run of entries, a running header
    or page number left in the TOC."""
    t = _BULLET.sub("", halfwidth(text)).strip()
    if not t:
        return True
    if is_collapsed(t) or has_page_number(t):
        return True
    if normalize_code(t) is not None:
        return True  # a running header inside the TOC pages
    if len(t) > _MAX_ENTRY or _SENTENCE.search(t):
        return False
    hm = match_heading(t)
    if hm is None:
        return bool(_FIGURE_LIST.match(t))
    rest = t[hm.rest_start :].strip()
    return len(rest) <= 60 and not _SENTENCE.search(rest)


def toc_lines(lines: list[Line]) -> set[int]:
    """Indices of the lines that belong to a table of contents (its heading included)."""
    skip: set[int] = set()
    n = len(lines)
    i = 0
    while i < n:
        if is_toc_heading(lines[i].text) and not lines[i].literal:
            skip.add(i)
            i = _consume(lines, i + 1, skip)
        elif _headless_start(lines, i):
            i = _consume(lines, i, skip)
        else:
            i += 1
    return skip


def _headless_start(lines: list[Line], i: int) -> bool:
    """Two heading-shaped lines in a row that both end in page numbers (a TOC printed
    without its heading), before anything has been numbered with a body."""
    if i > _HEADLESS_WITHIN * len(lines) or i + 1 >= len(lines):
        return False
    if lines[i].literal or lines[i + 1].literal:
        return False
    a, b = lines[i].text, lines[i + 1].text
    return (
        bool(_PAGE_END.search(halfwidth(a).strip()))
        and bool(_PAGE_END.search(halfwidth(b).strip()))
        and not _SENTENCE.search(a)
        and _key(a) is not None
        and _key(b) is not None
        and _family(a) in (Family.GB, Family.ELEMENT)
        and _family(b) in (Family.GB, Family.ELEMENT)
    )


def _family(text: str) -> Family | None:
    hm = match_heading(text)
    return hm.numbering.family if hm is not None else None


def _consume(lines: list[Line], j: int, skip: set[int]) -> int:
    """Mark TOC lines from ``j``; return the index of the first body line."""
    seen: set[str] = set()
    n = len(lines)
    while j < n:
        line = lines[j]
        text = line.text
        if line.literal:
            return j
        if not entry_like(text) and not _numberless_entry(lines, j):
            return j
        key = _key(text)
        paged = has_page_number(text) or is_collapsed(text)
        if key is not None and key in seen and not paged:
            return j  # the body repeats a heading the TOC listed
        if key is not None and not paged and _body_follows(lines, j):
            return j  # entries stripped or unpaged: this heading opens the body
        if key is not None:
            seen.add(key)
        skip.add(j)
        j += 1
    return j


def _numberless_entry(lines: list[Line], j: int) -> bool:
    """An entry whose number the transcription lost ("视频平台间通信协议基础"): a short
    phrase between entries (the line after it is an entry too)."""
    t = halfwidth(lines[j].text).strip()
    if len(t) > 40 or _SENTENCE.search(t) or "。" in t:
        return False
    k = next((k for k in range(j + 1, min(len(lines), j + 3)) if lines[k].text.strip()), None)
    if k is None or lines[k].literal:
        return False
    return has_page_number(lines[k].text) or (
        _key(lines[k].text) is not None and not _body_follows(lines, k)
    )


def _body_follows(lines: list[Line], j: int) -> bool:
    """The line after ``j`` is body text, so ``j`` is a real heading, not an entry."""
    for k in range(j + 1, min(len(lines), j + 3)):
        nxt = lines[k]
        if not nxt.text.strip():
            continue
        if nxt.literal:
            return True
        # An entry whose number was lost ("视频终端与视频平台间协议基础" between "3.2 缩略语"
        # and "4.1 协议基本约定") is no body text.
        return not entry_like(nxt.text) and not _numberless_entry(lines, k)
    return False


def toc_labels(lines: list[Line], skip: set[int]) -> set[str]:
    """The heading numbers a TOC lists ("1", "5.2", "附录A"): evidence for the body's
    headings, used to tell a chapter from a table row that happens to start with "9"."""
    out: set[str] = set()
    for k in skip:
        key = _key(lines[k].text)
        if key is not None:
            out.add(key)
    return out

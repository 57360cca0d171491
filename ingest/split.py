"""Split a file that holds several documents ("合集下载" collections) into documents.

Collection pages concatenate documents, and every document starts with its title printed
two or three times: as a line, again as a line, and once more glued to the start of the
first paragraph ("优质服务管理办法优质服务管理办法一、总则…").  That repetition is the
boundary signal.  A title shown once is not a boundary: plenty of single documents start
with an unrepeated title.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from grammar.numbering import is_block_start
from grammar.titles import title_like
from ingest.readers.base import Line

# A document title is printed two or three times; a line seen more often than this is a
# slide or page header, not a title.
_MAX_TITLE_REPEATS = 4


@dataclass(slots=True)
class DocPart:
    """One document inside a file: its title if the split found one, and its lines."""

    title: str | None
    lines: list[Line]
    from_break: bool = False  # starts after a site page notice, not at a repeated title


def is_title_like(text: str, max_len: int = 40) -> bool:
    """Could be a document title: a short phrase with at least two Chinese characters."""
    return title_like(text, max_len, min_cjk=2)


def _repeated_title_at(lines: list[Line], i: int, counts: Counter[str]) -> bool:
    """A title line printed twice in a row, and either rare in the file or followed by a
    third copy glued to the first paragraph (the strongest sign of a new document)."""
    t = lines[i].text.strip()
    if not (i + 1 < len(lines) and lines[i + 1].text.strip() == t):
        return False
    if not is_title_like(t) or is_block_start(t):
        return False
    j = i + 1
    while j < len(lines) and lines[j].text.strip() == t:
        j += 1
    glued = j < len(lines) and lines[j].text.startswith(t) and len(lines[j].text) > len(t)
    return glued or counts[t] <= _MAX_TITLE_REPEATS


@dataclass(slots=True)
class Split:
    """The documents of one file, and the collection's own title when it had one."""

    parts: list[DocPart]
    collection_title: str | None = None


_FORMAL_LEAD = 40


def _formal_standard(lines: list[Line]) -> bool:
    """A standard's own layout (a code or a 目次 on its first lines, a "1 范围" chapter):
    one document, whatever repeats inside it (a caption printed twice is no new title)."""
    from grammar.codes import normalize_code

    for line in lines[:_FORMAL_LEAD]:
        t = line.text.strip()
        if normalize_code(t) or t.replace(" ", "") in ("目次", "目录"):
            return True
    return any(re.match(r"^1\s*范\s*围$", line.text.strip()) for line in lines)


def split_documents(lines: list[Line], breaks: frozenset[int] = frozenset()) -> Split:
    """Split at repeated title lines (see module doc) and at ``breaks`` (line indices where
    the cleaner removed a hosting site's page notice: what follows is another page).

    A leading part that holds nothing but a collection title (the page heading of a
    "合集") is dropped: it has no content of its own; its title is returned separately.
    """
    if not breaks and _formal_standard(lines):
        cover = [ln.text.strip() for ln in lines[:_FORMAL_LEAD]]
        title = next(
            (t for a, t in pairwise(cover) if a == t and is_title_like(t)),
            None,
        )
        return Split([DocPart(title, list(lines))])
    counts = Counter(line.text.strip() for line in lines)
    parts: list[DocPart] = [DocPart(None, [])]
    i = 0
    while i < len(lines):
        if i in breaks and parts[-1].lines:
            parts.append(DocPart(None, [], from_break=True))
        if _repeated_title_at(lines, i, counts):
            title = lines[i].text.strip()
            j = i
            while j < len(lines) and lines[j].text.strip() == title:
                j += 1
            parts.append(DocPart(title, []))
            # The third copy is often glued to the first paragraph: strip it.
            if (
                j < len(lines)
                and lines[j].text.startswith(title)
                and len(lines[j].text) > len(title)
            ):
                rest = lines[j].text[len(title) :].lstrip()
                parts[-1].lines.append(Line(rest, lines[j].page))
                j += 1
            i = j
            continue
        parts[-1].lines.append(lines[i])
        i += 1

    head = parts[0].lines
    lead_is_empty = len(head) == 0 or (len(head) == 1 and is_title_like(head[0].text))
    titled = [p for p in parts if p.title]
    if len(titled) == 1 and len(parts) == 2 and not lead_is_empty:
        # One repeated title after real content (e.g. a cover block, then the title twice):
        # a single document whose title happens to be repeated, not a collection.
        first_line = Line(parts[1].title or "", parts[1].lines[0].page if parts[1].lines else None)
        return Split([DocPart(parts[1].title, [*head, first_line, *parts[1].lines])])
    collection_title = None
    if len(parts) > 1 and lead_is_empty:
        collection_title = head[0].text.strip() if head else None
        parts = parts[1:]
    kept = [p for p in parts if p.lines]
    return Split(kept or [DocPart(None, [])], collection_title)

"""What a numbering family is told about the document, and what it tells the tree builder.

The tree builder (:mod:`ingest.segment`) knows nothing of GB/T, regulations or outlines:
it walks the lines, asks the families in order for heading-shaped numbers
(:func:`grammar.numbering.candidates_at`), and lets the family that recognised a number
decide whether it is a heading *here* (``accept``).  A family decides from the document so
far, which the builder exposes as a :class:`TreeContext`: the open headings, what earlier
lines hold, the 目次's labels, and one state object per tree family that only that
family's rules update.

Where a number stands is the ``mode`` the builder asks about:

=========  ==================================================================
``line``   it starts a line
``punct``  inside a line, right after sentence-final punctuation
``colon``  inside a line, right after a colon
``glued``  inside a line, within a short title of a heading opened on it
``lead``   the first heading glued onto the preamble ("某某方案一、背景…")
``tail``   a heading run onto the end of the line before (a PDF table row)
=========  ==================================================================

A numbering's *tree rules* (:class:`TreeRules`, one per :class:`~grammar.families.base.
Family`) say how headings of that family hang together: their rank among open headings,
an explicit parent by number ("5.2.1" under "5.2"), the cited number composed from the
ancestors ("一、（二）"), the clause kind, the state kept while reading, and the title
rules (:class:`~grammar.title_split.TitleRules`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Literal, Protocol

from grammar.families.base import Family, HeadingMatch, Numbering, halfwidth
from grammar.schema import AnnexType, ClauseKind
from grammar.title_split import (
    COLON,
    SENTENCE_END,
    TitleRules,
    ends_with_title,
    first_line_title,
)
from grammar.titles import title_like

if TYPE_CHECKING:
    from collections.abc import Sequence

Mode = Literal["line", "punct", "colon", "glued", "lead", "tail"]
Rank = tuple[int, int, int]


class Node(Protocol):
    """A heading in the tree, as the families see it."""

    num: Numbering | None
    label: str
    kind: ClauseKind
    rank: Rank
    ancestors: list[Node]
    title: str
    body: list[str]
    children: int
    emit: bool
    annex_type: AnnexType | None


class LineLike(Protocol):
    text: str
    literal: bool


class TreeContext(Protocol):
    """The document so far, as the tree builder shows it to the families."""

    doc_title: str
    lines: Sequence[LineLike]
    # The first heading-shaped number of every line (syntax only), for looking around.
    matches: Sequence[HeadingMatch | None]
    line_index: int
    nodes: list[Node]
    # Open headings, outermost first.
    stack: list[Node]
    # Numbers the document's 目次 lists ("1", "2", …).
    toc_labels: set[str]
    # A table caption was seen since the last heading.
    in_table: bool

    def state(self, family: Family) -> Any:
        """The reading state of ``family``'s tree rules (see :meth:`TreeRules.new_state`)."""
        ...

    def last_line(self, num: Numbering) -> int:
        """Index of the last line that starts with this number's shape (-1 if none)."""
        ...

    def in_preamble(self) -> bool:
        """Nothing is numbered yet."""
        ...

    def chapter_alias(self) -> int | None:
        """Number of the innermost open heading that stands for a chapter ("第二章", "二、"):
        texts that use those for chapters number their clauses "2.1", "2.2"."""
        ...

    def outranked(self, family: Family) -> bool:
        """A family that appeared earlier numbers this document, or one not seen yet will
        (see :meth:`TreeRules.numbers_document` and :meth:`TreeRules.numbers_document_ahead`):
        ``family``'s numbers are list items here."""
        ...

    def match(self, line: str, pos: int) -> HeadingMatch | None:
        """The heading-shaped number at ``line[pos]`` (syntax only)."""
        ...


class TreeRules:
    """How headings of one tree family hang together; defaults for a family whose numbers
    are flat and stand for themselves."""

    family: Family
    kinds: frozenset[ClauseKind] = frozenset()
    # An element heading (前言, 参考文献) closes every open heading.
    closes_all: bool = False

    def new_state(self) -> Any:
        """Per-document reading state (None: the family keeps none)."""
        return None

    def rank(self, num: Numbering, base: Rank, ctx: TreeContext) -> Rank:
        """Rank among open headings; ``base`` is (family order, level, 0)."""
        return base

    def parent(self, num: Numbering, ctx: TreeContext) -> Node | None:
        """The parent named by the number itself ("5.2" for "5.2.1"), if seen."""
        return None

    def clause_no(self, num: Numbering, ancestors: list[Node]) -> str:
        """The number that is stored and cited."""
        return num.label

    def kind(self, num: Numbering, ancestors: list[Node]) -> ClauseKind:
        return num.kind

    def opened(self, node: Node, ctx: TreeContext) -> None:
        """Update the reading state after ``node`` was opened."""

    def chapter_number(self, node: Node) -> int | None:
        """The chapter number ``node`` stands for, if it is chapter-like."""
        return None

    def numbers_document(self, state: Any) -> bool:
        """This family is the document's numbering (later families are list items)."""
        return False

    def numbers_document_ahead(self, ctx: TreeContext) -> bool:
        """Before this family's first heading: the lines ahead show that it will number the
        document (numbers of other families before it are list items of a foreword)."""
        return False

    def title_rules(self, kind: ClauseKind, level: int) -> TitleRules:
        return TitleRules()

    def title_from_next_lines(self, node: Node, ctx: TreeContext, j: int) -> int:
        """Read a title (or status mark) a bare heading line leaves to the following
        lines, starting at line ``j``; returns the next unread line."""
        return j


class FamilyDefaults:
    """What most families are: their numbers are also looked for inside a line
    (``inline``), and their syntax stands without the document (not ``contextual``)."""

    inline: bool = True
    contextual: bool = False


class NumberingRules(Protocol):
    """A numbering family as the tree builder uses it: syntax (see
    :class:`~grammar.families.base.NumberingFamily`) plus its place in the tree."""

    name: str
    first: str
    inline: bool
    contextual: bool
    tree: TreeRules

    def match(self, s: str, pos: int, *, glued: bool) -> Any: ...

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        """Is ``hm`` a heading at its place in the document?"""
        ...


# ---------------------------------------------------------------- glued first heading
# Words that make the number after them a cross-reference ("详见第一章…", "按照一、…").
_REF_BEFORE = re.compile(r"(?:见|按|依|据|照|同|如|参考|参阅)$")
_GLUED_WINDOW = 25


def opens_list(line: str, hm: HeadingMatch, ctx: TreeContext) -> bool:
    """The heading's short title is glued to the first number of a deeper level
    ("一、工作规范方面:1、…", "第一章总则第一条…"): a heading that opens a list."""
    num = hm.numbering
    half = halfwidth(line)
    start = hm.rest_start
    for p in range(start + 2, min(len(line), start + _GLUED_WINDOW + 1)):
        if half[p - 1] in SENTENCE_END:
            return False
        if half[p - 1].isdigit() or half[p - 1] in "./":
            continue
        child = ctx.match(line, p)
        if (
            child is not None
            and child.numbering.family is num.family
            and child.numbering.level > num.level
            and child.numbering.key == (1,)
            and title_like(half[start:p], _GLUED_WINDOW)
        ):
            return True
    return False


def glued_first_heading(hm: HeadingMatch, line: str, ctx: TreeContext) -> bool:
    """A first heading glued onto the preamble: web pages run the document title, or the
    sentence before the first section, into it ("某某方案一、背景…", "…规则如下:一、…").
    The first number of a sequence is split off there only if the sequence visibly goes
    on (its next sibling starts a later line, or its own short title is glued to its first
    child) and what comes before is the document's first line read as a title, the
    document title (or the phrase that opens the line) repeated, or a finished sentence."""
    num = hm.numbering
    if not ctx.in_preamble() or num.key != (1,):
        return False
    prefix = halfwidth(line[: hm.pos]).rstrip()
    if not prefix or _REF_BEFORE.search(prefix):
        return False
    after_sentence = prefix[-1] in SENTENCE_END + COLON
    after_title = (
        ctx.line_index == 0 and first_line_title(prefix, ctx.doc_title)
    ) or ends_with_title(prefix, ctx.doc_title)
    if not (after_sentence or after_title):
        return False
    nxt = Numbering(num.family, num.kind, (num.key[0] + 1,), num.level, num.label)
    return ctx.last_line(nxt) > ctx.line_index or opens_list(line, hm, ctx)

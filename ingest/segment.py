"""Clause segmentation: lines of one document → numbered clauses with heading paths.

This module is a generic tree builder.  The numbering families of :mod:`grammar.families`
own everything about numbers: their syntax, whether a number is a heading at its place in
the document (sequence, depth, open parents, the table it may sit in), the number that is
cited, the clause kind and how titles are split.  What stays here is how a document is
read:

* **One pass over the lines.**  A line that starts with a heading-shaped number is offered
  to the families in registration order (:func:`grammar.numbering.candidates_at`); the
  first reading whose family accepts it (``mode`` "line") opens a heading.  Other lines are
  body text of the open heading.  目次 lines go to a node that is never emitted.
* **Inline headings.**  Scraped text glues clauses into one line ("3 基本要求 3.1 要符合…。
  3.2 服务标准…").  A number inside a line is offered only where a heading could begin:
  right after sentence-final punctuation ("punct") or a colon ("colon"), within a short
  title of a heading opened on the same line ("glued"), glued onto the preamble before
  anything is numbered ("lead"), or run onto the end of a PDF table row ("tail").
* **Depth.**  A heading hangs under the parent its number names (the family's ``parent``:
  "5.2.1" under "5.2", even out of order), else under the innermost open heading of lower
  rank.  Rank is (order in which the family first appeared in the document, level inside
  the family, sub-list depth): in a text that mixes schemes the family that appears first
  is outermost.
* **Titles.**  The text after a number is split into title and body by the family's
  :class:`~grammar.title_split.TitleRules`; a bare number may take its title from the
  next line (the family's ``title_from_next_lines``).
* **列项, 注, 示例, tables stay in the clause text**; a heading is never separated from its
  body: the clause text runs to the next heading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from grammar.families import INLINE_FIRST, TREES, NumberingRules, title_rules
from grammar.families.context import Mode, Rank, TreeRules
from grammar.numbering import (
    ANNEX_BASE,
    RE_CAPTION,
    Family,
    HeadingMatch,
    Numbering,
    candidates_at,
    halfwidth,
    match_at,
)
from grammar.schema import AnnexType, Clause, ClauseKind, HeadingRef
from grammar.title_split import COLON, SENTENCE_END, TitleRules, period_title
from grammar.title_split import split_title as split_with_rules
from grammar.titles import title_like
from ingest.clause_ids import assign_clause_ids
from ingest.readers.base import Line
from ingest.toc import toc_labels, toc_lines

# Where an inline heading may begin: a character some family's numbers start with.
_INLINE_CANDIDATE = re.compile(f"[{re.escape(INLINE_FIRST)}]")
_GLUED_WINDOW = 25
_TAIL_WINDOW = 30
_TABLE_CAPTION = re.compile(r"^表[ \t]*(?:[A-Z]\.)?\d{1,3}")
# Words after which a number is a reference or a caption's number, never a heading.
_TAIL_BEFORE = re.compile(r"(?:表|图|式|见|按|依|据|照|和|及|与|或|、|至|第|附录)$")
_SPACES = " \t\u3000"
_AFTER_BREAK = SENTENCE_END + COLON


def split_title(rest: str, kind: ClauseKind) -> tuple[str, str]:
    """Split the text after a heading number of ``kind`` into (title, body), by the title
    rules of the numbering that kind belongs to (see :func:`grammar.title_split.split_title`)."""
    return split_with_rules(rest, title_rules(kind))


@dataclass(slots=True, eq=False)
class _Node:
    num: Numbering | None
    label: str
    clause_no: str
    kind: ClauseKind
    rank: Rank
    ancestors: list[_Node]
    start: int
    page: int | None
    annex_type: AnnexType | None = None
    title: str = ""
    body: list[str] = field(default_factory=list)
    end: int = 0
    emit: bool = True
    children: int = 0
    tree: TreeRules | None = None
    rules: TitleRules = field(default_factory=TitleRules)

    def ref(self) -> HeadingRef:
        return HeadingRef(self.label, self.title)


@dataclass(slots=True)
class SegmentedDocument:
    """Clauses of one document plus the text their offsets refer to."""

    clauses: list[Clause]
    text: str
    warnings: list[str] = field(default_factory=list)


Candidates = Iterable[tuple[NumberingRules, HeadingMatch]]


class _Segmenter:
    """One pass over the lines of one document (a :class:`~grammar.families.context.
    TreeContext` for the families it asks)."""

    def __init__(self, doc_title: str = "") -> None:
        self.doc_title = doc_title
        # Last line that starts with each heading shape (syntax only), for looking ahead.
        self.last_line_of: dict[tuple[Family, ClauseKind, int, tuple[int, ...]], int] = {}
        self.line_index = 0
        self.nodes: list[_Node] = []
        self.stack: list[_Node] = []
        self.family_order: dict[Family, int] = {}
        self.states: dict[Family, Any] = {}
        self.toc_node: _Node | None = None
        self.lines: list[Line] = []
        self.matches: list[HeadingMatch | None] = []
        self.candidates: list[list[tuple[NumberingRules, HeadingMatch]]] = []
        self.toc_labels: set[str] = set()
        self.in_table = False
        self.toc: set[int] = set()

    # ------------------------------------------------------------ the context families see
    def state(self, family: Family) -> Any:
        st = self.states.get(family, self)
        if st is self:
            st = self.states[family] = TREES[family].new_state()
        return st

    def last_line(self, num: Numbering) -> int:
        return self.last_line_of.get((num.family, num.kind, num.level, num.key), -1)

    def in_preamble(self) -> bool:
        return len(self.nodes) == 1 and self.nodes[0].kind is ClauseKind.PREAMBLE

    def chapter_alias(self) -> int | None:
        for node in reversed(self.stack):
            if node.tree is not None and (n := node.tree.chapter_number(node)) is not None:
                return n
        return None

    def outranked(self, family: Family) -> bool:
        order = self.family_order
        mine = order.get(family)
        for other, at in order.items():
            if other is family or (mine is not None and at > mine):
                continue
            if TREES[other].numbers_document(self.state(other)):
                return True
        return any(
            tree.numbers_document_ahead(self)
            for other, tree in TREES.items()
            if other is not family and other not in order
        )

    def match(self, line: str, pos: int) -> HeadingMatch | None:
        return match_at(line, pos)

    # ------------------------------------------------------------ choosing a reading
    def _pick(
        self, cands: Candidates, line: str, modes: tuple[Mode, ...], opened: _Node | None
    ) -> tuple[NumberingRules, HeadingMatch] | None:
        """The first reading (families in registration order) whose family accepts it in
        one of ``modes``."""
        for family, hm in cands:
            for mode in modes:
                if family.accept(hm, line, mode, opened, self):
                    return family, hm
        return None

    # ------------------------------------------------------------ structure
    def _rank(self, num: Numbering, tree: TreeRules) -> Rank:
        """(family order, level, sub-list depth), refined by the family."""
        if num.family not in self.family_order:
            self.family_order[num.family] = len(self.family_order)
        return tree.rank(num, (self.family_order[num.family], num.level, 0), self)

    def open(self, family: NumberingRules, hm: HeadingMatch, start: int, page: int | None) -> _Node:
        num, tree = hm.numbering, family.tree
        rank = self._rank(num, tree)
        if tree.closes_all:
            self.stack.clear()
        else:
            while self.stack and self.stack[-1].tree is not None and self.stack[-1].tree.closes_all:
                self.stack.pop()
            parent = tree.parent(num, self)
            if parent is not None:
                self.stack = [*parent.ancestors, parent]
            else:
                while self.stack and self.stack[-1].rank >= rank:
                    self.stack.pop()
        ancestors = list(self.stack)
        annex_type = hm.annex_type
        if annex_type is None:
            annex_type = next((a.annex_type for a in reversed(ancestors) if a.annex_type), None)
        kind = tree.kind(num, ancestors)
        node = _Node(
            num=num,
            label=num.label,
            clause_no=tree.clause_no(num, ancestors),
            kind=kind,
            rank=rank,
            ancestors=ancestors,
            start=start,
            page=page,
            annex_type=annex_type,
            tree=tree,
            rules=tree.title_rules(kind, num.level),
        )
        if self.nodes:
            self.nodes[-1].end = start
        if ancestors:
            ancestors[-1].children += 1
        self.nodes.append(node)
        self.stack.append(node)
        tree.opened(node, self)
        return node

    # ------------------------------------------------------------ inline splitting
    def _inline_splits(self, line: str, begin: int, opened: _Node | None) -> list[HeadingMatch]:
        """Headings starting inside ``line`` after ``begin``, accepted in order."""
        half = halfwidth(line)
        found: list[HeadingMatch] = []
        pos = begin
        tail_from = len(half) - _TAIL_WINDOW
        while True:
            hit = None
            lead = opened is None and self.in_preamble()
            for m in _INLINE_CANDIDATE.finditer(half, pos):
                q = m.start()
                if q == 0:
                    continue
                k = q - 1
                while k >= 0 and half[k] in _SPACES:
                    k -= 1
                if k < 0:
                    continue
                # Most candidates stand where no mode applies: skip them cheaply.
                if not (
                    lead
                    or q >= tail_from
                    or half[k] in _AFTER_BREAK
                    or (opened is not None and q - begin <= _GLUED_WINDOW)
                ):
                    continue
                modes = self._inline_modes(half, begin, q, k, opened, lead)
                if not modes:
                    continue
                readings = candidates_at(half, q, glued="tail" in modes, half=True, inline=True)
                hit = self._pick(readings, line, modes, opened)
                if hit is not None:
                    break
            if hit is None:
                return found
            family, hm = hit
            found.append(hm)
            # Register it now so that the next inline number is judged against it.
            opened = self.open(family, hm, -1, None)
            pos = hm.rest_start
            begin = hm.rest_start

    @staticmethod
    def _inline_modes(
        half: str, begin: int, q: int, k: int, opened: _Node | None, lead: bool
    ) -> tuple[Mode, ...]:
        """Where a number at ``half[q]`` stands (``half[k]`` is the last character before
        it that is not a space), as the modes to ask the families about, in order."""
        last = half[k]
        before = half[q - 1]
        after_word = before.isdigit() or before in "./" or (before.isascii() and before.isalpha())
        modes: list[Mode] = []
        # A PDF text layer runs a heading onto the end of the previous table row
        # ("…见 6.3.3 章节6.3.3数据区"): a number and a short title that end the line.
        if (
            len(half) - q <= _TAIL_WINDOW
            and not after_word
            and not _TAIL_BEFORE.search(half[max(0, k - 3) : k + 1])
            and not RE_CAPTION.match(half.lstrip())
        ):
            modes.append("tail")
        if last in SENTENCE_END:
            modes.append("punct")
        if last in COLON:
            modes.append("colon")
        # Within a short title right after a heading opened on this line.
        if (
            opened is not None
            and q - begin <= _GLUED_WINDOW
            and not after_word
            and (not half[begin:q].strip() or title_like(half[begin:q], _GLUED_WINDOW))
            and not any(p in half[begin:q] for p in SENTENCE_END)
        ):
            modes.append("glued")
        if lead:
            modes.append("lead")
        return tuple(modes)

    # ------------------------------------------------------------ main loop
    def run(self, lines: list[Line], line_starts: list[int]) -> None:
        preamble = _Node(
            None, "", "", ClauseKind.PREAMBLE, (-1, 0, 0), [], 0, lines[0].page if lines else None
        )
        self.nodes.append(preamble)
        # Every line's heading readings, computed once (look-ahead, the main loop, checks).
        self.candidates = [[] if ln.literal else _line_candidates(ln.text) for ln in lines]
        self.matches = [_first_syntactic(c) for c in self.candidates]
        for k, hm in enumerate(self.matches):
            if hm is not None:
                n = hm.numbering
                self.last_line_of[(n.family, n.kind, n.level, n.key)] = k
        self.lines = lines
        toc = self.toc = toc_lines(lines)
        self.toc_labels = {label for label in toc_labels(lines, toc) if label.isdigit()}
        i = 0
        while i < len(lines):
            self.line_index = i
            text = lines[i].text
            base = line_starts[i]
            page = lines[i].page

            if i in toc:
                self._enter_toc(base, page)
                i += 1
                continue

            hit = (
                self._pick(self.candidates[i], text, ("line",), None)
                if self.candidates[i]
                else None
            )
            if hit is not None:
                family, hm = hit
                node = self.open(family, hm, base + hm.pos, page)
                i = self._fill_heading_line(node, hm, text, base, page, i)
                continue

            # A body line; it may still contain inline headings after a full stop.
            if _TABLE_CAPTION.match(halfwidth(text).lstrip()):
                self.in_table = True
            current = self._body_target()
            if lines[i].literal:
                current.body.append(text.strip())
                i += 1
                continue
            splits = self._inline_splits(text, 0, None)
            self._distribute(current, text, 0, splits, base, page)
            i += 1

    def _enter_toc(self, start: int, page: int | None) -> None:
        """TOC lines go to a node that is never emitted (one per TOC)."""
        if self.toc_node is not None and self.nodes[-1] is self.toc_node:
            return
        node = _Node(None, "目次", "目次", ClauseKind.ELEMENT, (-1, 0, 0), [], start, page)
        node.emit = False
        if self.nodes:
            self.nodes[-1].end = start
        self.nodes.append(node)
        self.toc_node = node
        self.stack.clear()

    def _body_target(self) -> _Node:
        """Where a body line goes: the open clause, or after a TOC (the title printed again
        above chapter 1) the preamble, so that nothing is lost with the TOC."""
        current = self.nodes[-1]
        if current is self.toc_node:
            return next((n for n in reversed(self.nodes) if n.emit), current)
        return current

    def _fill_heading_line(
        self, node: _Node, hm: HeadingMatch, text: str, base: int, page: int | None, i: int
    ) -> int:
        """Title/body of the heading's own line, inline splits, and titles that sit on the
        following line(s) (annex status and title, a term after a bare "3.1").  Returns the
        index of the next unconsumed line."""
        if hm.rest_end is not None:
            text = text[: hm.rest_end]
        splits = self._inline_splits(text, hm.rest_start, node)
        self._distribute(node, text, hm.rest_start, splits, base, page, heading=True)
        if splits or node.tree is None:
            return i + 1
        return node.tree.title_from_next_lines(node, self, i + 1)

    def _distribute(
        self,
        node: _Node,
        text: str,
        begin: int,
        splits: list[HeadingMatch],
        base: int,
        page: int | None,
        heading: bool = False,
    ) -> None:
        """Assign the pieces of one line: ``text[begin:first split]`` to ``node`` (its title
        and/or body), then each split's segment to the node that split opened."""
        bounds = [hm.pos for hm in splits] + [len(text)]
        piece = text[begin : bounds[0]]
        if heading:
            self._set_title(node, piece)
        elif piece.strip():
            node.body.append(piece.strip())
        # Nodes opened by _inline_splits are the last len(splits) nodes, in order.
        first = len(self.nodes) - len(splits)
        for k, hm in enumerate(splits):
            split_node = self.nodes[first + k]
            split_node.start = base + hm.pos
            split_node.page = page
            self.nodes[first + k - 1].end = split_node.start
            self._set_title(split_node, text[hm.rest_start : bounds[k + 1]])

    @staticmethod
    def _set_title(node: _Node, rest: str) -> None:
        title, body = period_title(*split_with_rules(rest, node.rules), node.rules)
        node.title = title
        if body:
            node.body.append(body)

    def finish(self, doc_len: int) -> list[_Node]:
        if self.nodes:
            self.nodes[-1].end = doc_len
        return self.nodes


def _line_candidates(text: str) -> list[tuple[NumberingRules, HeadingMatch]]:
    stripped = len(text) - len(text.lstrip(_SPACES))
    return list(candidates_at(text, stripped, glued=True))


def _first_syntactic(cands: list[tuple[NumberingRules, HeadingMatch]]) -> HeadingMatch | None:
    """What :func:`grammar.numbering.match_at` reads at the line start."""
    return next((hm for family, hm in cands if not family.contextual), None)


def segment_lines(
    lines: list[Line],
    *,
    doc_id: str,
    doc_title: str,
    standard_code: str | None,
    source: str,
) -> SegmentedDocument:
    """Segment one document's cleaned lines into clauses (see module doc)."""
    line_starts: list[int] = []
    pos = 0
    for line in lines:
        line_starts.append(pos)
        pos += len(line.text) + 1
    doc_text = "\n".join(line.text for line in lines)

    seg = _Segmenter(doc_title)
    seg.run(lines, line_starts)
    nodes = seg.finish(len(doc_text))

    parents = {id(a) for n in nodes if n.emit for a in n.ancestors}
    clauses: list[Clause] = []
    for node in nodes:
        if not node.emit:
            continue
        body = "\n".join(b for b in node.body if b.strip())
        # Ancestors' titles are complete now (an inline heading's parent gets its title
        # after the child opened): the family decides the kind again.
        kind = node.tree.kind(node.num, node.ancestors) if node.tree and node.num else node.kind
        if node.kind is ClauseKind.PREAMBLE and not body:
            continue
        clauses.append(
            Clause(
                clause_id="",  # content id, assigned below
                doc_id=doc_id,
                doc_title=doc_title,
                standard_code=standard_code,
                clause_no=node.clause_no,
                clause_title=node.title if node.kind is not ClauseKind.PREAMBLE else doc_title,
                heading_path=[a.ref() for a in node.ancestors if a.emit],
                kind=kind,
                annex_type=node.annex_type,
                text=body,
                source=source,
                page=node.page,
                start=node.start,
                end=max(node.end, node.start),
                seq=len(clauses),
                is_section=not body and id(node) in parents,
            )
        )
    assign_clause_ids(clauses)
    warnings = _coverage_warnings(lines, seg.matches, seg.toc, clauses)
    return SegmentedDocument(clauses, doc_text, warnings)


# A document whose body yields fewer numbered clauses than this share of its heading-shaped
# lines, or whose clauses hold less than this share of its text, is reported.
_MIN_HEADING_SHARE = 0.5
_MIN_TEXT_SHARE = 0.6
_MIN_HEADINGS_TO_JUDGE = 8


def _coverage_warnings(
    lines: list[Line],
    matches: list[HeadingMatch | None],
    toc: set[int],
    clauses: list[Clause],
) -> list[str]:
    """Say so when the clauses plainly miss what the text holds (a TOC that swallowed the
    body, a numbering the segmenter refused): never accept such a result silently."""
    out: list[str] = []
    # Distinct multi-level numbers ("5.2.1", "A.3") that open a line with a short title:
    # table rows start with "1", "2", rarely with "5.2.1".
    shaped_keys: set[str] = set()
    for k, line in enumerate(lines):
        hm = matches[k]
        if k in toc or hm is None or hm.numbering.family is not Family.GB or hm.numbering.level < 2:
            continue
        if title_like(line.text[hm.rest_start :], 40):
            shaped_keys.add(hm.numbering.label)
    shaped = len(shaped_keys)
    numbered = len({c.clause_no for c in clauses if c.clause_no in shaped_keys})
    if shaped >= _MIN_HEADINGS_TO_JUDGE and numbered < _MIN_HEADING_SHARE * shaped:
        out.append(f"正文中 {shaped} 个像条款标题的编号只有 {numbered} 个成为条款，请检查结构")
    body_chars = sum(len(ln.text) for k, ln in enumerate(lines) if k not in toc)
    kept = sum(len(c.text) + len(c.clause_title) + len(c.clause_no) for c in clauses)
    if body_chars >= 2000 and kept < _MIN_TEXT_SHARE * body_chars:
        share = round(100 * kept / body_chars)
        out.append(f"条款只覆盖正文的 {share}%（其余可能被目录或封面吞掉），请检查结构")
    return out


__all__ = ["ANNEX_BASE", "SegmentedDocument", "segment_lines", "split_title", "title_like"]

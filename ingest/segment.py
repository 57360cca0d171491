"""Clause segmentation: lines of one document → numbered clauses with heading paths.

:mod:`ingest.numbering` says what *looks* like a heading number; this module decides what
*is* one, using what came before in the document:

* **Depth comes from the number.**  5.2.1 sits under 5.2 because of its digits, whichever
  pattern matched and wherever it appears.  A GB/T clause whose parent number was seen is
  attached to that parent even when the text is out of order (slides scraped in shuffled
  order put "3.6" after chapter "4"; it still belongs to "3").
* **Families nest by first appearance.**  In a text that mixes schemes (a regulation
  with "第一章" and then "1.1", an outline "一、" with "1." and "（1）"), the family that appears
  first is outermost.  Inside a family the order is fixed (编>章>节>条; 一、>（一）>1.>（1）>①).
* **Sequence plausibility** separates headings from numbers used in sentences.  A heading
  number must continue the numbering (its predecessor — 5.2.0→5.2.1's parent 5.2, 5.2.1 for
  5.2.2 — was seen, or it follows closely); "按5.2.1的规定" / "见附录B" are rejected already by
  the syntax, "应在\\n3 个工作日内" by needing a title.
* **Inline headings.**  Scraped text glues clauses into one line ("3 基本要求 3.1 要符合…。
  3.2 服务标准…").  A number inside a line starts a clause only right after sentence-final
  punctuation and only if it is the exact next number, or right after a short title
  ("第一章:总则1.1 目的…").
* **列项, 注, 示例, tables stay in the clause text**; "（一）" items inside a regulation
  article are the article's items, not headings.
* A heading is never separated from its body: the clause text runs to the next heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.numbering import (
    ANNEX_BASE,
    OUTLINE_ARABIC,
    Family,
    HeadingMatch,
    Numbering,
    halfwidth,
    is_block_start,
    match_at,
    parse_annex_type,
)
from ingest.readers.base import Line
from ingest.schema import AnnexType, Clause, ClauseKind, HeadingRef
from ingest.titles import title_like

_SENTENCE_END = "。；;！？!?"
_COLON = ":："
# Where an inline heading may begin: after sentence-final punctuation or whitespace.
_INLINE_CANDIDATE = re.compile(r"[1-9A-Z第一二三四五六七八九十(（附]")
_GB_IN_REST = re.compile(r"\s[1-9]\d{0,2}\.[1-9]")
_GLUED_WINDOW = 25
# Heading words of Chinese administrative and guidance texts that never begin a sentence,
# so "总则为适应…" can only be the heading "总则" glued to its body.  Longest first.
_STOCK_HEADINGS = tuple(
    sorted(
        (
            "总则",
            "附则",
            "目的",
            "目的与意义",
            "适用范围",
            "引言",
            "前言",
            "指导思想",
            "工作目标",
            "任务目标",
            "基本原则",
            "现状分析",
            "预期效果",
            "实施计划",
            "保障措施",
            "职责分工",
            "奖罚细则",
            "服务宗旨",
            "背景和目标",
            "文件目的",
        ),
        key=len,
        reverse=True,
    )
)
_WORDS_ONLY = re.compile(r"^[\u4e00-\u9fffA-Za-z]+$")
_REQUIREMENT = re.compile(r"应|宜|不得|可以|必须")


def split_title(rest: str, kind: ClauseKind) -> tuple[str, str]:
    """Split the text after a heading number into (title, body).

    Standards put a title alone on the heading line ("5.2 服务人员") or a requirement with
    no title ("5.2.1 服务人员应持证上岗。").  Scraped text glues the two ("4.1 服务态度服务态度
    是…", "1. 制定服务标准:首先，需要…"); we recover the title when the evidence is clear
    (a doubled phrase, a short phrase before a colon or a space) and otherwise leave it empty.
    """
    s = rest.strip().lstrip(_COLON).strip()
    if not s:
        return "", ""
    limit = 12 if kind is ClauseKind.ARTICLE else (60 if kind is ClauseKind.TERM else 30)
    if kind in (
        ClauseKind.CHAPTER,
        ClauseKind.ANNEX,
        ClauseKind.REG_CHAPTER,
        ClauseKind.REG_SECTION,
        ClauseKind.REG_PART,
        ClauseKind.ELEMENT,
    ):
        limit = 40
    # Requirement sentences cut by a line break have no punctuation yet are not titles.
    modal_ok = kind not in (ClauseKind.CLAUSE, ClauseKind.ANNEX_CLAUSE, ClauseKind.OUTLINE)
    # "服务态度服务态度是…": a phrase immediately repeated is a title glued to its body.
    for n in range(3, 13):
        k = min(n, 4)
        if len(s) > n + k and s[n : n + k] == s[:k] and _WORDS_ONLY.match(s[:n]):
            return s[:n], s[n:]
    if title_like(s, limit, allow_modal=modal_ok):
        return s.rstrip(_COLON).strip(), ""
    if kind is ClauseKind.ARTICLE:
        return "", s
    # "服务时间 客户服务人员应…": a short phrase, a space, then the body.
    head, sep, tail = s.partition(" ")
    if not sep:
        head, sep, tail = s.partition("\u3000")
    if sep and tail.strip() and title_like(head, 20, allow_modal=False):
        return head, tail.strip()
    # "总则为适应新的市场形势…": a stock heading word glued to its body.
    for word in _STOCK_HEADINGS:
        if s.startswith(word) and len(s) > len(word) + 4 and s[len(word)] not in "的之和与及":
            return word, s[len(word) :].lstrip(_COLON + " ")
    # "制定服务标准:首先，…": a short phrase before a colon names the item; keep the body whole.
    m = re.match(r"^([^:：]{2,20})[:：]", s)
    if m and title_like(m.group(1), 20, allow_modal=False):
        return m.group(1).strip(), s
    return "", s


@dataclass(slots=True, eq=False)
class _Node:
    num: Numbering | None
    label: str
    clause_no: str
    kind: ClauseKind
    rank: tuple[int, int]
    ancestors: list[_Node]
    start: int
    page: int | None
    annex_type: AnnexType | None = None
    title: str = ""
    body: list[str] = field(default_factory=list)
    end: int = 0
    emit: bool = True

    def ref(self) -> HeadingRef:
        return HeadingRef(self.label, self.title)


@dataclass(slots=True)
class SegmentedDocument:
    """Clauses of one document plus the text their offsets refer to."""

    clauses: list[Clause]
    text: str


class _Segmenter:
    """One pass over the lines of one document.  State is the numbering seen so far."""

    def __init__(self) -> None:
        self.nodes: list[_Node] = []
        self.stack: list[_Node] = []
        self.family_order: dict[Family, int] = {}
        self.gb_seen: dict[tuple[int, ...], _Node] = {}
        self.gb_last: tuple[int, ...] | None = None
        self.max_chapter = 0
        self.reg_last: dict[ClauseKind, int] = {}
        self.in_toc = False
        self.toc_first: str | None = None

    # ------------------------------------------------------------ plausibility
    def _chapter_alias(self) -> int | None:
        """Number of the innermost open regulation chapter ("第二章") or top outline item
        ("二、"): texts that use those for chapters number their clauses "2.1", "2.2"."""
        for node in reversed(self.stack):
            if node.num and (
                node.kind is ClauseKind.REG_CHAPTER
                or (node.num.family is Family.OUTLINE and node.num.level == 1)
            ):
                return node.num.key[0]
        return None

    def _gb_pred_seen(self, key: tuple[int, ...]) -> bool:
        if key[-1] > 1:
            return (*key[:-1], key[-1] - 1) in self.gb_seen
        if len(key) == 1:
            return True  # chapter 1 has no predecessor
        parent = key[:-1]
        if parent in self.gb_seen:
            return True
        # "第一章 总则" then "1.1 目的": a regulation chapter stands in for GB chapter 1.
        return len(key) == 2 and self._chapter_alias() == key[0]

    def _accept_gb(self, num: Numbering, mode: str, rest: str, opened: _Node | None) -> bool:
        key = num.key
        if key in self.gb_seen:
            return False
        if num.kind is ClauseKind.ANNEX:
            if mode != "line":
                return False
            return not rest.strip() or title_like(rest, 40) or parse_annex_type(rest) is not None
        if num.kind is ClauseKind.ANNEX_CLAUSE and key[:1] not in self.gb_seen:
            return False
        if mode == "punct":
            return self._gb_pred_seen(key)
        if mode == "glued":
            if opened is None or opened.num is None:
                return False
            if opened.num.family is Family.GB:
                return key[:-1] == opened.num.key and key[-1] == 1
            return key == (self._chapter_alias(), 1)
        # mode == "line"
        if num.kind is ClauseKind.CHAPTER:
            head = _GB_IN_REST.split(rest, maxsplit=1)[0]
            if not title_like(head, 40):
                return False
            return (
                self.gb_last is None
                or self._gb_pred_seen(key)
                or 1 <= key[0] - self.max_chapter <= 3
            )
        if self._gb_pred_seen(key):
            return True
        if self.gb_last is None:
            # First GB number of a document that starts mid-way: believe it when it reads
            # like a heading or a requirement, not like a quantity ("2.5 米高").
            return key[-1] == 1 or title_like(rest, 30) or bool(_REQUIREMENT.search(rest))
        parent = key[:-1]
        if parent in self.gb_seen:
            siblings = [k[-1] for k in self.gb_seen if k[:-1] == parent]
            return key[-1] - max(siblings, default=0) <= 3
        # Gap tolerance for noisy text: later in document order, within the next chapter.
        return key > self.gb_last and key[0] <= self.gb_last[0] + 1

    def _accept_reg(self, num: Numbering, mode: str) -> bool:
        n = num.key[0]
        last = self.reg_last.get(num.kind, 0)
        if num.kind is ClauseKind.ARTICLE:
            if mode in ("punct", "glued"):
                return n == last + 1
            return last == 0 or n == 1 or last < n <= last + 5
        if mode != "line":
            return False
        return last == 0 or n == 1 or last < n <= last + 3

    def _accept_outline(self, num: Numbering, mode: str, opened: _Node | None) -> bool:
        if self.stack and self.stack[-1].kind is ClauseKind.ARTICLE:
            return False  # "（一）…" items belong to the article
        if mode == "line":
            return True
        if num.level > OUTLINE_ARABIC:
            return False  # "(1)…;(2)…" runs inside a sentence stay text
        if mode == "glued":
            return (
                num.key[0] == 1
                and opened is not None
                and opened.num is not None
                and (opened.num.family is not Family.OUTLINE or opened.num.level < num.level)
            )
        # punct: exact next sibling of an open item of that level
        for node in reversed(self.stack):
            if node.num and node.num.family is Family.OUTLINE:
                if node.num.level == num.level:
                    return num.key[0] == node.num.key[0] + 1
                if node.num.level < num.level:
                    return False
        return False

    def accept(self, hm: HeadingMatch, line: str, mode: str, opened: _Node | None) -> bool:
        num = hm.numbering
        rest = line[hm.rest_start :]
        if num.family is Family.GB:
            return self._accept_gb(num, mode, rest, opened)
        if num.family is Family.REG:
            return self._accept_reg(num, mode)
        if num.family is Family.OUTLINE:
            return self._accept_outline(num, mode, opened)
        return mode == "line"  # ELEMENT: a line of its own

    # ------------------------------------------------------------ structure
    def _rank(self, num: Numbering) -> tuple[int, int]:
        if num.family not in self.family_order:
            self.family_order[num.family] = len(self.family_order)
        return (self.family_order[num.family], num.level)

    def _clause_no(self, num: Numbering, ancestors: list[_Node]) -> str:
        if num.family is Family.OUTLINE:
            chain: list[str] = []
            for node in reversed(ancestors):
                if not (node.num and node.num.family is Family.OUTLINE):
                    break
                chain.append(node.label)
            return "".join(reversed(chain)) + num.label
        if num.kind is ClauseKind.REG_SECTION:
            chapter = next(
                (n for n in reversed(ancestors) if n.kind is ClauseKind.REG_CHAPTER), None
            )
            return (chapter.label if chapter else "") + num.label
        return num.label

    def _kind(self, num: Numbering, ancestors: list[_Node]) -> ClauseKind:
        if num.kind is ClauseKind.CLAUSE and any(
            a.kind is ClauseKind.CHAPTER and "术语" in a.title for a in ancestors
        ):
            return ClauseKind.TERM
        return num.kind

    def open(
        self, num: Numbering, start: int, page: int | None, annex_type: AnnexType | None
    ) -> _Node:
        rank = self._rank(num)
        if num.family is Family.ELEMENT:
            self.stack.clear()
        else:
            while self.stack and self.stack[-1].kind is ClauseKind.ELEMENT:
                self.stack.pop()
            parent = (
                self.gb_seen.get(num.key[:-1])
                if num.family is Family.GB and len(num.key) > 1
                else None
            )
            if parent is not None:
                self.stack = [*parent.ancestors, parent]
            else:
                while self.stack and self.stack[-1].rank >= rank:
                    self.stack.pop()
        ancestors = list(self.stack)
        if annex_type is None:
            annex_type = next((a.annex_type for a in reversed(ancestors) if a.annex_type), None)
        node = _Node(
            num=num,
            label=num.label,
            clause_no=self._clause_no(num, ancestors),
            kind=self._kind(num, ancestors),
            rank=rank,
            ancestors=ancestors,
            start=start,
            page=page,
            annex_type=annex_type,
        )
        if self.nodes:
            self.nodes[-1].end = start
        self.nodes.append(node)
        self.stack.append(node)
        if num.family is Family.GB:
            self.gb_seen[num.key] = node
            self.gb_last = num.key
            if num.kind is ClauseKind.CHAPTER:
                self.max_chapter = max(self.max_chapter, num.key[0])
        elif num.family is Family.REG:
            self.reg_last[num.kind] = num.key[0]
            # A new chapter restarts section numbering.
            if num.kind is ClauseKind.REG_CHAPTER:
                self.reg_last.pop(ClauseKind.REG_SECTION, None)
        return node

    # ------------------------------------------------------------ inline splitting
    def _inline_splits(self, line: str, begin: int, opened: _Node | None) -> list[HeadingMatch]:
        """Headings starting inside ``line`` after ``begin``, accepted in order."""
        half = halfwidth(line)
        found: list[HeadingMatch] = []
        pos = begin
        while True:
            hit = None
            for m in _INLINE_CANDIDATE.finditer(half, pos):
                q = m.start()
                if q == 0:
                    continue
                prev = half[:q].rstrip()
                if not prev:
                    continue
                last = prev[-1]
                # Within a short title right after a heading opened on this line.
                glued_ok = (
                    opened is not None
                    and q - begin <= _GLUED_WINDOW
                    and not half[q - 1].isdigit()
                    and half[q - 1] not in "./"
                    and not (half[q - 1].isascii() and half[q - 1].isalpha())
                    and (not half[begin:q].strip() or title_like(half[begin:q], _GLUED_WINDOW))
                    and not any(p in half[begin:q] for p in _SENTENCE_END)
                )
                punct_ok = last in _SENTENCE_END
                if not (glued_ok or punct_ok):
                    continue
                hm = match_at(line, q)
                if hm is None:
                    continue
                if punct_ok and self.accept(hm, line, "punct", opened):
                    hit = hm
                    break
                if glued_ok and self.accept(hm, line, "glued", opened):
                    hit = hm
                    break
            if hit is None:
                return found
            found.append(hit)
            # Register it now so that the next inline number is judged against it.
            opened = self.open(hit.numbering, -1, None, hit.annex_type)
            pos = hit.rest_start
            begin = hit.rest_start

    # ------------------------------------------------------------ main loop
    def run(self, lines: list[Line], line_starts: list[int]) -> None:
        preamble = _Node(
            None, "", "", ClauseKind.PREAMBLE, (-1, 0), [], 0, lines[0].page if lines else None
        )
        self.nodes.append(preamble)
        i = 0
        while i < len(lines):
            text = lines[i].text
            base = line_starts[i]
            page = lines[i].page

            if self.in_toc:
                if self._toc_ends(text):
                    self.in_toc = False
                else:
                    i += 1
                    continue

            hm = _match_line(text)
            if hm is not None and self.accept(hm, text, "line", None):
                node = self.open(hm.numbering, base + hm.pos, page, hm.annex_type)
                if node.kind is ClauseKind.ELEMENT and node.label == "目次":
                    node.emit = False
                    self.in_toc = True
                    self.toc_first = None
                i = self._fill_heading_line(node, hm, text, base, page, lines, i)
                continue

            # A body line; it may still contain inline headings after a full stop.
            current = self.nodes[-1]
            splits = self._inline_splits(text, 0, None)
            self._distribute(current, text, 0, splits, base, page)
            i += 1

    def _toc_ends(self, text: str) -> bool:
        """In a 目次, entries repeat the headings; the body starts at 前言/引言 or when the
        first entry's heading comes round again."""
        if self.toc_first is None:
            self.toc_first = text.strip()
            return False
        if text.strip() == self.toc_first:
            return True
        hm = _match_line(text)
        return (
            hm is not None
            and hm.numbering.family is Family.ELEMENT
            and hm.numbering.label != "目次"
        )

    def _fill_heading_line(
        self,
        node: _Node,
        hm: HeadingMatch,
        text: str,
        base: int,
        page: int | None,
        lines: list[Line],
        i: int,
    ) -> int:
        """Title/body of the heading's own line, inline splits, and titles that sit on the
        following line(s) (annex status and title, a term after a bare "3.1").  Returns the
        index of the next unconsumed line."""
        splits = self._inline_splits(text, hm.rest_start, node)
        self._distribute(node, text, hm.rest_start, splits, base, page, heading=True)
        j = i + 1
        if splits:
            return j
        if node.kind is ClauseKind.ANNEX:
            if node.annex_type is None and j < len(lines):
                atype = parse_annex_type(lines[j].text)
                if atype is not None:
                    node.annex_type = atype
                    j += 1
            if (
                not node.title
                and j < len(lines)
                and title_like(lines[j].text, 40)
                and not is_block_start(lines[j].text)
            ):
                node.title = lines[j].text.strip()
                j += 1
        elif (
            not node.title
            and not node.body
            and node.num
            and node.num.family is Family.GB
            and j < len(lines)
        ):
            nxt = lines[j].text
            limit = 60 if node.kind is ClauseKind.TERM else 30
            if title_like(
                nxt, limit, allow_modal=node.kind is ClauseKind.TERM
            ) and not is_block_start(nxt):
                node.title = nxt.strip()
                j += 1
        return j

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
            title, body = split_title(piece, node.kind)
            node.title = title
            if body:
                node.body.append(body)
        elif piece.strip():
            node.body.append(piece.strip())
        # Nodes opened by _inline_splits are the last len(splits) nodes, in order.
        first = len(self.nodes) - len(splits)
        for k, hm in enumerate(splits):
            split_node = self.nodes[first + k]
            split_node.start = base + hm.pos
            split_node.page = page
            self.nodes[first + k - 1].end = split_node.start
            title, body = split_title(text[hm.rest_start : bounds[k + 1]], split_node.kind)
            split_node.title = title
            if body:
                split_node.body.append(body)

    def finish(self, doc_len: int) -> list[_Node]:
        if self.nodes:
            self.nodes[-1].end = doc_len
        return self.nodes


def _match_line(text: str) -> HeadingMatch | None:
    stripped = len(text) - len(text.lstrip(" \t\u3000"))
    return match_at(text, stripped)


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

    seg = _Segmenter()
    seg.run(lines, line_starts)
    nodes = seg.finish(len(doc_text))

    clauses: list[Clause] = []
    for node in nodes:
        if not node.emit:
            continue
        body = "\n".join(b for b in node.body if b.strip())
        kind = node.kind
        if kind is ClauseKind.CLAUSE and any(
            a.kind is ClauseKind.CHAPTER and "术语" in a.title for a in node.ancestors
        ):
            kind = ClauseKind.TERM
        if node.kind is ClauseKind.PREAMBLE and not body:
            continue
        clauses.append(
            Clause(
                clause_id=f"{doc_id}:{len(clauses):05d}",
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
            )
        )
    return SegmentedDocument(clauses=clauses, text=doc_text)


__all__ = ["ANNEX_BASE", "SegmentedDocument", "segment_lines", "split_title", "title_like"]

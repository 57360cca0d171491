"""GB/T 1.1 章 and 条: ``5``, ``5.2``, ``5.2.1.3.4`` (chapters and clauses down to level 5).

Syntax: one to five components of 1–3 digits, no leading zero, separated by dots; the
number ends the line or is followed by a space ("5.2 服务人员").  A number glued to its
Chinese title ("3术语和定义", "3.25个人金融信息") is a heading only where the sequence says so,
so it is returned only when asked for (``glued``) and marked.
Depth: the number of components.  Number: as printed, half-width ("５．２" → "5.2").
Rejected as references: "5.2.1 的规定", "5.2.1给出", "4.2～4.5".
The same numbers serve 2009-style ("本标准") and 2020-style ("本文件") documents; a
clause's kind (术语条目 under "术语和定义") is the tree builder's call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from grammar.families.base import (
    REFERENCE,
    Family,
    HeadingMatch,
    MatchResult,
    Numbering,
    followed_by_reference,
    halfwidth,
)
from grammar.families.context import FamilyDefaults, Mode, Node, TreeContext, TreeRules
from grammar.schema import ClauseKind
from grammar.title_split import PeriodTitle, TitleRules, next_line_title
from grammar.titles import title_like

NUM = r"(?P<num>[1-9]\d{0,2}(?:\.[1-9]\d{0,2}){0,4})"
RE_GB = re.compile(rf"^{NUM}(?=$|[ \t])")
# A number glued to its Chinese title by a transcription that lost the space.
RE_GB_GLUED = re.compile(rf"^{NUM}(?=[\u4e00-\u9fff])")


def numbering(num: str) -> Numbering:
    """ "5.2.1" → the GB numbering (chapter for one component, clause otherwise)."""
    key = tuple(int(p) for p in num.split("."))
    kind = ClauseKind.CHAPTER if len(key) == 1 else ClauseKind.CLAUSE
    return Numbering(Family.GB, kind, key, len(key), num)


# ================================================================ in the tree
# Where a GB number is a heading: GB/T 1.1 text follows its own rules (章 before 附录,
# every 条 continues the numbering), so the guesses made for scraped outlines and
# regulations do not apply; what is guessed here is against flattened tables and numbers
# used in sentences.

_GB_IN_REST = re.compile(r"\s[1-9]\d{0,2}\.[1-9]")
_REQUIREMENT = re.compile(r"应|宜|不得|可以|必须")
# Measure words and units that make a number glued to them a quantity ("3个", "5年").
_QUANTIFIERS = frozenset("个年月日天周次名人家种类项级倍米元份台套条款页位度分秒号层")
_ASCII_TOKEN = re.compile(r"^[A-Za-z0-9_\[\]()./:+\-]+$")
_NUMBER_TOKEN = re.compile(r"^[0-9]+(?:[.\-~～][0-9]+)*$")
_TICK = re.compile(r"[√×✓✗■□]")


@dataclass(slots=True)
class GbState:
    """What the GB rules remember of a document: every number opened (by key), the last
    one, the highest chapter, how many chapters, whether an annex began."""

    seen: dict[tuple[int, ...], Node] = field(default_factory=dict)
    last: tuple[int, ...] | None = None
    max_chapter: int = 0
    chapters: int = 0
    annex_seen: bool = False


def table_row(rest: str) -> bool:
    """The text after a number reads as a flattened table row, not a title: a tick mark,
    cells that are numbers or clause references ("定位性能 4.5.2 5.5.2"), or a last cell
    that is a data-type word ("报警使能 DWORD", "BYTE[16]")."""
    tokens = halfwidth(rest).split()
    if len(tokens) < 2 or len(rest) > 60 or re.search(r"[。；;，,]", rest):
        return False
    if _TICK.search(rest) or len(tokens) >= 4:
        return True  # a title is one phrase, or two or three words; four cells are a row
    if sum(1 for t in tokens[1:] if _NUMBER_TOKEN.match(t)) >= 1 and len(tokens) >= 3:
        return True
    last = tokens[-1]
    return (
        bool(_ASCII_TOKEN.match(last))
        and last.upper() == last
        and any(ch.isalpha() for ch in last)
        and not any("\u4e00" <= ch <= "\u9fff" for ch in last)
    )


_CHAPTERS = {n: numbering(str(n)) for n in (1, 2, 3)}
_FIRST_CLAUSES = {n: numbering(f"{n}.1") for n in range(1, 10)}


class GbTree(TreeRules):
    """章, 条, 术语, 附录 and annex clauses in one tree: depth from the number, parent
    by number (a clause whose parent number was seen hangs under it even out of order)."""

    family = Family.GB
    kinds = frozenset(
        {
            ClauseKind.CHAPTER,
            ClauseKind.CLAUSE,
            ClauseKind.TERM,
            ClauseKind.ANNEX,
            ClauseKind.ANNEX_CLAUSE,
        }
    )

    def new_state(self) -> GbState:
        return GbState()

    def parent(self, num: Numbering, ctx: TreeContext) -> Node | None:
        if len(num.key) <= 1:
            return None
        return ctx.state(Family.GB).seen.get(num.key[:-1])

    def kind(self, num: Numbering, ancestors: list[Node]) -> ClauseKind:
        """A clause under the chapter "术语和定义" is a term entry."""
        if num.kind is ClauseKind.CLAUSE and any(
            a.kind is ClauseKind.CHAPTER and "术语" in a.title for a in ancestors
        ):
            return ClauseKind.TERM
        return num.kind

    def opened(self, node: Node, ctx: TreeContext) -> None:
        st: GbState = ctx.state(Family.GB)
        num = node.num
        assert num is not None
        ctx.in_table = False
        if (old := st.seen.get(num.key)) is not None:
            old.emit = False  # replaced by the real heading (see stale)
        st.seen[num.key] = node
        st.last = num.key
        if num.kind is ClauseKind.CHAPTER:
            st.max_chapter = max(st.max_chapter, num.key[0])
            st.chapters += 1
        elif num.kind is ClauseKind.ANNEX:
            st.annex_seen = True

    def numbers_document(self, state: GbState) -> bool:
        return state.chapters >= 2

    def numbers_document_ahead(self, ctx: TreeContext) -> bool:
        """Chapters 1, 2 and 3 and the first clause of some chapter ("4.1") start later
        lines: the list "1、…；2、…" of a foreword before them is no outline."""
        here = ctx.line_index
        return all(ctx.last_line(_CHAPTERS[n]) > here for n in (1, 2, 3)) and any(
            ctx.last_line(first) > here for first in _FIRST_CLAUSES.values()
        )

    def title_rules(self, kind: ClauseKind, level: int) -> TitleRules:
        if kind is ClauseKind.TERM:
            # A term entry carries its English equivalent too.
            return TitleRules(
                60,
                strict=True,
                period=PeriodTitle.NEVER,
                next_line=60,
                next_line_modal_ok=True,
                term=True,
            )
        # GB/T titles may be long ("水污染物浓度分钟（例如 10 分钟）、小时、日均值（加权平均法）");
        # a requirement sentence is kept out of a numbered clause's title by its modal verb.
        modal_ok = kind not in (ClauseKind.CLAUSE, ClauseKind.ANNEX_CLAUSE)
        return TitleRules(
            40, strict=True, modal_ok=modal_ok, period=PeriodTitle.NEVER, next_line=30
        )

    def title_from_next_lines(self, node: Node, ctx: TreeContext, j: int) -> int:
        """A term under a bare "3.1", a title under a bare "5.2"."""
        if node.title or node.body or j >= len(ctx.lines) or ctx.lines[j].literal:
            return j
        rules = self.title_rules(node.kind, 0)
        if next_line_title(ctx.lines[j].text, rules):
            node.title = ctx.lines[j].text.strip()
            return j + 1
        return j

    # ------------------------------------------------------------ plausibility
    def pred_seen(self, key: tuple[int, ...], ctx: TreeContext) -> bool:
        """The number's predecessor (5.2.1 for 5.2.2, 5.2 for 5.2.1) was seen."""
        seen = ctx.state(Family.GB).seen
        if key[-1] > 1:
            return (*key[:-1], key[-1] - 1) in seen
        if len(key) == 1:
            return True  # chapter 1 has no predecessor
        if key[:-1] in seen:
            return True
        # "第一章 总则" then "1.1 目的": a regulation chapter stands in for GB chapter 1.
        return len(key) == 2 and ctx.chapter_alias() == key[0]

    def exact_next(self, num: Numbering, ctx: TreeContext) -> bool:
        st: GbState = ctx.state(Family.GB)
        key = num.key
        if key in st.seen:
            return False
        if len(key) == 1:
            return key[0] == st.max_chapter + 1
        return self.pred_seen(key, ctx)

    def stale(self, key: tuple[int, ...], mode: Mode, ctx: TreeContext) -> bool:
        """A number seen before only as an empty heading (a TOC entry that escaped
        detection, a heading repeated across a page break): the real heading replaces it."""
        old = ctx.state(Family.GB).seen[key]
        return (
            mode == "line"
            and not old.body
            and not old.children
            and old is not ctx.nodes[-1]
            and old.emit
        )

    def taken(self, key: tuple[int, ...], mode: Mode, ctx: TreeContext) -> bool:
        """The number was opened before and is not being replaced."""
        return key in ctx.state(Family.GB).seen and not self.stale(key, mode, ctx)


TREE = GbTree()


class GbClauseFamily(FamilyDefaults):
    """章/条 numbers (see module doc)."""

    name = "gb"
    first = "123456789"
    tree: GbTree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        if m := RE_GB.match(s):
            if followed_by_reference(s, m.end()):
                return REFERENCE
            return HeadingMatch(numbering(m.group("num")), pos, pos + m.end())
        if glued and (m := RE_GB_GLUED.match(s)):
            if followed_by_reference(s, m.end()):
                return REFERENCE
            return HeadingMatch(numbering(m.group("num")), pos, pos + m.end(), glued=True)
        return None

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        if mode == "tail":
            return self._accept_tail(hm, line, ctx)
        if mode == "lead":
            return False
        rest = line[hm.rest_start :]
        if hm.glued and not self._accept_glued(hm.numbering, mode, rest, ctx):
            return False
        return self.accept_number(hm.numbering, mode, rest, opened, ctx)

    def accept_number(
        self, num: Numbering, mode: Mode, rest: str, opened: Node | None, ctx: TreeContext
    ) -> bool:
        """The sequence rules every 条 follows (annex clauses too)."""
        tree, st = self.tree, ctx.state(Family.GB)
        key = num.key
        if tree.taken(key, mode, ctx):
            return False
        if mode == "punct":
            # Inside a line after a full stop a chapter number must be the next chapter and
            # carry its title ("…未找到引用源。5" at a line end is a page number).
            if len(key) == 1:
                return key[0] == st.max_chapter + 1 and bool(rest.strip())
            return tree.pred_seen(key, ctx)
        if mode == "glued":
            if opened is None or opened.num is None:
                return False
            if opened.num.family is Family.GB:
                return key[:-1] == opened.num.key and key[-1] == 1
            return key == (ctx.chapter_alias(), 1)
        # "line", and "colon": a number right after a colon is judged as if it began a line.
        if table_row(rest) and (num.level == 1 or not tree.exact_next(num, ctx)):
            return False  # "J.1.2 SIP/2.0 401 Unauthorized" continues the numbering: a title
        if num.kind is ClauseKind.CHAPTER:
            if st.annex_seen:
                return False  # chapters precede annexes: "9 …" in an annex is a table row
            head = _GB_IN_REST.split(rest, maxsplit=1)[0]
            if not title_like(head, 40):
                return False
            return self._chapter_plausible(key[0], ctx)
        if tree.pred_seen(key, ctx):
            return True
        if st.last is None:
            # First GB number of a document that starts mid-way: believe it when it reads
            # like a heading or a requirement, not like a quantity ("2.5 米高").
            return key[-1] == 1 or title_like(rest, 30) or bool(_REQUIREMENT.search(rest))
        parent = key[:-1]
        if parent in st.seen:
            siblings = [k[-1] for k in st.seen if k[:-1] == parent]
            return key[-1] - max(siblings, default=0) <= 3
        # Gap tolerance for noisy text: later in document order, within the next chapter.
        return key > st.last and key[0] <= st.last[0] + 1

    def _accept_glued(self, num: Numbering, mode: Mode, rest: str, ctx: TreeContext) -> bool:
        """A number run into its title ("3术语和定义") is a heading only on a line of its
        own, with a short title, as the exact next number: "3个工作日内…" is a sentence."""
        exact = self.tree.exact_next(num, ctx)
        if mode != "line" or not title_like(rest, 30) or rest[:1] in _QUANTIFIERS:
            return num.kind is not ClauseKind.CHAPTER and mode == "line" and exact
        return exact

    def _accept_tail(self, hm: HeadingMatch, line: str, ctx: TreeContext) -> bool:
        """A PDF text layer runs a heading onto the end of the previous table row ("…见
        6.3.3 章节6.3.3数据区"): a multi-level number, the exact next one, and a short
        title without digits that ends the line."""
        num = hm.numbering
        if num.level < 2 or num.kind is ClauseKind.ANNEX:
            return False
        title = line[hm.rest_start :].strip()
        return (
            title_like(title, 20, min_cjk=2, allow_modal=False)
            and not re.search(r"\d", title)
            and self.tree.exact_next(num, ctx)
        )

    def _chapter_plausible(self, n: int, ctx: TreeContext) -> bool:
        """Is a line "n 标题" chapter n?  Flattened tables start rows with "8", "9", "10"
        too, so beyond the plain next number the document must vouch for it: the TOC lists
        it, or a first sub-clause "n.1" follows.  Right after a table caption the plain
        next number needs that too."""
        st: GbState = ctx.state(Family.GB)
        if (n,) in st.seen:
            return True  # an empty heading taken over (see GbTree.stale)
        if _row_run(n, ctx):
            return False
        listed = str(n) in ctx.toc_labels
        vouched = listed or ctx.last_line(numbering(f"{n}.1")) > ctx.line_index
        if len(ctx.toc_labels) >= 3 and not vouched:
            return False
        if st.last is None:
            return True
        if n == st.max_chapter + 1:
            return vouched or not ctx.in_table
        return n - st.max_chapter <= 3 and vouched


def _row_run(n: int, ctx: TreeContext) -> bool:
    """This line is one of at least three adjacent lines numbered n-1, n, n+1 (bare
    integers): a run of table rows ("3 PW 错误", "4 MN 错误", "5 …"), not chapters.
    Two adjacent chapter lines are normal: an empty chapter heading ("2 规范性引用文件")
    right before the next chapter ("3 术语和定义")."""
    i = ctx.line_index

    def chapter_at(k: int, want: int) -> bool:
        if not 0 <= k < len(ctx.lines) or ctx.lines[k].literal:
            return False
        hm = ctx.matches[k]
        return hm is not None and hm.numbering.family is Family.GB and hm.numbering.key == (want,)

    before = 0
    while before < 2 and chapter_at(i - before - 1, n - before - 1):
        before += 1
    after = 0
    while after < 2 and chapter_at(i + after + 1, n + after + 1):
        after += 1
    return before + after >= 2


class ListedChapterFamily(FamilyDefaults):
    """ "1、范围" in a document whose 目次 lists "1 范围": the chapter, typed loosely.
    Contextual (only the tree builder asks it, before the outline reading of "1、"):
    without the 目次's word, "1、" is an outline number."""

    name = "gb_listed_chapter"
    first = "123456789"
    inline = False
    contextual = True
    tree: GbTree = TREE

    def match(self, s: str, pos: int, *, glued: bool) -> MatchResult:
        m = _RE_LOOSE_CHAPTER.match(s)
        if m is None:
            return None
        n = int(m.group("n"))
        return HeadingMatch(numbering(str(n)), pos, pos + m.end())

    def accept(
        self, hm: HeadingMatch, line: str, mode: Mode, opened: Node | None, ctx: TreeContext
    ) -> bool:
        key = hm.numbering.key
        if mode != "line" or str(key[0]) not in ctx.toc_labels:
            return False
        if key in ctx.state(Family.GB).seen:
            return False
        return FAMILY.accept(hm, line, mode, opened, ctx)


# The outline shape "1." / "1、" (see grammar.families.outline_arabic).
_RE_LOOSE_CHAPTER = re.compile(r"^(?P<n>[1-9]\d?)[ \t]*(?:[、]|\.(?!\d))")

FAMILY = GbClauseFamily()
LISTED_CHAPTER = ListedChapterFamily()

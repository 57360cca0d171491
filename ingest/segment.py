"""Clause segmentation: lines of one document → numbered clauses with heading paths.

:mod:`grammar.numbering` says what *looks* like a heading number; this module decides what
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
* **Headings glued after the title.**  Web pages run the document title, or the sentence
  before the first section, into the first heading ("某某方案一、背景…", "…办法第一章总则第一条…",
  "…规则如下:一、…").  While nothing is numbered yet, a first number ("一、", "第一章", "（一）",
  "1.") is split off there only if its sequence visibly goes on: its next sibling starts a
  later line, or its own short title is glued to its first child ("一、甲方面:1、…").  What
  comes before must be the document's first line read as a title, the document title (or the
  phrase that opens the line) repeated, or a finished sentence.
* **Slide-deck parts** ("01经营概述CHAPTER") are outline headings above "一、", numbered as
  printed ("01"); like a regulation chapter they do not prefix their children's numbers.
* **列项, 注, 示例, tables stay in the clause text**; "（一）" items inside a regulation
  article are the article's items, not headings.
* A heading is never separated from its body: the clause text runs to the next heading.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from grammar.families import regulation
from grammar.numbering import (
    ANNEX_BASE,
    OUTLINE_ARABIC,
    OUTLINE_CIRCLED,
    OUTLINE_CN,
    OUTLINE_PAREN_CN,
    OUTLINE_PART,
    RE_CAPTION,
    Family,
    HeadingMatch,
    Numbering,
    halfwidth,
    is_block_start,
    match_at,
    parse_annex_type,
)
from grammar.schema import AnnexType, Clause, ClauseKind, HeadingRef
from grammar.titles import (
    brackets_balanced,
    ends_in_reference,
    has_modal,
    is_lead_in,
    title_like,
    title_then_body,
)
from ingest.readers.base import Line
from ingest.toc import toc_labels, toc_lines

_SENTENCE_END = "。；;！？!?"
_COLON = ":："
# Where an inline heading may begin: after sentence-final punctuation or whitespace.
_INLINE_CANDIDATE = re.compile(r"[1-9A-Z第一二三四五六七八九十(（附]")
_GB_IN_REST = re.compile(r"\s[1-9]\d{0,2}\.[1-9]")
_GLUED_WINDOW = 25
_TAIL_WINDOW = 30
_TABLE_CAPTION = re.compile(r"^表[ \t]*(?:[A-Z]\.)?\d{1,3}")
# Words after which a number is a reference or a caption's number, never a heading.
_TAIL_BEFORE = re.compile(r"(?:表|图|式|见|按|依|据|照|和|及|与|或|、|至|第|附录)$")
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
# Around a document title printed on the first line: a collection's "第1篇" / "第一篇:" or
# a stray page number before it, a "【一】" / "[1]" document number after it.
_TITLE_LEAD = re.compile(
    r"^(?:第[ \t]*[0-9一二三四五六七八九十]{1,3}[ \t]*[篇部][:：]?|\d{1,3}(?=\D))"
)
_TITLE_TAIL = re.compile(r"(?:【[^】]{1,4}】|\[[^\]]{1,4}\])$")
# A title repeated right before the first heading is at least this long.
_MIN_REPEATED_TITLE = 6
# How the title of a rule, plan or guide ends ("…实施方案", "…管理办法", "…服务100条").
_DOC_TYPE_END = re.compile(
    r"(?:方案|规范|办法|细则|制度|措施|规定|条例|标准|指南|指引|规则|准则|守则|须知|模板|范本"
    r"|范文|条|通知|意见|计划|要求|流程|体系|手册|纲要|章程|导则)$"
)
# Words that make the number after them a cross-reference ("详见第一章…", "按照一、…").
_REF_BEFORE = re.compile(r"(?:见|按|依|据|照|同|如|参考|参阅)$")
_REQUIREMENT = re.compile(r"应|宜|不得|可以|必须")
# Measure words and units that make a number glued to them a quantity ("3个", "5年").
_QUANTIFIERS = frozenset("个年月日天周次名人家种类项级倍米元份台套条款页位度分秒号层")


# Numbering of GB/T 1.1 text proper (章, 条, 术语, 附录): its headings follow the standard's
# rules, so the guesses made for scraped outlines and regulations do not apply.
_GB_KINDS = frozenset(
    {
        ClauseKind.CHAPTER,
        ClauseKind.CLAUSE,
        ClauseKind.TERM,
        ClauseKind.ANNEX,
        ClauseKind.ANNEX_CLAUSE,
    }
)
# 可 as the modal verb of 附录C ("可不注日期引用"), not inside 可靠, 可行, 可追溯….
_MAY = re.compile(r"可(?![靠行能信用及追持比视控燃操选见])")


def _title_limit(kind: ClauseKind) -> int:
    """Longest plausible title: regulation articles have none to speak of, chapters and
    annexes have long ones, a term entry carries its English equivalent too."""
    if kind is ClauseKind.ARTICLE:
        return 12
    if kind is ClauseKind.TERM:
        return 60
    if kind in (
        ClauseKind.CHAPTER,
        ClauseKind.ANNEX,
        ClauseKind.REG_CHAPTER,
        ClauseKind.REG_SECTION,
        ClauseKind.REG_PART,
        ClauseKind.ELEMENT,
        # GB/T sub-clauses carry long titles too ("水污染物浓度分钟（例如 10 分钟）、小时、
        # 日均值（加权平均法）"); a requirement sentence is kept out by its modal verb.
        ClauseKind.CLAUSE,
        ClauseKind.ANNEX_CLAUSE,
    ):
        return 40
    return 30


# Words that make a phrase a clause of a sentence rather than a heading: verbs and
# prepositions that introduce an object ("团体标准的编号由…", "军用标准包括…") and words
# that cannot end a heading ("养老护理员中", "一个网络公司的").
_PREDICATE = re.compile(r"包括|持有|接受|每年|[由按在是]|[的中和与及或对向从以将把被有不]$")
_DOUBLED_BIGRAM = re.compile(r"(..)\1")


def _heading_phrase(head: str) -> bool:
    """Could ``head`` be a heading glued to its body: words only, no modal verb, nothing
    that reads as the subject and verb of a sentence."""
    return (
        bool(_WORDS_ONLY.match(head))
        and not has_modal(head)
        and not _MAY.search(head)
        and not _PREDICATE.search(head)
        and not _DOUBLED_BIGRAM.search(head)
    )


def _title_sentence(text: str, max_len: int) -> bool:
    """A title-like phrase that does not read as the subject and verb of a sentence."""
    t = text.strip().rstrip(_COLON).strip()
    return (
        title_like(t, max_len, min_cjk=2, allow_modal=False)
        and not _PREDICATE.search(t)
        and not _MAY.search(t)
    )


def _first_line_title(prefix: str, doc_title: str) -> bool:
    """The text before a heading on a document's first line is its title ("第1篇某某方案",
    "1某某规范", "某某方案【一】"): a phrase that ends like the title of a rule or plan, or
    that is part of the document title found elsewhere."""
    t = _TITLE_LEAD.sub("", prefix.strip())
    t = _TITLE_TAIL.sub("", t).strip()
    if len(re.findall(r"[\u4e00-\u9fff]", t)) < 4 or not _title_sentence(t, 40):
        return False
    title = halfwidth(doc_title).strip()
    return bool(_DOC_TYPE_END.search(t)) or (
        len(t) >= _MIN_REPEATED_TITLE
        and len(title) >= _MIN_REPEATED_TITLE
        and (t in title or title in t)
    )


def _ends_with_title(prefix: str, doc_title: str) -> bool:
    """``prefix`` ends with the document title, or with the phrase that opens it (a page
    that prints its title, a paragraph, then the title again before "一、")."""
    prefix = prefix.strip()
    title = halfwidth(doc_title).strip()
    if len(title) >= _MIN_REPEATED_TITLE and halfwidth(prefix).endswith(title):
        return True
    for n in range(min(30, len(prefix) // 2), _MIN_REPEATED_TITLE - 1, -1):
        head = prefix[:n]
        if prefix.endswith(head) and _title_sentence(head, 30):
            return True
    return False


def _doubled_title(s: str, loose: bool) -> tuple[str, str] | None:
    """Scraped pages print a heading and start its body with the same words
    ("服务态度服务态度是…").  A whole phrase repeated at once is the clear case.  With ``loose``, a heading
    whose first four characters open the body ("服务标准的定义与意义服务标准是指…") counts
    too, but only if the heading reads as a noun phrase: a requirement whose first words
    recur later ("服务机构宜投保养老服务机构责任保险") is not doubled."""
    for n in range(3, 13):
        head, k = s[:n], min(n, 4)
        if len(s) <= n + k or not _heading_phrase(head):
            continue
        if s[n : 2 * n] == head or (loose and s[n : n + k] == s[:k]):
            return head, s[n:]
    return None


# What follows a word that is the subject of a sentence, not a heading glued to its body:
# "前言不编章号", "前言宜依次给出…", "引言可包括…", "总则应…", "前言为资料性要素".
_PREDICATE_START = re.compile(
    r"不|宜|应|可|须|是|由|包括|给出|用于|中|位于|一般|通常|主要|只|仅|也|还|都|需|要|能|将|被"
    r"|置于|编|列|为(?!了)"
)


def _stock_heading(s: str, gb: bool) -> tuple[str, str] | None:
    """A stock heading word glued to its body ("总则为适应新的市场形势…").  In a GB-numbered
    clause such a word is usually the subject of the clause's sentence ("6.2.1 前言不编
    章号"), so there the rest must not read as its predicate."""
    for word in _STOCK_HEADINGS:
        if not s.startswith(word) or len(s) <= len(word) + 4 or s[len(word)] in "的之和与及":
            continue
        if gb and _PREDICATE_START.match(s, len(word)):
            return None
        return word, s[len(word) :].lstrip(_COLON + "。 ")
    return None


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
    gb = kind in _GB_KINDS
    if (gb and s[-1] in _COLON) or is_lead_in(s):
        # GB/T 1.1 titles never end in a colon; "按公式（1）计算：" introduces what follows,
        # and so does "产品分类的基本要求如下：" in any text.
        return "", s
    # Requirement sentences cut by a line break have no punctuation yet are not titles.
    modal_ok = kind not in (ClauseKind.CLAUSE, ClauseKind.ANNEX_CLAUSE, ClauseKind.OUTLINE)
    whole = (
        title_like(s, _title_limit(kind), allow_modal=modal_ok)
        and brackets_balanced(s)
        and not ends_in_reference(s)
    )
    # A line that is a title as it stands ("注日期引用和不注日期引用") is split only if
    # genuinely doubled.
    alone = whole and s[-1] not in _COLON
    doubled = _doubled_title(s, loose=kind is not ClauseKind.ARTICLE and not alone)
    if doubled:
        return doubled
    if whole:
        return s.rstrip(_COLON).strip(), ""
    if kind is ClauseKind.ARTICLE:
        return "", s
    # "服务时间 客户服务人员应…": a short phrase, a space, then the body.
    head, sep, tail = s.partition(" ")
    if not sep:
        head, sep, tail = s.partition("\u3000")
    if sep and title_then_body(head, tail, term=kind is ClauseKind.TERM):
        return head, tail.strip()
    stock = _stock_heading(s, gb)
    if stock:
        return stock
    if gb:
        # "额定电压：12 V/24 V…", "Invite sip:…": a label with its value is body text.
        return "", s
    # "制定服务标准:首先，…": a short phrase before a colon names the item; keep the body whole.
    m = re.match(r"^([^:：]{2,20})[:：]", s)
    if m and title_like(m.group(1), 20, allow_modal=False):
        return m.group(1).strip(), s
    return "", s


_PERIOD_TITLE = re.compile(r"([^。]{2,15})。\s*(.*)", re.S)


def _period_heading(title: str, body: str, node: _Node) -> tuple[str, str]:
    """Web guides end some headings with a full stop ("一、引言。", "二、标准体系的内容。").
    Recover the title when the phrase before "。" is a stock heading word, or is the whole
    line of a chapter-like outline item ("一、", "（一）"); list items ("1. 服务无小事。")
    and GB clauses keep their sentence."""
    if title or node.num is None or node.num.family is Family.GB:
        return title, body
    m = _PERIOD_TITLE.fullmatch(body.strip())
    if m is None or not title_like(m.group(1), 15, allow_modal=False):
        return title, body
    head, rest = m.group(1).strip(), m.group(2).strip()
    chapter_like = node.num.family is Family.OUTLINE and node.num.level <= OUTLINE_PAREN_CN
    if head in _STOCK_HEADINGS or (chapter_like and not rest):
        return head, rest
    return title, body


@dataclass(slots=True, eq=False)
class _Node:
    num: Numbering | None
    label: str
    clause_no: str
    kind: ClauseKind
    rank: tuple[int, int, int]
    ancestors: list[_Node]
    start: int
    page: int | None
    annex_type: AnnexType | None = None
    title: str = ""
    body: list[str] = field(default_factory=list)
    end: int = 0
    emit: bool = True
    children: int = 0

    def ref(self) -> HeadingRef:
        return HeadingRef(self.label, self.title)


@dataclass(slots=True)
class SegmentedDocument:
    """Clauses of one document plus the text their offsets refer to."""

    clauses: list[Clause]
    text: str
    warnings: list[str] = field(default_factory=list)


class _Segmenter:
    """One pass over the lines of one document.  State is the numbering seen so far."""

    def __init__(self, doc_title: str = "") -> None:
        self.doc_title = doc_title
        # Last line that starts with each heading shape (syntax only), for looking ahead.
        self.last_line_of: dict[tuple[Family, ClauseKind, int, tuple[int, ...]], int] = {}
        self.line_index = 0
        self.nodes: list[_Node] = []
        self.stack: list[_Node] = []
        self.family_order: dict[Family, int] = {}
        self.gb_seen: dict[tuple[int, ...], _Node] = {}
        self.gb_last: tuple[int, ...] | None = None
        self.max_chapter = 0
        self.reg_last: dict[ClauseKind, int] = {}
        self.toc_node: _Node | None = None
        self.annex_seen = False
        self.lines: list[Line] = []
        self.matches: list[HeadingMatch | None] = []
        self.toc_labels: set[str] = set()
        self.in_table = False
        self.gb_chapters = 0
        self.toc: set[int] = set()

    # ------------------------------------------------------------ plausibility
    def _chapter_alias(self) -> int | None:
        """Number of the innermost open regulation chapter ("第二章") or top outline item
        ("二、"): texts that use those for chapters number their clauses "2.1", "2.2"."""
        for node in reversed(self.stack):
            if node.num and (
                node.kind is ClauseKind.REG_CHAPTER
                or (node.num.family is Family.OUTLINE and node.num.level <= 1)
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
        if key in self.gb_seen and not self._stale(key, mode):
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
        if _table_row(rest) and (num.level == 1 or not self._exact_next(num)):
            return False  # "J.1.2 SIP/2.0 401 Unauthorized" continues the numbering: a title
        if num.kind is ClauseKind.CHAPTER:
            if self.annex_seen:
                return False  # chapters precede annexes: "9 …" in an annex is a table row
            head = _GB_IN_REST.split(rest, maxsplit=1)[0]
            if not title_like(head, 40):
                return False
            return self._chapter_plausible(key[0])
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

    def _accept_glued(self, num: Numbering, mode: str, rest: str) -> bool:
        """A number run into its title ("3术语和定义") is a heading only on a line of its
        own, with a short title, as the exact next number: "3个工作日内…" is a sentence."""
        if mode != "line" or not title_like(rest, 30) or rest[:1] in _QUANTIFIERS:
            return num.kind is not ClauseKind.CHAPTER and mode == "line" and self._exact_next(num)
        return self._exact_next(num)

    def _chapter_plausible(self, n: int) -> bool:
        """Is a line "n 标题" chapter n?  Flattened tables start rows with "8", "9", "10"
        too, so beyond the plain next number the document must vouch for it: the TOC lists
        it, or a first sub-clause "n.1" follows.  Right after a table caption the plain
        next number needs that too."""
        if (n,) in self.gb_seen:
            return True  # an empty heading taken over (see _stale)
        if self._row_run(n):
            return False
        listed = str(n) in self.toc_labels
        child_later = self.last_line_of.get((Family.GB, ClauseKind.CLAUSE, 2, (n, 1)), -1)
        vouched = listed or child_later > self.line_index
        if len(self.toc_labels) >= 3 and not vouched:
            return False
        if self.gb_last is None:
            return True
        if n == self.max_chapter + 1:
            return vouched or not self.in_table
        return n - self.max_chapter <= 3 and vouched

    def _row_run(self, n: int) -> bool:
        """This line is one of at least three adjacent lines numbered n-1, n, n+1 (bare
        integers): a run of table rows ("3 PW 错误", "4 MN 错误", "5 …"), not chapters.
        Two adjacent chapter lines are normal: an empty chapter heading ("2 规范性引用文件")
        right before the next chapter ("3 术语和定义")."""
        i = self.line_index

        def chapter_at(k: int, want: int) -> bool:
            if not 0 <= k < len(self.lines) or self.lines[k].literal:
                return False
            hm = self.matches[k]
            return (
                hm is not None and hm.numbering.family is Family.GB and hm.numbering.key == (want,)
            )

        before = 0
        while before < 2 and chapter_at(i - before - 1, n - before - 1):
            before += 1
        after = 0
        while after < 2 and chapter_at(i + after + 1, n + after + 1):
            after += 1
        return before + after >= 2

    def _accept_tail(self, hm: HeadingMatch, line: str) -> bool:
        """See ``tail_ok`` in :meth:`_inline_splits`."""
        num = hm.numbering
        if num.family is not Family.GB or num.level < 2 or num.kind is ClauseKind.ANNEX:
            return False
        title = line[hm.rest_start :].strip()
        return (
            title_like(title, 20, min_cjk=2, allow_modal=False)
            and not re.search(r"\d", title)
            and self._exact_next(num)
        )

    def _exact_next(self, num: Numbering) -> bool:
        key = num.key
        if key in self.gb_seen:
            return False
        if len(key) == 1:
            return key[0] == self.max_chapter + 1
        return self._gb_pred_seen(key)

    def _stale(self, key: tuple[int, ...], mode: str) -> bool:
        """A number seen before only as an empty heading (a TOC entry that escaped
        detection, a heading repeated across a page break): the real heading replaces it."""
        old = self.gb_seen[key]
        return (
            mode == "line"
            and not old.body
            and not old.children
            and old is not self.nodes[-1]
            and old.emit
        )

    def _accept_reg(self, num: Numbering, mode: str) -> bool:
        return regulation.plausible_next(num, mode, self.reg_last.get(num.kind, 0))

    def _gb_text(self) -> bool:
        """The document is numbered the GB/T 1.1 way (chapters seen before any outline)."""
        fo = self.family_order
        return (
            self.gb_chapters >= 2
            and Family.GB in fo
            and (Family.OUTLINE not in fo or fo[Family.GB] < fo[Family.OUTLINE])
        )

    def _accept_outline(
        self, num: Numbering, mode: str, opened: _Node | None, rest: str = ""
    ) -> bool:
        if self.stack and self.stack[-1].kind is ClauseKind.ARTICLE:
            return False  # "（一）…" items belong to the article
        if self._gb_text():
            return False  # in a GB/T-numbered text, "1." and "（1）" are 列项 and table notes
        if num.level == OUTLINE_PART:
            return mode == "line"
        if num.level == OUTLINE_CIRCLED:
            # "①持证上岗；" is a list item (列项) of the clause above; only a short title on
            # a line of its own ("①列项的引出形式") is a fifth-level outline heading.
            return mode == "line" and _title_sentence(rest, 20)
        if mode == "line":
            return True
        if num.level > OUTLINE_ARABIC:
            return False  # "(1)…;(2)…" runs inside a sentence stay text
        if mode == "colon":
            # "以下是几个示例:1. 制定服务标准:…" then "2." on the next line: a lead-in
            # sentence and the first item of a numbered list glued onto one line.
            return num.level == OUTLINE_ARABIC and num.key[0] == 1
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

    def _in_preamble(self) -> bool:
        return len(self.nodes) == 1 and self.nodes[0].kind is ClauseKind.PREAMBLE

    def _sibling_follows(self, num: Numbering) -> bool:
        """A later line starts with the next number of ``num``'s sequence."""
        key = (num.family, num.kind, num.level, (num.key[0] + 1,))
        return self.last_line_of.get(key, -1) > self.line_index

    def _accept_lead(self, hm: HeadingMatch, line: str, q: int) -> bool:
        """First heading glued into the preamble (see module doc): the first number of an
        outline or regulation sequence, after the title or a finished sentence, whose
        sequence goes on."""
        num = hm.numbering
        if not self._in_preamble() or num.key != (1,):
            return False
        if num.family is Family.OUTLINE:
            if not OUTLINE_CN <= num.level <= OUTLINE_ARABIC:
                return False
        elif num.family is not Family.REG:
            return False
        prefix = halfwidth(line[:q]).rstrip()
        if not prefix or _REF_BEFORE.search(prefix):
            return False
        after_sentence = prefix[-1] in _SENTENCE_END + _COLON
        after_title = (
            self.line_index == 0 and _first_line_title(prefix, self.doc_title)
        ) or _ends_with_title(prefix, self.doc_title)
        if not (after_sentence or after_title):
            return False
        return self._sibling_follows(num) or _opens_list(line, hm)

    def accept(self, hm: HeadingMatch, line: str, mode: str, opened: _Node | None) -> bool:
        num = hm.numbering
        rest = line[hm.rest_start :]
        if num.family is Family.GB:
            if hm.glued and not self._accept_glued(num, mode, rest):
                return False
            return self._accept_gb(num, mode, rest, opened)
        if num.family is Family.REG:
            return self._accept_reg(num, mode)
        if num.family is Family.OUTLINE:
            return self._accept_outline(num, mode, opened, rest)
        return mode == "line"  # ELEMENT: a line of its own

    # ------------------------------------------------------------ structure
    def _rank(self, num: Numbering) -> tuple[int, int, int]:
        """(family order, level, sub-list depth); see :meth:`_outline_rank`."""
        if num.family not in self.family_order:
            self.family_order[num.family] = len(self.family_order)
        base = (self.family_order[num.family], num.level, 0)
        return self._outline_rank(num, base) if num.family is Family.OUTLINE else base

    def _outline_rank(self, num: Numbering, base: tuple[int, int, int]) -> tuple[int, int, int]:
        """Web guides restart a list inside the same parent ("方针:1. 2. 3. 目标:1. 2. 3."),
        which would give two clauses "一、2.".  A list that restarts at 1 while an item of its
        level is still open is a sub-list of that item (one sub-list depth deeper).  A later
        item joins the open list that holds its predecessor ("八、" after "七、" closes the
        sub-list "一、" that "七、" opened)."""
        same = [
            node
            for node in self.stack
            if node.rank[:2] == base[:2] and node.num is not None and node.num.family is num.family
        ]
        if not same:
            return base
        n = num.key[0]
        if n == 1:
            return (*base[:2], same[-1].rank[2] + 1)
        for node in reversed(same):
            if node.num is not None and node.num.key[0] == n - 1:
                return node.rank
        return same[-1].rank

    def _clause_no(self, num: Numbering, ancestors: list[_Node]) -> str:
        if num.family is Family.OUTLINE:
            chain: list[str] = []
            for node in reversed(ancestors):
                if not (node.num and node.num.family is Family.OUTLINE):
                    break
                if node.num.level == OUTLINE_PART:
                    break  # a deck part is a chapter: "1." under "02" is "1."
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
        if ancestors:
            ancestors[-1].children += 1
        self.nodes.append(node)
        self.stack.append(node)
        if num.family is Family.GB:
            self.in_table = False
            if (old := self.gb_seen.get(num.key)) is not None:
                old.emit = False  # replaced by the real heading (see _stale)
            self.gb_seen[num.key] = node
            self.gb_last = num.key
            if num.kind is ClauseKind.CHAPTER:
                self.max_chapter = max(self.max_chapter, num.key[0])
                self.gb_chapters += 1
            elif num.kind is ClauseKind.ANNEX:
                self.annex_seen = True
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
                k = q - 1
                while k >= 0 and half[k] in " \t\u3000":
                    k -= 1
                if k < 0:
                    continue
                last = half[k]
                prev = half[max(0, k - 3) : k + 1]  # enough for the words _TAIL_BEFORE knows
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
                colon_ok = last in _COLON
                lead_ok = opened is None and self._in_preamble()
                # A PDF text layer runs a heading onto the end of the previous table row
                # ("…见 6.3.3 章节6.3.3数据区"): a multi-level number and a short title
                # that end the line.
                tail_ok = (
                    len(half) - q <= _TAIL_WINDOW
                    and not _TAIL_BEFORE.search(prev)
                    and not RE_CAPTION.match(half.lstrip())
                    and not half[q - 1].isdigit()
                    and half[q - 1] not in "./"
                    and not (half[q - 1].isascii() and half[q - 1].isalpha())
                )
                if not (glued_ok or punct_ok or colon_ok or lead_ok or tail_ok):
                    continue
                hm = match_at(line, q, glued=tail_ok)
                if hm is None:
                    continue
                if tail_ok and self._accept_tail(hm, line):
                    hit = hm
                    break
                if hm.glued:
                    continue
                if punct_ok and self.accept(hm, line, "punct", opened):
                    hit = hm
                    break
                if colon_ok and self.accept(hm, line, "colon", opened):
                    hit = hm
                    break
                if glued_ok and self.accept(hm, line, "glued", opened):
                    hit = hm
                    break
                if lead_ok and self._accept_lead(hm, line, q):
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
            None, "", "", ClauseKind.PREAMBLE, (-1, 0, 0), [], 0, lines[0].page if lines else None
        )
        self.nodes.append(preamble)
        # Every line's heading shape, computed once (look-ahead, the main loop, checks).
        self.matches = [None if ln.literal else _match_line(ln.text) for ln in lines]
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

            hm = self._as_listed_chapter(self.matches[i])
            if hm is not None and self.accept(hm, text, "line", None):
                node = self.open(hm.numbering, base + hm.pos, page, hm.annex_type)
                i = self._fill_heading_line(node, hm, text, base, page, lines, i)
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

    def _as_listed_chapter(self, hm: HeadingMatch | None) -> HeadingMatch | None:
        """ "1、范围" in a document whose TOC lists "1 范围": the chapter, typed loosely."""
        if (
            hm is None
            or hm.numbering.family is not Family.OUTLINE
            or hm.numbering.level != OUTLINE_ARABIC
        ):
            return hm
        n = hm.numbering.key[0]
        if str(n) not in self.toc_labels or (n,) in self.gb_seen:
            return hm
        num = Numbering(Family.GB, ClauseKind.CHAPTER, (n,), 1, str(n))
        return HeadingMatch(num, hm.pos, hm.rest_start)

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
        if hm.rest_end is not None:
            text = text[: hm.rest_end]
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
                and not lines[j].literal
                and title_like(lines[j].text, 40)
                and _next_line_title(lines[j].text)
            ):
                node.title = lines[j].text.strip()
                j += 1
        elif (
            not node.title
            and not node.body
            and node.num
            and node.num.family is Family.GB
            and j < len(lines)
            and not lines[j].literal
        ):
            nxt = lines[j].text
            limit = 60 if node.kind is ClauseKind.TERM else 30
            if title_like(
                nxt, limit, allow_modal=node.kind is ClauseKind.TERM
            ) and _next_line_title(nxt):
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
            title, body = _period_heading(*split_title(piece, node.kind), node)
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
            title, body = _period_heading(
                *split_title(text[hm.rest_start : bounds[k + 1]], split_node.kind), split_node
            )
            split_node.title = title
            if body:
                split_node.body.append(body)

    def finish(self, doc_len: int) -> list[_Node]:
        if self.nodes:
            self.nodes[-1].end = doc_len
        return self.nodes


def _next_line_title(text: str) -> bool:
    """The line after a bare heading number may be its title ("附录A" / "（规范性）" / "服务
    流程", a term under "3.1"), unless it starts a block of its own or reads as the first
    line of the body: a lead-in ("…如下："), a bracket left open, a cut reference."""
    t = text.strip()
    return (
        not is_block_start(t)
        and t[-1:] not in _COLON
        and brackets_balanced(t)
        and not ends_in_reference(t)
    )


_ASCII_TOKEN = re.compile(r"^[A-Za-z0-9_\[\]()./:+\-]+$")
_NUMBER_TOKEN = re.compile(r"^[0-9]+(?:[.\-~～][0-9]+)*$")
_TICK = re.compile(r"[√×✓✗■□]")


def _table_row(rest: str) -> bool:
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


def _opens_list(line: str, hm: HeadingMatch) -> bool:
    """The heading's short title is glued to the first number of a deeper level
    ("一、工作规范方面:1、…", "第一章总则第一条…"): a heading that opens a list."""
    num = hm.numbering
    half = halfwidth(line)
    start = hm.rest_start
    for p in range(start + 2, min(len(line), start + _GLUED_WINDOW + 1)):
        if half[p - 1] in _SENTENCE_END:
            return False
        if half[p - 1].isdigit() or half[p - 1] in "./":
            continue
        child = match_at(line, p)
        if (
            child is not None
            and child.numbering.family is num.family
            and child.numbering.level > num.level
            and child.numbering.key == (1,)
            and title_like(half[start:p], _GLUED_WINDOW)
        ):
            return True
    return False


def _match_line(text: str) -> HeadingMatch | None:
    stripped = len(text) - len(text.lstrip(" \t\u3000"))
    return match_at(text, stripped, glued=True)


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
                is_section=not body and id(node) in parents,
            )
        )
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

"""Where a heading's title ends and its body begins, by the rules of its numbering family.

:mod:`grammar.titles` says whether a piece of text *could* be a title; this module splits
the text after a heading number into (title, body).  The rules differ per family, so each
family hands the tree builder a :class:`TitleRules` (see ``title_rules`` of the tree
rules in :mod:`grammar.families`): GB/T 1.1 titles never end in a colon and a requirement
sentence is no title; a regulation article has no title to speak of; a web guide's "一、引
言。" ends its title with a full stop.  The document-title helpers (a title printed before
the first heading) live here too, because they use the same phrase tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from grammar.families.base import halfwidth
from grammar.titles import (
    brackets_balanced,
    ends_in_reference,
    has_modal,
    is_lead_in,
    title_like,
    title_then_body,
)

COLON = ":："
SENTENCE_END = "。；;！？!?"


class PeriodTitle(IntEnum):
    """May a title end in a full stop ("一、引言。")?"""

    NEVER = 0  # GB/T numbered text: the sentence is body
    STOCK = 1  # only a stock heading word ("总则。")
    LINE = 2  # a stock word, or a short phrase that is the whole line (chapter-like items)


@dataclass(frozen=True, slots=True)
class TitleRules:
    """How one family's headings carry their titles.

    ``limit``: the longest plausible title.  ``strict``: GB/T 1.1 text (a line ending in a
    colon is body, a label with its value is body, a stock word is usually the subject of
    the clause's sentence).  ``modal_ok``: a title may contain a modal verb (a requirement
    sentence cut by a line break has none of a title's punctuation, so numbered clauses say
    no).  ``article``: a regulation article, whose text after the number is its body unless
    it is a short title alone or doubled.  ``period``: see :class:`PeriodTitle`.
    ``next_line``: longest title read from the line after a bare number (0: never);
    ``next_line_modal_ok`` as ``modal_ok`` for it.  ``term``: a term entry, whose English
    equivalent may follow the term after a space.
    """

    limit: int = 30
    strict: bool = False
    modal_ok: bool = True
    article: bool = False
    period: PeriodTitle = PeriodTitle.STOCK
    next_line: int = 0
    next_line_modal_ok: bool = False
    term: bool = False


# Heading words of Chinese administrative and guidance texts that never begin a sentence,
# so "总则为适应…" can only be the heading "总则" glued to its body.  Longest first.
STOCK_HEADINGS = tuple(
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
# 可 as the modal verb of 附录C ("可不注日期引用"), not inside 可靠, 可行, 可追溯….
_MAY = re.compile(r"可(?![靠行能信用及追持比视控燃操选见])")
# Words that make a phrase a clause of a sentence rather than a heading: verbs and
# prepositions that introduce an object ("团体标准的编号由…", "军用标准包括…") and words
# that cannot end a heading ("养老护理员中", "一个网络公司的").
_PREDICATE = re.compile(r"包括|持有|接受|每年|[由按在是]|[的中和与及或对向从以将把被有不]$")
_DOUBLED_BIGRAM = re.compile(r"(..)\1")
# What follows a word that is the subject of a sentence, not a heading glued to its body:
# "前言不编章号", "前言宜依次给出…", "引言可包括…", "总则应…", "前言为资料性要素".
_PREDICATE_START = re.compile(
    r"不|宜|应|可|须|是|由|包括|给出|用于|中|位于|一般|通常|主要|只|仅|也|还|都|需|要|能|将|被"
    r"|置于|编|列|为(?!了)"
)
_PERIOD_TITLE = re.compile(r"([^。]{2,15})。\s*(.*)", re.S)


def heading_phrase(head: str) -> bool:
    """Could ``head`` be a heading glued to its body: words only, no modal verb, nothing
    that reads as the subject and verb of a sentence."""
    return (
        bool(_WORDS_ONLY.match(head))
        and not has_modal(head)
        and not _MAY.search(head)
        and not _PREDICATE.search(head)
        and not _DOUBLED_BIGRAM.search(head)
    )


def title_sentence(text: str, max_len: int) -> bool:
    """A title-like phrase that does not read as the subject and verb of a sentence."""
    t = text.strip().rstrip(COLON).strip()
    return (
        title_like(t, max_len, min_cjk=2, allow_modal=False)
        and not _PREDICATE.search(t)
        and not _MAY.search(t)
    )


def _doubled_title(s: str, loose: bool) -> tuple[str, str] | None:
    """Scraped pages print a heading and start its body with the same words
    ("服务态度服务态度是…").  A whole phrase repeated at once is the clear case.  With ``loose``, a heading
    whose first four characters open the body ("服务标准的定义与意义服务标准是指…") counts
    too, but only if the heading reads as a noun phrase: a requirement whose first words
    recur later ("服务机构宜投保养老服务机构责任保险") is not doubled."""
    for n in range(3, 13):
        head, k = s[:n], min(n, 4)
        if len(s) <= n + k or not heading_phrase(head):
            continue
        if s[n : 2 * n] == head or (loose and s[n : n + k] == s[:k]):
            return head, s[n:]
    return None


def _stock_heading(s: str, strict: bool) -> tuple[str, str] | None:
    """A stock heading word glued to its body ("总则为适应新的市场形势…").  In a GB-numbered
    clause (``strict``) such a word is usually the subject of the clause's sentence ("6.2.1
    前言不编章号"), so there the rest must not read as its predicate."""
    for word in STOCK_HEADINGS:
        if not s.startswith(word) or len(s) <= len(word) + 4 or s[len(word)] in "的之和与及":
            continue
        if strict and _PREDICATE_START.match(s, len(word)):
            return None
        return word, s[len(word) :].lstrip(COLON + "。 ")
    return None


def split_title(rest: str, rules: TitleRules) -> tuple[str, str]:
    """Split the text after a heading number into (title, body).

    Standards put a title alone on the heading line ("5.2 服务人员") or a requirement with
    no title ("5.2.1 服务人员应持证上岗。").  Scraped text glues the two ("4.1 服务态度服务态度
    是…", "1. 制定服务标准:首先，需要…"); we recover the title when the evidence is clear
    (a doubled phrase, a short phrase before a colon or a space) and otherwise leave it empty.
    """
    s = rest.strip().lstrip(COLON).strip()
    if not s:
        return "", ""
    if (rules.strict and s[-1] in COLON) or is_lead_in(s):
        # GB/T 1.1 titles never end in a colon; "按公式（1）计算：" introduces what follows,
        # and so does "产品分类的基本要求如下：" in any text.
        return "", s
    whole = (
        title_like(s, rules.limit, allow_modal=rules.modal_ok)
        and brackets_balanced(s)
        and not ends_in_reference(s)
    )
    # A line that is a title as it stands ("注日期引用和不注日期引用") is split only if
    # genuinely doubled.
    alone = whole and s[-1] not in COLON
    doubled = _doubled_title(s, loose=not rules.article and not alone)
    if doubled:
        return doubled
    if whole:
        return s.rstrip(COLON).strip(), ""
    if rules.article:
        return "", s
    # "服务时间 客户服务人员应…": a short phrase, a space, then the body.
    head, sep, tail = s.partition(" ")
    if not sep:
        head, sep, tail = s.partition("\u3000")
    if sep and title_then_body(head, tail, term=rules.term):
        return head, tail.strip()
    stock = _stock_heading(s, rules.strict)
    if stock:
        return stock
    if rules.strict:
        # "额定电压：12 V/24 V…", "Invite sip:…": a label with its value is body text.
        return "", s
    # "制定服务标准:首先，…": a short phrase before a colon names the item; keep the body whole.
    m = re.match(r"^([^:：]{2,20})[:：]", s)
    if m and title_like(m.group(1), 20, allow_modal=False):
        return m.group(1).strip(), s
    return "", s


def period_title(title: str, body: str, rules: TitleRules) -> tuple[str, str]:
    """Web guides end some headings with a full stop ("一、引言。", "二、标准体系的内容。").
    Recover the title when the phrase before "。" is a stock heading word, or (with
    :attr:`PeriodTitle.LINE`) is the whole line; list items ("1. 服务无小事。") and GB
    clauses keep their sentence."""
    if title or rules.period is PeriodTitle.NEVER:
        return title, body
    m = _PERIOD_TITLE.fullmatch(body.strip())
    if m is None or not title_like(m.group(1), 15, allow_modal=False):
        return title, body
    head, rest = m.group(1).strip(), m.group(2).strip()
    if head in STOCK_HEADINGS or (rules.period is PeriodTitle.LINE and not rest):
        return head, rest
    return title, body


def next_line_title(text: str, rules: TitleRules) -> bool:
    """The line after a bare heading number may be its title ("附录A" / "（规范性）" / "服务
    流程", a term under "3.1"), unless it starts a block of its own or reads as the first
    line of the body: a lead-in ("…如下："), a bracket left open, a cut reference."""
    t = text.strip()
    return (
        rules.next_line > 0
        and title_like(text, rules.next_line, allow_modal=rules.next_line_modal_ok)
        and not is_block_start(t)
        and t[-1:] not in COLON
        and brackets_balanced(t)
        and not ends_in_reference(t)
    )


def is_block_start(line: str) -> bool:
    """See :func:`grammar.numbering.is_block_start` (imported late: the numbering front
    imports the families, which import this module)."""
    from grammar.numbering import is_block_start as block_start

    return block_start(line)


# ---------------------------------------------------------------- document titles
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


def first_line_title(prefix: str, doc_title: str) -> bool:
    """The text before a heading on a document's first line is its title ("第1篇某某方案",
    "1某某规范", "某某方案【一】"): a phrase that ends like the title of a rule or plan, or
    that is part of the document title found elsewhere."""
    t = _TITLE_LEAD.sub("", prefix.strip())
    t = _TITLE_TAIL.sub("", t).strip()
    if len(re.findall(r"[\u4e00-\u9fff]", t)) < 4 or not title_sentence(t, 40):
        return False
    title = halfwidth(doc_title).strip()
    return bool(_DOC_TYPE_END.search(t)) or (
        len(t) >= _MIN_REPEATED_TITLE
        and len(title) >= _MIN_REPEATED_TITLE
        and (t in title or title in t)
    )


def ends_with_title(prefix: str, doc_title: str) -> bool:
    """``prefix`` ends with the document title, or with the phrase that opens it (a page
    that prints its title, a paragraph, then the title again before "一、")."""
    prefix = prefix.strip()
    title = halfwidth(doc_title).strip()
    if len(title) >= _MIN_REPEATED_TITLE and halfwidth(prefix).endswith(title):
        return True
    for n in range(min(30, len(prefix) // 2), _MIN_REPEATED_TITLE - 1, -1):
        head = prefix[:n]
        if prefix.endswith(head) and title_sentence(head, 30):
            return True
    return False

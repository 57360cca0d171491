"""Which drafting element a question is about ("范围一章怎么写？" → 范围).

Drafters ask how to write a particular element or layer of a standard.  The answer should
lead with the clauses that *govern* that element (the guide's "范围的编写" clause, GB/T 1.1's
8.5) rather than with an *instance* of it (some standard's own "1 范围" chapter, which is
at best an example).  This module recognises the element and tells the two kinds apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

from grammar.refs import mask_refs
from grammar.schema import Clause, ClauseKind
from qa.relevance import content_grams


@dataclass(slots=True, frozen=True)
class Element:
    name: str
    aliases: tuple[str, ...]
    # Extra query words that retrieve the governing clauses even when the user used a
    # loose name ("引用标准" for 规范性引用文件).
    expand: tuple[str, ...] = ()
    # The name is also an everyday noun that heads compounds: 范围 is "range" in 电压范围,
    # 测量范围, 服务范围 — a question asking a voltage range is not about the 范围 chapter.
    # Such a name counts only where no content character is glued before it
    # (:func:`_find_name`); its longer aliases (适用范围) are unaffected.
    everyday_head: bool = False

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def named_by(self, heading: str) -> bool:
        """Is ``heading`` (a clause title, a heading-path title, an element label such as
        "前言") about this element?  "范围", "范围的编写", "7.1 范围" are; "清单的范围" is
        not: there the name is only the object of another word (the scope of a list).  The
        refusal gate and :func:`governs` both judge a clause's headings by this."""
        t = heading.replace(" ", "")
        return any(t.startswith(n) or (n in t and not t.endswith(f"的{n}")) for n in self.names())


# Longer names first so "规范性引用文件" wins over "引用", "术语和定义" over "术语".
ELEMENTS: tuple[Element, ...] = (
    Element(
        "规范性引用文件",
        ("引用文件", "引用标准", "规范性引用", "引用的标准"),
        ("引导语", "注日期", "不注日期"),
    ),
    Element("术语和定义", ("术语", "定义", "术语条目"), ("术语条目", "英文对应词", "来源")),
    Element("符号和缩略语", ("符号", "缩略语", "代号和缩略语")),
    Element("服务评价与改进", ("服务评价", "评价与改进", "持续改进", "服务改进"), ("满意度",)),
    Element("服务质量控制", ("质量控制", "服务质量"), ()),
    Element("服务提供规范", ("服务提供", "服务流程", "服务提供过程"), ("服务流程",)),
    Element("服务内容", ("服务项目",), ()),
    Element("基本要求", ("总体要求", "总体原则", "基本原则", "通用要求"), ()),
    Element("参考文献", ("参考资料",), ()),
    Element(
        "能愿动词",
        ("助动词", "应和宜", "应、宜、可", "要求型条款", "推荐型条款"),
        ("应", "宜", "可", "不应", "要求", "推荐", "允许"),
    ),
    Element("前言", ("前言部分",), ("起草单位", "起草人", "提出", "归口", "起草规则")),
    Element("引言", (), ()),
    Element(
        "范围", ("适用范围", "适用界限", "范围一章"), ("本文件规定了", "适用于"), everyday_head=True
    ),
    Element("附录", ("规范性附录", "资料性附录", "附录A"), ("规范性", "资料性")),
    Element("列项", ("列表", "分项", "项目符号", "破折号"), ("引语", "a)", "——")),
    Element("示例", ("举例", "例子"), ()),
    Element("注", ("注释", "注1", "注的写法"), ()),
    Element("脚注", (), ()),
    Element("表", ("表格", "表头", "表的编号", "续表"), ("表1", "表A.1")),
    Element("图", ("图样", "插图", "图的编号"), ("图1",)),
    Element("公式", ("数学公式",), ()),
    Element("封面", ("封面要素",), ("ICS", "发布", "实施")),
    Element("目次", ("目录",), ()),
    Element("文件名称", ("标准名称", "名称", "标题"), ("引导元素", "主体元素", "补充元素")),
    Element("条", ("条的编号", "条标题", "层次"), ("五层", "编号")),
    Element("章", ("章的编号", "章标题"), ()),
    Element("段", ("悬置段",), ()),
    Element("编号", ("层次编号", "条款编号", "编号规则"), ()),
)

_HOW_TO = re.compile(
    r"怎么写|怎样写|如何写|如何编写|怎么编写|怎样编写|如何起草|怎么起草|写什么|写哪些|"
    r"包括哪些|包含哪些|有哪些要求|有什么要求|什么要求|格式|怎么列|如何列|怎么表述|如何表述|"
    r"怎么编号|如何编号|怎么用|如何使用|如何设置|怎么设置|注意什么|注意哪些|规则|写法|编写"
)
_DRAFTING = re.compile(r"编写|起草|表述|宜|应包括|应写明|给出|编号|列出|引导语|层次")


# One-character element names (条, 章, 段, 注, 图, 表) are parts of everyday words (条例,
# 注意, 规章, 手段, 意图, 表示); they count only where they stand as a word.
_SINGLE_OK_BEFORE = "的个一两几各每本该此"
_SINGLE_OK_AFTER = "的和与、，,？?：:怎如应能可要是有用编标题号里中前后下上之最分多"
_SINGLE_BAD_PAIRS = (
    "条例",
    "条件",
    "注意",
    "注册",
    "注重",
    "规章",
    "章程",
    "手段",
    "意图",
    "地图",
    "表示",
    "表达",
    "表明",
    "代表",
    "发表",
    "表述",
    "图书",
    "段落",
)


# Characters that may stand right before an everyday-head name used as the element's name:
# function words and verbs ("标准的范围", "写范围", "在范围中"), and the document words
# ("本标准范围", "本文件范围").  Any other Chinese character glues a compound (电压范围).
_HEAD_OK_BEFORE = "的之本该此其这那每各写编在对把将了是和与及或于从到里中说即准件"


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _find_name(q: str, name: str, everyday_head: bool = False) -> int:
    if len(name) > 1:
        if not everyday_head:
            return q.find(name)
        start = q.find(name)
        while start >= 0:
            before = q[start - 1] if start else ""
            if not _is_cjk(before) or before in _HEAD_OK_BEFORE:
                return start
            start = q.find(name, start + 1)
        return -1
    for i, ch in enumerate(q):
        if ch != name:
            continue
        before = q[i - 1] if i else ""
        after = q[i + 1] if i + 1 < len(q) else ""
        if any(p in q[max(0, i - 1) : i + 2] for p in _SINGLE_BAD_PAIRS):
            continue
        if (not before or before in _SINGLE_OK_BEFORE or not before.strip()) and (
            not after or after in _SINGLE_OK_AFTER
        ):
            return i
    return -1


# What only one element of a standard states (GB/T 1.1—2020, 8.3 and 8.1): the
# 前言 gives the standard the document was drafted by, the edition it replaces and what
# changed against it, the degree of correspondence with an international document, the
# patent notice, who proposed it, which committee it belongs to, who drafted it and its
# earlier editions.  A question asking for one of these facts ("GB/T 28449—2018 与2012年版
# 相比删掉了哪些附录？", "跟它替代的1989年版相比主要改动有哪些？", "是依照哪个版本的起草规则
# 编写的？") is about the 前言 although it never names it — and the element it does name
# (附录 above) is only the object of the change.
_VERSION = r"\d{4}\s*年?\s*版|版本|旧版|老版|上一版|前一版|原版|原标准|被代替"
_EDITION = re.compile(_VERSION)
# What replaces or is replaced is an edition or a standard (a code, "哪个标准"), not a word
# ("能用“必须”代替“应”吗" is about modal verbs).
_REPLACED = re.compile(
    rf"{_VERSION}|哪(?:个|份|项|一)[^，。？]{{0,4}}标准|[A-Z]{{2,}}(?:/[A-Z])?\d"
)
_REPLACE = re.compile(r"代替|替代|取代")
_COMPARE = re.compile(r"相比|相较|比较|对比|比起")
# The shorter "比2011版新增了……", "相对2016版删掉了……": a comparison word right before an
# edition.  It is as often said of content ("2022版比2016版多要求支持了哪些播放方式？",
# which the body clauses of both editions answer), so it cues the 前言 only when what
# changed is an element of the document ("……新增了哪些附录？"): the 前言 lists changes by
# element and clause.
_SHORT_COMPARE = re.compile(rf"(?:相对于?|比)\s*(?:{_VERSION})")
_FOREWORD_FACT = re.compile(
    r"一致性程度|(?:等同|修改|等效|非等效)采用|起草规则|按照GB/T1\.1|依据GB/T1\.1"
    r"|归口|提出单位|由(?:谁|哪个|哪家|什么)[^，。？]{0,10}提出|起草单位|起草人|历次版本|首次发布"
    r"|涉及专利|专利说明"
)


def _foreword_cue(q: str) -> bool:
    return bool(
        _FOREWORD_FACT.search(q)
        or (_REPLACE.search(q) and _REPLACED.search(q))
        or (_COMPARE.search(q) and _EDITION.search(q))
        or any(_names_element(s) for s in _SENTENCE.split(q) if _SHORT_COMPARE.search(s))
    )


# The element changed is named in the comparison's own sentence: "……哪份 RFC 定义的？2022版
# 列举的事件种类比2016版多了哪一种？" compares content; its 定义 belongs to another ask.
_SENTENCE = re.compile(r"[。？！；?!;]")


def _mentions(q: str) -> Iterator[tuple[int, str, Element]]:
    """Every name of a drafting element ``q`` holds, with where it is first found (an
    everyday head such as 范围 only where no compound glues it: see :func:`_find_name`)."""
    for element in ELEMENTS:
        for name in element.names():
            pos = _find_name(q, name, element.everyday_head and name == element.name)
            if pos >= 0:
                yield pos, name, element


def _names_element(q: str) -> bool:
    """Does ``q`` name some drafting element (附录, 章, 术语……)?"""
    return next(_mentions(q), None) is not None


# Each cue, the element it points at, and the elements that state the same facts: the
# cover gives the edition replaced and the degree of correspondence too (GB/T 1.1—2020,
# 8.1), so "封面注明它代替了哪一版？" asks the cover it names, not the 前言.
_CUES: tuple[tuple[Callable[[str], bool], str, tuple[str, ...]], ...] = (
    (_foreword_cue, "前言", ("封面",)),
)


def element_named(name: str) -> Element | None:
    """The element of :data:`ELEMENTS` called ``name`` (None: no such element)."""
    return next((e for e in ELEMENTS if e.name == name), None)


def cued_element(question: str) -> Element | None:
    """The element whose own facts the question asks for (see ``_foreword_cue``), whether
    or not it names the element."""
    q = mask_refs(question.replace(" ", ""))
    for cue, name, also in _CUES:
        if cue(q):
            # An element that states the same fact and is named keeps the question.
            for other in also:
                element = element_named(other)
                if element is not None and any(_find_name(q, n) >= 0 for n in element.names()):
                    return element
            return element_named(name)
    return None


def detect_element(question: str) -> Element | None:
    """The element a question asks about, if any; how-to phrasing is not required (a
    bare "规范性引用文件？" is also about the element).  A fact only one element states
    (:func:`cued_element`) decides over an element named as the object of that fact."""
    if (cued := cued_element(question)) is not None:
        return cued
    # "第十条", "8.6条", "第3章" name a clause; their 条/章 is not the element 条/章.
    q = mask_refs(question.replace(" ", ""))
    best: tuple[int, Element] | None = None
    for pos, name, element in _mentions(q):
        # Prefer the longest name; on ties the earlier mention.
        rank = len(name) * 100 - pos
        if best is None or rank > best[0]:
            best = (rank, element)
    return best[1] if best else None


def is_how_to(question: str) -> bool:
    """Is the user asking how to write something (rather than what a clause says)?"""
    return bool(_HOW_TO.search(question))


def governs(clause: Clause, element: Element) -> bool:
    """A clause that tells how to write ``element``: its title (or the text right under
    it) names the element, and it is not simply that element of some other standard."""
    titled = element.named_by(clause.clause_title) or any(
        element.named_by(h.title) for h in clause.heading_path[-1:]
    )
    if not titled:
        return False
    return not is_instance(clause, element) or bool(_DRAFTING.search(clause.text))


def is_instance(clause: Clause, element: Element) -> bool:
    """The element itself in some standard (e.g. that standard's "1 范围" chapter)."""
    return (
        clause.kind in (ClauseKind.CHAPTER, ClauseKind.ELEMENT)
        and clause.clause_title.replace(" ", "") in element.names()
    ) or clause.clause_no == element.name


def illustrates(
    clause: Clause, element: Element, governing: bool, pointed: Collection[str] = ()
) -> bool:
    """Does ``clause`` serve as an example of ``element`` in an answer?  An instance of the
    element (a standard's own "2 规范性引用文件") illustrates the rules about it; when the
    question points at documents (``pointed``: their ids — "定级指南的规范性引用文件一章
    怎么写的？"), only those documents' instance is asked, and another standard's instance
    answers nothing."""
    if governing or not is_instance(clause, element):
        return False
    return not pointed or clause.doc_id in pointed


_FUNCTION_CHARS = re.compile(r"[里中内要都该应需得啥些的了呀吗呢吧]")


def is_general(question: str, element: Element) -> bool:
    """Does the question ask about the element as a whole ("范围一章怎么写？", "规范性引用
    文件怎么列？") rather than one detail of it?  Judged by what is left of the question's
    wording once the element's names, how-to phrasing and filler words are removed: nothing
    of two characters or more may remain."""
    rest = question
    for name in sorted(element.names(), key=len, reverse=True):
        rest = rest.replace(name, " ")
    rest = _HOW_TO.sub(" ", rest)
    # Single function characters around the element ("前言里要写什么", "范围中应该写啥")
    # are not a topic of their own.
    rest = _FUNCTION_CHARS.sub(" ", rest)
    return not any(len(g) > 1 for g in content_grams(rest))

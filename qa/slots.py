"""The answer slot a question asks to be filled, and whether a sentence fills one.

A near miss on the right document ("按 SL 651—2014，蓄电池要保证连续阴雨多少天？" over a
standard that never says) shares topic words with its best clauses; what it lacks is a
sentence that *states a value of the asked kind about the asked subject*.  Some questions
ask for such a slot: a quantity, a period, a date, a sum (:mod:`qa.quantities`), which
standard applies ("按哪个国家标准验收"), which body or department ("向哪个部门申请复核"), which
grade ("燃烧性能达到哪个等级").  Others ask for none that a pattern could check: how to
write an element, a yes/no condition, a list, a definition — :func:`asked_slot` gives
None for them, and the refusal gate counts their slot as filled (nothing can be missing).

The gate pairs the slot with the asked subject inside one sentence
(:func:`qa.gate.slot_filled`): a value of the asked kind *somewhere* in the top clauses
(``unit_stated``) does not make it the asked value.

A question may also ask for a *named thing* of some kind rather than a value: "用哪种对称
加密算法", "哪个版本的 TLS", "需要满足哪些具体条件", "用什么图形符号".  :func:`asked_object`
reads that kind (the noun phrase after the interrogative determiner, when it ends in a
head noun of :data:`OBJECT_HEADS`); the gate looks for it in one sentence of the top
clauses (:func:`qa.gate.object_held`): the near miss talks about the subject and never
names the kind of thing asked about it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

from grammar.codes import find_codes
from grammar.families.list_item import lists_items
from grammar.numbering import halfwidth
from qa.quantities import asked_type, asked_units, asks_number, states_a_number, states_unit

# Which standard applies: "按哪个国家标准", "依据什么标准", "引用了哪些文件".  "按哪" and
# "依据哪" ask for a standard only when a document noun follows: "按哪个定", "依据哪两个
# 定级要素", "按哪些条件去搜" ask which option, factor or criterion.
_ASKS_STANDARD = re.compile(
    r"哪个(?:国家|行业)?标准|哪项标准|哪些标准|什么标准|"
    r"(?:依据|按|引用了?)哪(?:个|项|些|一|部|份)?(?:国家|行业|地方)?(?:标准|规范|文件|规定|版)"
)
_NAMES_STANDARD = re.compile(r"《")
# Who or which body: "向哪个部门", "由谁", "哪一级主管部门".
_ASKS_BODY = re.compile(
    r"哪个部门|哪些部门|哪个机构|哪些机构|哪一级|哪级|谁来|由谁|谁负责|向谁|哪个单位|哪些单位|"
    r"什么部门|什么机构|哪个主管"
)
_NAMES_BODY = re.compile(
    r"部门|机构|委员会|政府|局|厅|中心|单位|机关|主管|协会|组织|公司|平台|负责人|小组|人员|方"
)
# Which grade or level: "达到哪个等级", "分几级" (a count of grades is a quantity below).
_ASKS_GRADE = re.compile(r"哪个等级|什么等级|几级|哪一级|哪级|什么级别|哪个级别")
_NAMES_GRADE = re.compile(r"级|等")


# The interrogative determiner and the noun phrase after it: "哪种对称加密算法", "哪些具体条件".
_ASKS_OBJECT = re.compile(
    r"(?:哪一种|哪几种|哪几类|哪一类|哪种|哪类|何种|哪个|哪些|哪几个|哪几项|哪几|什么)"
    r"(?:具体的?)?([\u4e00-\u9fffA-Za-z]{1,8})"
)
# Where the noun phrase ends: a particle, a verb the question goes on with, punctuation.
_OBJECT_END = re.compile(r"[的是要才能会应就都在把被用做来去给到了过着呢吗？?，,。、\s]")
# The kinds of named thing a question can ask for and a clause can name or lack: a method,
# protocol, version, format, code, tool, standard, symbol — or a condition, a qualification.
# Other nouns after 哪些/什么 ("哪些内容", "什么时候") ask for a list or a value, which
# the topic and slot inputs read.
OBJECT_HEADS = re.compile(
    r"算法|协议|版本|格式|编码|方式|方法|接口|工具|软件|标准|文件|型号|符号|字符集|"
    r"条件|资质|资格|要求"
)


def asked_object(question: str) -> str | None:
    """The kind of named thing ``question`` asks for — the noun phrase after its first
    interrogative determiner, cut after the head noun (:data:`OBJECT_HEADS`) it holds
    ("报文正文要用哪种对称加密算法加密" → 对称加密算法, "用哪个版本的 TLS" → 版本),
    lower-cased; None when the phrase holds no such head ("哪些内容", "什么时候")."""
    m = _ASKS_OBJECT.search(halfwidth(question))
    if not m:
        return None
    phrase = _OBJECT_END.split(m.group(1))[0]
    head = OBJECT_HEADS.search(phrase)
    if head is None or head.end() < 2:
        return None
    return phrase[: head.end()].lower()


# A count of the items of a list: "分成几步", "一共几点", "从几个方面来讲", "分几个阶段",
# "有几项".  Its answer is the list itself as often as a number ("服务实施流程:(1)…(2)…
# (3)…" answers "分成几步"), so the refusal gate counts a clause that enumerates items as
# filling it (:func:`enumerates`).  Not a count of things measured ("取几个试件", "几台
# 服务器": a number answers those), nor a time of day ("每天几点", "几点到几点").
_LIST_WORDS = r"阶段|方面|步骤|步|要点|点|项|种|类|条|部分|环节|原则|措施"
_ASKS_LIST_COUNT = re.compile(
    r"(?<![哪这那好])几\s*个?\s*(?:" + _LIST_WORDS + r")(?!钟|月|小时|工作日|星期|字节)"
)
_TIME_OF_DAY_BEFORE = re.compile(
    r"(?:每天|每日|早上|上午|下午|晚上|夜里|凌晨|中午|当天|次日|是|到|至)$"
)
_TIME_OF_DAY_AFTER = re.compile(r"钟|到|至|开|关|结束|交|上|下|前|后|以|之|起")


def asks_list_count(question: str) -> bool:
    """Does ``question`` ask how many items a list has ("服务实施流程分成几步", "一共几点",
    "从几个方面来讲")?  "几点" counts points unless it reads as a time of day ("每天几点",
    "几点开门", "几点到几点")."""
    q = halfwidth(question)
    for m in _ASKS_LIST_COUNT.finditer(q):
        if m.group(0).endswith("点") and (
            _TIME_OF_DAY_BEFORE.search(q[: m.start()]) or _TIME_OF_DAY_AFTER.match(q, m.end())
        ):
            continue
        return True
    return False


def enumerates(sentences: Sequence[str], children: Sequence[object] = ()) -> bool:
    """Does a clause list items — two children or more (a section), or two different item
    markers of one style in its sentences (:func:`grammar.families.list_item.lists_items`:
    "(1)…(2)…", "a)…b)…", "一是…二是…")?"""
    return len(children) >= 2 or lists_items(" ".join(sentences))


class Slot(NamedTuple):
    """The kind of answer a question asks for ("standard", "body", "grade", or a value
    kind of :data:`qa.quantities.ANSWER_TYPES`, a unit, "number") and a test of whether
    one sentence states one."""

    kind: str
    fills: Callable[[str], bool]


def _names_standard(sentence: str) -> bool:
    return bool(find_codes(sentence)) or bool(_NAMES_STANDARD.search(sentence))


def asked_slot(question: str) -> Slot | None:
    """The slot ``question`` asks to be filled, or None when it asks for none a pattern can
    check.  First match wins: a standard, a body, a grade, then a value (in the unit asked
    when it names one, else of the kind asked, else any number)."""
    q = halfwidth(question)
    if _ASKS_STANDARD.search(q):
        return Slot("standard", lambda s: _names_standard(halfwidth(s)))
    if _ASKS_BODY.search(q):
        return Slot("body", lambda s: bool(_NAMES_BODY.search(s)))
    if _ASKS_GRADE.search(q):
        return Slot("grade", lambda s: bool(_NAMES_GRADE.search(s)))
    if not asks_number(q):
        return None
    units = asked_units(q)
    if units:
        return Slot("unit", lambda s: states_unit(units, s))
    kind = asked_type(q)
    if kind is not None:
        name, stated = kind
        return Slot(name, lambda s: bool(stated.search(halfwidth(s))))
    return Slot("number", states_a_number)

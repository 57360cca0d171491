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
from grammar.wording import outside_quotes, quoted_spans
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


# The question asks what to do or what follows ("怎么办", "如何处理", "会怎样"): the answer
# is a clause that states a duty or a permission, not one that describes or names.
_ASKS_ACTION = re.compile(
    r"怎么办|怎么处理|如何处理|要做什么|该做什么|做哪些|怎么做|如何做|会怎样|会怎么|怎么算|"
    r"怎么对待|要怎么|该怎么|应该怎么|应当怎么|如何|怎样"
)
# Bare 如何/怎样 asks a manner, and the verb after it says of what: a verb of knowing,
# defining or reckoning ("如何理解", "怎样界定", "如何计算") asks what a thing is or how
# much, answered by a definition or a formula, not by a duty.
_KNOWING = re.compile(
    r"(?:来|去|才能|才)?(?:理解|界定|定义|认定|判定|判断|解释|看待|认识|区分|计算|得出|求得)"
)
_FINAL_PARTICLES = frozenset("呢吗啊呀么")


def asks_action(question: str) -> bool:
    """Does ``question`` ask what to do or what follows ("…该怎么办", "营销部发现的问题
    要怎样处理", "半年内被投诉多次又会怎样")?  Not where the interrogative is only
    mentioned — inside quoted wording or a 《title》 ("《如何制定服务标准》一共从几个方面来
    讲") — nor where it asks a kind or a description ("怎样的机制", "流程是怎样的"), a
    definition or a judgement ("如何理解", "怎样界定", "怎样算合格"), or a computation
    ("怎么算出来的").  "怎么算" ending its sentence ("罚款怎么算？") asks how a case is
    dealt with, and stays an action."""
    q = halfwidth(question)
    mentioned = quoted_spans(q) + [(m.start(), m.end()) for m in re.finditer(r"《[^》]*》", q)]
    for m in _ASKS_ACTION.finditer(q):
        if not outside_quotes(q, m.start(), mentioned):
            continue
        word, rest = m.group(0), q[m.end() :]
        if word in ("如何", "怎样"):
            if rest.startswith("的") or _KNOWING.match(rest):
                continue
            if rest.startswith("算"):
                word, rest = word + "算", rest[1:]
        # 算 with a complement: "算合格" (what counts as), "算出" (a computed value)
        nxt = rest[:1]
        if word.endswith("算") and "\u4e00" <= nxt <= "\u9fff" and nxt not in _FINAL_PARTICLES:
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

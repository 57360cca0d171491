"""Is this piece of text a title?  One definition, used wherever a title is guessed.

A title is a short phrase: no sentence punctuation (a trailing question mark is allowed, web
guides use questions as headings; "、" is allowed, "目标、原则和要求" is a GB/T 1.1 chapter
title), and at least one word character.  Requirement sentences are not titles, so a modal
verb of GB/T 1.1 附录C (应, 宜, 须, 不得) can be made to disqualify a candidate.  Many words
merely contain those characters: "响应", "相应", "适应", "供应", "应急", "应用", "事宜" are
nouns or verbs of their own, and a heading such as "受理与响应" must stay a heading.
"""

from __future__ import annotations

import re

from grammar.modality import guard

_BAD = re.compile(r"[。；;，,！!]|[?？](?=.)")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# The modal verbs that make text a requirement or recommendation, not the same characters
# inside other words (响应, 应急, 事宜, 须知: the table of grammar.modality).  "应当" and
# "理应" stay modal.
_MODAL = re.compile(f"{guard('应')}|{guard('宜')}|{guard('须')}|不得")
_COLONS = ":："


def has_modal(text: str) -> bool:
    """True if ``text`` contains a modal verb of GB/T 1.1 附录C (not a word that contains
    the same character): such text is a requirement, never a heading."""
    return bool(_MODAL.search(text))


def title_like(text: str, max_len: int = 40, *, min_cjk: int = 0, allow_modal: bool = True) -> bool:
    """True if ``text`` (trailing colon ignored) could be a heading or document title."""
    t = text.strip().rstrip(_COLONS).strip()
    if not t or len(t) > max_len or _BAD.search(t) or not _WORD.search(t):
        return False
    if min_cjk and len(_CJK.findall(t)) < min_cjk:
        return False
    return allow_modal or not has_modal(t)


# ---------------------------------------------------------------- title plausibility
# Where a heading line holds both a title and the start of its body, the segmenter must
# decide where (if anywhere) the title ends.  The rules below say when a candidate title is
# really the opening words of a sentence ("4.1 使用 …", "5.2.1 电 子…", "9.2 对信用等级为“A
# 等”的专家…"), a lead-in ("…如下："), or a label with its value ("额定电压：12 V/24 V"):
# then the clause has no title and the whole line is its body.  GB/T 1.1—2020 allows
# clauses without titles, so "no title" is always a safe answer; a wrong title is not (it
# is shown and cited, and the words it took are missing from the body).

_OPEN_CLOSE = {
    "(": ")",
    "（": "）",
    "[": "]",
    "【": "】",
    "《": "》",
    "“": "”",
    "‘": "’",
    "「": "」",
}
_CLOSERS = {v: k for k, v in _OPEN_CLOSE.items()}
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
# Words after which a sentence must go on: a reference to a table, figure or annex whose
# number follows ("…格式见表 23", "…结构如图 2 所示", "…采用附录 C"), a verb waiting for its
# object ("推荐使用 OFD", "“标识符”采用 2 字节"), a preposition or conjunction ("对于", "…和").
_DANGLING_END = re.compile(
    r"(?:见|如|按|照|据|参见|参照|采用|使用|推荐|符合|满足|包括|包含|执行|进行)(?:表|图|附录|公式|式)?$"
    r"|(?<!目)的$|(?<!总)和$|(?<!普)及$|或$|对于$|关于$|以及$|并且$|并$|是$|将$|把$|被$|从$"
    r"|(?<![行作认成])为$|(?<![存所现潜实内外])在$|(?<![理自经来])由$"
)
# A sentence, not a title, opens with these: a preposition or a condition.
_SENTENCE_START = re.compile(r"^(?:对于|关于|当|若|如果|凡|除|按照|根据|依据|通过|为了|由于)")
# Phrases that announce what follows: a line ending in one of these and a colon is a lead-in.
_LEAD_IN = re.compile(r"如下|下列|以下|下述|如表|如图|见表|见图|包括|包含|分为|具体|有关规定")


def brackets_balanced(text: str) -> bool:
    """Every bracket or quote opened in ``text`` is closed in it, and none is closed that
    was not opened: a title cut inside "（例如" or "“A" is a sentence cut in two."""
    stack: list[str] = []
    for ch in text:
        if ch in _OPEN_CLOSE:
            stack.append(ch)
        elif ch in _CLOSERS:
            if not stack or stack[-1] != _CLOSERS[ch]:
                return False
            stack.pop()
    return not stack


def is_lead_in(text: str) -> bool:
    """A sentence that introduces what follows ("产品分类的基本要求如下：", "数据应按照如下
    方式进行加密：", "本项要求包括："): it ends in a colon and announces a list or table, or
    states a requirement.  Such a line is body text, never a title."""
    t = text.strip()
    if not t or t[-1] not in _COLONS:
        return False
    head = t.rstrip(_COLONS)
    return bool(_LEAD_IN.search(head)) or has_modal(head)


_REFERENCE_END = re.compile(r"(?:见|如|按|参见|参照|采用|符合)(?:表|图|附录|公式|式)$")


def ends_in_reference(text: str) -> bool:
    """``text`` ends on a reference whose number is missing ("…格式见表", "…如图"): the
    rest of the sentence was cut off, so this is no title even on a line of its own."""
    return bool(_REFERENCE_END.search(text.strip().rstrip(_COLONS)))


def dangling_end(text: str) -> bool:
    """``text`` ends where a sentence cannot: on a reference word waiting for its number,
    a verb waiting for its object, a preposition or a conjunction ("…格式见表", "…推荐使用",
    "…的", "对于")."""
    return bool(_DANGLING_END.search(text.strip()))


def title_then_body(head: str, tail: str, max_len: int = 20, *, term: bool = False) -> bool:
    """May a space between ``head`` and ``tail`` on one line be where a title ends and its
    body begins ("服务时间 客户服务人员应…")?

    Not when the space is one inside a sentence: Chinese text puts spaces around Latin
    words and numbers ("推荐使用 OFD 格式", "额定电压：12 V/24 V", "结束符是 ETB 时", "如图 2
    所示"), and text layers of PDFs leave spaces between characters ("电 子会计"); and not
    when the head is no title on its own (fewer than two Chinese characters, a bracket or
    quote left open, a label with its value, a sentence opening or a dangling end).  With
    ``term``, the head is a term and the tail may be its English equivalent ("跨定级系统安全
    管理中心 security management center…").
    """
    h, t = head.strip(), tail.strip()
    if not h or not t:
        return False
    if _ASCII_ALNUM.match(h[-1]) or (_ASCII_ALNUM.match(t[0]) and not (term and t[0].isalpha())):
        return False
    if t[0] in "，,。；;：:、）)”’」》】等的之" or h[-1] in _COLONS:
        return False
    if len(_CJK.findall(h)) < 2 or not brackets_balanced(h):
        return False
    if any(c in h for c in _COLONS):
        return False  # "额定电压：12" is a label and its value
    if _SENTENCE_START.match(h) or dangling_end(h):
        return False
    return title_like(h, max_len, allow_modal=False)

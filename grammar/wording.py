"""The fixed wording of GB/T 1.1—2020: modal verbs (附录C), fixed sentences, stock phrases.

One place for the words a standard must or must not use, so the draft checker, the answerer
and the tests agree.  Everything here is data plus tiny matchers; deciding *where* a phrase
is wrong (in 前言, in a 注, in chapter 2) is the checker's job.

Modal verbs are matched as words, not characters: "应" inside 响应/相应/适应/供应/应急/应用
is not the modal verb, nor is "可" in 可靠/可行, nor "能" in 功能/性能/能力.
"""

from __future__ import annotations

import re

from grammar.modality import NOT_MODAL, guard

# ---------------------------------------------------------------- modal verbs (附录C)
# The verbs and the words that merely contain their characters (响应, 应用, 适宜, 可靠 …)
# are the table of grammar.modality; the patterns here find them for the checker.
_YING = guard("应")
MODAL_REQUIREMENT = re.compile(rf"不{_YING}|{_YING}(?:当|该)?")
MODAL_RECOMMENDATION = re.compile(rf"不?{guard('宜')}")
# 可 as permission; "不可" is a prohibition and "可能" a possibility (their own entries).
MODAL_PERMISSION = re.compile(rf"{guard('可', extra=('不可', '可能'))}|不必")
# Any requirement, recommendation or permission: what may not appear in 前言, 范围, 注….
PROVISION = re.compile(rf"{MODAL_REQUIREMENT.pattern}|{MODAL_RECOMMENDATION.pattern}|必须|不得")

# Wrong forms and their replacements (GB/T 1.1—2020 附录C, 表C.1–C.4).
MUST = re.compile(r"必须")
# "不可" is 不应, except in the table's words (不可或缺, 不可抗力 …) and before 能/靠/行/信.
_NOT_PROHIBITION = "".join(f"(?!{re.escape(w[2:])})" for w in NOT_MODAL if w.startswith("不可"))
PROHIBITION = re.compile(rf"不得|不可(?![能靠行信]){_NOT_PROHIBITION}")
# 应 together with 尽量 / 尽可能 / 尽快 is a recommendation, not a requirement.
SHOULD_TRY = re.compile(rf"{_YING}(?:当)?(?:尽量|尽可能)|(?:尽量|尽可能)[^，。；]{{0,6}}{_YING}")
# 能 / 可能 expressing permission after an approval ("经…同意后，…能…").
PERMISSION_BY_ABILITY = re.compile(
    r"(?:经|经过|得到|获得|取得)[^，。；]{0,20}(?:同意|批准|许可|授权)[^。；]{0,6}?[，,]?"
    r"[^，。；]{0,12}?(?<![功性效职技智])(?:可能|能够|能)(?!力|否)"
)

# ---------------------------------------------------------------- fixed sentences
REFERENCES_LEAD_IN = (
    "下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。其中，注日期的引用文件，"
    "仅该日期对应的版本适用于本文件；不注日期的引用文件，其最新版本（包括所有的修改单）适用于本文件。"
)
NO_REFERENCES = "本文件没有规范性引用文件。"
# 术语和定义: three lead-ins depending on where the terms come from (GB/T 1.1—2020, 8.7).
TERMS_LEAD_IN = "下列术语和定义适用于本文件。"
TERMS_LEAD_IN_BOTH = re.compile(r"^(?P<code>.{2,400}?)界定的以及下列术语和定义适用于本文件。$")
TERMS_LEAD_IN_OTHER = re.compile(r"^(?P<code>.{2,400}?)界定的术语和定义适用于本文件。$")
NO_TERMS = "本文件没有需要界定的术语和定义。"
SYMBOLS_LEAD_IN = (
    "下列符号适用于本文件。",
    "下列缩略语适用于本文件。",
    "下列符号和缩略语适用于本文件。",
)
DRAFTING_BASIS = (
    "本文件按照GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。"
)
PATENT_NOTICE = "请注意本文件的某些内容可能涉及专利。本文件的发布机构不承担识别专利的责任。"

# ---------------------------------------------------------------- 2009-era wording
# The 2009 edition called a document 本标准 / 本部分 / 本指导性技术文件; 2020 says 本文件.
THIS_STANDARD = re.compile(r"本(?:标准|部分|指导性技术文件)(?!化)")
OLD_ANNEX_MARK = re.compile(r"[(（]\s*(规范性|资料性)\s*附录\s*[)）]")
# "本标准按照GB/T 1.1—2009给出的规则起草。"
OLD_DRAFTING_BASIS = re.compile(
    r"按照\s*GB/T\s*1\.1\s*[-—–－]+\s*(?:2009|2000|1993)|GB/T\s*1\.1\s*[-—–－]+\s*2009\s*给出的规则"
    r"|按照\s*GB/T\s*1\.1[^。]{0,40}给出的规则起草"
)
OLD_REFERENCES_LEAD_IN = re.compile(r"下列文件对于本文件的应用是必不可少的|凡是注日期的引用文件")

# ---------------------------------------------------------------- elements
# How a 范围 opens and what it must say (GB/T 1.1—2020, 8.5).
SCOPE_OPENERS = re.compile(r"本文件(?:规定|确立|界定|提供|给出|描述|建立|明确)了?")
SCOPE_APPLIES = re.compile(r"适用于|不适用于")

# 前言 statements in their required order (GB/T 1.1—2020, 8.3); each item is a name and
# the pattern that recognises its sentence.
PREFACE_STATEMENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("起草依据", re.compile(r"按照\s*GB/T\s*1\.1|给出的规则起草")),
    (
        "与其他文件的关系",
        re.compile(r"本文件是.{0,40}(?:第\d+部分|部分)|已经发布了以下部分|配套使用"),
    ),
    (
        "代替文件和技术变化",
        re.compile(r"本文件代替|与.{0,30}相比.{0,20}(?:主要技术变化|除结构调整)"),
    ),
    ("专利说明", re.compile(r"可能涉及专利")),
    ("提出信息", re.compile(r"本文件由.{1,60}提出")),
    ("归口信息", re.compile(r"本文件由.{1,60}归口")),
    ("起草单位", re.compile(r"本文件起草单位")),
    ("起草人", re.compile(r"本文件(?:主要)?起草人")),
    ("历次版本", re.compile(r"历次版本|所代替文件的历次版本|首次发布")),
)

# Laws and regulations: never normative references (GB/T 1.1—2020, 8.6).
LAW_TITLE = re.compile(
    r"《[^》]{2,40}(?:法|条例|规定|办法|决定|细则)》|中华人民共和国[^》\s]{2,30}法"
)


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans of text inside “…” or 「…」: quoted examples of wording, not the draft's own."""
    spans: list[tuple[int, int]] = []
    for m in re.finditer(r"“[^”]*”|「[^」]*」|\"[^\"]*\"", text):
        spans.append((m.start(), m.end()))
    return spans


def outside_quotes(text: str, pos: int, spans: list[tuple[int, int]] | None = None) -> bool:
    """True if ``pos`` is not inside a quotation."""
    return all(not a <= pos < b for a, b in (spans if spans is not None else quoted_spans(text)))

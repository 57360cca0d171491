"""What value a question asks for, and whether a text states one.

Numeric questions ("每批抽几卷？", "连续阴雨多少天？", "准确率要求是多少？") are answered by
a clause that states a number of the asked kind — in the asked unit.  Both the reranker
(which candidate says it) and the refusal gate (does any top clause say it: a near miss on
the right document states numbers of *other* kinds) read these, so they live here once:

* :func:`asks_number` — the question asks a quantity at all;
* :func:`asked_type` / :data:`ANSWER_TYPES` — the kind of value (period, sum, age, date,
  quantity) and how a sentence states one;
* :func:`asked_units` / :data:`UNIT_FAMILIES` — the unit the value is counted in, and
  :func:`states_unit`, whether a text states a number in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from grammar.numbering import halfwidth
from grammar.quantities import NUMERAL
from qa.relevance import flat

# A question that asks for a quantity: the answer must carry a number.
# 几 after 哪/这/那/好 asks no count: "哪几个基本条件", "哪几种视频编码" ask which ones (a
# list), "这几层", "好几个系统" say "these few", "several".  One set of characters, read
# as a look-behind here and by :func:`_not_a_question` for the units a question counts in.
# 几 in an approximate number asks nothing either: "十几户", "二十几个", "几十年", "几百米"
# say "a dozen or so", "dozens" — the scene a question sets ("楼里十几户一起找物业…，项目
# 经理会出来见我们吗"), not a count it wants.
_NOT_ASKED_BEFORE = frozenset("哪这那好十")
_NOT_ASKED = "(?<![" + "".join(sorted(_NOT_ASKED_BEFORE)) + "])"
# 几 before a power of ten is an approximate number too ("几十年", "几百米"): one set, read
# as a look-ahead here and by :func:`_not_a_question`.
_APPROXIMATE_TENS = frozenset("十百千万")
_APPROXIMATE_AFTER = "(?![" + "".join(sorted(_APPROXIMATE_TENS)) + "])"
# "多重" is a weight ("多重的试件") but not in "多重要" (how important); "范围是" asks a
# range of values ("测量范围是多少") but not the scope of a document or a rule ("适用范围是
# 什么": the 范围 element, no value).
_ASKS_NUMBER = re.compile(
    r"多少|" + _NOT_ASKED + r"几[个天年月日次位项级种秒分钟小时米字节条页]|多长|多久|多大|多高|"
    r"多重(?!要)|多远|多宽|多厚|多深|最[大小长短高低多少]|上限|下限|阈值|不少于|不超过|不低于|"
    r"不高于|至少|至多|间隔|周期|频率|时限|期限|时长|长度|容量|精度|误差|(?<!适用)(?<!应用)范围是|"
    + _NOT_ASKED
    + r"几"
    + _APPROXIMATE_AFTER
)
_NUMBER = re.compile(
    r"\d|[一二三四五六七八九十百千万两]+(?:个|天|年|月|日|次|位|项|级|种|小时|分钟|秒)"
    r"|半(?:个|天|年|月|日|小时|分钟)"
)


# A value stated in a unit is read with the numerals of :mod:`grammar.quantities`
# (digits, Chinese numerals, 半: "半个月", "半小时" state periods), the grammar the support
# check reads amounts with, so the reranker, the gate and the check agree on what states
# a value.  A bare numeral (the catch-all "quantity" kind below) is read without 半, which
# alone ("一半", "半导体") states no amount.
_NUM = NUMERAL
_BARE_NUM = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十百千两]+)"
# The kind of value a question asks for, and how a sentence states one: (name, asked,
# stated).  First match wins, so the narrower kinds come first ("多少天" is a period,
# "多大岁数" an age, before the catch-all quantity).
ANSWER_TYPES: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    (
        "period",
        re.compile(
            r"多久|多长时间|多少天|几天|几个月|几年|几小时|多少小时|多少分钟|几分钟|多快|"
            r"期限|时限|有效期|间隔|周期|保存期|时效|几个工作日|多少个工作日|多少年"
        ),
        re.compile(
            _NUM + r"\s*(?:h|min|d|小时|分钟|秒|日|天|周|个月|月|年|工作日|个工作日)(?![a-z])"
            r"|每[日天周月年季]|全天|即时|立即|当日|当天|次日",
            re.I,
        ),
    ),
    (
        "sum",
        re.compile(
            r"多少钱|收费|费用|价格|价钱|报酬|工资|薪酬|补贴|津贴|押金|保证金|罚款多少|罚多少|"
            r"赔多少|几块钱"
        ),
        re.compile(_NUM + r"\s*(?:元|万元|千元|角)"),
    ),
    ("age", re.compile(r"多大岁数|几岁|多少岁|年龄|年纪"), re.compile(_NUM + r"\s*(?:周岁|岁)")),
    (
        "date",
        re.compile(r"什么时候|何时|哪一年|哪年|起施行|开始施行|实施日期|发布日期"),
        re.compile(r"\d{4}\s*年|\d{4}-\d{1,2}-\d{1,2}|[一二〇○零]{4}年"),
    ),
    (
        "quantity",
        re.compile(
            r"多少|几[个项次名位人级种类条]|多大|多高|多重(?!要)|多远|多宽|多厚|多深|"
            r"最[大小长短高低多少]|上限|下限|不少于|不超过|比例|比率|百分之"
        ),
        re.compile(_BARE_NUM),
    ),
)


def states_a_number(text: str) -> bool:
    """Does ``text`` state any number (a digit, or a numeral with a measure word)?"""
    return bool(_NUMBER.search(halfwidth(text)))


# A sentence asking yes or no: it ends in 吗 (before its full stop or question mark).  An
# interrogative word inside it is an indefinite — "聊了几句跟项目无关的事，会被扣信用分吗"
# (chatted *a few* words), "表面有几个小鼓包，…这算不合格吗", "需要对外公开什么吗"
# (anything) — Chinese asks yes/no or which, never both in one sentence.
_YES_NO_SENTENCE = re.compile(r"[^？?。！!；;]*吗\s*(?=[？?。！!；;]|$)")
# The words that ask how many or how much; a limit or a period named ("至少", "上限",
# "期限") asks for a value in a yes/no question too ("至少要两个人吗").
_WH_NUMBER = re.compile(r"多少|几|多[长久大高重远宽厚深]")


def yes_no_spans(question: str) -> list[tuple[int, int]]:
    """The spans of ``question`` (half-width) that are sentences asking yes or no."""
    return [m.span() for m in _YES_NO_SENTENCE.finditer(halfwidth(question))]


def indefinite_at(question: str, pos: int, spans: Sequence[tuple[int, int]] | None = None) -> bool:
    """Is an interrogative word at ``pos`` of ``question`` (half-width) an indefinite,
    because its sentence asks yes or no (:func:`yes_no_spans`)?"""
    return any(a <= pos < b for a, b in (yes_no_spans(question) if spans is None else spans))


def asks_number(question: str) -> bool:
    """Does the question ask for a quantity (a value, a limit, a period)?  Not by a word
    asking how many inside a yes/no sentence ("有几个小鼓包，这算不合格吗"), which says
    "a few" (:func:`indefinite_at`)."""
    q = halfwidth(question)
    spans = yes_no_spans(q)
    return any(not _said_in_yes_no(q, m, spans) for m in _ASKS_NUMBER.finditer(q))


# Where a clause of a yes/no sentence ends: the clause holding 吗 is the one that asks.
_CLAUSE_END = re.compile(r"[，,；;：:]")


def _said_in_yes_no(q: str, m: re.Match[str], spans: Sequence[tuple[int, int]]) -> bool:
    """Is the match ``m`` of :data:`_ASKS_NUMBER` in a yes/no sentence where it asks for
    no value: a word asking how many anywhere in it (an indefinite), or a limit named in
    a clause before the one holding 吗 — the premise ("2016版给出了单路带宽的具体下限，
    2022版还保留这些数值吗": whether the values are kept, not what the limit is)."""
    span = next(((a, b) for a, b in spans if a <= m.start() < b), None)
    if span is None:
        return False
    if _WH_NUMBER.match(m.group(0)):
        return True
    return bool(_CLAUSE_END.search(q, m.end(), span[1]))


def asked_type(question: str) -> tuple[str, re.Pattern[str]] | None:
    """The kind of value ``question`` asks for and the pattern of a sentence stating one,
    or None ("范围怎么写" asks for no value)."""
    q = halfwidth(question)
    for name, asked, stated in ANSWER_TYPES:
        if asked.search(q):
            return name, stated
    return None


# The unit a quantity question asks its value in: after 多少/几 ("多少天", "几路", "多少毫米"),
# else fixed by the attribute asked ("准确率…多少" → a percentage, "温度…多少" → degrees).
# Per family: (name, asked after 多少/几, unit stated after a number, a value stated
# without one: "每季度", "百分之五十").  Counting words (个, 项, 种, 条) are left out:
# their answer is a list to count, not a number stated.
UNIT_FAMILIES: tuple[tuple[str, str, str, str], ...] = (
    (
        "time",
        r"毫秒|微秒|秒钟|秒|分钟|小时|个小时|钟头|天|日|周|星期|个月|月|年|工作日|个工作日|"
        r"时间",
        r"毫秒|微秒|秒|ms|μs|(?-i:s)(?![a-z])|分钟|min|小时|钟头|(?-i:h)(?![a-z])|天|日|"
        r"(?-i:d)(?![a-z])|周|星期|月|年|工作日",
        r"每(?:日|天|周|星期|月|季度?|半年|年)|立即|即时|当[日天]|次日",
    ),
    # "每天几点编报": a time of day, stated "8时", "8:00", "8 点".
    ("clock", r"点", r"时|点|:\d\d", ""),
    # "几块试件" counts pieces; only "几块钱" is money.
    ("money", r"元|万元|块钱|钱", r"元|万元|千元", ""),
    ("weight", r"毫克|千克|公斤|克|吨", r"mg|kg|(?-i:g)(?![a-z])|毫克|千克|公斤|克|吨", ""),
    (
        "length",
        r"毫米|厘米|千米|公里|米",
        r"毫米|厘米|千米|公里|米|km|mm|cm|μm|(?-i:m)(?![a-z])",
        "",
    ),
    ("percent", r"%|％|百分点", r"%|％|‰|百分点", r"百分之"),
    ("temperature", r"℃|摄氏度|度", r"℃|°C|°|度", ""),
    ("channels", r"路", r"路", ""),
    ("times", r"次|遍", r"次|遍", ""),
    ("digits", r"位", r"位", ""),
    ("turns", r"转", r"转|(?-i:r)(?![a-z])", ""),
    ("points", r"分", r"分(?!钟)", ""),
    ("age", r"周岁|岁", r"周岁|岁", ""),
    ("people", r"个人|人|名", r"人|名", ""),
    ("places", r"间|张|床", r"间|张", ""),
    ("pressure", r"兆帕|千帕|帕", r"MPa|kPa|Pa|兆帕|千帕|帕", ""),
    ("size", r"字节|兆|比特", r"字节|bit|比特|(?:[KMGT]i?)?B(?![a-z])|位", ""),
    ("frames", r"帧", r"帧|fps", ""),
    ("power", r"千瓦|瓦", r"kW|千瓦|瓦|(?-i:W)(?![a-z])", ""),
    ("voltage", r"伏", r"(?-i:V)(?![a-z])|伏", ""),
)
_UNIT_ATTRIBUTE: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<!频)率|比例|比率|占比|百分"), "percent"),
    (re.compile(r"温度"), "temperature"),
    (re.compile(r"多久|多长时间|时长|时间长度|期限|时限|有效期|周期|间隔|耗时"), "time"),
    (re.compile(r"多少钱|费用|价格|收费|补贴|报酬|资金"), "money"),
    # Not 精度: a precision is stated in the unit of whatever is measured ("气温记至1位小数").
    # "时间长度" is a duration (a noun compound's modifier decides its kind), not a length.
    (re.compile(r"距离|(?<!时间)长度|高度|宽度|厚度|半径|直径"), "length"),
)
_FAMILY_UNITS = "|".join(
    sorted({u for _, a, _, _ in UNIT_FAMILIES for u in a.split("|")}, key=len, reverse=True)
)
# Units that are nouns take the classifier 个 ("几个星期", "几个字节", "多少个百分点"), as
# "几个月" and "几个小时" do; a measure word does not ("几个点位", "几个路口" count other
# things), so 个 is passed over only before these.
_TAKES_GE = r"小时|钟头|月|工作日|星期|字节|比特|百分点"
_ASKED_UNIT = re.compile(r"(?:多少|几)\s*(?:个\s*(?=" + _TAKES_GE + r"))?(" + _FAMILY_UNITS + ")")


# "抽几卷", "多少转": any other single character after 几/多少 is a unit of its own (the
# answer is counted in it) unless it is a particle or starts a word ("几乎", "多少的"); a
# counting word ("几个", "几项", "几种") only when asked for (see :func:`asked_units`).
_ANY_UNIT = re.compile(r"(?:几|多少)\s*([\u4e00-\u9fffA-Za-z])")
_PARTICLES = frozenset("的是呢吗啊么了和与或以才就都也还能要会可乎何")
_COUNTING = frozenset("个项种条类")
# An object's count is stated with the general classifier as often as with its own
# ("取几块试件" → "取三个…试件"): the individual classifiers of things (块, 卷, 台, 件 …),
# not a grade (几级), a list's points or steps, a number of times; not 个 of a period
# ("三个月") nor the indefinite 一个.
_OBJECT_CLASSIFIERS = frozenset("块卷箱台根只件片袋瓶套份本把支辆株盒包桶罐组")
_GENERAL_COUNT = (
    r"(?:\d+|(?!一(?![十百千]))[一二三四五六七八九十百千两]+)\s*个(?!月|小时|工作日|星期|钟头)"
)
# "好几个" says "several" and asks no count ("哪几类" does: "分为三类" answers it).
_NOT_A_COUNT = frozenset("好")
# A count stated in a counting word: "一个"/"一种" is mostly the indefinite article ("第一个
# 目录项", "采用一种方式"), so a lone 一 does not state a count (十一, 一百 do).
_COUNT_NUM = r"(?:\d+(?:\.\d+)?|(?!一(?![十百千]))[一二三四五六七八九十百千两]+)"


# "哪几层构成", "哪几步" ask which ones (a list, no count stated); "这几层", "那几项" and
# "好几级" say "these", "several" (:data:`_NOT_ASKED_BEFORE`).  Read so only where no count
# is wanted (the gate); the reranker's counting reading keeps them ("分哪几个等级" → "五个等级").


def _not_a_question(q: str, start: int) -> bool:
    """Is the 几/多少 at ``start`` one that asks no count ("哪几", "这几", "好几"), part of
    an approximate number ("十几户", "几十年"), or an indefinite in a yes/no sentence?"""
    if indefinite_at(q, start):  # "聊了几句…，会被扣分吗": a few, in a yes/no question
        return True
    if not q.startswith("几", start):
        return False
    before = start > 0 and q[start - 1] in _NOT_ASKED_BEFORE
    return before or q[start + 1 : start + 2] in _APPROXIMATE_TENS


# A count of the items of a list: "分成几步", "一共几点", "从几个方面来讲", "分几个阶段",
# "有几项".  Its answer is the list itself as often as a number ("服务实施流程:(1)…(2)…
# (3)…" answers "分成几步"), so the list word is no unit a number must be stated in (the
# refusal gate counts a clause that enumerates items as filling it,
# :func:`qa.slots.enumerates`), only a counting word ("分为三步" states the count, like
# "分为三个阶段").  Not a count of things measured ("取几个试件", "几台服务器": a number
# answers those), nor a time of day ("每天几点", "几点到几点", "几点开门").
_LIST_WORDS = r"阶段|方面|步骤|步|要点|点|项|种|类|条|部分|环节|原则|措施"
_ASKS_LIST_COUNT = re.compile(
    _NOT_ASKED + r"几\s*个?\s*(?:" + _LIST_WORDS + r")(?!钟|月|小时|工作日|星期|字节)"
)
_TIME_OF_DAY_BEFORE = re.compile(
    r"(?:每天|每日|早上|上午|下午|晚上|夜里|凌晨|中午|当天|次日|是|到|至)$"
)
_TIME_OF_DAY_AFTER = re.compile(r"钟|到|至|开|关|结束|交|上|下|前|后|以|之|起")


def list_counts(question: str) -> set[int]:
    """Where (the position of 几, in the half-width question) ``question`` asks how many
    items a list has ("服务实施流程分成几步", "一共几点", "从几个方面来讲").  "几点" counts
    points unless it reads as a time of day ("每天几点", "几点开门", "几点到几点")."""
    q = halfwidth(question)
    out = set()
    for m in _ASKS_LIST_COUNT.finditer(q):
        if m.group(0).endswith("点") and (
            _TIME_OF_DAY_BEFORE.search(q[: m.start()]) or _TIME_OF_DAY_AFTER.match(q, m.end())
        ):
            continue
        out.add(m.start())
    return out


def asks_list_count(question: str) -> bool:
    """Does ``question`` ask how many items a list has (:func:`list_counts`)?"""
    return bool(list_counts(question))


class AskedUnit(NamedTuple):
    """A unit a question counts its answer in: a family name ("time") or the unit itself
    ("卷"), and the pattern of a number stated in it."""

    name: str
    stated: re.Pattern[str]


def asked_units(
    question: str, *, by_attribute: bool = True, counting: bool = False
) -> list[AskedUnit]:
    """The units a quantity question asks its values in, each with the pattern of a number
    stated in it ("连续阴雨多少天" → time; "准确率要求是多少" → percent; "每批抽几卷" →
    卷; "多久发一次…连续几次" → time and times); empty when it asks none ("哪些", "几个":
    no unit to check).  ``by_attribute=False``: only units the question spells out after
    几/多少 — the reranker reads the kind of value asked ("多久", "准确率") from
    :func:`asked_type` already, and counting it twice lost questions held out.
    ``counting=True``: counting words are units too ("分几个等级" → "五个等级") — a
    candidate stating the count is the likelier answer, although whether the value is
    missing cannot be judged from them (the answer may be a list to count)."""
    q = halfwidth(question)
    # A list word after 几 ("分成几步", "一共几点") is a counting word, never a unit of
    # measure or a time of day (:func:`list_counts`).
    listed = list_counts(q)
    spelled = [
        m
        for m in _ASKED_UNIT.finditer(q)
        if m.start() not in listed and (counting or not _not_a_question(q, m.start()))
    ]
    names = [
        next(n for n, a, _, _ in UNIT_FAMILIES if re.fullmatch(a, m.group(1))) for m in spelled
    ]
    # Where a family unit was read, by the position of its 几/多少 ("几个星期": 个 is
    # passed over, so the unit starts later than the character after 几).
    family_at = {m.start() for m in spelled}
    if by_attribute and asks_number(q):
        names += [n for pat, n in _UNIT_ATTRIBUTE if pat.search(q)]
    out = []
    for name in dict.fromkeys(names):
        unit, bare = next((u, b) for n, _, u, b in UNIT_FAMILIES if n == name)
        stated = _NUM + r"\s*个?\s*(?:" + unit + ")" + (f"|{bare}" if bare else "")
        out.append(AskedUnit(name, re.compile(stated, re.I)))
    # Any other character after 几/多少 is a unit of its own, unless a family unit was
    # read after that very 几/多少 ("几个月": 个 starts the months).  By position, not by
    # character: in "分几个阶段…几个月" the first 个 still counts the stages.
    for m in _ANY_UNIT.finditer(q):
        u = m.group(1)
        counts = u in _COUNTING or m.start() in listed
        if u in _PARTICLES or (counts and not counting):
            continue
        if not counting and _not_a_question(q, m.start()):
            continue
        if counts and m.start() > 0 and q[m.start() - 1] in _NOT_A_COUNT:
            continue
        if m.start() in family_at:
            continue
        words = [u] if counts else _measure_words(q, m.start(1))
        name = "".join(words)
        if name in {x.name for x in out}:
            continue
        num = _COUNT_NUM if counts else _NUM
        # The compound, or a word ending it ("信用分" is stated "扣 3 分" as often as
        # "3 信用分"); longest first, so the whole compound is preferred where stated.
        stated = "|".join(re.escape("".join(words[i:])) for i in range(len(words)))
        general = "|" + _GENERAL_COUNT if name in _OBJECT_CLASSIFIERS else ""
        pattern = num + r"\s*个?\s*(?:" + stated + ")" + general
        out.append(AskedUnit(name, re.compile(pattern, re.I)))
    return out


# The stretch of the question read for a noun compound after 几/多少 (Han characters only).
_COMPOUND_SPAN = re.compile(r"[\u4e00-\u9fff]{1,8}")


def _measure_words(q: str, start: int) -> list[str]:
    """The words the answer's number is counted in, for the character at ``start`` (just
    after 几/多少).  A measure word is a word of its own ("抽几卷样品": 卷; "几名评审员": 名);
    a character that starts a longer word begins a noun compound the answer counts in
    ("多少学时" → 学时, "多少信用分" → 信用 + 分), never the first character alone
    ("多少信用分" asks no unit 信).  The compound is that word and any one-character words
    closing it (分 in 信用分), cut by the shared question tokenizer (jieba, domain terms)."""
    from index.tokenize import words as cut

    span = _COMPOUND_SPAN.match(q, start)
    if span is None:
        return [q[start]]
    parts = cut(span.group(0))
    # A measure word the tokenizer fused with the noun it counts ("几份文件" cut as 份文件):
    # the rest is a word of its own, so the first character stands alone.
    if (
        not parts
        or len(parts[0]) == 1
        or (len(parts[0]) > 2 and cut(parts[0][1:]) == [parts[0][1:]])
    ):
        return [q[start]]
    compound = [parts[0]]
    for w in parts[1:]:
        if len(w) != 1 or w in _PARTICLES:
            break
        compound.append(w)
    return compound


def states_unit(units: Sequence[AskedUnit], text: str) -> bool:
    """Does ``text`` state a number in one of ``units`` ("三卷", "1500 转", "3 个工作日")?
    Compared half-width and without layout spaces ("间 隔 60 s", PDF text)."""
    hay = flat(halfwidth(text))
    return any(u.stated.search(hay) for u in units)

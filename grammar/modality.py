"""能愿动词 (modal verbs) of standards text, as GB/T 1.1—2020 附录C defines them.

Why here: in a standard the modal verb *is* the provision type.  "应" is a requirement,
"宜" a recommendation, "可" a permission, "能" a statement of ability; turning "宜" (or
"一般包括") into "应" changes what a drafter must do.  The LLM support check
(:mod:`qa.support`) and eval's rule-based faithfulness metric both ask: does the modal verb
a statement puts in front of a predicate agree with the one the cited clause puts in front
of the same predicate?

Every spelling is mapped to one of the canonical forms of 附录C::

    应  不应   (requirement;  应当/应该/必须/须 ; 不得/不应当/禁止/严禁/不准/不允许)
    宜  不宜   (recommendation; 推荐/建议 + a verb ; 不推荐/不建议)
    可  不必   (permission; 可以/允许 ; 无须/无需/不需要/可以不)
    能  不能   (ability;  能够 ; 不能够/无法)
    可能 不可能 (possibility)

Compound words that merely contain the character (应用、响应、适宜、便宜、可靠、认可、功能、
能力 …) are not modal verbs and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CANONICAL",
    "NOT_MODAL",
    "TABLE",
    "Modal",
    "guard",
    "modal_before",
    "modals",
    "strength",
]

# ---------------------------------------------------------------- the table
# The one table of 能愿动词: canonical form -> every spelling of it.  grammar.wording (the
# draft checker's patterns), grammar.titles (a requirement is no title) and this module's
# matcher all read it.
TABLE: dict[str, tuple[str, ...]] = {
    "应": ("应当", "应该", "必须", "理应", "须", "应"),
    "不应": (
        "不应当",
        "不应该",
        "不应",
        "不得",
        "不准许",
        "不准",
        "不允许",
        "禁止",
        "严禁",
        "不可以",
    ),
    "宜": ("宜", "推荐", "建议"),
    "不宜": ("不宜", "不推荐", "不建议"),
    "可": ("可以", "允许", "可"),
    "不必": ("可以不", "不必", "无须", "无需", "不需要", "不需"),
    "能": ("能够", "能"),
    "不能": ("不能够", "不能", "无法"),
    "可能": ("可能", "有可能"),
    "不可能": ("不可能",),
}
CANONICAL = tuple(TABLE)
# spelling -> canonical; longest spellings are tried first.
_SPELLINGS: dict[str, str] = {s: c for c, spelled in TABLE.items() for s in spelled}

# Words containing a modal character that are not modal verbs: wherever the text at a
# candidate spells one of these, the candidate is no modal verb.  Kept as words, not as
# characters around the verb: "应纳入" is a requirement although 应纳税 is a noun, "同时宜"
# a recommendation although 不合时宜 is an idiom.
_NOT_MODAL_WORDS = (
    # 应
    "应用 应急 应对 应答 应变 应邀 应聘 应届 应收 应付 应纳税 应激 应力 应景 应征 应约 应酬"
    " 相应 供应 对应 响应 反应 适应 效应 回应 呼应 感应 顺应 答应 内应 报应 照应 应有尽有"
    # 宜
    " 适宜 便宜 事宜 宜居 宜人 不合时宜 权宜之计"
    # 可 / 可以
    " 可靠 认可 许可 可行 可用 可比 可见 可视 可读 可控 可信 可持续 可及 可否 可追溯 可操作"
    " 可测 可燃 可回收 可接受 可选 宁可 可逆 可调 可移动 可拆卸 可重复 可识别 可访问 可获得"
    " 可达 可量化 可验证 可核查 可实施 可执行 可理解 可扩展 可维护 可替代 可检索 可复制 可塑"
    " 即可 尚可 不可或缺 不可缺少 不可分割 不可抗力 不可替代 无可 可口 可爱 可怕 可惜 可是 可谓"
    " 可观 可贵 可疑 可乐 可行性 可靠性 可信度 可燃物"
    # 能
    " 功能 能力 能源 技能 性能 智能 节能 职能 效能 体能 才能 本能 动能 热能 电能 核能 潜能"
    " 机能 能耗 能效 能量 能级 能手 能动 赋能 产能 储能 势能 万能 全能 多能 低能 官能 能见度"
    # 须 / 允许 / 建议 / 推荐 as nouns
    " 须知 必需 胡须 允许值 允许偏差 建议书 合理化建议 意见建议 建议和意见 推荐性 推荐标准"
    " 推荐单位 推荐人 推荐表 推荐信"
)
NOT_MODAL: tuple[str, ...] = tuple(_NOT_MODAL_WORDS.split())
_NOT_MODAL = NOT_MODAL


def guard(char: str, extra: tuple[str, ...] = ()) -> str:
    """A regular expression for the modal character ``char`` where it is not part of one
    of the :data:`NOT_MODAL` words (or of ``extra``): "应" but not 响应/应用, "可" but not
    认可/可靠/不可或缺.  For the draft checker's patterns, which must agree with
    :func:`modals` on what is a modal verb."""
    parts: list[str] = []
    for word in sorted({*NOT_MODAL, *extra}):
        i = word.find(char)
        while i != -1:
            before, here = re.escape(word[:i]), re.escape(word[i:])
            parts.append(f"(?<!{before}(?={here}))" if before else f"(?!{here})")
            i = word.find(char, i + 1)
    return "".join(parts) + re.escape(char)


# 建议/推荐 are modal only before what they recommend ("建议采用", "推荐使用"), not as
# nouns ("提出建议", "听取建议").
_RECOMMEND_VERB = re.compile(
    r"^(?:采用|使用|选用|选择|按|以|在|对|将|由|设|配|开展|进行|参照|参考|定期|每)"
)
_SPELL_RE = re.compile("|".join(re.escape(s) for s in sorted(_SPELLINGS, key=len, reverse=True)))


@dataclass(slots=True, frozen=True)
class Modal:
    """One modal verb: canonical form, spelling as written, and where it stands."""

    canonical: str
    text: str
    start: int
    end: int


def _inside_word(text: str, start: int, end: int) -> bool:
    for word in _NOT_MODAL:
        # every position where ``word`` could overlap the candidate
        lo = max(0, start - len(word) + 1)
        hi = min(len(text), end + len(word) - 1)
        i = text.find(word, lo, hi)
        while i != -1 and i < end:
            if i + len(word) > start:
                return True
            i = text.find(word, i + 1, hi)
    return False


def modals(text: str) -> list[Modal]:
    """The modal verbs in ``text``, in order (compounds that are not modals skipped)."""
    out: list[Modal] = []
    pos = 0
    while True:
        m = _SPELL_RE.search(text, pos)
        if m is None:
            return out
        s, e, spelled = m.start(), m.end(), m.group(0)
        pos = e
        if _inside_word(text, s, e):
            # the character belongs to a word such as 应用 / 可靠; look again one further
            pos = s + 1
            continue
        if spelled in ("建议", "推荐", "不建议", "不推荐") and not _RECOMMEND_VERB.match(
            text[e : e + 4]
        ):
            continue
        out.append(Modal(_SPELLINGS[spelled], spelled, s, e))


# How far before a predicate a modal verb may stand and still govern it ("应每年进行…",
# "宜由专人负责…"): a few adverbial characters, never across a clause break.
GOVERN_WINDOW = 8
_BREAK = re.compile(r"[，,。；;：:！？!?\n、]")


def modal_before(text: str, index: int, window: int = GOVERN_WINDOW) -> str | None:
    """The canonical modal governing the predicate that starts at ``index`` in ``text``:
    the nearest modal ending within ``window`` characters before it in the same clause
    part; None when the predicate is stated without one ("一般包括…")."""
    lo = max(0, index - window)
    seg = text[lo:index]
    breaks = [m.end() for m in _BREAK.finditer(seg)]
    if breaks:
        lo += breaks[-1]
    found = [m for m in modals(text) if m.start >= lo and m.end <= index]
    return found[-1].canonical if found else None


# Requirement > recommendation > permission: an answer may weaken nothing and strengthen
# nothing; the order is used only to describe a drift ("宜→应 strengthens").
_STRENGTH = {"应": 3, "不应": 3, "宜": 2, "不宜": 2, "可": 1, "不必": 1}


def strength(canonical: str | None) -> int:
    """3 requirement, 2 recommendation, 1 permission, 0 anything else / none."""
    return _STRENGTH.get(canonical or "", 0)

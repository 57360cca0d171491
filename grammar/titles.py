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

_BAD = re.compile(r"[。；;，,！!]|[?？](?=.)")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# 应 inside a compound word: after 响/相/适/反/对/供/回/效/感/呼/照/顺/答, or before
# 急/用/答/对/变/届/收/付/聘/征/邀/酬.  "应当" and "理应" stay modal.
_MODAL = re.compile(
    r"(?<![响相适反对供回效感呼照顺答])应(?![急用答对变届收付聘征邀酬])"
    r"|(?<![事便适])宜|须(?!知)|不得"
)
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

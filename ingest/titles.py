"""Is this piece of text a title?  One definition, used wherever a title is guessed.

A title is a short phrase: no sentence punctuation (a trailing question mark is allowed, web
guides use questions as headings; "、" is allowed, "目标、原则和要求" is a GB/T 1.1 chapter
title), and at least one word character.  Requirement sentences are not titles, so a modal
verb of GB/T 1.1 附录C (应, 宜, 须, 不得) can be made to disqualify a candidate; "应急" and
"事宜" are words, not modal verbs.
"""

from __future__ import annotations

import re

_BAD = re.compile(r"[。；;，,！!]|[?？](?=.)")
_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MODAL = re.compile(r"应(?![急用答对变届])|(?<![事便])宜|须|不得")
_COLONS = ":："


def title_like(text: str, max_len: int = 40, *, min_cjk: int = 0, allow_modal: bool = True) -> bool:
    """True if ``text`` (trailing colon ignored) could be a heading or document title."""
    t = text.strip().rstrip(_COLONS).strip()
    if not t or len(t) > max_len or _BAD.search(t) or not _WORD.search(t):
        return False
    if min_cjk and len(_CJK.findall(t)) < min_cjk:
        return False
    return allow_modal or not _MODAL.search(t)

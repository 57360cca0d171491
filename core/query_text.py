"""Whether typed text has anything to search for.

A question or search made only of punctuation or symbols ("？？？", "...", "！。，") used to
be searched: BM25 found nothing, the dense retriever ranked clauses by the vector of "？", and
``index search`` printed ten arbitrary hits while ``qa`` refused with exit status 0 — the user
could not tell a typo from an answer.  The CLIs refuse such text up front, with one line,
like an empty question.  Any letter or digit of any script counts (汉字, Latin, 123, Ⅻ), so
no real question is refused.
"""

from __future__ import annotations

import unicodedata


def has_words(text: str) -> bool:
    """True when ``text`` holds at least one letter or digit (Unicode categories L* / N*)."""
    return any(unicodedata.category(ch)[:1] in ("L", "N") for ch in text)

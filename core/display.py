"""Showing untrusted names (file names, titles) on a terminal.

A file name may contain a newline, an ANSI escape or a right-to-left override: printed raw
it can forge a line of our own output ("[unchanged] …") or hide its real extension.
"""

from __future__ import annotations

import unicodedata

_INVISIBLE = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def safe_display(text: str) -> str:
    """``text`` with every control, format or separator character shown as an escape
    (``\\n``, ``\\x1b``, ``\\u202e``); ordinary text, CJK included, unchanged."""
    out = []
    for ch in text:
        if ch == " " or unicodedata.category(ch) not in _INVISIBLE:
            out.append(ch)
        else:
            code = ord(ch)
            out.append(
                ch.encode("unicode_escape").decode("ascii") if code < 0x10000 else f"\\U{code:08x}"
            )
    return "".join(out)

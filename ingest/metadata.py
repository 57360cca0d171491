"""Document title and standard code from a standard's cover block.

A GB/T 1.1 cover is a stack of short lines: ICS and CCS numbers, the document type
("中华人民共和国国家标准", "团体标准"), the code ("GB/T 24421.3—2009", maybe "代替 …"),
the Chinese title, the English title, dates ("2025-03-01发布") and the publisher.  The title
is the first line that is none of those.  The code is the first line that *is* a code.  Only
the cover is looked at: codes in the body are references to other documents.
"""

from __future__ import annotations

import re

from grammar.codes import code_from_filename, find_codes, normalize_code
from grammar.numbering import halfwidth, is_aux_block, match_heading
from ingest.readers.base import Line
from ingest.split import is_title_like

COVER_LINES = 25

_NOT_TITLE = re.compile(
    r"^(?:ICS|CCS|备案号|中华人民共和国|.{0,12}(?:国家|行业|地方|团体|企业)标准(?:化指导性技术文件)?$"
    r"|代替|替代|\d{4}\s*[-—–年]\s*\d{1,2}|.{0,30}(?:发布|实施)$|[A-Za-z0-9 ,.:;()'\-—–/]+$"
    r"|(?:PDF|文件)?(?:目次|目录)$|前言$|引言$|第\s*\d+\s*页)",
    re.IGNORECASE,
)


def detect_standard_code(lines: list[Line], *, filename_stem: str | None = None) -> str | None:
    """The code printed on the cover as a line of its own ("T/BZQC 001—2025"); else one
    spelled in the file name ("GB_T_24421.3-2009_…"); else None."""
    for line in lines[:COVER_LINES]:
        text = line.text.strip()
        if match_heading(text) is not None:
            break
        code = normalize_code(text)
        if code:
            return code
        # "GB/T 24421.3—2009  代替 GB/T 24421.3—2001": the first code is ours.
        found = find_codes(text)
        if found and found[0].start == 0 and re.search(r"代替|替代", text):
            return found[0].code
    if filename_stem:
        return code_from_filename(filename_stem)
    return None


def detect_title(lines: list[Line]) -> str | None:
    """First cover line that reads like a Chinese title; None if the cover has none."""
    for line in lines[:COVER_LINES]:
        text = line.text.strip()
        if match_heading(text) is not None:
            break
        codes = find_codes(text)
        if codes and codes[0].start == 0:
            continue
        if _NOT_TITLE.match(halfwidth(text)) or is_aux_block(text):
            continue
        if is_title_like(text, max_len=60):
            return re.sub(r"\s+", " ", text)
        # A long first sentence is body text: this document has no cover title.
        return None
    return None

"""Document title and standard code from a standard's cover block.

A GB/T 1.1 cover is a stack of short lines: ICS and CCS numbers, the document type
("中华人民共和国国家标准", "团体标准"), the code ("GB/T 24421.3—2009", maybe "代替 …"),
the Chinese title (often over two or three lines: "道路运输车辆卫星定位系统" / "视频通信协议"),
the English title, dates ("2025-03-01发布") and the publisher.  The title is the first run of
lines that are none of those.  The code is the first line that *is* a code.

Real files lose their cover (a PDF whose cover is an image, a transcription that starts at
the 目次), so there are fallbacks, in order: the title line a standard prints again above
chapter 1; a code standing alone before the body starts (a running header kept on the first
page, a "# GB/T 28181—2022" heading after the TOC); the code spelled in the file name
("GBT_22239-2019_…", "T_BZQC_001-2025", "DB2101T_0079-2023").  A masthead, a clause title,
an English label ("OCR Output") is never the title.
"""

from __future__ import annotations

import re

from grammar.codes import code_from_filename, find_codes, normalize_code
from grammar.cover import (
    CLASSIFICATION_LABELS,
    COVER_LINE_DATE,
    COVER_VERBS,
    FILING,
    REPLACES,
    STANDARD_KIND,
)
from grammar.numbering import halfwidth, is_aux_block, match_heading
from ingest.readers.base import Line
from ingest.split import is_title_like

COVER_LINES = 25
# How far into a document a code standing alone on a line is still the document's own.
CODE_SCAN_LINES = 400
# A title printed over several lines has at most this many.
TITLE_MAX_LINES = 3

# A cover line that is never the title: a label (ICS, CCS, 备案号), a document-kind or
# publisher line, "代替 …", a date, "… 发布/实施", an English line, a TOC or foreword label,
# a page number, a draft stage, a committee, a provincial standard's kind.
_NOT_TITLE = re.compile(
    rf"^(?:{CLASSIFICATION_LABELS}|{FILING}|中华人民共和国.{{0,16}}(?:标准|部|局|委员会)$|{STANDARD_KIND}$"
    rf"|{REPLACES}|{COVER_LINE_DATE}|.{{0,30}}(?:{'|'.join(COVER_VERBS)})$"
    r"|[A-Za-z0-9 ,.:;()'\-—–/&]+$"
    r"|(?:PDF|文件)?(?:目\s*次|目\s*录)$|前\s*言$|引\s*言$|第\s*\d+\s*页"
    r"|[(（]?(?:报批稿|征求意见稿|送审稿|草案|讨论稿)|.{0,20}标准化(?:技术)?委员会"
    r"|.{0,12}(?:省|市|自治区)(?:地方)?标准$)",
    re.IGNORECASE,
)
# Where the references chapter starts: codes after it belong to other documents.
_REFERENCES = re.compile(r"^\s*2\s*(?:规范性)?引用(?:文件|标准)")


def is_cover_title(text: str) -> bool:
    """Could ``text`` be (the first line of) a document title?"""
    t = text.strip()
    if not t or match_heading(t) is not None:
        return False
    codes = find_codes(t)
    if codes and codes[0].start == 0:
        return False
    if _NOT_TITLE.match(halfwidth(t)) or is_aux_block(t) or t[-1] in ":：":
        return False
    if re.match(r"本(?:标准|文件|部分|规范)", t):
        return False  # a sentence of the foreword cut by a page
    return is_title_like(t, max_len=60)


def split_code_title(text: str) -> tuple[str | None, str]:
    """ "GB/T 1.1—2020 标准化工作导则 第1部分…" → (code, title); (None, text) otherwise."""
    codes = find_codes(text)
    if not codes or codes[0].start != 0:
        return None, text
    rest = halfwidth(text)[codes[0].end :].strip()
    rest = re.sub(rf"^(?:{REPLACES})\s*\S+\s*", "", rest).strip()
    return codes[0].code, text[len(text) - len(rest) :] if rest else ""


# How the title of a standard or guide ends: a title that ends so is complete.
_TITLE_END = re.compile(
    r"(?:规范|规程|规约|标准|指南|导则|要求|方法|条件|术语|协议|格式|规定|办法|细则|流程|手册"
    r"|指引|通则|准则|[)）])$"
)


def _continuation(text: str) -> bool:
    """A further line of a title printed over several lines ("视频通信协议" below
    "道路运输车辆卫星定位系统"): short, Chinese, not a TOC heading."""
    t = text.strip()
    return (
        is_cover_title(t)
        and len(t) <= 30
        and len(re.findall(r"[\u4e00-\u9fff]", t)) >= 2
        and not re.search(r"[A-Za-z]{2}", t)
        and not re.match(r"目\s*[录次]", t)
    )


def _join_title(lines: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(t.strip() for t in lines))


def detect_title(lines: list[Line]) -> str | None:
    """The cover title (lines joined); else the title above chapter 1; else None."""
    for i, line in enumerate(lines[:COVER_LINES]):
        text = line.text.strip()
        if match_heading(text) is not None:
            break
        code, rest = split_code_title(text)
        if code is not None:
            if rest and is_cover_title(rest):
                return re.sub(r"\s+", " ", rest)
            continue
        if not is_cover_title(text):
            if len(text) > 60 and not _NOT_TITLE.match(halfwidth(text)):
                break  # a paragraph: this document has no cover
            continue
        run = [text]
        for nxt in lines[i + 1 : i + TITLE_MAX_LINES]:
            if _TITLE_END.search(run[-1].strip()) or not _continuation(nxt.text):
                break
            run.append(nxt.text)
        return _join_title(run)
    return _title_above_chapter_one(lines) or _title_quoted_after_code(lines)


# A cover's masthead, the line naming the kind of document: "中华人民共和国国家标准",
# "中华人民共和国电子行业标准", "团体标准" (masthead matter in a clause's text: grammar.cover).
_KIND_LINE = re.compile(rf"^(?:中华人民共和国.{{0,16}}标准|{STANDARD_KIND})$")


def cover_title(lines: list[Line]) -> str | None:
    """The title printed below a cover's masthead ("中华人民共和国电子行业标准" / code /
    "信息技术服务 运行维护" / "第5部分：桌面及外围设备规范"), or None when the document
    shows no masthead.  Found there, it outranks a label put above the cover by whoever
    transcribed the file (a Markdown "# 桌面及外围设备服务规范" taken from a file name)."""
    for i, line in enumerate(lines[:COVER_LINES]):
        text = re.sub(r"\s+", "", halfwidth(line.text))
        if match_heading(line.text) is not None:
            return None
        if _KIND_LINE.match(text):
            return detect_title(lines[i + 1 :])
    return None


# OCR and web copies space a code apart ("GB /T 1 1982-2005"): digits split by a space and a
# space before the slash are closed up before looking for the code a 《title》 follows.
_SPACED_DIGITS = re.compile(r"(?<=\d) (?=\d)")
_SPACED_SLASH = re.compile(r"(?<=[A-Za-z]) +/")


def _title_quoted_after_code(lines: list[Line]) -> str | None:
    """A page about a standard names it in its first lines: "GB/T 11982—2005《…》"."""
    for line in lines[:5]:
        text = _SPACED_SLASH.sub("/", _SPACED_DIGITS.sub("", halfwidth(line.text)))
        for found in find_codes(text):
            m = re.match(r"\s*《([^》]{4,40})》", text[found.end :])
            if m and is_cover_title(m.group(1)):
                return m.group(1).strip()
    return None


def _title_above_chapter_one(lines: list[Line]) -> str | None:
    """GB/T 1.1 prints the title again at the top of the first body page, right above
    "1 范围": the fallback for a document whose cover was lost."""
    for i, line in enumerate(lines):
        hm = match_heading(line.text)
        if hm is None or hm.numbering.key != (1,) or hm.numbering.label != "1":
            continue
        run: list[str] = []
        j = i - 1
        while j >= 0 and len(run) < TITLE_MAX_LINES and _continuation(lines[j].text):
            run.insert(0, lines[j].text)
            j -= 1
        if run:
            return _join_title(run)
    return None


def _code_in_text(lines: list[Line]) -> str | None:
    """The first line that is a code and nothing else (or a code and its title, or a
    code and what it replaces), before the references chapter."""
    for k, line in enumerate(lines[:CODE_SCAN_LINES]):
        text = line.text.strip()
        if _REFERENCES.match(halfwidth(text)):
            break
        code = normalize_code(text)
        if code:
            return code
        found = find_codes(text)
        if not found or found[0].start != 0:
            continue
        rest = halfwidth(text)[found[0].end :].strip()
        if re.match(REPLACES, rest):
            return found[0].code
        if rest and is_cover_title(rest) and k < COVER_LINES:
            return found[0].code
    return None


def _ocr_variant(text_code: str, file_code: str) -> bool:
    """The code in the text is the file name's with characters lost (OCR: "GB/T 2849—2018"
    for "GB/T 28449—2018"): same prefix and year, digits a subsequence."""
    tp, _, ty = text_code.partition("—")
    fp, _, fy = file_code.partition("—")
    if ty != fy or tp.split(" ")[0] != fp.split(" ")[0]:
        return False
    t_num, f_num = tp.split(" ")[-1], fp.split(" ")[-1]
    it = iter(f_num)
    return len(t_num) < len(f_num) and all(ch in it for ch in t_num)


def detect_standard_code(
    lines: list[Line],
    *,
    filename_stem: str | None = None,
    declared: str | None = None,
) -> str | None:
    """The document's own code: declared (front matter), printed on its own line before the
    body, or spelled in the file name; None if none of them has one."""
    if declared and (code := normalize_code(declared) or _first_code(declared)):
        return code
    in_text = _code_in_text(lines)
    in_name = code_from_filename(filename_stem) if filename_stem else None
    if in_text and in_name and in_text != in_name and _ocr_variant(in_text, in_name):
        return in_name
    return in_text or in_name


def _first_code(text: str) -> str | None:
    found = find_codes(text)
    return found[0].code if found else None

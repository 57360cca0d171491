"""What a document's cover says besides its title: the standards grammar of cover matter.

A GB/T 1.1 cover (GB/T 1.1—2020, 8.1) prints the classification numbers ("ICS 03.080",
"CCS A 12"), a filing number ("备案号"), the document's kind ("中华人民共和国国家标准",
"团体标准"), its code and the code it replaces ("代替 GB/T 1.1—2009"), and the dates it was
published and takes effect ("2025-05-20发布").  A law's masthead says when it was passed,
amended and promulgated ("2017年11月4日第十二届全国人民代表大会常务委员会第三十次会议修订").

Two layers read this matter, differently, and share the pieces here:

* ingest (:mod:`ingest.metadata`) anchors *single cover lines*: a line that starts with a
  label, a date or "代替", or that is a document-kind line, is never the title;
* qa (:mod:`qa.usable`) reads a *clause's text* (the text before a document's first
  heading) and asks whether it holds any masthead matter at all (:func:`has_masthead`).

Their date patterns differ on purpose and are kept apart (:data:`COVER_LINE_DATE`,
:data:`MASTHEAD_DATE`): cover lines are read as printed (hyphen, em or en dash, 年), a
clause's text also as web pages and laws write dates ("2017.11.4", "二○一二年").
:mod:`grammar.quantities`' date needs a day and reads a value; none of them is that one.
"""

from __future__ import annotations

import re

# The labels of a cover's classification numbers and filing number, as a line starts.
CLASSIFICATION_LABELS = r"ICS|CCS"
FILING = r"备案号"
# A classification number itself: "ICS 03.080", "CCS A 12" (the label alone is prose).
CLASSIFICATION = r"ICS\s*\d|CCS\s*[A-Z]\s*\d"
# The words a cover puts before the code(s) a document replaces ("代替 GB/T 1.1—2009");
# "替代" is how some covers and transcriptions print it.
REPLACES = r"代替|替代"
# A replaced code in running text: "代替" followed by the code's first letter.
REPLACED_CODE = r"代替\s*[A-Z]"
# The kind of document a cover announces ("团体标准", "国家标准化指导性技术文件").
STANDARD_KIND = r".{0,12}(?:国家|行业|地方|团体|企业)标准(?:化指导性技术文件)?"
# What a cover's dates say happened to the document ("2025-05-20发布", "…实施").
COVER_VERBS = ("发布", "实施")
# What a masthead's dates say happened to a standard or a law: published, in force,
# passed, revised, amended, promulgated, in effect.
MASTHEAD_VERBS = (*COVER_VERBS, "通过", "修订", "修正", "公布", "施行")


def year_month(separators: str) -> str:
    """A year and a month in digits, split by one of ``separators`` (a character class
    body): "2025-05", "2017年11"."""
    return rf"\d{{4}}\s*[{separators}]\s*\d{{1,2}}"


# A year written in Chinese numerals, as laws print them ("二○一二年").
NUMERAL_YEAR = r"[〇○零一二三四五六七八九]{4}年"
# A date on a cover line, as printed: "2019-05-10发布", "2019—05", "2019年5月".
COVER_LINE_DATE = year_month(r"\-—–年")
# A date anywhere in a clause's text: also "2017.11.4", "2017/11/4" and "二○一二年".
_TEXT_YEAR_MONTH = year_month(r"年\-—./")
MASTHEAD_DATE = rf"(?:{_TEXT_YEAR_MONTH}|{NUMERAL_YEAR})"
# A date followed, within the same sentence, by what happened to the document on it
# ("2025-05-20 发布", "自2018年1月1日起施行").  The verbs alone are ordinary prose:
# "通过制定…实施方案" opened a web article and made its first paragraph "cover" (8 of 35
# openings in the web guides and samples, session 20).
DATED_ACT = rf"{MASTHEAD_DATE}[^。；;！？]{{0,48}}?(?:{'|'.join(MASTHEAD_VERBS)})"
# Masthead matter: a classification number, a filing number, a replaced code or a dated act.
MASTHEAD = re.compile(rf"{CLASSIFICATION}|{FILING}|{REPLACED_CODE}|{DATED_ACT}")


def has_masthead(text: str) -> bool:
    """Does ``text`` hold any masthead matter (:data:`MASTHEAD`)?  What makes the text
    before a document's first heading its cover rather than an opening paragraph."""
    return MASTHEAD.search(text) is not None

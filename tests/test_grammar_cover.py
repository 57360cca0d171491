"""The cover-matter grammar (grammar.cover) that qa.usable and ingest.metadata share."""

from __future__ import annotations

import re

import pytest

from grammar.cover import (
    CLASSIFICATION_LABELS,
    COVER_LINE_DATE,
    COVER_VERBS,
    FILING,
    MASTHEAD_DATE,
    MASTHEAD_VERBS,
    REPLACES,
    STANDARD_KIND,
    has_masthead,
    year_month,
)
from ingest.metadata import detect_standard_code, is_cover_title
from ingest.readers.base import Line


@pytest.mark.parametrize(
    "text",
    [
        "ICS 03.080\nCCS A 12",
        "CCS A12",
        "备案号：12345—2003",
        "代替 GB/T 1.1—2009",
        "2025-05-20 发布",
        "2025—05—20实施",
        "自2018年1月1日起施行",
        "（2017年11月4日第十二届全国人民代表大会常务委员会第三十次会议修订）",
        "2017.11.4 公布",
        "佛山市人民政府办公室二○一二年五月二十一日印发并实施",
    ],
)
def test_masthead_matter(text: str) -> None:
    assert has_masthead(text)


@pytest.mark.parametrize(
    "text",
    [
        # The verbs alone are prose (session 20: 8 of 35 web openings were taken for cover).
        "标准化服务是指通过制定标准化服务实施方案，使服务按同一套流程实施。",
        # A date and a verb in different sentences are not a dated act.
        "本指南写于2020年5月。各单位应按本指南实施。",
        # A label without its number is a word, "替代" in running text is not "代替 <code>".
        "ICS分类号的用法",
        "可以替代GB/T 1.1的做法",
        # A date more than 48 characters before the verb, in one sentence.
        "2020年5月" + "的" * 49 + "发布",
    ],
)
def test_not_masthead_matter(text: str) -> None:
    assert not has_masthead(text)


def test_the_two_date_readings_differ_as_their_callers_read() -> None:
    """A cover line's date is read as printed (hyphen, em or en dash, 年); a clause's text
    also as web pages and laws write it — the difference is kept, not merged."""
    line = re.compile(COVER_LINE_DATE)
    text = re.compile(MASTHEAD_DATE)
    for both in ("2019-05", "2019—05", "2019年5"):
        assert line.fullmatch(both) and text.fullmatch(both)
    assert line.fullmatch("2019–05") and not text.fullmatch("2019–05")
    for web in ("2017.11", "2017/11", "二○一二年"):
        assert text.fullmatch(web) and not line.fullmatch(web)
    assert re.fullmatch(year_month("年"), "2017 年 11")


def test_vocabulary() -> None:
    assert set(COVER_VERBS) < set(MASTHEAD_VERBS)
    assert re.fullmatch(CLASSIFICATION_LABELS, "CCS") and re.fullmatch(FILING, "备案号")
    assert all(re.fullmatch(REPLACES, w) for w in ("代替", "替代"))
    for kind in ("团体标准", "中华人民共和国国家标准", "国家标准化指导性技术文件"):
        assert re.fullmatch(STANDARD_KIND, kind)


@pytest.mark.parametrize(
    "line",
    [
        "ICS 35.240",
        "CCS L 70",
        "备案号：12345—2003",
        "代替 GB/T 1.1—2009",
        "替代JT/T 808—2011",
        "2019-05-10发布",
        "2019–05–10 实施",
        "中华人民共和国交通运输部 发布",
        "团体标准",
    ],
)
def test_cover_lines_are_never_the_title(line: str) -> None:
    """ingest.metadata reads the same pieces, anchored at a cover line's start."""
    assert not is_cover_title(line)


def test_a_code_line_followed_by_the_code_it_replaces_is_the_documents_code() -> None:
    """A code line goes on with "代替 …" or "替代 …": the first code is the document's."""
    for replaced in ("代替 GB/T 1.1—2009", "替代GB/T 1.1—2009"):
        lines = [Line("ICS 01.120"), Line(f"GB/T 1.1—2020 {replaced}"), Line("1 范围")]
        assert detect_standard_code(lines) == "GB/T 1.1—2020"

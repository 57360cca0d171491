"""Noise removal and collection splitting on hand-written imitations of scraped pages
(the real pages may not be copied into the repository)."""

from __future__ import annotations

from ingest.clean import clean_lines
from ingest.metadata import detect_standard_code, detect_title
from ingest.readers.base import Line
from ingest.split import split_documents


def L(text: str) -> list[Line]:
    return [Line(t) for t in text.strip("\n").splitlines()]


def texts(lines: list[Line]) -> list[str]:
    return [ln.text for ln in lines]


def test_site_boilerplate_and_related_docs_tail_removed() -> None:
    cleaned = clean_lines(
        L("""
- 1、原创力文档（book118）网站文档一经付费，不意味着购买了该文档的版权。
示例服务规范
  1. 1、下载文档前请自行甄别文档内容的完整性，平台不提供额外的编辑服务。
5 要求
服务人员应持证上岗。
相关文档
另一个网站上的文档标题
""")
    )
    assert texts(cleaned.lines) == ["示例服务规范", "5 要求", "服务人员应持证上岗。"]
    assert cleaned.removed["boilerplate"] == 2
    assert cleaned.removed["related_docs_tail"] == 1


def test_site_comment_box_ends_the_document() -> None:
    cleaned = clean_lines(L("05评价改进CHAPTER\n定期评审流程。\n文档评论（3）\n用户甲:很好"))
    assert texts(cleaned.lines) == ["05评价改进CHAPTER", "定期评审流程。"]
    assert cleaned.removed["related_docs_tail"] == 1


def test_slide_markers_and_slide_headers_removed() -> None:
    cleaned = clean_lines(
        L("""
第一页内容
h
2
课程内容
第二页内容
h
3
课程内容
第三页内容
h
4
课程内容
第四页内容
12
""")
    )
    assert texts(cleaned.lines) == ["第一页内容", "第二页内容", "第三页内容", "第四页内容"]
    assert cleaned.removed["slide_header"] == 3


def test_markdown_title_comments_provenance() -> None:
    cleaned = clean_lines(
        L("""
# SOURCE: somewhere (attribution)
# 中华人民共和国示例法
2017年通过
<!-- INFO END -->
## 第一章 总则
第一条 **为了**规范示例，制定本法。
""")
    )
    assert cleaned.markdown_title == "中华人民共和国示例法"
    assert texts(cleaned.lines) == [
        "中华人民共和国示例法",
        "2017年通过",
        "第一章 总则",
        "第一条 为了规范示例，制定本法。",
    ]


def test_toc_entries_and_replacement_chars_removed() -> None:
    cleaned = clean_lines(
        L("""
1 范围 ………………… 1
2 规范性引用文件 ........ 2
本文件规定了服务要\ufffd
""")
    )
    assert texts(cleaned.lines) == ["本文件规定了服务要"]


def test_collection_split_at_repeated_titles() -> None:
    lines = L("""
示例合集标题
示例服务管理办法
示例服务管理办法
示例服务管理办法一、总则为规范服务，制定本办法。
二、适用范围本办法适用于全体员工。
示例服务规范细则
示例服务规范细则
第一条 服务人员应当着装整洁。
""")
    split = split_documents(lines)
    assert split.collection_title == "示例合集标题"
    assert [p.title for p in split.parts] == ["示例服务管理办法", "示例服务规范细则"]
    assert texts(split.parts[0].lines) == [
        "一、总则为规范服务，制定本办法。",
        "二、适用范围本办法适用于全体员工。",
    ]
    assert texts(split.parts[1].lines) == ["第一条 服务人员应当着装整洁。"]


def test_single_document_with_repeated_title_is_not_split() -> None:
    lines = L("""
ICS 03.080
团体标准
T/XX 001—2025
社区助餐服务规范
社区助餐服务规范
1 范围
本文件规定了社区助餐服务。
""")
    split = split_documents(lines)
    assert len(split.parts) == 1
    assert split.parts[0].title == "社区助餐服务规范"
    assert texts(split.parts[0].lines)[:3] == ["ICS 03.080", "团体标准", "T/XX 001—2025"]


def test_page_notice_breaks_start_a_new_document() -> None:
    cleaned = clean_lines(
        L("""
文档一标题
文档一标题
第一篇的正文。
  1. 1、下载文档前请自行甄别文档内容的完整性。
另一份幻灯片的内容。
""")
    )
    split = split_documents(cleaned.lines, cleaned.breaks)
    assert len(split.parts) == 2
    assert split.parts[1].from_break
    assert texts(split.parts[1].lines) == ["另一份幻灯片的内容。"]


def test_cover_title_and_code() -> None:
    cover = L("""
ICS 03.080
CCS A 12
团体标准
T/BZQC 001—2025
社区居家养老服务规范
Specification for community home-based elderly care services
2025-03-01发布
前言
""")
    assert detect_title(cover) == "社区居家养老服务规范"
    assert detect_standard_code(cover) == "T/BZQC 001—2025"
    replaced = L("GB/T 24421.3—2009 代替 GB/T 24421.3—2001\n服务业组织标准化工作指南\n1 范围")
    assert detect_standard_code(replaced) == "GB/T 24421.3—2009"
    # codes in the body are references, not the document's own code
    body = L("1 范围\n本文件按照GB/T 1.1—2020的规定起草。")
    assert detect_standard_code(body) is None
    assert (
        detect_standard_code(body, filename_stem="GB_T_28222-2011_服务标准编写通则")
        == "GB/T 28222—2011"
    )


# ---------------------------------------------------------------- Markdown and PDF residue
def test_markdown_residue_removed_and_tables_kept_as_rows() -> None:
    cleaned = clean_lines(
        L("""
---
title: 示例服务规范
code: T/XX 009-2024
---
> 来源：某处
# 示例服务规范
5&nbsp;要求
---
```mermaid
graph TD
A --> B
```
```
1 这是代码清单
```
| 项目 | 要求 |
|---|:---:|
| 1 | 整洁 |
<table><tr><td>2</td><td>安全</td></tr><tr><td>3</td><td>及时</td></tr></table>
$$
v \\leq 5\\,\\mathrm{km/h}
$$
![图](images/a.png)
""")
    )
    assert cleaned.front_matter is not None
    assert cleaned.front_matter.title == "示例服务规范"
    assert cleaned.front_matter.code == "T/XX 009-2024"
    assert texts(cleaned.lines) == [
        "来源：某处",
        "示例服务规范",
        "5 要求",
        "1 这是代码清单",
        "项目 | 要求",
        "1 | 整洁",
        "2 | 安全",
        "3 | 及时",
        "v ≤ 5 km/h",
    ]
    literal = [ln.text for ln in cleaned.lines if ln.literal]
    assert literal == ["1 这是代码清单", "项目 | 要求", "1 | 整洁", "2 | 安全", "3 | 及时"]


def test_letter_spacing_spaced_numbers_and_vertical_text_joined() -> None:
    cleaned = clean_lines(
        L("""
中 华 人 民 共 和 国  档 案 行 业 标 准
沈
阳
市
3. 1 缩略语
A. 2. 1 报文
电 子 会 计 档 案 应 按 年 度 保 管 。
附
录
A
（规范性）
附录
B
信息安全技术 网络安全等级保护基本要求
额定电压：12 V/24 V
""")
    )
    assert texts(cleaned.lines) == [
        "中华人民共和国 档案行业标准",
        "沈阳市",
        "3.1 缩略语",
        "A.2.1 报文",
        "电子会计档案应按年度保管。",
        "附录A",
        "（规范性）",
        "附录B",
        "信息安全技术 网络安全等级保护基本要求",
        "额定电压：12 V/24 V",
    ]


def test_toc_entries_with_page_number_before_leaders_and_roman_pages() -> None:
    cleaned = clean_lines(L("目  次\n前言 Ⅲ……………………\n1 范围 1………………\nⅢ\n前言\n正文。"))
    assert texts(cleaned.lines) == ["目  次", "前言", "正文。"]


def test_cover_title_over_two_lines_and_masthead_skipped() -> None:
    cover = L("""
中华人民共和国交通运输行业标准
JT/T 0000—2016
示例车辆卫星定位系统
视频通信协议
Video communication protocol
2016-10-01发布
""")
    assert detect_title(cover) == "示例车辆卫星定位系统 视频通信协议"
    assert detect_standard_code(cover) == "JT/T 0000—2016"


def test_title_above_chapter_one_when_cover_lost() -> None:
    lines = L(
        "目次\n前言\n本标准按照规则起草。\n本标准技术审查人：\n示例监测数据通信规约\n1 范围\n本标准规定了…。"
    )
    assert detect_title(lines) == "示例监测数据通信规约"


def test_title_quoted_after_a_code_the_page_spaced_apart() -> None:
    """A web article names its standard in the first paragraph with OCR/web spacing inside
    the code ("GB /T 1 2345-2010《…》"): the quoted title is still the document's title."""
    opening = (
        "示例地板的国家标准号：GB /T 1 2345-2010《示例卷材地板》分为两个部分，其中第1部分"
        "规定了带基材的示例卷材地板的要求，第2部分规定了有背涂层的示例卷材地板的要求。"
    )
    assert detect_title(L(opening + "\n1 范围\n本部分规定了示例。")) == "示例卷材地板"
    # A quoted title after no code at all is not taken.
    assert detect_title(L("参见《示例卷材地板》的要求" + "。" * 60 + "\n正文。")) is None


def test_code_title_line_and_code_after_toc() -> None:
    assert detect_title(L("GB/T 1.1—2020 标准化工作导则 第1部分：结构\n1 范围")) == (
        "标准化工作导则 第1部分：结构"
    )
    late = L("示例系统\n目次\n前言 Ⅲ\n1 范围 1\nGB/T 00001—2022\n前言\n本文件…。")
    assert detect_standard_code(late) == "GB/T 00001—2022"


def test_code_from_file_name_prefixes_and_ocr_damage() -> None:
    body = L("1 范围\n本文件适用于示例。")
    for stem, code in [
        ("GBT_00002-2019_cyber", "GB/T 00002—2019"),
        ("JRT_0071.2-2020_x", "JR/T 0071.2—2020"),
        ("DB2101T_0079-2023_x", "DB2101/T 0079—2023"),
        ("TABCD_002-2020_x", "T/ABCD 002—2020"),
        ("HJ_212-2017_x", "HJ 212—2017"),
        ("标准_GBT_1.1-2020", "GB/T 1.1—2020"),
    ]:
        assert detect_standard_code(body, filename_stem=stem) == code
    ocr = L("GB/T2849—2018\n示例测评过程指南")
    assert detect_standard_code(ocr, filename_stem="GBT_28449-2018_x") == "GB/T 28449—2018"
    assert detect_standard_code(ocr) == "GB/T 2849—2018"
    assert detect_standard_code(body, declared="T/XX 9-2024") == "T/XX 9—2024"

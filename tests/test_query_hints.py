"""Documents a question points at by part of a title, a bare number or an edition."""

from __future__ import annotations

from grammar.schema import DocumentInfo
from index.query import documents_hinted, of_edition, parse_query

DOCS = [
    DocumentInfo("grading", "信息安全技术 网络安全等级保护定级指南", "GB/T 22240—2020", "", 1, 1),
    DocumentInfo("eval", "信息安全技术 网络安全等级保护测评过程指南", "GB/T 28449—2018", "", 1, 1),
    DocumentInfo("base", "信息安全技术 网络安全等级保护基本要求", "GB/T 22239—2019", "", 1, 1),
    DocumentInfo("v16", "公共安全视频监控联网系统 技术要求", "GB/T 28181—2016", "", 1, 1),
    DocumentInfo("v22", "公共安全视频监控联网系统 技术要求", "GB/T 28181—2022", "", 1, 1),
]


def test_a_telling_part_of_a_title_points_at_the_document() -> None:
    assert documents_hinted("定级指南的范围一章怎么写？", DOCS) == ("grading",)
    assert documents_hinted("测评过程指南里测评准备有哪些任务？", DOCS) == ("eval",)


def test_the_family_name_and_generic_title_words_point_at_nothing() -> None:
    # shared by every document of the family, or made of words any title has
    assert documents_hinted("网络安全等级保护的第三级要求是什么？", DOCS) == ()
    assert documents_hinted("技术要求一章怎么写？", DOCS) == ()


def test_bare_number_and_edition() -> None:
    assert documents_hinted("28181 的2022版里注册过期时间是多少？", DOCS) == ("v22",)
    assert documents_hinted("视频联网系统（按2016版）心跳周期？", DOCS) == ("v16",)
    assert set(documents_hinted("28181 的 2016 版和 2022 版有何不同？", DOCS)) == {"v16", "v22"}
    # a year alone is not a document number
    assert documents_hinted("2019年以后新建的系统有什么变化？", DOCS) == ()


def test_named_documents_are_narrowed_to_the_edition_asked() -> None:
    q = parse_query("GB/T 28181 的2022版里注册过期时间是多少？", DOCS)
    assert q.named == ("v22",) and q.preferred == ("v22",)
    assert of_edition("没有版本", ["v16", "v22"], DOCS) == ["v16", "v22"]


def test_web_articles_are_not_pointed_at_by_loose_title_words() -> None:
    docs = [*DOCS, DocumentInfo("web", "医院优质服务制度", None, "", 1, 1)]
    assert documents_hinted("医院优质服务有哪些制度？", docs) == ()


def test_hints_do_not_count_as_named() -> None:
    q = parse_query("定级指南的范围一章怎么写？", DOCS)
    assert q.named is None and q.hinted == ("grading",)


def test_an_edition_is_read_from_any_dash_of_a_code() -> None:
    # a code stored with a hyphen (as transcriptions often give it) has a year as well
    docs = [
        DocumentInfo("a11", "道路运输车辆卫星定位系统 终端通讯协议", "JT/T 808-2011", "", 1, 1),
        DocumentInfo("a19", "道路运输车辆卫星定位系统 终端通讯协议", "JT/T 808-2019", "", 1, 1),
    ]
    assert of_edition("按2019版，终端注册怎么做？", ["a11", "a19"], docs) == ["a19"]

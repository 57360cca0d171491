"""The numbering grammar (what looks like a heading number) and standard-code handling."""

from __future__ import annotations

import pytest

from grammar.codes import code_base, code_from_filename, find_codes, normalize_code
from grammar.numbering import (
    Family,
    chinese_to_int,
    halfwidth,
    int_to_chinese,
    is_block_start,
    match_heading,
    parse_annex_type,
)
from grammar.schema import AnnexType, ClauseKind


@pytest.mark.parametrize(
    ("line", "label", "family", "level"),
    [
        ("5 要求", "5", Family.GB, 1),
        ("5.2.1 服务人员", "5.2.1", Family.GB, 3),
        ("5.1.2.3.4 细则", "5.1.2.3.4", Family.GB, 5),
        ("５．２　服务", "5.2", Family.GB, 2),
        ("附录A", "附录A", Family.GB, 1),
        ("附 录 B （资料性）", "附录B", Family.GB, 1),
        ("A.1 总则", "A.1", Family.GB, 2),
        ("B.2.1 记录", "B.2.1", Family.GB, 3),
        ("第三条 为了", "第三条", Family.REG, 4),
        ("第12条 为了", "第十二条", Family.REG, 4),
        ("第一章 总则", "第一章", Family.REG, 2),
        ("第二节 一般规定", "第二节", Family.REG, 3),
        ("一、总则", "一、", Family.OUTLINE, 1),
        ("（二）适用范围", "（二）", Family.OUTLINE, 2),
        ("(3)服务设施", "（3）", Family.OUTLINE, 4),
        ("1. 制定", "1.", Family.OUTLINE, 3),
        ("2、服务时间", "2.", Family.OUTLINE, 3),
        ("③统一着装", "③", Family.OUTLINE, 5),
        ("前言", "前言", Family.ELEMENT, 1),
        ("参 考 文 献", "参考文献", Family.ELEMENT, 1),
    ],
)
def test_heading_shapes(line: str, label: str, family: Family, level: int) -> None:
    hm = match_heading(line)
    assert hm is not None
    assert (hm.numbering.label, hm.numbering.family, hm.numbering.level) == (label, family, level)


@pytest.mark.parametrize(
    "line",
    [
        "5.2.1的规定",
        "5.2.1 的规定",
        "A.1中规定",
        "附录A给出了示例",
        "第三条规定的事项",
        "2024 年",
        "0.5 h",
        "5.0 版本",
        "a) 列项",
        "——列项",
        "注1：说明",
        "示例2：",
        "表1 服务项目",
        "GB/T 1.1—2020 标准化工作导则",
        "12.5%",
    ],
)
def test_not_headings(line: str) -> None:
    assert match_heading(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "a) 列项",
        "1) 子项",
        "——列项",
        "注1：x",
        "注：x",
        "示例：",
        "表A.1 分级",
        "图1 流程",
        "[来源：GB/T 1.1—2020，3.1]",
        "5.2 人员",
    ],
)
def test_block_starts(line: str) -> None:
    assert is_block_start(line)


def test_block_start_negative() -> None:
    assert not is_block_start("服务人员应持证上岗，并定期培训。")


def test_annex_kinds_and_status() -> None:
    hm = match_heading("附录A（规范性）服务流程")
    assert hm is not None and hm.numbering.kind is ClauseKind.ANNEX
    assert hm.annex_type is AnnexType.NORMATIVE
    assert parse_annex_type("（资料性附录）") is AnnexType.INFORMATIVE
    assert parse_annex_type("(规范性)") is AnnexType.NORMATIVE
    assert parse_annex_type("服务流程") is None


@pytest.mark.parametrize(
    ("cn", "n"),
    [
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十三", 23),
        ("一百零五", 105),
        ("一百一十", 110),
    ],
)
def test_chinese_numerals_round_trip(cn: str, n: int) -> None:
    assert chinese_to_int(cn) == n
    assert int_to_chinese(n) == cn


def test_halfwidth_preserves_length() -> None:
    s = "５．２　服务（一）ＧＢ／Ｔ"
    assert len(halfwidth(s)) == len(s)
    assert halfwidth(s) == "5.2 服务(一)GB/T"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("GB/T1.1-2020", "GB/T 1.1—2020"),
        ("GB/T 1.1—2020", "GB/T 1.1—2020"),
        ("ＧＢ／Ｔ　２４４２１．３－２００９", "GB/T 24421.3—2009"),
        ("GB/T 24421.3–2009", "GB/T 24421.3—2009"),
        ("T/BZQC 001—2025", "T/BZQC 001—2025"),
        ("Q/ABC 2-2020", "Q/ABC 2—2020"),
        ("DB 37/T 1234-2021", "DB37/T 1234—2021"),
        ("GB 2760—2014", "GB 2760—2014"),
        ("GB/T 15624", "GB/T 15624"),
        # Official industry codes count without a year when the number has 2+ digits.
        ("SL 61", "SL 61"),
        ("JT 808", "JT 808"),
        # International codes keep their own form: year after a colon, parts with a hyphen.
        ("ISO 9001", "ISO 9001"),
        ("ISO/IEC 27001:2013", "ISO/IEC 27001:2013"),
        ("ＩＳＯ／ＩＥＣ　２７００１：２０１３", "ISO/IEC 27001:2013"),
        ("IEC 61508-3", "IEC 61508-3"),
        ("ISO/TR 10013", "ISO/TR 10013"),
    ],
)
def test_normalize_code(raw: str, code: str) -> None:
    assert normalize_code(raw) == code


@pytest.mark.parametrize(
    "raw",
    [
        "PM 2.5",
        "QC 7",
        "IP 67",
        "AB 123",
        "本文件规定了 GB/T 1.1 的要求",
        "ISO 9001 和 ISO 14001",
        "",
    ],
)
def test_not_a_single_code(raw: str) -> None:
    assert normalize_code(raw) is None


def test_find_codes_in_text_and_base() -> None:
    found = [c.code for c in find_codes("要符合GB/T1.1和GB/T 24421.1—2009 的规定")]
    assert found == ["GB/T 1.1", "GB/T 24421.1—2009"]
    assert code_base("GB/T 24421.3—2009") == "GB/T 24421.3"
    assert code_base("ISO/IEC 27001:2013") == "ISO/IEC 27001"
    found = [c.code for c in find_codes("参照ISO/IEC 27001:2013与SL 61，不含PM 2.5")]
    assert found == ["ISO/IEC 27001:2013", "SL 61"]


def test_code_from_filename() -> None:
    assert code_from_filename("T_BZQC_001-2025_社区居家养老服务规范") == "T/BZQC 001—2025"
    assert code_from_filename("GB_T_24421.3-2009") == "GB/T 24421.3—2009"
    assert code_from_filename("law_biaozhunhuafa_2017") is None

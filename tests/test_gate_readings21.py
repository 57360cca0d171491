"""Readings that refused answerable numeric questions whose answer was ranked first
(session 21): the copy a question names by its file format read as a term the document
lacks ("GB/T 28181—2016（PDF 版）"), a value whose unit only a table header gives ("字段名
字节数 …" over "PASSWORD 8 …") or an English word ("10 BYTES"), and the words of a second
ask counted in the subject of the first ("…鉴权码占多少字节？结束时间填 0 表示什么？")
(grammar.copies.copy_formats, grammar.table_units.spelled_units, qa.gate.slot_sentences)."""

from __future__ import annotations

from clauses import FakeHit, chapter_maker

from grammar.copies import copy_formats
from grammar.schema import Clause, HeadingRef
from grammar.table_units import header_unit, spelled_units
from qa.gate import (
    gate_features,
    question_terms,
    slot_filled,
    slot_in_lead,
    slot_sentences,
    slot_subject,
    term_in_documents,
)
from qa.gate_inputs import BigramFrequency
from qa.relevance import content_grams

mk = chapter_maker(
    "JT/T 809—2011", "道路运输车辆卫星定位系统平台数据交换", HeadingRef("4", "技术要求")
)


def hit(c: Clause) -> FakeHit:
    return FakeHit(c, 1.0, 0.9, bm25_score=1.0)


def test_the_file_format_a_copy_is_named_by_is_no_term() -> None:
    """ "GB/T 28181—2016（PDF 版）" says which copy the question reads; no clause of the
    standard says "PDF", so every such question read as naming a term its documents lack
    (term_in_doc 0: 20 of 20 dev questions, 4 answerable ones refused with the gold first).
    A Latin term the question asks about is still one."""
    q = "GB/T 28181—2016（PDF 版）的预置位指令里，预置位数目最多可以有多少个？"
    assert question_terms(q) == set()
    assert question_terms("GB/T 28181—2016（Markdown 版）缩略语一章里，MANSRTSP 写成什么？") == {
        "mansrtsp"
    }
    assert question_terms("按 Markdown版本 的 SIP 消息示范") == {"sip"}
    assert question_terms("要求 TCP 连接用哪个版本的 TLS？") == {"tcp", "tls"}
    assert question_terms("IPv6 版本的地址怎么写？") == {"ipv6"}  # not a file format
    assert copy_formats("（PDF 版）") == [(1, 5)]
    c = mk("A.3.4", "预置位指令", "其中预置位数目最大为255，0号预留。", 1)
    assert term_in_documents(q, [hit(c)], [[]]) == 1.0


def test_a_table_header_gives_its_column_a_unit() -> None:
    """ "字段名 字节数 类型 描述及要求" counts its second column in bytes: "PASSWORD 8
    Octet_string 密码" states eight bytes.  Only that column; a header naming a position
    ("起始字节") or a column of bytes ("字节4") gives no unit; "10 BYTES" is 10 bytes."""
    assert header_unit("字段名 字节数 类型 描述及要求") == (1, "字节")
    assert header_unit("序号 名称 传输字节数 说明") == (2, "字节")
    assert header_unit("| 字段 | 长度（字节） | 说明 |") == (1, "字节")
    assert header_unit("起始字节 字段 数据类型 描述及要求") is None
    assert header_unit("序号 | 字节4 | 字节5 | 功能描述") is None
    rows = spelled_units(
        [
            "表7 主链路登录请求消息数据体",
            "字段名 字节数 类型 描述及要求",
            "userID 4 Unint32_t 用户名",
            "PASSWORD 8 Octet_string 密码",
            "10 BYTES 监管平台下发的鉴权码",
        ]
    )
    assert rows[0] == "表7 主链路登录请求消息数据体"  # before the header: as it is
    assert rows[2] == "userID 4字节 Unint32_t 用户名"
    assert rows[3] == "PASSWORD 8字节 Octet_string 密码"
    assert rows[4].startswith("10字节 ")
    md = spelled_units(["| 字段 | 长度（字节） | 说明 |", "| 密码 | 8 | 登录密码 |"])
    assert md[1] == "| 密码 | 8字节 | 登录密码 |"
    # a row whose cell in that column is no number is left alone
    assert spelled_units(["字段名 字节数 类型", "帧起始符 7E7EH"])[1] == "帧起始符 7E7EH"


def test_a_size_stated_in_a_table_row_fills_the_slot() -> None:
    """ "密码字段占多少字节" over the table that gives it: the row states 8 under 字节数.
    Before, no sentence stated bytes: slot_filled 0, slot_lead 0, unit_stated 0."""
    table = mk(
        "4.5.1.1",
        "主链路登录请求消息",
        "下级平台登录请求消息数据体规定见表7。\n表7 主链路登录请求消息数据体\n"
        "字段名 字节数 类型 描述及要求\nuserID 4 Unint32_t 用户名\n"
        "PASSWORD 8 Octet_string 密码\n",
        1,
    )
    other = mk("4.5.1.2", "主链路登录应答消息", "上级平台返回验证结果。", 2)
    freq = BigramFrequency()
    freq.count([table, other])
    q = "主链路登录请求消息里，密码字段占多少字节？"
    topic = content_grams(q)
    assert slot_filled(q, topic, [hit(table)], [[]], freq) > 0.0
    assert slot_in_lead(q, topic, [hit(table)], [[]]) == 1.0
    f = gate_features(q, topic, [hit(table)], [[]], [False], frequency=freq)
    assert f is not None and f["unit_stated"] == 1.0
    # the near miss: a table with no size column states no bytes
    plain = mk("4.5.1.3", "主链路注销请求消息", "字段名 类型\nPASSWORD Octet_string 密码\n", 3)
    assert slot_in_lead(q, topic, [hit(plain)], [[]]) == 0.0


def test_the_subject_of_a_slot_is_the_sentence_asking_it() -> None:
    """A question asking a size and, in a sentence of its own, what a value means: the
    words of the second ask (结束, 时间, 表示) are no part of what the sentence stating the
    size must hold.  A question asking one thing, or a slot in every sentence, reads as
    before."""
    q = "按 JT/T 809—2011，政府监管平台让车辆应急接入时，请求消息里的鉴权码占多少字节？结束时间填 0 表示什么？"
    assert (
        slot_sentences(q)
        == "按 JT/T 809—2011,政府监管平台让车辆应急接入时,请求消息里的鉴权码占多少字节"
    )
    topic = content_grams(q)
    subject = slot_subject(q, topic)
    assert {"鉴权", "字节"} <= subject
    assert not subject & {"结束", "时间", "表示"}
    assert slot_sentences("视频监控平台多久发一次心跳？连续几次收不到算掉线？（按2016版）") is None
    assert slot_sentences("鉴权码占多少字节？") is None
    assert slot_sentences("鉴权码是什么？怎么填？") is None
    # a later ask leaves its subject to the sentence before it: the whole question stays
    assert slot_sentences("服务对象满意度怎么计算？要达到多少？") is None
    # "…呢？" asks the slot again, of another subject
    assert slot_sentences("物业投诉档案要保存多久？电话投诉录音呢？") is None
    assert slot_sentences("列项最多能分几层？第二层用什么符号？") == "列项最多能分几层"
    c = mk(
        "4.5.6.2.6",
        "车辆应急接入监管平台请求消息",
        "字段名 字节数 类型 描述及要求\nAUTHENICATION_CODE\n10 BYTES 监管平台下发的鉴权码\n"
        "END_TIME 8 Time_t 结束时间，填0表示一直有效",
        1,
    )
    assert slot_filled(q, topic, [hit(c)], [[]]) > 0.4

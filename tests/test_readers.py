"""Format readers: every reader on generated files, and every way a file can be refused.

PDFs are generated with reportlab's built-in CID font STSong-Light (no system font needed,
see tests/fixtures/make_pdf_fixtures.py); DOCX files with python-docx; nothing is fetched.
"""

from __future__ import annotations

import importlib.util
import io
import random
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement
from docx.text.paragraph import Paragraph
from pypdf import PdfReader
from pypdf.errors import DependencyError

import ingest.readers.pdf as pdf_reader
import ingest.readers.text as text_reader
from ingest.readers import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_SUFFIXES,
    RawDocument,
    UnreadableFile,
    read_document,
)
from ingest.readers.docx import format_number
from ingest.readers.pdf import (
    NO_TEXT_LAYER,
    display_width,
    ends_sentence,
    glue,
    is_page_number,
    join_broken_lines,
    remove_page_furniture,
    remove_running_lines,
)
from ingest.readers.text import decode_text
from tests.fixtures.make_pdf_fixtures import (
    CODE,
    TITLE,
    cover_page,
    encrypt_pdf,
    make_standard_pdf,
    wrap,
    write_image_only_pdf,
    write_pdf,
)


def texts(doc: RawDocument) -> list[str]:
    return [line.text for line in doc.lines]


def refused(path: Path, **kwargs: int) -> str:
    """The reason read_document gives for refusing ``path`` (fails if it does not)."""
    with pytest.raises(UnreadableFile) as info:
        read_document(path, **kwargs)
    reason = str(info.value)
    assert reason and "\n" not in reason, "reasons are one line"
    return reason


# ====================================================================== dispatch & limits
def test_supported_suffixes_and_default_limit() -> None:
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm"}
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("old.doc", "不支持旧版 Word（.doc），请另存为 .docx 后再导入"),
        ("old.DOC", "不支持旧版 Word（.doc），请另存为 .docx 后再导入"),
        ("wps.wps", "WPS"),
        ("sheet.xlsx", "不支持的文件类型：.xlsx"),
        ("noext", "无扩展名"),
    ],
)
def test_unsupported_types(tmp_path: Path, name: str, expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"whatever")
    assert expected in refused(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    assert refused(tmp_path / "nope.txt") == "文件不存在"
    folder = tmp_path / "folder.txt"
    folder.mkdir()
    assert "文件夹" in refused(folder)


@pytest.mark.parametrize("suffix", [".txt", ".md", ".pdf", ".docx", ".html"])
def test_empty_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    assert refused(path) == "空文件"


def test_whitespace_only_file_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(" \n\t\n\u3000\n", encoding="utf-8")
    assert "没有可提取的文字" in refused(path)


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes("服务".encode() * 1000)  # 6000 bytes
    assert refused(path, max_bytes=2048) == "文件过大（5.9 KB，上限 2 KB）"
    # Exactly at the limit is fine.
    assert read_document(path, max_bytes=6000).lines


def test_too_large_message_in_megabytes(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(b"x" * (3 * 1024 * 1024 + 200 * 1024))
    assert refused(path, max_bytes=1024 * 1024) == "文件过大（3.2 MB，上限 1 MB）"


def test_unexpected_library_error_is_wrapped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(path: Path, data: bytes, fmt: str = "txt") -> RawDocument:
        raise RuntimeError("internal\nfailure")

    monkeypatch.setattr(text_reader, "read_text", boom)
    path = tmp_path / "a.txt"
    path.write_text("正文", encoding="utf-8")
    reason = refused(path)
    assert "RuntimeError" in reason and "internal failure" in reason


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    path = tmp_path / "UPPER.TXT"
    path.write_text("第一条 总则", encoding="utf-8")
    doc = read_document(path)
    assert doc.fmt == "txt" and texts(doc) == ["第一条 总则"]


# ====================================================================== text
SAMPLE = "第一章 总则\n第一条 为了加强标准化工作，制定本法。\n\n5.2 服务人员"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (SAMPLE.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"), "utf-8-sig"),
        (SAMPLE.encode("gbk"), "gb18030"),
        (SAMPLE.encode("gb2312"), "gb18030"),
        (b"\xff\xfe" + SAMPLE.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + SAMPLE.encode("utf-16-be"), "utf-16-be"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb2312", "utf16le-bom", "utf16be-bom"],
)
def test_text_encodings(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "law.txt"
    path.write_bytes(data)
    doc = read_document(path)
    assert doc.encoding == encoding
    assert texts(doc) == SAMPLE.split("\n")
    assert all(line.page is None for line in doc.lines)
    assert "\ufeff" not in doc.text


def test_gb18030_beyond_gbk(tmp_path: Path) -> None:
    # 䶮 (CJK Ext. A) and 𠀀 (Ext. B) have no GBK code: only GB18030 encodes them.
    text = "南汉高祖刘䶮，𠀀字测试。"
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    path = tmp_path / "gb18030.txt"
    path.write_bytes(text.encode("gb18030"))
    doc = read_document(path)
    assert doc.encoding == "gb18030" and texts(doc) == [text]


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes("Scope: GB/T 1.1 服务\n第二行".encode("utf-16-le"))
    doc = read_document(path)
    assert doc.encoding == "utf-16-le"
    assert texts(doc) == ["Scope: GB/T 1.1 服务", "第二行"]


def test_charset_normalizer_fallback() -> None:
    # Neither UTF-8 nor GB18030 (a Cyrillic letter byte followed by a space is not a valid
    # GB18030 pair), so the last resort must decide.
    text = "Настоящий стандарт устанавливает требования к качеству услуг. " * 5
    data = text.encode("cp1251")
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb18030")
    decoded, encoding, warnings = decode_text(data)
    assert decoded == text
    assert encoding == "cp1251"
    assert warnings and "自动检测" in warnings[0]


def test_newlines_normalised_and_trailing_space_dropped(tmp_path: Path) -> None:
    path = tmp_path / "lines.md"
    path.write_bytes("# 标题  \r\n  **加粗** 正文\t\r第三行\u2028第四行\u2029第五行\n".encode())
    doc = read_document(path)
    assert doc.fmt == "md"
    # Markdown is kept verbatim (the cleaner interprets it), indentation too.
    assert texts(doc) == ["# 标题", "  **加粗** 正文", "第三行", "第四行", "第五行"]


def test_markdown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "notes.markdown"
    path.write_text("## 5.2 服务人员\n- 列表", encoding="utf-8")
    doc = read_document(path)
    assert doc.fmt == "md" and texts(doc) == ["## 5.2 服务人员", "- 列表"]


def test_binary_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(random.Random(7).randbytes(8192))
    assert "二进制" in refused(path)


def test_binary_without_nul_is_refused(tmp_path: Path) -> None:
    rng = random.Random(3)
    path = tmp_path / "controls.txt"
    path.write_bytes(bytes(rng.choice(range(1, 32)) for _ in range(4000)))
    assert "二进制" in refused(path)


def test_known_binary_format_is_named(tmp_path: Path) -> None:
    path = tmp_path / "picture.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    assert "PNG" in refused(path)


def test_few_stray_nuls_are_dropped(tmp_path: Path) -> None:
    body = ("第一条 为了加强标准化工作。\n" * 400).encode()
    data = body + b"\x00" + body
    path = tmp_path / "stray.txt"
    path.write_bytes(data)
    doc = read_document(path)
    assert "\x00" not in doc.text
    assert any("NUL" in w for w in doc.warnings)


# ====================================================================== PDF: unit rules
@pytest.mark.parametrize(
    "line",
    [
        "12",
        " 7 ",
        "- 12 -",
        "— 3 —",
        "第 12 页",
        "第12页 共30页",
        "第 3 页，共 30 页",
        "共30页 第3页",
        "12/30",
        "12 / 30",
        "Ⅲ",
        "ⅳ",
        "XIV",
        "ii",
        "- II -",
        "Page 3 of 10",
        "１２",
    ],
)
def test_page_number_shapes(line: str) -> None:
    assert is_page_number(line)


@pytest.mark.parametrize(
    "line", ["5.2", "5.2 服务人员", "12345", "2025", "第三条", "a)", "表1", "共3项", "XXX"]
)
def test_not_page_numbers(line: str) -> None:
    assert not is_page_number(line)


@pytest.mark.parametrize(
    ("line", "final"),
    [
        ("应符合下列要求：", True),
        ("身体健康；", True),
        ("本条款结束。", True),
        ("引用“本规范”。”", True),
        ("这是问题？", True),
        ("The end.", True),
        ("应当经过培训，取得", False),
        ("见附录A）", False),
        ("GB/T 1.1", False),
    ],
)
def test_ends_sentence(line: str, final: bool) -> None:
    assert ends_sentence(line) is final


def test_glue_rules() -> None:
    assert glue("服务人员应当经过", "培训") == "服务人员应当经过培训"
    assert glue("shall be", "trained") == "shall be trained"
    assert glue("应符合", "GB/T 1.1") == "应符合GB/T 1.1"
    assert glue("T/BZQC", "001—2025") == "T/BZQC 001—2025"
    assert glue("e.g.", ", the") == "e.g., the"


def test_display_width_counts_cjk_double() -> None:
    assert display_width("服务ab") == 6
    assert display_width("ＡＢ") == 4


TOPICS = ("总则", "服务人员", "环境设施", "膳食服务", "安全管理", "健康档案", "投诉处理")


def distinct_lines(page: int, count: int) -> list[str]:
    """Body lines that differ from page to page even with digits ignored, as real text
    does (identical lines at the same place on every page *are* running headers)."""
    return [
        f"{TOPICS[page % len(TOPICS)]}的第{'一二三四五六七八'[k]}项要求。" for k in range(count)
    ]


def test_running_lines_need_repetition_and_spare_the_cover() -> None:
    cover = ["ICS 03.080", CODE, TITLE]
    body = [[CODE, TITLE, *distinct_lines(i, 1), f"- {i} -"] for i in range(1, 5)]
    out = remove_running_lines([cover, *body])
    assert out[0] == cover
    assert out[1:] == [distinct_lines(i, 1) for i in range(1, 5)]
    # Two pages are not enough to call anything a running header.
    few = [[CODE, "甲"], [CODE, "乙"]]
    assert remove_running_lines(few) == few


def test_footer_behind_two_line_header_is_removed() -> None:
    # Header (2 lines) and footer drawn before the body: the footer is the 3rd line.
    pages = [["封面"]] + [[CODE, TITLE, f"- {n} -", *distinct_lines(n, 6)] for n in range(1, 6)]
    out = remove_page_furniture(pages)
    assert out[0] == ["封面"]
    assert out[1:] == [distinct_lines(n, 6) for n in range(1, 6)]


def test_repeated_content_in_the_middle_of_pages_is_kept() -> None:
    pages = [
        [*distinct_lines(n, 4), "应符合下列要求：", *distinct_lines(n + 1, 4)] for n in range(6)
    ]
    assert remove_page_furniture(pages) == pages


def test_join_keeps_first_page_and_crosses_page_break() -> None:
    full = "服" * 38
    pages = [
        [full + "。", "5.1 标题", "分页前的最后一行继续到下一页的" + "长" * 23],
        ["下一页的开头。", "5.2 服务人员", full, "末行。"],
    ]
    lines = join_broken_lines(pages)
    assert [(line.page, line.text) for line in lines] == [
        (1, full + "。"),
        (1, "5.1 标题"),
        (1, "分页前的最后一行继续到下一页的" + "长" * 23 + "下一页的开头。"),
        (2, "5.2 服务人员"),
        (2, full + "末行。"),
    ]


def test_join_latin_with_space_and_not_after_short_line() -> None:
    wide = "This requirement applies to every service provider in the scope of"
    pages = [[wide, "this document and its annexes.", "Short line", "next line.", wide + "."]]
    assert [line.text for line in join_broken_lines(pages)] == [
        wide + " this document and its annexes.",
        "Short line",
        "next line.",
        wide + ".",
    ]


# ====================================================================== PDF: files
def paragraph_lines() -> list[str]:
    """A paragraph that wraps over three lines, the last one short."""
    text = (
        "养老机构应当建立健全服务质量管理制度，明确各岗位的职责和工作流程，服务人员应当经过"
        "专业培训并考核合格后方可上岗，并定期参加继续教育和技能培训，不断提高服务水平。"
    )
    lines = wrap(text)
    assert len(lines) >= 3, "the test needs a paragraph broken over several lines"
    return lines


@pytest.fixture
def standard_pdf(tmp_path: Path) -> Path:
    """Cover + 4 body pages with running header (code + title) and "- n -" footers."""
    para = paragraph_lines()
    # Two full lines; the second runs on to the next page.
    long_line = wrap("服务提供者应当根据老年人的健康状况和服务需求制定个性化的服务计划，" * 3)[:2]
    pages = [
        cover_page(),
        [
            "5 服务要求",
            "5.1 总则",
            *para,
            "5.2 服务人员",
            "服务人员应符合下列要求：",
            "a) 身体健康，无传染性疾病；",
            "b) 持有相应的职业资格证书。",
        ],
        ["5.3 服务内容", long_line[0], long_line[1]],  # last line continues on the next page
        ["定期进行评估和调整。", "5.4 服务记录", "应记录服务过程。"],
        ["6 评价与改进", "应定期开展服务质量评价。", "注：评价可委托第三方机构进行。"],
    ]
    return write_pdf(
        tmp_path / "standard.pdf",
        pages,
        header=lambda n: (CODE, TITLE) if n > 1 else (),
        footer=lambda n: f"- {n - 1} -" if n > 1 else None,
        title=TITLE,
    )


def test_pdf_cjk_generation_roundtrips_through_pypdf(tmp_path: Path) -> None:
    line = "5.2 服务人员应当经过培训（见附录A），取得资格——“引号”《书名》、①②％＋"
    path = write_pdf(tmp_path / "one.pdf", [[line]])
    assert PdfReader(path).pages[0].extract_text().strip() == line


def test_pdf_headers_footers_removed(standard_pdf: Path) -> None:
    doc = read_document(standard_pdf)
    assert doc.fmt == "pdf" and doc.page_count == 5
    body = [line for line in doc.lines if line.page and line.page > 1]
    assert all(CODE not in line.text and TITLE not in line.text for line in body)
    assert all(not is_page_number(line.text) for line in doc.lines)
    assert not any(line.text.startswith("- ") for line in doc.lines)
    # The cover keeps the code and title: metadata reads them from there.
    cover = [line.text for line in doc.lines if line.page == 1]
    assert CODE in cover and TITLE in cover


def test_pdf_paragraph_rejoined_and_blocks_kept(standard_pdf: Path) -> None:
    doc = read_document(standard_pdf)
    page2 = [line.text for line in doc.lines if line.page == 2]
    assert page2 == [
        "5 服务要求",
        "5.1 总则",
        "".join(paragraph_lines()),
        "5.2 服务人员",
        "服务人员应符合下列要求：",
        "a) 身体健康，无传染性疾病；",
        "b) 持有相应的职业资格证书。",
    ]


def test_pdf_block_starts_never_joined(tmp_path: Path) -> None:
    # Every line before a block start reaches the margin and has no final punctuation,
    # so only is_block_start() keeps the next line separate.
    filler = "服务人员的配置应满足机构规模和服务对象需求并符合国家和地方的有关规定要求"
    full = [(filler * 2)[k : k + 38] for k in range(6)]
    assert all(display_width(line) == 76 and not ends_sentence(line) for line in full)
    blocks = [
        "5.2 服务人员",
        "a) 身体健康，无传染性疾病；",
        "注：评价可委托第三方。",
        "表1 服务项目",
    ]
    body = [line for pair in zip(full, blocks, strict=False) for line in pair] + ["结束。"]
    path = write_pdf(tmp_path / "blocks.pdf", [body])
    assert texts(read_document(path)) == body


def test_pdf_join_across_page_break_keeps_first_page(standard_pdf: Path) -> None:
    doc = read_document(standard_pdf)
    pages = {line.text: line.page for line in doc.lines}
    continued = next(t for t in pages if t.endswith("定期进行评估和调整。"))
    assert continued.startswith("服务提供者应当根据")
    assert pages[continued] == 3
    assert pages["5.4 服务记录"] == 4
    assert pages["6 评价与改进"] == 5
    assert pages["注：评价可委托第三方机构进行。"] == 5


def test_pdf_cover_lines_not_joined(standard_pdf: Path) -> None:
    doc = read_document(standard_pdf)
    cover = [line.text for line in doc.lines if line.page == 1]
    assert cover == cover_page()


def test_pdf_title_hint_from_metadata(standard_pdf: Path) -> None:
    assert read_document(standard_pdf).title_hint == TITLE


def test_pdf_furniture_drawn_after_body(tmp_path: Path) -> None:
    pages = [distinct_lines(n, 5) for n in range(1, 6)]
    path = write_pdf(
        tmp_path / "late.pdf",
        pages,
        header=lambda n: (CODE,),
        footer=lambda n: f"第 {n} 页 共 5 页",
        furniture_last=True,
    )
    doc = read_document(path)
    assert [line.text for line in doc.lines if line.page == 3] == pages[2]
    assert not any("页 共" in line.text for line in doc.lines)
    assert sum(CODE in line.text for line in doc.lines) == 1  # the first page keeps it


def test_pdf_without_title_metadata(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "plain.pdf", [["正文。"]])
    doc = read_document(path)
    assert doc.title_hint is None and texts(doc) == ["正文。"]


@pytest.mark.parametrize("algorithm", [None, "AES-256"])
def test_pdf_encrypted_with_password(
    standard_pdf: Path, tmp_path: Path, algorithm: str | None
) -> None:
    if algorithm and importlib.util.find_spec("cryptography") is None:
        pytest.skip("pypdf needs cryptography to write AES-encrypted PDFs")
    path = encrypt_pdf(standard_pdf, tmp_path / "locked.pdf", "secret", algorithm)
    assert "加密" in refused(path)


def test_pdf_aes_without_cryptography_says_so(
    standard_pdf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def needs_crypto(*args: object, **kwargs: object) -> None:
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(pdf_reader, "PdfReader", needs_crypto)
    reason = refused(standard_pdf)
    assert "加密" in reason and "cryptography" in reason


def test_pdf_encrypted_with_empty_user_password_opens(standard_pdf: Path, tmp_path: Path) -> None:
    path = encrypt_pdf(standard_pdf, tmp_path / "restricted.pdf", "")
    doc = read_document(path)
    assert "5.2 服务人员" in texts(doc)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_pdf_truncated(standard_pdf: Path, tmp_path: Path, keep: float) -> None:
    data = standard_pdf.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    assert "PDF" in refused(path)


def test_pdf_that_is_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "page.pdf"
    path.write_bytes(b"<html><body>login required</body></html>")
    assert "不是有效的 PDF" in refused(path)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = write_image_only_pdf(tmp_path / "scan.pdf")
    assert refused(path) == NO_TEXT_LAYER


def test_pdf_partly_scanned_warns(tmp_path: Path) -> None:
    path = write_pdf(tmp_path / "mixed.pdf", [["第一页正文。"], [], ["第三页正文。"]])
    doc = read_document(path)
    assert [(line.page, line.text) for line in doc.lines] == [
        (1, "第一页正文。"),
        (3, "第三页正文。"),
    ]
    assert any("第 2 页" in w for w in doc.warnings)


def test_pdf_kangxi_radicals_normalised(tmp_path: Path) -> None:
    # U+2F45 (⽅) and U+2F42 (⽂) are what some Word exports produce for 方 and 文.
    path = write_pdf(tmp_path / "radicals.pdf", [["\u2f45法和\u2f42件"]])
    assert texts(read_document(path)) == ["方法和文件"]


def test_pdf_long_document_pages(tmp_path: Path) -> None:
    path = make_standard_pdf(tmp_path / "long.pdf", pages=12)
    doc = read_document(path)
    assert doc.page_count == 12
    assert {line.page for line in doc.lines} == set(range(1, 13))
    assert not any(CODE in line.text for line in doc.lines if line.page != 1)
    # Every list item and clause heading still starts its own line.
    assert any(line.text.startswith("a) ") for line in doc.lines)
    assert all("；b) " not in line.text for line in doc.lines)


# ====================================================================== DOCX
def _numbering_xml(abstract_id: int, num_id: int, levels: list[tuple[str, str]]) -> tuple:
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    abstract = parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">{lvls}</w:abstractNum>'
    )
    num = parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/></w:num>'
    )
    return abstract, num


def add_list(
    doc: DocxDocument, abstract_id: int, num_id: int, levels: list[tuple[str, str]]
) -> None:
    numbering = doc.part.numbering_part.element
    abstract, num = _numbering_xml(abstract_id, num_id, levels)
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)  # abstractNum elements must precede num elements
    else:
        numbering.append(abstract)
    numbering.append(num)


def set_num(paragraph: Paragraph, num_id: int, ilvl: int | None = None) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    num_pr = OxmlElement("w:numPr")
    if ilvl is not None:
        lvl = OxmlElement("w:ilvl")
        lvl.set(qn("w:val"), str(ilvl))
        num_pr.append(lvl)
    nid = OxmlElement("w:numId")
    nid.set(qn("w:val"), str(num_id))
    num_pr.append(nid)
    ppr.append(num_pr)


def save(doc: DocxDocument, path: Path) -> Path:
    doc.save(str(path))
    return path


def test_docx_paragraphs_tables_in_order_and_title(tmp_path: Path) -> None:
    doc = Document()
    doc.core_properties.title = "养老机构服务质量规范"
    doc.add_paragraph("前言")
    doc.add_paragraph("本文件按照GB/T 1.1—2020的规定起草。")
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate([("序号", "项目", "要求"), ("1", "环境", "整洁"), ("2", "", "安全")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    doc.add_paragraph("表后正文。")
    doc.add_paragraph("")  # empty paragraphs are spacing, not lines
    doc.add_paragraph("第一行\t制表\n软回车后")
    path = save(doc, tmp_path / "std.docx")
    result = read_document(path)
    assert result.fmt == "docx" and result.title_hint == "养老机构服务质量规范"
    assert texts(result) == [
        "前言",
        "本文件按照GB/T 1.1—2020的规定起草。",
        "序号 | 项目 | 要求",
        "1 | 环境 | 整洁",
        "2 |  | 安全",
        "表后正文。",
        "第一行 制表",
        "软回车后",
    ]
    assert all(line.page is None for line in result.lines)


def test_docx_merged_and_nested_cells(tmp_path: Path) -> None:
    doc = Document()
    table = doc.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "表1 服务项目"
    table.cell(1, 0).merge(table.cell(2, 0)).text = "生活照料"
    table.cell(1, 1).text = "助浴"
    table.cell(2, 1).text = "助餐"
    inner = table.cell(1, 2).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "每周"
    inner.cell(0, 1).text = "两次"
    table.cell(2, 2).paragraphs[0].text = "每日三餐"
    table.cell(2, 2).add_paragraph("按需")
    result = read_document(save(doc, tmp_path / "merged.docx"))
    assert texts(result) == [
        "表1 服务项目",  # a horizontal span is written once
        "生活照料 | 助浴 | 每周 | 两次",  # nested table flattened into its cell
        "生活照料 | 助餐 | 每日三餐 按需",  # a vertical merge repeats on each row
    ]


def test_docx_auto_numbered_headings_from_numbering_definitions(tmp_path: Path) -> None:
    doc = Document()
    add_list(doc, 90, 90, [("decimal", "%1"), ("decimal", "%1.%2"), ("decimal", "%1.%2.%3")])
    doc.add_heading("前言", level=1)  # not numbered: no numPr
    for text, level in [
        ("范围", 1),
        ("规范性引用文件", 1),
        ("服务要求", 1),
        ("总则", 2),
        ("服务人员", 2),
        ("健康要求", 3),
        ("5.3 与顾客沟通", 2),  # typed number: left alone, but the counter still advances
        ("服务环境", 2),
        ("评价与改进", 1),
    ]:
        set_num(doc.add_heading(text, level=level), 90, level - 1)
    doc.add_paragraph("正文不编号。")
    result = read_document(save(doc, tmp_path / "auto.docx"))
    assert texts(result) == [
        "前言",
        "1 范围",
        "2 规范性引用文件",
        "3 服务要求",
        "3.1 总则",
        "3.2 服务人员",
        "3.2.1 健康要求",
        "5.3 与顾客沟通",
        "3.4 服务环境",
        "4 评价与改进",
        "正文不编号。",
    ]


def test_docx_numbering_on_style_and_chinese_formats(tmp_path: Path) -> None:
    doc = Document()
    add_list(doc, 91, 91, [("chineseCounting", "第%1章"), ("decimal", "第%2条")])
    for level, style_name in ((0, "Heading 1"), (1, "Heading 2")):
        ppr = doc.styles[style_name].element.get_or_add_pPr()
        num_pr = parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="91"/></w:numPr>'
        )
        ppr.insert(0, num_pr)
    doc.add_heading("总则", level=1)
    doc.add_heading("目的", level=2)
    doc.add_heading("适用范围", level=2)
    doc.add_heading("管理", level=1)
    heading = doc.add_heading("附则", level=1)
    set_num(heading, 0)  # numId 0 switches the style's numbering off for this paragraph
    result = read_document(save(doc, tmp_path / "reg.docx"))
    assert texts(result) == ["第一章 总则", "第1条 目的", "第2条 适用范围", "第二章 管理", "附则"]


def test_docx_heading_counters_when_definition_missing(tmp_path: Path) -> None:
    doc = Document()
    set_num(doc.add_heading("范围", level=1), 77)  # numId 77 is not defined anywhere
    set_num(doc.add_heading("要求", level=1), 77)
    set_num(doc.add_heading("细则", level=3), 77)  # level 2 skipped: counts as 1
    set_num(doc.add_heading("人员", level=2), 77)
    doc.add_paragraph("a) 列项不是标题，不加编号；")
    result = read_document(save(doc, tmp_path / "counters.docx"))
    assert texts(result) == [
        "1 范围",
        "2 要求",
        "2.1.1 细则",
        "2.2 人员",
        "a) 列项不是标题，不加编号；",
    ]


def test_docx_chinese_heading_style_name(tmp_path: Path) -> None:
    doc = Document()
    style = doc.styles.add_style("标题 2", 1)  # WD_STYLE_TYPE.PARAGRAPH
    p1 = doc.add_paragraph("一级", style="Heading 1")
    p2 = doc.add_paragraph("二级", style=style)
    set_num(p1, 555)  # not defined: heading-level counters
    set_num(p2, 555)
    assert texts(read_document(save(doc, tmp_path / "cn.docx"))) == ["1 一级", "1.1 二级"]


def test_docx_tracked_changes_hidden_text_and_text_boxes(tmp_path: Path) -> None:
    doc = Document()
    p = doc.add_paragraph("保留")
    p._p.append(
        parse_xml(f'<w:ins {nsdecls("w")} w:id="1" w:author="a"><w:r><w:t>插入</w:t></w:r></w:ins>')
    )
    p._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="2" w:author="a"><w:r><w:delText>删除</w:delText>'
            "</w:r></w:del>"
        )
    )
    p._p.append(parse_xml(f"<w:r {nsdecls('w')}><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>"))
    box = doc.add_paragraph("锚定段落")
    box._p.append(
        parse_xml(
            f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox><w:txbxContent>'
            "<w:p><w:r><w:t>T/BZQC 001—2025</w:t></w:r></w:p>"
            "</w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
        )
    )
    result = read_document(save(doc, tmp_path / "tracked.docx"))
    assert texts(result) == ["保留插入", "锚定段落", "T/BZQC 001—2025"]


def test_docx_corrupt_zip(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("正文")
    data = save(doc, tmp_path / "ok.docx").read_bytes()
    path = tmp_path / "broken.docx"
    path.write_bytes(data[: len(data) // 2])
    assert refused(path).startswith("DOCX 文件损坏：")


def test_docx_zip_without_document(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "not a word document")
    path = tmp_path / "empty.docx"
    path.write_bytes(buf.getvalue())
    assert refused(path).startswith("DOCX 文件损坏：")


def test_docx_that_is_really_doc(tmp_path: Path) -> None:
    path = tmp_path / "renamed.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert ".doc" in refused(path)


def test_docx_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.docx"
    path.write_bytes(random.Random(1).randbytes(3000))
    assert refused(path).startswith("DOCX 文件损坏：")


@pytest.mark.parametrize(
    ("n", "fmt", "expected"),
    [
        (3, "decimal", "3"),
        (2, "upperLetter", "B"),
        (27, "lowerLetter", "aa"),
        (14, "upperRoman", "XIV"),
        (23, "chineseCounting", "二十三"),
        (3, "chineseLegalSimplified", "叁"),
        (2, "ideographTraditional", "乙"),
        (4, "decimalEnclosedCircleChinese", "④"),
        (5, "decimalZero", "05"),
        (7, "decimalFullWidth", "７"),
    ],
)
def test_docx_number_formats(n: int, fmt: str, expected: str) -> None:
    assert format_number(n, fmt) == expected


# ====================================================================== HTML
PAGE = """<!DOCTYPE html>
<html><head><meta charset="{charset}"><title>团体标准 服务规范 - 标准网</title>
<style>p {{ color: red }}</style><script>var x = "不应出现";</script></head>
<body>
<header><a href="/">首页</a> 站点横幅</header>
<nav><ul><li>导航一</li><li>导航二</li></ul></nav>
<article>
  <header><h1>养老机构服务质量规范</h1></header>
  <h2>5.2 服务人员</h2>
  <p>服务人员应当经过
  培训，取得<b>相应</b>资格。<script>alert(1)</script></p>
  <div>第一行<br>第二行</div>
  <ul><li>a) 身体健康；</li><li>b) 持证上岗。</li></ul>
  <table><tr><th>序号</th><th>项目</th></tr><tr><td>1</td><td><p>助浴</p><p>每周</p></td></tr></table>
  <pre>代码  第一行
  缩进行</pre>
  <p hidden>隐藏内容</p><p style="display: none">也隐藏</p>
  <!-- 注释不应出现 -->
  <p>Latin text with&nbsp;entities &amp; more</p>
</article>
<aside>相关推荐</aside>
<form><input value="搜索"><button>提交</button></form>
<iframe src="ad.html">广告</iframe>
<noscript>请启用脚本</noscript>
<footer>版权所有 © 标准网</footer>
</body></html>
"""

EXPECTED_HTML = [
    "养老机构服务质量规范",
    "5.2 服务人员",
    "服务人员应当经过培训，取得相应资格。",
    "第一行",
    "第二行",
    "a) 身体健康；",
    "b) 持证上岗。",
    "序号 | 项目",
    "1 | 助浴 每周",
    "代码  第一行",
    "  缩进行",
    "Latin text with entities & more",
]


def test_html_utf8_boilerplate_removed(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE.format(charset="utf-8"), encoding="utf-8")
    doc = read_document(path)
    assert doc.fmt == "html" and doc.encoding == "utf-8"
    assert texts(doc) == EXPECTED_HTML
    assert doc.title_hint == "团体标准 服务规范 - 标准网"
    for leaked in (
        "alert",
        "不应出现",
        "导航",
        "站点横幅",
        "版权所有",
        "相关推荐",
        "搜索",
        "提交",
        "广告",
        "请启用脚本",
        "注释",
        "隐藏",
        "<",
        "color",
    ):
        assert leaked not in doc.text


@pytest.mark.parametrize("charset", ["gbk", "gb2312", "GB2312"])
def test_html_gbk_with_meta_charset(tmp_path: Path, charset: str) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes(PAGE.format(charset=charset).replace("©", "(c)").encode("gbk"))
    doc = read_document(path)
    assert doc.encoding == "gb18030"
    assert texts(doc) == EXPECTED_HTML


def test_html_http_equiv_charset(tmp_path: Path) -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
        "</head><body><p>第一条 为了加强标准化工作。</p></body></html>"
    )
    path = tmp_path / "old.html"
    path.write_bytes(html.encode("gb2312"))
    doc = read_document(path)
    assert texts(doc) == ["第一条 为了加强标准化工作。"]
    assert doc.title_hint is None


def test_html_declared_charset_wrong(tmp_path: Path) -> None:
    # Re-saved pages often keep "gb2312" while the bytes are UTF-8.
    html = '<meta charset="gb2312"><p>服务人员应当经过培训。</p>'
    path = tmp_path / "resaved.html"
    path.write_bytes(html.encode("utf-8"))
    assert texts(read_document(path)) == ["服务人员应当经过培训。"]


def test_html_title_falls_back_to_h1(tmp_path: Path) -> None:
    path = tmp_path / "h1.html"
    path.write_text("<body><h1>  标准  名称 </h1><p>正文</p></body>", encoding="utf-8")
    doc = read_document(path)
    assert doc.title_hint == "标准 名称"
    assert texts(doc) == ["标准 名称", "正文"]


def test_html_escaped_markup_is_text_but_tags_are_not(tmp_path: Path) -> None:
    path = tmp_path / "x.html"
    path.write_text(
        "<p>示例：&lt;b&gt;不是标签&lt;/b&gt;</p><script>alert(1)</script>"
        "<p>结束<script>document.write('x')</script></p>",
        encoding="utf-8",
    )
    assert texts(read_document(path)) == ["示例：<b>不是标签</b>", "结束"]


def test_html_deeply_nested(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text("<div>" * 3000 + "深层文字" + "</div>" * 3000, encoding="utf-8")
    assert texts(read_document(path)) == ["深层文字"]


def test_html_only_boilerplate_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "nav.html"
    path.write_text("<nav>导航</nav><script>x()</script><footer>版权</footer>", encoding="utf-8")
    assert "没有可提取的文字" in refused(path)

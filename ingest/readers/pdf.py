"""PDF: the text layer, page by page, with the page furniture taken off and the layout's
line breaks undone.

Only the text layer is read (pypdf); a scanned PDF has none and is rejected with a reason
that says so, because silently importing nothing would look like a retrieval failure later.

A PDF's text comes out as *visual* lines, which differ from what the document says in
three ways, each fixed here, in this order:

1. Running headers and footers ("T/BZQC 001—2025", the standard's title) repeat on every
   page.  Left in, they would be glued into clauses and retrieved.  They are recognised by
   repetition, not by content: a line in the first or last three positions of a page
   whose text (digits replaced by a placeholder, so "第 3 页" and "第 4 页" count as the
   same) occurs there on at least 40 % of the pages and on at least 3 pages.  Three
   positions, because exporters usually write the header *and* the footer before the
   body, so a two-line header (code and title) pushes the page number to the third line.
   40 % rather than 50 % because books print different headers on odd and even pages.
   The first page is left alone: it is normally the cover, and :mod:`ingest.metadata`
   reads the code and title from it.
2. Page numbers ("12", "- 12 -", "第 12 页", "第12页 共30页", "12/30", "Ⅲ"/"iv") in the
   same positions are dropped even when they do not repeat enough for (1).
3. A paragraph wraps at the right margin into several lines, and continues across a page
   break.  Lines are re-joined when the earlier line does not end a sentence, reaches
   (nearly) the right margin — its display width is at least 80 % of the page's
   90th-percentile line width — and the next line does not begin a new block
   (:func:`grammar.numbering.is_block_start`: headings, list items, notes, captions).
   CJK text is joined without a space, Latin text with one.  A joined line keeps the page
   of its first part, which is the page a citation should point to.  Only pages of
   running text are joined: a page where some line ends a sentence, or where at least
   half the lines reach the margin (one paragraph running on).  A cover, a table of
   contents or a table has neither, and its longest line — say the English title on a
   cover — is "long" only relative to the other short lines: joining it to the next would
   corrupt the title that :mod:`ingest.metadata` looks for.

Widths are measured in display columns (CJK = 2, Latin = 1) because a line of Chinese and a
line of English of the same printed width differ two-fold in character count.
"""

from __future__ import annotations

import io
import logging
import math
import re
import unicodedata
from collections import Counter
from itertools import chain
from pathlib import Path

from pypdf import PasswordType, PdfReader
from pypdf.errors import DependencyError

from grammar.numbering import halfwidth, is_block_start
from ingest.readers.base import Line, RawDocument, UnreadableFile

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------- tunables
EDGE_LINES = 3  # header/footer candidates: this many lines at the top and at the bottom
RUNNING_MIN_SHARE = 0.4  # ... that repeat on at least this share of pages
RUNNING_MIN_PAGES = 3  # ... and on at least this many pages
JOIN_WIDTH_RATIO = 0.8  # a line "reaches the margin" at this share of the p90 width
JOIN_MIN_PAGE_LINES = 5  # pages with fewer lines use the document-wide p90 width
# A page is running text if some line on it ends a sentence, or if at least this share of
# its lines reach the margin (a page that is one paragraph continuing).
JOIN_MIN_LONG_SHARE = 0.5
# Share of undecodable characters above which the text layer is useless (fonts without a
# ToUnicode map come out as private-use or control characters).
MAX_GARBAGE_RATIO = 0.3

NO_TEXT_LAYER = "PDF 没有文本层（可能是扫描件），需先做文字识别"

# ---------------------------------------------------------------- character clean-up
# Word's PDF export often maps ideographs to Kangxi radicals or compatibility ideographs
# ("⽅法" for "方法"); they look identical but never match a query.  NFKC maps them back.
# Applied to these blocks only: NFKC on everything would also rewrite ①, ㎡ and full-width
# forms, which are the document's own text.
_CHAR_FIXES: dict[int, str | None] = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for cp in chain(range(0x2E80, 0x2FE0), range(0xF900, 0xFB00))
    if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}
# Control characters carry no text; a soft hyphen is invisible.
_CHAR_FIXES.update({cp: None for cp in chain(range(0x00, 0x20), range(0x7F, 0xA0))})
_CHAR_FIXES.update({0x09: " ", 0xAD: None})

# ---------------------------------------------------------------- page numbers


def _roman(n: int) -> str:
    out = []
    for value, sym in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        q, n = divmod(n, value)
        out.append(sym * q)
    return "".join(out)


def _unicode_roman(n: int) -> str:
    # U+2160.. are Ⅰ..Ⅻ as single characters; 13..20 are written Ⅹ + Ⅲ etc.
    return chr(0x215F + n) if n <= 12 else "Ⅹ" + chr(0x215F + n - 10)


_ROMANS = frozenset(
    chain.from_iterable(
        (
            _roman(n),
            _roman(n).lower(),
            _unicode_roman(n),
            _unicode_roman(n).translate({cp: cp + 16 for cp in range(0x2160, 0x2170)}),
        )
        for n in range(1, 21)
    )
)
_DASHES = "-—–_~·•－"
_PAGE_NUMBER = re.compile(
    r"^(?:"
    r"\d{1,3}"  # four digits alone are more often a year than a page
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，/]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r")$",
    re.IGNORECASE,
)


def is_page_number(text: str) -> bool:
    """True for a line that is nothing but a page number, in any of the usual dresses."""
    s = halfwidth(text).strip().strip(_DASHES).strip()
    if not s:
        return False
    return bool(_PAGE_NUMBER.match(s)) or s.replace(" ", "") in _ROMANS


# ---------------------------------------------------------------- page furniture
_DIGITS = re.compile(r"\d+")


def _furniture_key(text: str) -> str:
    return _DIGITS.sub("#", " ".join(halfwidth(text).split()))


def _edge_indices(n: int) -> set[int]:
    return set(range(min(EDGE_LINES, n))) | set(range(max(n - EDGE_LINES, 0), n))


def remove_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop running headers/footers (see the module docstring, rule 1).  ``pages`` holds
    each page's non-empty lines; the first page is never changed."""
    counts: Counter[str] = Counter()
    for lines in pages:
        counts.update({_furniture_key(lines[i]) for i in _edge_indices(len(lines))})
    threshold = max(RUNNING_MIN_PAGES, math.ceil(RUNNING_MIN_SHARE * len(pages)))
    running = {key for key, c in counts.items() if c >= threshold}
    if not running:
        return pages
    logger.debug("running headers/footers: %s", sorted(running))
    out = [pages[0]] if pages else []
    for lines in pages[1:]:
        edges = _edge_indices(len(lines))
        out.append(
            [t for i, t in enumerate(lines) if i not in edges or _furniture_key(t) not in running]
        )
    return out


def remove_page_numbers(pages: list[list[str]]) -> list[list[str]]:
    """Drop page-number lines in the first/last three positions of each page (rule 2)."""
    out = []
    for lines in pages:
        edges = _edge_indices(len(lines))
        out.append([t for i, t in enumerate(lines) if i not in edges or not is_page_number(t)])
    return out


def remove_page_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Rules 1 and 2: running headers/footers, then page numbers."""
    return remove_page_numbers(remove_running_lines(pages))


# ---------------------------------------------------------------- re-joining lines
# Sentence-final marks, after halfwidth() (so full-width ；：！？． are covered).
_FINAL = frozenset("。;!?:.…")
# Closing marks that may follow the final punctuation: "……的要求。”" ends a sentence.
_CLOSERS = "\"'”’）)】]」』》〉"


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def display_width(text: str) -> int:
    """Printed width in columns: CJK and full-width characters count 2, others 1."""
    return sum(2 if _is_wide(ch) else 1 for ch in text)


def ends_sentence(text: str) -> bool:
    """True if ``text`` ends with sentence-final punctuation (possibly inside a closing
    quote or bracket)."""
    s = halfwidth(text).rstrip().rstrip(_CLOSERS)
    return bool(s) and s[-1] in _FINAL


def _p90(widths: list[int]) -> float:
    if not widths:
        return 0.0
    ordered = sorted(widths)
    return float(ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)])


def glue(left: str, right: str) -> str:
    """Join two pieces of one broken line: nothing between CJK, one space between two
    Latin words (a space is also right for "T/BZQC" + "001—2025")."""
    left, right = left.rstrip(), right.lstrip()
    if not left or not right:
        return left + right
    a, b = left[-1], right[0]
    if _is_wide(a) or _is_wide(b) or a in "-/([" or b in ",.;:!?)]/-%":
        return left + right
    return f"{left} {right}"


def join_broken_lines(pages: list[list[str]]) -> list[Line]:
    """Undo layout line breaks (rule 3) and tag each line with its 1-based page."""
    page_widths = [[display_width(t) for t in lines] for lines in pages]
    doc_p90 = _p90(list(chain.from_iterable(page_widths)))
    out: list[Line] = []
    can_continue = False  # may the last output line take the next line as a continuation?
    for page_no, (lines, widths) in enumerate(zip(pages, page_widths, strict=True), start=1):
        p90 = _p90(widths) if len(widths) >= JOIN_MIN_PAGE_LINES else doc_p90
        min_width = JOIN_WIDTH_RATIO * p90
        long_lines = sum(w >= min_width for w in widths)
        running_text = p90 > 0 and (
            any(map(ends_sentence, lines)) or long_lines >= JOIN_MIN_LONG_SHARE * len(widths)
        )
        for text, width in zip(lines, widths, strict=True):
            if can_continue and not is_block_start(text):
                out[-1].text = glue(out[-1].text, text)
            else:
                out.append(Line(text, page_no))
            can_continue = running_text and width >= min_width and not ends_sentence(text)
    return out


# ---------------------------------------------------------------- pypdf
def _open(data: bytes) -> PdfReader:
    if b"%PDF-" not in data[:1024]:
        raise UnreadableFile("不是有效的 PDF 文件（缺少 %PDF 文件头），可能下载不完整或其实是网页")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except DependencyError as exc:
        raise UnreadableFile("PDF 已加密（AES），缺少解密组件 cryptography，无法读取") from exc
    except Exception as exc:
        raise UnreadableFile(f"PDF 文件损坏（{type(exc).__name__}）") from exc
    if reader.is_encrypted:
        # Many PDFs are "encrypted" only to restrict printing/copying, with an empty user
        # password; those open fine.  A real open password we cannot know.
        try:
            result = reader.decrypt("")
        except DependencyError as exc:
            raise UnreadableFile("PDF 已加密（AES），缺少解密组件 cryptography，无法读取") from exc
        except Exception as exc:
            raise UnreadableFile(f"PDF 已加密，无法解密（{type(exc).__name__}）") from exc
        if result == PasswordType.NOT_DECRYPTED:
            raise UnreadableFile("PDF 已加密（需要打开密码），无法读取")
    return reader


def _title_hint(reader: PdfReader) -> str | None:
    try:
        meta = reader.metadata
        title = meta.title if meta is not None else None
    except Exception:  # broken /Info dictionary: a title hint is not worth failing over
        logger.debug("unreadable PDF metadata", exc_info=True)
        return None
    if not title:
        return None
    title = " ".join(str(title).split())
    title = re.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title)
    title = re.sub(r"\.(?:docx?|wps|pdf|pptx?)$", "", title, flags=re.IGNORECASE)
    if not title or title.lower() in {"untitled", "无标题", "unknown", "title"}:
        return None
    if sum(ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff" for ch in title) > len(title) // 4:
        return None
    return title


def _page_lines(text: str) -> list[str]:
    lines = (line.translate(_CHAR_FIXES).strip() for line in text.splitlines())
    return [line for line in lines if line]


def _garbage_ratio(pages: list[list[str]]) -> float:
    total = bad = 0
    for line in chain.from_iterable(pages):
        for ch in line:
            if ch.isspace():
                continue
            total += 1
            if ch == "\ufffd" or "\ue000" <= ch <= "\uf8ff":
                bad += 1
    return bad / total if total else 0.0


def _page_list(pages: list[int]) -> str:
    shown = "、".join(str(p) for p in pages[:10])
    return shown + (f" 等 {len(pages)} 页" if len(pages) > 10 else "")


def extract_pages(reader: PdfReader) -> tuple[list[list[str]], list[str]]:
    """Each page's non-empty lines, and warnings about pages that failed or had no text."""
    try:
        page_objects = list(reader.pages)
    except Exception as exc:
        raise UnreadableFile(f"PDF 文件损坏：页面结构无法读取（{type(exc).__name__}）") from exc
    pages: list[list[str]] = []
    failed: list[int] = []
    errors: list[str] = []
    for number, page in enumerate(page_objects, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # one broken page should not cost the other pages
            logger.debug("page %d: extract_text failed", number, exc_info=True)
            failed.append(number)
            errors.append(type(exc).__name__)
            text = ""
        pages.append(_page_lines(text))
    warnings = []
    if failed:
        if len(failed) == len(page_objects):
            raise UnreadableFile(f"PDF 文件损坏：所有页面都无法读取（{errors[0]}）")
        warnings.append(f"第 {_page_list(failed)} 页无法提取文字（{errors[0]}），已跳过")
    return pages, warnings


def read_pdf(path: Path, data: bytes) -> RawDocument:
    """A PDF's text layer as lines tagged with their page (see the module docstring)."""
    reader = _open(data)
    pages, warnings = extract_pages(reader)
    if not pages:
        raise UnreadableFile("PDF 没有页面")
    if not any(pages):
        raise UnreadableFile(NO_TEXT_LAYER)
    # Pages without text between pages with text are scanned pages (or whole-page figures).
    empty = [i for i, lines in enumerate(pages, start=1) if not lines]
    if empty:
        warnings.append(f"第 {_page_list(empty)} 页没有文字（可能是扫描页或整页图片）")
    garbage = _garbage_ratio(pages)
    if garbage > MAX_GARBAGE_RATIO:
        raise UnreadableFile("PDF 文本层无法解码（字体缺少 Unicode 映射），需先做文字识别")
    if garbage > 0.05:
        warnings.append(f"PDF 文本层有 {garbage:.0%} 的字符无法解码，部分文字可能是乱码")

    pages = remove_page_furniture(pages)
    if not any(pages):  # nothing but a watermark or page numbers on scanned pages
        raise UnreadableFile(NO_TEXT_LAYER)
    lines = join_broken_lines(pages)
    return RawDocument(
        path=path,
        fmt="pdf",
        lines=lines,
        page_count=len(pages),
        title_hint=_title_hint(reader),
        warnings=warnings,
    )

"""Plain text and markdown: bytes to lines, and nothing more.

Chinese text files come in three encodings in practice: UTF-8 (with or without a BOM, the
BOM mostly from Windows Notepad), GBK/GB2312 from older Windows tools, and UTF-16 from
"Unicode" saves.  We try them in an order that cannot misfire on the common cases: a BOM is
proof; strict UTF-8 almost never decodes non-UTF-8 Chinese by accident; GB18030 is a
superset of GBK and GB2312, so one attempt covers all three.  Only then do we ask
charset-normalizer, whose guesses on short Chinese texts are less reliable.

Markdown is *not* interpreted here: the cleaner decides what ``#`` and ``**`` mean, so the
lines are kept verbatim apart from trailing whitespace.
"""

from __future__ import annotations

import codecs
import logging
from pathlib import Path

from ingest.readers.base import Line, RawDocument, UnreadableFile

logger = logging.getLogger(__name__)

# UTF-32 LE's BOM begins with UTF-16 LE's, so it must be tested first.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

# File signatures of formats people rename to .txt (or save with the wrong suffix); naming
# the real format makes the error actionable.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP 压缩包或 .docx/.xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office（.doc/.xls/.ppt）"),
    (b"\x89PNG", "PNG 图片"),
    (b"\xff\xd8\xff", "JPEG 图片"),
    (b"GIF8", "GIF 图片"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
)

# Control characters that occur in real text files; everything else in C0/C1 does not.
_TEXT_CONTROLS = frozenset("\t\n\r\f\v\x1a\x1b")
# Above this share of control characters the "text" is binary data that happened to decode.
_MAX_CONTROL_RATIO = 0.03
# A handful of stray NULs deep in a large scraped file are dropped; more means binary.
_MAX_NUL_RATIO = 0.001
_SNIFF = 4096


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for ch in text if (ch < " " or "\x7f" <= ch <= "\x9f") and ch not in _TEXT_CONTROLS)
    return bad / len(text)


def _utf16_without_bom(data: bytes) -> str | None:
    """ "utf-16-le"/"utf-16-be" when NULs sit in every other byte, as in BOM-less UTF-16
    of mostly ASCII text; else None."""
    sample = data[: _SNIFF - _SNIFF % 2]
    half = max(len(sample) // 2, 1)
    even_nuls = sample[0::2].count(0) / half
    odd_nuls = sample[1::2].count(0) / half
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _binary_reason(data: bytes) -> str:
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return f"不是文本文件（内容是 {name} 格式），请检查文件扩展名"
    return "不是文本文件（二进制内容）"


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_text(data: bytes) -> tuple[str, str, list[str]]:
    """Decode the bytes of a text file.

    Returns ``(text, encoding, warnings)``.  ``encoding`` names what was used ("utf-8",
    "utf-8-sig", "gb18030", "utf-16-le", or charset-normalizer's guess).

    Raises:
        UnreadableFile: binary content, or no encoding decodes the bytes.
    """
    warnings: list[str] = []
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            text = _try(data[len(bom) :], codec)
            if text is None:
                raise UnreadableFile(f"文本编码错误（带 {name.upper()} 标记但内容无法按其解码）")
            return _checked(text, name, data), name, warnings

    if 0 in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None and (text := _try(data, utf16)) is not None:
            return _checked(text, utf16, data), utf16, warnings
        nuls = data.count(0)
        if any(data.startswith(m) for m, _ in _MAGIC) or 0 in data[:1024]:
            raise UnreadableFile(_binary_reason(data))
        if nuls / len(data) > _MAX_NUL_RATIO:
            raise UnreadableFile(_binary_reason(data))
        warnings.append(f"删除了 {nuls} 个空字符（NUL）")
        data = data.replace(b"\x00", b"")

    for codec in ("utf-8", "gb18030"):
        text = _try(data, codec)
        if text is not None:
            return _checked(text, codec, data), codec, warnings

    from charset_normalizer import from_bytes  # imported lazily: only odd files need it

    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise UnreadableFile(_binary_reason(data) if _looks_binary(data) else "无法识别文本编码")
    text = str(best)
    warnings.append(f"文本编码由自动检测判断为 {best.encoding}，可能有误")
    logger.debug("charset-normalizer chose %s", best.encoding)
    return _checked(text, best.encoding, data), best.encoding, warnings


def _looks_binary(data: bytes) -> bool:
    """A known binary signature, or raw control bytes far beyond what text contains."""
    sample = data[:_SNIFF]
    controls = sum(1 for b in sample if b < 0x20 and b not in b"\t\n\r\f\v\x1a\x1b")
    return any(data.startswith(m) for m, _ in _MAGIC) or controls / max(len(sample), 1) > 0.1


def _checked(text: str, codec: str, data: bytes) -> str:
    """Reject decoded text that is really binary (control characters everywhere)."""
    sample = text[: _SNIFF * 4]
    if _control_ratio(sample) > _MAX_CONTROL_RATIO:
        logger.debug("decoded as %s but control-character ratio is too high", codec)
        raise UnreadableFile(_binary_reason(data))
    return text.removeprefix("\ufeff")


def split_lines(text: str) -> list[str]:
    """Split on every line break Unicode knows (\\r\\n, \\r, \\n, U+2028, U+2029, form feed
    …) and drop trailing whitespace; leading indentation is kept because markdown needs it."""
    return [line.rstrip() for line in text.splitlines()]


def read_text(path: Path, data: bytes, *, fmt: str = "txt") -> RawDocument:
    """A .txt or .md file as lines (``fmt`` is "txt" or "md")."""
    text, encoding, warnings = decode_text(data)
    lines = [Line(t) for t in split_lines(text)]
    return RawDocument(path=path, fmt=fmt, lines=lines, encoding=encoding, warnings=warnings)

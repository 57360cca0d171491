"""Format readers: turn one file into lines of text (see :mod:`ingest.readers.base`).

:func:`read_document` is the only entry point the rest of the pipeline uses.  It owns the
checks that are the same for every format (type, existence, size, emptiness) and the
guarantee that *nothing but* :class:`UnreadableFile` leaves it: a batch import of hundreds
of files must report "this file: reason" and carry on, never die on a library exception
from a malformed file.  Every reason is one line of Chinese, because it is shown to the
person who chose the file, next to its name.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

from ingest.readers.base import Line, RawDocument, UnreadableFile

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_SUFFIXES",
    "Line",
    "RawDocument",
    "UnreadableFile",
    "read_document",
]

logger = logging.getLogger(__name__)

_MIB = 1024 * 1024
_KIB = 1024
DEFAULT_MAX_BYTES = 50 * _MIB

# suffix -> (module in this package, function, fmt for the text reader).  Modules are
# imported on first use: every module that only needs ``Line`` imports this package, and
# should not pay for pypdf, python-docx and BeautifulSoup.
_READERS: dict[str, tuple[str, str, str | None]] = {
    ".txt": ("text", "read_text", "txt"),
    ".md": ("text", "read_text", "md"),
    ".markdown": ("text", "read_text", "md"),
    ".pdf": ("pdf", "read_pdf", None),
    ".docx": ("docx", "read_docx", None),
    ".html": ("html", "read_html", None),
    ".htm": ("html", "read_html", None),
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_READERS)


def _dispatch(suffix: str, path: Path, data: bytes) -> RawDocument:
    module_name, function, fmt = _READERS[suffix]
    module = importlib.import_module(f"{__name__}.{module_name}")
    reader = getattr(module, function)
    return reader(path, data, fmt=fmt) if fmt else reader(path, data)


# Formats people actually try to import, with what to do instead.  Anything else gets the
# generic message listing what is supported.
_UNSUPPORTED_HINTS = {
    ".doc": "不支持旧版 Word（.doc），请另存为 .docx 后再导入",
    ".wps": "不支持 WPS 文字格式（.wps），请另存为 .docx 后再导入",
    ".dot": "不支持 Word 模板（.dot），请另存为 .docx 后再导入",
    ".dotx": "不支持 Word 模板（.dotx），请另存为 .docx 后再导入",
    ".rtf": "不支持 RTF 格式，请另存为 .docx 后再导入",
    ".odt": "不支持 ODT 格式，请另存为 .docx 后再导入",
    ".ofd": "不支持 OFD 版式文件，请导出为 PDF 后再导入",
    ".caj": "不支持 CAJ 格式，请用 CAJViewer 导出为 PDF 后再导入",
    ".kdh": "不支持 KDH 格式，请用 CAJViewer 导出为 PDF 后再导入",
    ".nh": "不支持 NH 格式，请用 CAJViewer 导出为 PDF 后再导入",
    ".mhtml": "不支持 MHTML 网页存档，请在浏览器中另存为 .html 后再导入",
    ".mht": "不支持 MHT 网页存档，请在浏览器中另存为 .html 后再导入",
}


def _size_text(n: float) -> str:
    """123456789 -> "117.7 MB"; small sizes in KB or bytes so test limits read sensibly."""
    if n >= _MIB:
        value, unit = n / _MIB, "MB"
    elif n >= _KIB:
        value, unit = n / _KIB, "KB"
    else:
        return f"{int(n)} 字节"
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def _one_line(text: str, limit: int = 160) -> str:
    """Collapse a (possibly multi-line, library-generated) message into one short line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _unsupported_reason(suffix: str) -> str:
    if suffix in _UNSUPPORTED_HINTS:
        return _UNSUPPORTED_HINTS[suffix]
    shown = suffix or "（无扩展名）"
    return f"不支持的文件类型：{shown}（支持 {'、'.join(SUPPORTED_SUFFIXES)}）"


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, after the checks that need no parsing (exists, size, empty)."""
    try:
        if path.is_dir():
            raise UnreadableFile("这是一个文件夹，不是文件")
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnreadableFile("文件不存在") from None
    except PermissionError:
        raise UnreadableFile("无法读取文件（没有权限）") from None
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件（{exc.strerror or type(exc).__name__}）") from exc
    if size == 0:
        raise UnreadableFile("空文件")
    if size > max_bytes:
        raise UnreadableFile(f"文件过大（{_size_text(size)}，上限 {_size_text(max_bytes)}）")
    try:
        data = path.read_bytes()
    except PermissionError:
        raise UnreadableFile("无法读取文件（没有权限）") from None
    except OSError as exc:
        raise UnreadableFile(f"无法读取文件（{exc.strerror or type(exc).__name__}）") from exc
    # The file may have changed between stat() and read(): check what we actually got.
    if not data:
        raise UnreadableFile("空文件")
    if len(data) > max_bytes:
        raise UnreadableFile(f"文件过大（{_size_text(len(data))}，上限 {_size_text(max_bytes)}）")
    return data


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDocument:
    """Read ``path`` into lines, choosing the reader by file suffix (case-insensitive).

    Raises:
        UnreadableFile: for every reason the file cannot be ingested; ``str(exc)`` is a
            one-line Chinese reason.  No other exception escapes: anything unexpected is
            wrapped with its class name so the user can report it.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _READERS:
        raise UnreadableFile(_unsupported_reason(suffix))
    try:
        data = _read_bytes(path, max_bytes)
        doc = _dispatch(suffix, path, data)
    except UnreadableFile as exc:
        reason = _one_line(str(exc))
        logger.info("无法导入 %s：%s", path.name, reason)
        if reason == str(exc):
            raise
        raise UnreadableFile(reason) from exc
    except Exception as exc:  # a library choked on a malformed file: never let it escape
        logger.warning("读取 %s 时出现意外错误", path.name, exc_info=True)
        detail = _one_line(str(exc), limit=100)
        name = type(exc).__name__
        reason = f"读取失败（{name}: {detail}）" if detail else f"读取失败（{name}）"
        raise UnreadableFile(reason) from exc
    if not any(line.text.strip() for line in doc.lines):
        raise UnreadableFile("文件中没有可提取的文字")
    for warning in doc.warnings:
        logger.info("%s：%s", path.name, warning)
    return doc

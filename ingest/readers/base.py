"""What every format reader returns, and how it says a file cannot be read.

Readers turn a file into lines of text, each tagged with the page it came from (PDF only),
and do nothing else: no noise removal, no segmentation.  Keeping page on every line is what
lets a clause record its page after cleaning has dropped or merged lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


class UnreadableFile(Exception):
    """A file that cannot be ingested; ``str(exc)`` is the one-line reason shown to users
    (e.g. "PDF 已加密，无法读取", "不是文本文件（二进制内容）")."""


@dataclass(slots=True)
class Line:
    """One line of extracted text and the 1-based page it is on (None outside PDFs).

    ``literal`` marks text that is content but never structure: a table row or a line of a
    code listing.  Such a line may start with "1" or "A.2" and still is no heading.
    """

    text: str
    page: int | None = None
    literal: bool = False


@dataclass(slots=True)
class RawDocument:
    """A file's extracted text as lines.

    Attributes:
        path: the file read.
        fmt: "txt", "md", "pdf", "docx" or "html".
        lines: the text, in reading order.
        page_count: number of pages for PDFs, else None.
        title_hint: a title the format itself declares (HTML <title>, DOCX core
            properties, PDF metadata), used only when the text has no better title.
        encoding: detected encoding for text formats, for the log.
    """

    path: Path
    fmt: str
    lines: list[Line]
    page_count: int | None = None
    title_hint: str | None = None
    encoding: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

"""HTML: the text a browser would render, one block per line, and never any markup.

Pages saved from government and standards sites carry navigation, scripts, share buttons
and forms around the text.  Elements that are never document content (script, style,
noscript, nav, header, footer, aside, form, iframe, plus form controls, templates, SVG and
anything ``hidden``/``display:none``) are dropped with their subtree.  One exception: a
``<header>`` *inside* ``<article>`` or ``<main>`` is the article's own heading block (its
title and date), not the site banner, so it is kept.

Block elements (p, div, li, h1–h6, section, article, pre, br, …) end a line.  A table row
becomes one line with its cells joined by " | " (a nested table is flattened into its
cell), so a requirement stated in a table row stays together.  Whitespace follows the
browser: runs collapse to one space, and a line break in the source between two CJK
characters disappears instead of becoming a space (CSS Text 3 segment-break rules), so
"服务\\n人员" reads "服务人员".

Encoding: a BOM wins; then strict UTF-8 (it practically never decodes anything else by
accident, while a page that *declares* gb2312 is often UTF-8 after being re-saved); then the
declared charset (meta charset, http-equiv, XML declaration), with gb2312/gbk read as
GB18030 as browsers do; then the text reader's GB18030 / charset-normalizer fallbacks.
"""

from __future__ import annotations

import logging
import re
import warnings
from pathlib import Path

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.dammit import EncodingDetector
from bs4.element import PreformattedString

from ingest.readers.base import Line, RawDocument
from ingest.readers.text import decode_text

logger = logging.getLogger(__name__)

_DROP = frozenset(
    {
        *("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe"),
        *("frame", "frameset", "template", "svg", "canvas", "object", "embed", "dialog"),
        *("button", "select", "option", "textarea", "input", "head", "title", "rt", "rp"),
    }
)
_BLOCK = frozenset(
    {
        *("address", "article", "blockquote", "body", "caption", "center", "dd", "details"),
        *("dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "hgroup", "hr"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "html", "legend", "li", "main", "menu", "ol"),
        *("p", "pre", "section", "summary", "table", "tbody", "tfoot", "thead", "ul"),
    }
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# What browsers actually use for these labels (WHATWG Encoding Standard).
_CHARSET_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}
_WIDE = r"[\u2E80-\u9FFF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF\u3000-\u303F]"
_CJK_BREAK = re.compile(rf"(?<={_WIDE})[ \t\f\r]*\n\s*(?={_WIDE})")
_SPACES = re.compile(r"[ \t\n\r\f]+")


# ---------------------------------------------------------------- decoding
def decode_html(data: bytes) -> tuple[str, str, list[str]]:
    """Decode an HTML file's bytes; returns ``(text, encoding, warnings)``."""
    declared = EncodingDetector.find_declared_encoding(data, is_html=True)
    has_bom = data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))
    if declared and not has_bom and 0 not in data[:4096]:
        codec = _CHARSET_ALIASES.get(declared.lower(), declared.lower())
        for candidate in ("utf-8", codec):
            try:
                return data.decode(candidate), candidate, []
            except (UnicodeDecodeError, LookupError):
                continue
        logger.debug("declared charset %s does not decode the page", declared)
    text, encoding, notes = decode_text(data)
    if declared and encoding != _CHARSET_ALIASES.get(declared.lower(), declared.lower()):
        notes.append(f"网页声明的编码 {declared} 与内容不符，已按 {encoding} 读取")
    return text, encoding, notes


# ---------------------------------------------------------------- rendering
def _collapse(text: str) -> str:
    text = _CJK_BREAK.sub("", text)
    return _SPACES.sub(" ", text).replace("\xa0", " ").strip()


def _is_dropped(tag: Tag) -> bool:
    name = tag.name
    if name in _DROP:
        # An article's own <header> holds its title; only the site banner is boilerplate.
        return not (name == "header" and tag.find_parent(("article", "main")) is not None)
    attrs = tag.attrs or {}
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    style = attrs.get("style")
    return isinstance(style, str) and bool(_HIDDEN_STYLE.search(style))


class _Lines:
    """Accumulates inline text and turns it into lines at block boundaries."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self._buf: list[str] = []

    def text(self, s: str) -> None:
        self._buf.append(s)

    def flush(self) -> None:
        if self._buf:
            line = _collapse("".join(self._buf))
            self._buf.clear()
            if line:
                self.lines.append(line)

    def add(self, line: str) -> None:
        self.flush()
        if line:
            self.lines.append(line)


def render(root: Tag) -> list[str]:
    """Rendered lines of ``root``'s content.  Iterative, because saved pages can nest
    elements deeper than Python's recursion limit."""
    out = _Lines()
    stack = [iter(root.children)]
    closes_block = [False]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
            if closes_block.pop():
                out.flush()
            continue
        if isinstance(child, NavigableString):
            if not isinstance(child, PreformattedString):  # comments, doctype, CDATA, PI
                out.text(str(child))
            continue
        if not isinstance(child, Tag) or _is_dropped(child):
            continue
        name = child.name
        if name == "br":
            out.flush()
        elif name == "tr":
            out.add(_row(child))
        elif name == "pre":
            out.flush()
            for line in child.get_text().splitlines():
                out.add(line.rstrip())
        else:
            block = name in _BLOCK
            if block:
                out.flush()
            stack.append(iter(child.children))
            closes_block.append(block)
    out.flush()
    return out.lines


def _row(tr: Tag) -> str:
    cells = [
        " ".join(render(cell))
        for cell in tr.find_all(("td", "th"), recursive=False)
        if not _is_dropped(cell)
    ]
    return " | ".join(cells) if any(cells) else ""


def _title_hint(soup: BeautifulSoup) -> str | None:
    for tag in (soup.title, soup.find("h1")):
        if isinstance(tag, Tag):
            title = _collapse(tag.get_text(" "))
            if title:
                return title
    return None


def read_html(path: Path, data: bytes) -> RawDocument:
    """An HTML page's rendered text as lines; ``title_hint`` from <title> or the first h1."""
    text, encoding, notes = decode_html(data)
    with warnings.catch_warnings():
        # bs4 warns about XHTML parsed as HTML and about markup that looks like a URL.
        warnings.simplefilter("ignore")
        soup = BeautifulSoup(text, "lxml")
    body = soup.body if isinstance(soup.body, Tag) else soup
    lines = [Line(t) for t in render(body)]
    return RawDocument(
        path=path,
        fmt="html",
        lines=lines,
        title_hint=_title_hint(soup),
        encoding=encoding,
        warnings=notes,
    )

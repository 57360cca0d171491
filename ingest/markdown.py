"""Markdown and HTML residue in text files: what the syntax means, so it never reaches a clause.

Standards arrive as Markdown transcriptions (MinerU-style exports, hand conversions of PDF
text).  Their syntax is presentation, not content: ``&nbsp;`` entities, ``---`` rules,
``>`` quote markers, code fences (a mermaid diagram is not text), ``$$`` LaTeX delimiters,
``|---|`` table separator rows, ``<table>`` markup, image links.  Tables keep their content
as one clean row per line (cells joined by " | ") and are marked literal: a row that starts
with "1" is a table row, never chapter 1.

YAML front matter is read, not thrown away: ``title:`` and ``code:`` are the document's own
declaration of what it is.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

# A fenced block whose content is a drawing, not text: dropped.
_DIAGRAM_LANGS = frozenset({"mermaid", "plantuml", "dot", "graphviz", "flowchart", "sequence"})
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})\s*([\w+-]*)")
_RULE = re.compile(r"^\s{0,3}(?:-{3,}|\*{3,}|_{3,}|(?:-\s){2,}-|(?:\*\s){2,}\*)\s*$")
_QUOTE = re.compile(r"^\s{0,3}(?:>\s?)+")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\([^)]*\)")
# Presentation tags only: XML in a protocol listing ("<element name=…>") is content.
_TAG = re.compile(
    r"</?(?:br|p|span|div|font|b|i|u|em|strong|sup|sub|a|img|hr|center|details|summary"
    r"|table|thead|tbody|tfoot|tr|td|th|colgroup|col|caption|ul|ol|li|h[1-6]|html|body)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_ROW_END = re.compile(r"</tr\s*>", re.IGNORECASE)
_CELL_END = re.compile(r"</t[dh]\s*>", re.IGNORECASE)
_INLINE_TRIGGER = re.compile(r"[<&$\[]")
_LATEX_BLOCK = re.compile(r"\$\$(.*?)\$\$")
_LATEX_INLINE = re.compile(r"(?<![\\$])\$([^$\n]{1,200})\$(?!\$)")
_LATEX_CMD = re.compile(r"\\(?:mathrm|text|textrm|mathbf|operatorname)\s*\{([^{}]*)\}")
_LATEX_SYMBOL = {
    r"\times": "×",
    r"\leq": "≤",
    r"\le": "≤",
    r"\geq": "≥",
    r"\ge": "≥",
    r"\pm": "±",
    r"\cdot": "·",
    r"\%": "%",
    r"\sim": "～",
    r"\circ": "°",
    r"\,": " ",
    r"\;": " ",
    r"\ ": " ",
    "~": " ",
}
_FRONT_KEYS_TITLE = ("title", "标题", "名称", "标准名称")
_FRONT_KEYS_CODE = ("code", "standard_code", "标准号", "标准编号", "编号")


@dataclass(slots=True)
class FrontMatter:
    """What a YAML front matter block declares (only the keys we use)."""

    title: str | None = None
    code: str | None = None
    raw: dict[str, str] = field(default_factory=dict)


def read_front_matter(texts: list[str]) -> tuple[FrontMatter | None, int]:
    """Parse a leading ``---`` … ``---`` block; returns it and the number of lines it
    spans (0 when there is none).  Simple ``key: value`` lines only: a standard's front
    matter is flat, and a YAML library would accept far more than we would use."""
    first = next((i for i, t in enumerate(texts) if t.strip()), None)
    if first is None or texts[first].strip() != "---":
        return None, 0
    for end in range(first + 1, min(len(texts), first + 60)):
        if texts[end].strip() in ("---", "..."):
            break
    else:
        return None, 0
    fm = FrontMatter()
    for t in texts[first + 1 : end]:
        key, sep, value = t.partition(":")
        if not sep:
            continue
        value = value.strip().strip("'\"").strip()
        fm.raw[key.strip().lower()] = value
    fm.title = next((fm.raw[k] for k in _FRONT_KEYS_TITLE if fm.raw.get(k)), None)
    fm.code = next((fm.raw[k] for k in _FRONT_KEYS_CODE if fm.raw.get(k)), None)
    return fm, end + 1


def fence_start(text: str) -> tuple[str, bool] | None:
    """(fence marker, is a diagram) when ``text`` opens a code fence that runs over the
    following lines; a fence closed on the same line ("```xml<a/>```") opens nothing."""
    m = _FENCE.match(text)
    if not m:
        return None
    marker = m.group(1)[0] * 3
    if marker in text[m.end() :]:
        return None
    return marker, m.group(2).lower() in _DIAGRAM_LANGS


def one_line_fence(text: str) -> str | None:
    """The content of "```xml<a/>```" (a fence opened and closed on one line)."""
    m = _FENCE.match(text)
    if not m:
        return None
    marker = m.group(1)[0] * 3
    rest = text[m.end() :]
    if marker not in rest:
        return None
    return rest.split(marker, 1)[0].strip()


def is_fence_end(text: str, marker: str) -> bool:
    return text.strip().startswith(marker) and not text.strip().strip(marker[0]).strip()


def is_rule(text: str) -> bool:
    """A horizontal rule (``---``, ``***``, ``___``); "——" dashes of a 列项 are not."""
    return bool(_RULE.match(text))


def strip_quote(text: str) -> str:
    return _QUOTE.sub("", text, count=1)


def is_table_separator(text: str) -> bool:
    return "-" in text and bool(_TABLE_SEP.match(text)) and ("|" in text or ":" in text)


def pipe_row(text: str) -> str | None:
    """ "| a | b |" → "a | b"; None if ``text`` is not a pipe-table row."""
    if not _PIPE_ROW.match(text) or text.count("|") < 2:
        return None
    cells = [c.strip() for c in text.strip().strip("|").split("|")]
    return " | ".join(c for c in cells if c) or None


def html_table_rows(text: str) -> list[str] | None:
    """A line holding ``<table>`` markup → one text row per ``<tr>``; None otherwise."""
    if "<td" not in text.lower() and "<th" not in text.lower() and "<tr" not in text.lower():
        return None
    rows = []
    for raw_row in _ROW_END.split(text):
        cells = [inline(c) for c in _CELL_END.split(raw_row)]
        row = " | ".join(c for c in cells if c)
        if row:
            rows.append(row)
    return rows


def _latex(expr: str) -> str:
    out = _LATEX_CMD.sub(r"\1", expr)
    for k, v in _LATEX_SYMBOL.items():
        out = out.replace(k, v)
    out = re.sub(r"\\[A-Za-z]+", "", out).replace("{", "").replace("}", "")
    return re.sub(r"\s+", " ", out).strip()


def inline(text: str) -> str:
    """Inline residue: entities, tags, images, links (their text stays), LaTeX."""
    if not _INLINE_TRIGGER.search(text):
        return text.replace("\xa0", " ").strip()
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    had_tag = "<" in text and bool(_TAG.search(text))
    if had_tag:
        text = re.sub(r"[ \t]{2,}", " ", _TAG.sub(" ", text))
    if "&" in text:
        text = html.unescape(text)
    text = text.replace("\xa0", " ")
    if "$" in text:
        text = _LATEX_BLOCK.sub(lambda m: _latex(m.group(1)), text)
        text = _LATEX_INLINE.sub(lambda m: _latex(m.group(1)), text)
    return text.strip()


def is_latex_delimiter(text: str) -> bool:
    """A line holding only ``$$`` (block LaTeX opens or closes)."""
    return text.strip() in ("$$", "\\[", "\\]")


def latex_line(text: str) -> str:
    """A line inside a ``$$`` block, as plain text."""
    return _latex(text)

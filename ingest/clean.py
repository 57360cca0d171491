"""Remove what is not the document: site boilerplate, slide markers, tables of contents.

Real input is scraped web pages and slide decks saved as text (see ../shared/corpus/
web-guides).  They carry the hosting site's copyright notices ("原创力文档", "下载文档前请自行
甄别…"), lists of unrelated "相关文档 / 最新文档" at the end, slide page markers (a lone "h"
followed by the page number), breadcrumbs, replacement characters where a scraper cut text,
and markdown syntax.  None of it may reach a clause: it would be retrieved and cited.

Cleaning is line-based and never moves text between lines, so each surviving line keeps the
page it came from.  Rules are deliberately specific (whole-line patterns or well-known site
phrases): a rule that fires on a real requirement sentence would silently lose content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest import markdown as md
from ingest.readers.base import Line

# Phrases that only ever occur in the hosting site's notices, never in a standard.
_BOILERPLATE = re.compile(
    "|".join(
        (
            r"原创力文档",
            r"book118",
            r"下载文档前请自行甄别",
            r"仅部分预览",
            r"如文档侵犯您的权益",
            r"本站所有内容均由合作方或网友上传",
            r"版权申诉",
            r"侵权必究",
            r"人工客服工作时间",
            r"点击\s*这里二次下载",
            r"如何避免下载的几个坑",
            r"您现在的位置是",
            r"免责声明[:：]?\s*本站",
            r"扫码关注",
            r"^\s*合集下载\s*$",
            r"^\s*(?:上一篇|下一篇)[:：]",
            r"^\s*分享到[:：]?",
            r"^\s*(?:点赞|收藏|举报|阅读\s*\d+)\s*$",
        )
    )
)
# The hosting site's per-page download notice: what follows it is another page, often
# another document (the splitter starts a new document there).
_PAGE_NOTICE = re.compile(r"原创力文档|下载文档前请自行甄别|仅部分预览|如文档侵犯您的权益")
# A slide header repeated after this many slide markers is decoration ("标准内容").
_SLIDE_HEADER_MIN = 3
# A standalone "相关文档" / "最新文档" heading starts the site's list of other documents:
# everything after it belongs to other pages.
# The site's comment box ("文档评论(0)") ends the document the same way.
_TAIL_MARKER = re.compile(
    r"^\s*(?:相关文档|最新文档|相关推荐|猜你喜欢|热门文档|文档评论\s*[(（]\d+[)）])\s*$"
)
# "婚姻家庭 2024-09-22 04:49": category + publication time line of a blog page.
_META_LINE = re.compile(r"^\s*\S{1,12}\s+\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?\s*$")
# Slide decks exported to text: a lone "h" line, then the page number.
_SLIDE_H = re.compile(r"^\s*h\s*$")
_LONE_NUMBER = re.compile(r"^\s*\d{1,3}\s*$")
# Slide decorations that are words, not content.
# ("目录" is not one of them: it heads a table of contents, which the segmenter skips.)
_SLIDE_WORD = re.compile(r"^\s*(?:ONE|TWO|THREE|FOUR|FIVE|SIX|PART|CHAPTER)\s*$", re.IGNORECASE)
# Table of contents entries: dot leaders then a page number ("5 要求 ………… 3"), or the
# page number before the leaders ("前言 Ⅲ……………").
_TOC_ENTRY = re.compile(
    r"(?:\.{4,}|…{2,}|·{4,}|-{6,})\s*[\dIVXivxⅠ-Ⅻ]+\s*$"
    r"|\S\s*[\dIVXivxⅠ-Ⅻ]{1,4}\s*(?:\.{4,}|…{2,}|·{4,})\s*$"
)
# A roman page number of the front matter on a line of its own ("Ⅲ", "IV").
_LONE_ROMAN = re.compile(r"^\s*(?:[IVX]{1,4}|[ⅰ-ⅻ]|[Ⅰ-Ⅻ])\s*$")
# Characters spread apart by a PDF text layer or a cover layout: "中 华 人 民 共 和 国".
_CJK = "\u4e00-\u9fff"
_CJK_P = _CJK + "\u3001-\u303f\uff01-\uff0f\uff1a-\uff1f"  # with Chinese punctuation
_SPACED_PAIR = re.compile(rf"(?<=[{_CJK_P}]) (?=[{_CJK_P}])")
_WIDE_GAP = re.compile(rf"(?<=[{_CJK_P}])[ \t\u3000]{{2,}}(?=[{_CJK_P}])")
_CJK_CHAR = re.compile(rf"[{_CJK}]")
_ONE_CJK_LINE = re.compile(rf"^\s*[{_CJK}]\s*$")
# An annex letter alone on its line, and a line that is only the word 附录 (maybe spaced).
_ANNEX_LETTER_LINE = re.compile(r"^\s*[A-Z]\s*$")
_ANNEX_WORD_END = re.compile(r"^\s*附\s*录\s*$")
# A heading number whose dots a transcription lost: "8 3 1 标题" (only on "#" lines).
_LOST_DOTS = re.compile(r"^[1-9]\d{0,2}(?: [1-9]\d{0,2}){1,4} (?=[\u4e00-\u9fff])")
# Clause numbers spaced apart by a PDF text layer or OCR: "3. 1", "4. 2. 1", "A. 1".
_SPACED_NUMBER = re.compile(
    r"^(\s*(?:[1-9]\d{0,2}|[A-Z]))((?:\s?\.\s?[1-9]\d{0,2})+)(?=\s|[\u4e00-\u9fff]|$)"
)
# Markdown.
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1")
_HTML_COMMENT = re.compile(r"<!--.*?-->")
# Provenance lines we put on shipped statute texts ("# SOURCE: …").
_PROVENANCE = re.compile(r"^\s*#\s*SOURCE\s*:", re.IGNORECASE)
# Characters that carry no text: replacement char (scraper cut), zero-width, BOM.
_INVISIBLE = dict.fromkeys(map(ord, "\ufffd\u200b\u200c\u200d\u2060\ufeff"), None)


@dataclass(slots=True)
class Cleaned:
    """Cleaning result: surviving lines, a title declared by markdown ("# 标题") if any,
    and counts of what was removed (logged, and shown by ``python -m ingest -v``)."""

    lines: list[Line]
    markdown_title: str | None = None
    removed: dict[str, int] = field(default_factory=dict)
    breaks: frozenset[int] = frozenset()
    front_matter: md.FrontMatter | None = None

    def _count(self, what: str) -> None:
        self.removed[what] = self.removed.get(what, 0) + 1


def join_letter_spacing(text: str) -> str:
    """Join Chinese characters spread apart by single spaces ("电 子 会 计 档 案" →
    "电子会计档案") when most of the line is spread that way; a wider gap between them
    is the word break of the layout and stays one space.  A line with an ordinary space
    between two words ("信息安全技术 网络安全等级保护基本要求") is left alone."""
    pairs = len(_SPACED_PAIR.findall(text))
    if pairs < 2:
        return text
    cjk = len(_CJK_CHAR.findall(text))
    if pairs * 2 < cjk:
        return text
    text = _WIDE_GAP.sub("\x00", text)
    text = _SPACED_PAIR.sub("", text)
    return text.replace("\x00", " ")


def join_spaced_number(text: str) -> str:
    """ "3. 1 缩略语" → "3.1 缩略语": a heading number torn apart by the text layer."""
    m = _SPACED_NUMBER.match(text)
    if not m or " " not in m.group(2):
        return text
    return m.group(1) + re.sub(r"\s", "", m.group(2)) + text[m.end() :]


def _markdown_title(text: str) -> bool:
    """A ``#`` heading that can be a document title: not a masthead, a code, a TOC
    heading, "OCR Output" or another non-Chinese label."""
    from ingest.metadata import is_cover_title, split_code_title  # metadata imports split

    code, rest = split_code_title(text)
    return is_cover_title(rest if code else text)


def clean_lines(lines: list[Line]) -> Cleaned:
    """Drop boilerplate and decoration lines; normalise what remains.  See module doc."""
    out = Cleaned(lines=[])
    in_comment = False
    skip_next_number = False
    after_marker = False
    slide_headers: dict[str, int] = {}
    breaks: set[int] = set()
    fence: str | None = None
    fence_drop = False
    in_latex = False
    vertical = -2  # index of the line a vertical run of single characters is joined into
    front, skip = md.read_front_matter([ln.text for ln in lines[:80]])
    if front is not None:
        out.front_matter = front
        out.removed["front_matter"] = skip
        lines = lines[skip:]
    for line in lines:
        text = line.text.translate(_INVISIBLE).rstrip()

        # Code fences: a diagram is dropped, a listing is kept as literal lines.
        if fence is not None:
            if md.is_fence_end(text, fence):
                fence = None
            elif not fence_drop and text.strip():
                out.lines.append(Line(text.strip(), line.page, literal=True))
            else:
                out._count("diagram")
            continue
        if (code := md.one_line_fence(text)) is not None:
            if code:
                out.lines.append(Line(code, line.page, literal=True))
            continue
        if (opened := md.fence_start(text)) is not None:
            fence, fence_drop = opened
            out._count("code_fence")
            continue
        if md.is_latex_delimiter(text):
            in_latex = not in_latex
            continue
        if in_latex:
            text = md.latex_line(text)

        # Multi-line HTML comments (markdown exports use them for metadata blocks).
        if in_comment:
            if "-->" in text:
                in_comment = False
                text = text.split("-->", 1)[1]
            else:
                continue
        text = _HTML_COMMENT.sub("", text)
        if "<!--" in text:
            in_comment = True
            text = text.split("<!--", 1)[0]

        if skip_next_number:
            skip_next_number = False
            if _LONE_NUMBER.match(text):
                out._count("slide_marker")
                after_marker = True
                continue
        if not text.strip():
            continue
        if after_marker:
            after_marker = False
            slide_headers[text.strip()] = slide_headers.get(text.strip(), 0) + 1
        if _TAIL_MARKER.match(text):
            out._count("related_docs_tail")
            break
        if _PROVENANCE.match(text):
            out._count("provenance")
            continue
        if _BOILERPLATE.search(text):
            out._count("boilerplate")
            if _PAGE_NOTICE.search(text) and out.lines:
                breaks.add(len(out.lines))
            continue
        if _SLIDE_H.match(text):
            skip_next_number = True
            out._count("slide_marker")
            continue
        if _LONE_NUMBER.match(text) or _LONE_ROMAN.match(text):
            out._count("page_number")
            continue
        if _SLIDE_WORD.match(text) or _META_LINE.match(text):
            out._count("decoration")
            continue
        if md.is_rule(text) or md.is_table_separator(text):
            out._count("markdown_rule")
            continue

        # Tables: one clean row per line, never a heading.
        rows = md.html_table_rows(text)
        if rows is None and (row := md.pipe_row(text)) is not None:
            rows = [row]
        if rows is not None:
            out.lines.extend(Line(r, line.page, literal=True) for r in rows)
            out._count("table_row")
            continue

        text = md.strip_quote(text)
        if m := _MD_HEADING.match(text):
            # "#" marks a heading: a number whose dots were lost ("3 1 术语和定义") is
            # one number there, never three.
            text = _LOST_DOTS.sub(lambda d: ".".join(d.group(0).split()) + " ", text[m.end() :])
            if out.markdown_title is None and len(out.lines) <= 3 and _markdown_title(text):
                from ingest.metadata import split_code_title

                code, rest = split_code_title(md.inline(text))
                out.markdown_title = rest if code else md.inline(text)
        text = md.inline(_MD_EMPHASIS.sub(r"\2", text))
        if not text or _LONE_NUMBER.match(text):
            continue
        if _TOC_ENTRY.search(text):
            out._count("toc_entry")
            continue
        text = join_spaced_number(join_letter_spacing(text)).strip()
        if not text:
            continue
        # A cover printed vertically gives one character per line ("沈/阳/市/地/方/标/准",
        # "目/次"): a run of such lines is one word.
        if _ONE_CJK_LINE.match(text) and vertical == len(out.lines) - 1 >= 0:
            prev = out.lines[-1]
            out.lines[-1] = Line(prev.text + text, prev.page)
            continue
        # ... and an annex heading set that way ("附/录/A", or "附录" over its letter) ends
        # with the letter on a line of its own: it belongs to the word above.
        if (
            _ANNEX_LETTER_LINE.match(text)
            and out.lines
            and _ANNEX_WORD_END.search(out.lines[-1].text)
        ):
            prev = out.lines[-1]
            out.lines[-1] = Line(prev.text + text.strip(), prev.page)
            vertical = -2
            continue
        out.lines.append(Line(text, line.page, line.literal))
        vertical = len(out.lines) - 1 if _ONE_CJK_LINE.match(text) else -2
    # Slide headers ("标准内容" on every slide) only show after the markers are gone.
    repeated = {t for t, n in slide_headers.items() if n >= _SLIDE_HEADER_MIN}
    if repeated:
        kept: list[Line] = []
        remap: dict[int, int] = {}
        for idx, ln in enumerate(out.lines):
            remap[idx] = len(kept)
            if ln.text in repeated:
                out._count("slide_header")
            else:
                kept.append(ln)
        breaks = {remap.get(b, len(kept)) for b in breaks}
        out.lines = kept
    out.breaks = frozenset(b for b in breaks if 0 < b < len(out.lines))
    return out

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
_SLIDE_WORD = re.compile(
    r"^\s*(?:ONE|TWO|THREE|FOUR|FIVE|SIX|PART|CHAPTER|CONTENTS|目\s*录)\s*$", re.IGNORECASE
)
# Table of contents entries: dot leaders then a page number ("5 要求 ………… 3").
_TOC_ENTRY = re.compile(r"(?:\.{4,}|…{2,}|·{4,}|-{6,})\s*[\dIVXivx]+\s*$")
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

    def _count(self, what: str) -> None:
        self.removed[what] = self.removed.get(what, 0) + 1


def clean_lines(lines: list[Line]) -> Cleaned:
    """Drop boilerplate and decoration lines; normalise what remains.  See module doc."""
    out = Cleaned(lines=[])
    in_comment = False
    skip_next_number = False
    after_marker = False
    slide_headers: dict[str, int] = {}
    breaks: set[int] = set()
    for line in lines:
        text = line.text.translate(_INVISIBLE).rstrip()

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
        if _LONE_NUMBER.match(text):
            out._count("page_number")
            continue
        if _SLIDE_WORD.match(text) or _META_LINE.match(text):
            out._count("decoration")
            continue
        if _TOC_ENTRY.search(text):
            out._count("toc_entry")
            continue

        if m := _MD_HEADING.match(text):
            text = text[m.end() :]
            if m.group(1) == "#" and out.markdown_title is None and not out.lines:
                out.markdown_title = text.strip()
        text = _MD_EMPHASIS.sub(r"\2", text)
        text = text.strip()
        if text:
            out.lines.append(Line(text, line.page))

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

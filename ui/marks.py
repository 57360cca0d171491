"""The "虚构示例" mark on made-up example documents (the bundled samples).

The samples look exactly like real standards (codes, covers, 前言), so wherever one is
cited or listed — citation cards, search hits, document titles, answers — it carries a
visible mark and nobody quotes it in a real draft.  Whether a document is fictitious comes
from ingest metadata (``DocumentInfo.fictitious`` / ``Clause.extra["fictitious"]``, set from
the folder's ``.stdqa-folder.json``), never from file names.
"""

from __future__ import annotations

from typing import Any

MARK = "虚构示例"
MARK_CLASS = "stdqa-fictitious"
TIP = "本项目为演示编写的虚构标准，不是真实发布的标准，不能作为起草依据"
STYLE = f"""
<style>
.{MARK_CLASS} {{
  display: inline-block; font-size: .72rem; font-weight: 600; line-height: 1.3;
  color: #8a5300; background: #fff3d6; border: 1px solid #f0c36d; border-radius: 4px;
  padding: 0 .35rem; margin: 0 .3rem; vertical-align: middle; white-space: nowrap;
}}
</style>
"""


def is_fictitious(obj: Any) -> bool:
    """True for a Citation, DocumentInfo or Clause of a fictitious document."""
    if getattr(obj, "fictitious", False) is True:
        return True
    extra = getattr(obj, "extra", None)
    return isinstance(extra, dict) and extra.get("fictitious") is True


def badge_html(obj: Any) -> str:
    """Inline HTML badge (fixed text of ours, no document text) or "" when not fictitious."""
    if not is_fictitious(obj):
        return ""
    return f'<span class="{MARK_CLASS}" title="{TIP}">{MARK}</span>'


def doc_label(doc: Any) -> str:
    """ "T/BZQC 001—2025 社区居家养老服务规范（虚构示例）": a document in a list or selector."""
    code = getattr(doc, "standard_code", None)
    return marked_title(f"{code + ' ' if code else ''}{doc.title}", doc)


def marked_title(title: str, obj: Any) -> str:
    """Plain-text title with the mark, for widgets that take text (selectbox options,
    expander labels, tables)."""
    return f"{title}（{MARK}）" if is_fictitious(obj) else title

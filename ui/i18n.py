"""Chinese for the English Streamlit builds into its widgets, as inert CSS.

Streamlit has no locale setting: the file uploader's dropzone ("Upload", "200MB per file"),
the multiselect's "Select all" row and the like are hard-coded English in the frontend.
Where an argument exists (labels, ``placeholder=``) the pages use it; the rest is replaced
here by hiding the English text (``font-size: 0``) and showing Chinese through
``::after { content: … }``.  Only fixed strings of ours go into the style sheet — never
document text — so nothing here can become live markup.

The selectors are Streamlit's ``data-testid`` attributes and the option list's ``data-key``
(used by Streamlit's own tests); ``tests/test_browser_app.py`` checks the visible page for English
leftovers, so a Streamlit upgrade that moves them is caught.
"""

from __future__ import annotations

import streamlit as st

MULTISELECT_PLACEHOLDER = "请选择"
SELECT_PLACEHOLDER = "请选择"


def upload_limit_mb() -> int:
    """The uploader's per-file limit (``server.maxUploadSize`` in .streamlit/config.toml)."""
    try:
        return int(st.get_option("server.maxUploadSize"))
    except Exception:  # outside a Streamlit runtime the option may be unavailable
        return 50


def _style(limit_mb: int) -> str:
    # English children are removed with display:none (not font-size 0), so they are gone
    # from the accessibility tree and from innerText too; ::after shows the Chinese.
    return f"""
<style>
/* File uploader: the "Upload" button (an icon button once files are chosen) and the
   "NMB per file • TXT, PDF" line.  A chosen file's remove button (×) stays as it is. */
[data-testid="stFileUploaderDropzone"] button:not([data-testid="stFileChipDeleteBtn"] button) > * {{
  display: none;
}}
[data-testid="stFileUploaderDropzone"] button:not([data-testid="stFileChipDeleteBtn"] button)::after {{
  content: "选择文件";
}}
[data-testid="stFileUploaderDropzoneInstructions"] > * {{ display: none; }}
[data-testid="stFileUploaderDropzoneInstructions"]::after {{
  content: "拖放文件到此处，或点击“选择文件”；单个文件不超过 {limit_mb} MB";
  font-size: .8rem; opacity: .75;
}}
/* Multiselect: the bulk rows of the option list ("Select all", "Select N matches") and the
   "Add: …" row.  The row's inner box keeps its layout; only its text is swapped. */
[data-testid="stMultiSelectDropdown"] [data-key^="__"] > * {{ font-size: 0; }}
[data-testid="stMultiSelectDropdown"] [data-key^="__"] > *::after {{ font-size: .875rem; }}
[data-testid="stMultiSelectDropdown"] [data-key="__select_all__"] > *::after {{ content: "全选"; }}
[data-testid="stMultiSelectDropdown"] [data-key="__select_matches__"] > *::after {{
  content: "全选匹配项";
}}
[data-testid="stMultiSelectDropdown"] [data-key="__creatable__"] > *::after {{
  content: "添加此项";
}}
/* A file the uploader refused ("application/x-… files are not allowed.", "File must be
   50.0MB or smaller."): its chip's screen-reader text and the tooltip shown when the
   pointer is on the chip give the reason in English.  (The error tooltip is drawn only for
   such chips: the app's chat box takes no files.) */
[data-testid="stFileChip"] [role="alert"] {{ font-size: 0; }}
[data-testid="stFileChip"] [role="alert"]::after {{
  content: "无法上传：不支持这种文件类型，或文件超过大小限制"; font-size: .75rem;
}}
[data-testid="stTooltipErrorContent"] {{ font-size: 0; }}
[data-testid="stTooltipErrorContent"]::after {{
  content: "无法上传：不支持这种文件类型，或文件超过 {limit_mb} MB。请点 × 移除它。";
  font-size: .875rem;
}}
/* The "Stop" button beside the running indicator (top right while a page runs). */
[data-testid="stStatusWidget"] button {{ font-size: 0; }}
[data-testid="stStatusWidget"] button::after {{ content: "停止"; font-size: .875rem; }}
/* An uncaught error: with client.showErrorDetails = "none" Streamlit shows a generic
   English notice (and, on localhost, "Copy / Ask Google / Ask ChatGPT" links). */
[data-testid="stException"] [data-testid="stExceptionMessage"] > * {{ display: none; }}
[data-testid="stException"] [data-testid="stExceptionMessage"]::after {{
  content: "出错了：这一页没能完整显示。原因已记录在服务器日志中；请刷新页面重试，如仍出错请联系管理员。";
}}
[data-testid="stException"] a, [data-testid="stException"] button {{ display: none; }}
</style>
"""


STYLE = _style(50)


def style() -> str:
    """The style sheet for the configured upload limit."""
    return _style(upload_limit_mb())

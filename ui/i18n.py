"""Chinese for the English Streamlit builds into its widgets, as inert CSS.

Streamlit has no locale setting: the file uploader's dropzone ("Upload", "200MB per file"),
the multiselect's "Select all" row and the like are hard-coded English in the frontend.
Where an argument exists (labels, ``placeholder=``) the pages use it; the rest is replaced
here by hiding the English text (``font-size: 0``) and showing Chinese through
``::after { content: … }``.  Only fixed strings of ours go into the style sheet — never
document text — so nothing here can become live markup.

The selectors are Streamlit's ``data-testid`` attributes (stable across releases, used by
Streamlit's own tests); ``tests/test_browser_app.py`` checks the visible page for English
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
    return f"""
<style>
/* File uploader: "Upload" button and "NMB per file • TXT, PDF" line. */
[data-testid="stFileUploaderDropzone"] button {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button span {{ display: none; }}
[data-testid="stFileUploaderDropzone"] button::after {{
  content: "选择文件"; font-size: .875rem; line-height: 1.6;
}}
[data-testid="stFileUploaderDropzoneInstructions"] * {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] > div::after,
[data-testid="stFileUploaderDropzoneInstructions"] > span::after {{
  content: "拖放文件到此处，或点击选择；单个文件不超过 {limit_mb} MB";
  font-size: .8rem; opacity: .75;
}}
/* Multiselect: the bulk row ("Select all" / "Select N matches") heads the option list
   whenever two or more options are listed. */
[data-testid="stMultiSelectDropdown"] [role="option"]:first-child:not(:only-child) {{
  font-size: 0;
}}
[data-testid="stMultiSelectDropdown"] [role="option"]:first-child:not(:only-child) * {{
  font-size: 0;
}}
[data-testid="stMultiSelectDropdown"] [role="option"]:first-child:not(:only-child)::after {{
  content: "全选"; font-size: .95rem;
}}
</style>
"""


STYLE = _style(50)


def style() -> str:
    """The style sheet for the configured upload limit."""
    return _style(upload_limit_mb())

"""The 审查 page: check a draft against GB/T 1.1—2020 and show what to fix.

Upload a draft (DOCX, Markdown, TXT, PDF) or paste its text; findings are grouped by
severity and clause, each with the offending text highlighted, the suggestion and the rule
with its basis.  The report exports as Markdown or HTML, and mechanical fixes (本标准→本文件,
必须→应, （规范性附录）→（规范性）) are previewed and downloadable as text.

Draft text is untrusted: it is shown only HTML-escaped, inside our own markup
(:func:`check.export.highlight_html`).  :func:`review_bytes` and :func:`review_text` are
plain functions so tests can drive them without a browser.
"""

from __future__ import annotations

import hashlib
import html
import tempfile
from pathlib import Path

import streamlit as st

from check.draft import Draft
from check.export import SEVERITY_LABEL, finding_html, group_findings, report_html, report_markdown
from check.fixes import Change, apply_fixes
from check.model import Report
from check.runner import BasisClause, BasisIndex, check_draft
from ingest.readers.base import UnreadableFile
from ingest.workspace import kb_path
from ui import marks, state
from ui.docnav import href
from ui.safety import inert_markdown, sanitize_filename

REVIEW_TYPES = ["docx", "md", "txt", "pdf"]
RESULT_KEY = "review_result"
TEXT_KEY = "review_text"
REVIEW_CLASS = "stdqa-review"  # stable marker for tests


def _basis(kb: str | None) -> BasisIndex | None:
    if not kb:
        return None
    try:
        return BasisIndex.from_store(kb_path(state.workspace(), kb))
    except Exception:  # links are optional: a broken KB must not block a review
        return None


def review_bytes(name: str, data: bytes, basis: BasisIndex | None = None) -> tuple[Draft, Report]:
    """Check an uploaded file.  Raises :class:`UnreadableFile` with a one-line reason."""
    safe = sanitize_filename(name)
    suffix = Path(safe).suffix.lower()
    if suffix.lstrip(".") not in REVIEW_TYPES:
        raise UnreadableFile(f"不支持的格式：{suffix or '无扩展名'}（支持 docx、md、txt、pdf）")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"draft{suffix}"
        path.write_bytes(data)
        draft = Draft.load(path, name=safe)
    return draft, check_draft(draft, basis=basis)


def review_text(
    text: str, basis: BasisIndex | None = None, name: str = "粘贴的草案.txt"
) -> tuple[Draft, Report]:
    if not text.strip():
        raise UnreadableFile("草案为空")
    draft = Draft.from_text(text, name=name)
    return draft, check_draft(draft, basis=basis)


def basis_html(where: BasisClause | None, clause_id: str, kb: str | None) -> str:
    """A finding's basis clause as a link into the document view, named like a citation
    ("依据：T/BZQC 002—2025，7.2.5") and marked when the document is a made-up example.
    Codes and numbers come from ingested documents, so everything is escaped."""
    if where is None or not kb:
        return f"依据条款：{html.escape(clause_id)}"
    label = html.escape(f"{where.standard_code}，{where.clause_no}".lstrip("，"))
    url = html.escape(href(kb, where.doc_id, clause_id))
    return (
        f'依据：<a href="{url}" target="_blank">{label}</a>{marks.badge_html(where)}'
        '<span class="stdqa-meta">（在文档中查看）</span>'
    )


def _render_changes(changes: list[Change]) -> None:
    for c in changes[:200]:
        where = "，".join(x for x in (c.clause_no, f"第{c.line}行" if c.line else "") if x)
        st.markdown(
            f'<div class="stdqa-text"><span class="stdqa-meta">{html.escape(where)}</span><br>'
            f"<del>{html.escape(c.before)}</del><br><ins>{html.escape(c.after)}</ins></div>",
            unsafe_allow_html=True,
        )
    if len(changes) > 200:
        st.caption(f"另有 {len(changes) - 200} 处修改，见下载的文本。")


def render_review_page(kb: str | None = None) -> None:
    st.header("草案审查")
    st.caption(
        "按 GB/T 1.1—2020 检查草案的结构、能愿动词、固定表述、引用和编排格式；每条问题给出依据条款。"
    )
    upload = st.file_uploader(
        "上传草案",
        type=REVIEW_TYPES,
        key="review_upload",
        help="Word（.docx）、PDF、TXT 或 Markdown 文件；也可以直接把草案文本粘贴到下面的文本框。",
    )
    st.text_area("或粘贴草案文本", key=TEXT_KEY, height=160)
    if st.button("审查", type="primary", key="review_run"):
        basis = _basis(kb)
        try:
            if upload is not None:
                data = upload.getvalue()
                key = hashlib.sha256(data).hexdigest()
                draft, report = review_bytes(upload.name, data, basis)
            else:
                text = st.session_state.get(TEXT_KEY, "")
                key = hashlib.sha256(text.encode()).hexdigest()
                draft, report = review_text(text, basis)
        except UnreadableFile as exc:
            st.error(inert_markdown(f"无法读取草案：{exc}"))
            return
        st.session_state[RESULT_KEY] = (key, draft, report)
    result = st.session_state.get(RESULT_KEY)
    if result is None:
        return
    _key, draft, report = result
    basis = _basis(kb) if any(f.basis_clause_id for f in report.findings) else None
    s = report.summary()
    cols = st.columns(4)
    cols[0].metric("错误", s["error"])
    cols[1].metric("警告", s["warning"])
    cols[2].metric("提示", s["info"])
    cols[3].metric("起草规则版本", f"GB/T 1.1—{report.era}")
    dl = st.columns(2)
    stem = Path(report.document).stem or "draft"
    dl[0].download_button(
        "导出 Markdown", report_markdown(report), file_name=f"{stem}-审查.md", mime="text/markdown"
    )
    dl[1].download_button(
        "导出 HTML", report_html(report), file_name=f"{stem}-审查.html", mime="text/html"
    )
    if not report.findings:
        st.success("未发现问题。")
    for sev, groups in group_findings(report).items():
        st.subheader(f"{SEVERITY_LABEL[sev]}（{sum(len(v) for v in groups.values())}）")
        for clause, fs in groups.items():
            with st.expander(
                inert_markdown(f"{clause} · {len(fs)} 条"), expanded=sev.value == "error"
            ):
                for f in fs:
                    st.markdown(
                        f'<div class="{REVIEW_CLASS}">{finding_html(f)}</div>',
                        unsafe_allow_html=True,
                    )
                    if f.basis_clause_id:
                        where = basis.where.get(f.basis_clause_id) if basis else None
                        st.markdown(
                            f'<div class="stdqa-meta">{basis_html(where, f.basis_clause_id, kb)}'
                            "</div>",
                            unsafe_allow_html=True,
                        )
    fixed, changes = apply_fixes(draft, report)
    if changes:
        with st.expander(f"机械修正预览（{len(changes)} 处）"):
            st.caption(
                "只修正可机械替换的问题（本标准→本文件、必须→应、附录性质标示、年份号前的一字线）；原文件不会被修改。"
            )
            _render_changes(changes)
            st.download_button(
                "下载修正后的文本", fixed, file_name=f"{stem}-修正.txt", mime="text/plain"
            )

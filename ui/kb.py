"""The 知识库 page: upload files, see what a KB holds, delete documents, create KBs.

Uploads are written to ``<workspace>/uploads/<kb>/`` under sanitised names (see
``ui.safety``) and ingested from there, so the store's source paths stay valid and a
re-upload of the same file is recognised as unchanged.  :func:`handle_uploads` and
:func:`delete_document` are plain functions so tests can drive them without a browser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from core.errors import user_message
from core.kb import KnowledgeBase
from ingest.outline import outline
from ingest.pipeline import FileResult, FileStatus, IngestReport
from ingest.readers import DEFAULT_MAX_BYTES
from ingest.workspace import WorkspaceError, kb_path, validate_kb_name
from ui import marks, render, state
from ui.docnav import href
from ui.safety import UnsafeUpload, forget_upload, inert_markdown, save_upload, settle_upload

if TYPE_CHECKING:
    from grammar.schema import DocumentInfo
    from index.search import Searcher

UPLOAD_TYPES = ["pdf", "docx", "txt", "md", "html", "htm"]
STATUS_LABELS = {
    FileStatus.INGESTED: "已导入",
    FileStatus.UNCHANGED: "未变化",
    FileStatus.DUPLICATE: "重复",
    FileStatus.SKIPPED: "已跳过",
    FileStatus.FAILED: "失败",
}
UPLOADER_GEN = "kb_uploader_gen"  # bumped after an import to clear the uploader
LAST_IMPORT_KEY = "kb_last_import"  # what the last import did, shown until the next one
# Above this many new clauses an import embeds in the background (about half a minute on a
# busy 2-core machine): the page stays usable and every page shows the live count.  Below
# it the wait is short and the next answer uses the full index at once.
BACKGROUND_EMBED_CLAUSES = 120
NEW_KB_KEY = "kb_new_name"
OUTLINE_DOC_KEY = "kb_outline_doc"
OUTLINE_OPEN_KEY = "kb_outline_open"
NOTICE_KEY = "kb_notice"


@dataclass(slots=True)
class UploadOutcome:
    """Where each upload was saved (original name → path) and what ingest made of it."""

    saved: dict[str, Path]
    rejected: list[FileResult]
    report: IngestReport

    @property
    def results(self) -> list[FileResult]:
        return self.rejected + self.report.files


def handle_uploads(
    ws: Path,
    kb: str,
    files: Sequence[tuple[str, bytes]],
    *,
    on_file: Callable[[FileResult], None] | None = None,
    wrap: Callable[[list[Path]], Iterable[Path]] | None = None,
) -> UploadOutcome:
    """Save ``(name, bytes)`` uploads safely into the KB's upload folder and ingest them.

    Never raises for a bad file: each one gets a :class:`FileResult` with a reason.  The
    index is *not* touched here; the next ``state.searcher_for`` call syncs it.
    """
    folder = state.uploads_dir(ws, kb)
    saved: dict[str, Path] = {}
    rejected: list[FileResult] = []
    taken: set[Path] = set()
    for name, data in files:
        if len(data) > DEFAULT_MAX_BYTES:
            reason = f"文件过大（{len(data) / 2**20:.1f} MB，上限 {DEFAULT_MAX_BYTES // 2**20} MB）"
            rejected.append(FileResult(name, FileStatus.SKIPPED, reason))
            continue
        try:
            saved[name] = save_upload(folder, name, data, taken)
        except (UnsafeUpload, OSError) as exc:
            rejected.append(FileResult(name, FileStatus.FAILED, f"无法保存：{user_message(exc)}"))
    by_path: dict[str, FileResult] = {}
    try:
        report = KnowledgeBase.at(ws, kb).ingest(saved.values(), on_file=on_file, wrap=wrap)
        by_path = {r.path: r for r in report.files}
    finally:
        # Whatever happened (even an exception): a file the store does not hold is not
        # left on disk, and a rejected new version gives way to the previous one.
        ok = {FileStatus.INGESTED, FileStatus.UNCHANGED}
        for path in saved.values():
            result = by_path.get(str(path))
            settle_upload(path, accepted=result is not None and result.status in ok)
    return UploadOutcome(saved, rejected, report)


def new_clauses(outcome: UploadOutcome) -> int:
    """Clauses the import added or changed: what the index has to embed next."""
    return sum(r.clauses for r in outcome.report.files if r.status is FileStatus.INGESTED)


def embeds_in_background(outcome: UploadOutcome, limit: int = BACKGROUND_EMBED_CLAUSES) -> bool:
    """True when the import is large enough to embed in the background (see
    :data:`BACKGROUND_EMBED_CLAUSES`)."""
    return new_clauses(outcome) > limit


def imported_documents(ws: Path, kb: str, outcome: UploadOutcome) -> list[DocumentInfo]:
    """The documents the accepted uploads of ``outcome`` hold now (for the preview)."""
    store = state.store_of(ws, kb)
    ok = {FileStatus.INGESTED, FileStatus.UNCHANGED}
    docs: list[DocumentInfo] = []
    for r in outcome.report.files:
        entry = store.entry(r.path) if r.status in ok else None
        if entry is not None:
            docs.extend(entry.documents)
    return docs


def delete_document(searcher: Searcher, doc_id: str, uploads: Path | None = None) -> bool:
    """Remove one document from the store and from the index.  False if it was absent.

    When the last document of a source file goes and that file is an upload (it lies in
    ``uploads``, the KB's upload folder), the file goes too: an upload exists only to be in
    the knowledge base.  Files outside the upload folder (the samples, a folder ingested
    with the CLI) are the user's own and are never touched."""
    store = searcher.store
    doc = next((d for d in store.documents() if d.doc_id == doc_id), None)
    entry = store.entry(doc.source) if doc is not None else None
    if not KnowledgeBase(searcher.workspace, searcher.kb).remove(doc_id, searcher=searcher):
        return False
    if entry is not None and store.entry(entry.source) is None:
        _remove_upload(Path(entry.source), uploads)
        from ui.docview import unserve

        unserve(entry.sha256)
    return True


def _remove_upload(path: Path, uploads: Path | None) -> None:
    if uploads is None:
        return
    try:
        inside = path.resolve().parent == uploads.resolve()
    except OSError:
        return
    if inside and path.is_file():
        path.unlink(missing_ok=True)
        forget_upload(uploads, path)


def create_kb(ws: Path, name: str) -> str:
    """Create an empty KB folder; returns the validated name (raises WorkspaceError)."""
    name = validate_kb_name(name.strip())
    kb_path(ws, name).mkdir(parents=True, exist_ok=True)
    return name


def _human_bytes(n: int | float | None) -> str:
    if not n:
        return "0 B"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def _on_create(ws: Path) -> None:
    # A callback runs before the script, so it may set the sidebar selectbox's state.
    try:
        name = create_kb(ws, st.session_state.get(NEW_KB_KEY, ""))
    except WorkspaceError as exc:
        st.session_state[NOTICE_KEY] = ("error", inert_markdown(str(exc)))
        return
    st.session_state[state.KB_KEY] = name
    st.session_state[NEW_KB_KEY] = ""
    st.session_state[NOTICE_KEY] = ("success", f"已创建知识库“{name}”，现在可以上传文件。")


def _result_rows(results: Sequence[FileResult]) -> list[dict[str, object]]:
    return [
        {
            "文件": Path(r.path).name,
            "状态": STATUS_LABELS.get(r.status, str(r.status)),
            "文档数": r.documents,
            "条款数": r.clauses,
            "说明": r.reason,
        }
        for r in results
    ]


@dataclass(slots=True)
class ImportSummary:
    """What an import did, kept in the session so it stays on screen after the rerun
    that gives the uploader a fresh (empty) state."""

    kb: str
    level: str  # "success" or "warning"
    message: str
    errors: list[str]
    rows: list[dict[str, object]]
    docs: list[tuple[str, str]]  # (doc_id, label) of the imported documents


def _summarise(ws: Path, kb: str, outcome: UploadOutcome) -> ImportSummary:
    r = outcome.report
    ok = r.count(FileStatus.INGESTED)
    bad = [x for x in outcome.results if x.status in (FileStatus.SKIPPED, FileStatus.FAILED)]
    message = (
        f"导入 {ok} 个文件；未变化 {r.count(FileStatus.UNCHANGED)}，重复 "
        f"{r.count(FileStatus.DUPLICATE)}，未能导入 {len(bad)}。"
    )
    docs = [(d.doc_id, marks.doc_label(d)) for d in imported_documents(ws, kb, outcome)]
    return ImportSummary(
        kb,
        "warning" if bad else "success",
        message,
        [f"{Path(x.path).name}：{x.reason}" for x in bad],
        _result_rows(outcome.results),
        docs,
    )


def _show_summary(summary: ImportSummary) -> None:
    with st.container(border=True):
        st.markdown("**上次导入**")
        getattr(st, summary.level)(summary.message)
        for e in summary.errors:
            st.error(inert_markdown(e))
        st.dataframe(summary.rows, hide_index=True)
        if summary.docs:
            links = " · ".join(
                f'<a href="{render.escape(href(summary.kb, doc_id))}" target="_blank">'
                f"{render.escape(label)} ↗</a>"
                for doc_id, label in summary.docs
            )
            st.markdown(f"在文档视图中查看：{links}", unsafe_allow_html=True)


def _upload_section(ws: Path, kb: str) -> None:
    st.subheader("上传文件")
    gen = st.session_state.get(UPLOADER_GEN, 0)
    uploads = st.file_uploader(
        "PDF、Word（docx）、TXT、Markdown、HTML，可多选",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"kb_uploader_{gen}",
    )
    last = st.session_state.get(LAST_IMPORT_KEY)
    if not uploads:
        if isinstance(last, ImportSummary) and last.kb == kb:
            _show_summary(last)
        return
    # Chosen files are imported only on request, and the page says so (the results of the
    # previous import stay below until then).
    st.info(
        inert_markdown(
            f"已选择 {len(uploads)} 个文件，尚未导入。点击“导入到知识库”，"
            f"将它们加入知识库“{state.kb_label(kb)}”。"
        )
    )
    clicked = st.button(f"导入到知识库（{len(uploads)} 个文件）", type="primary", key="kb_import")
    slot = st.empty()  # the import's progress, right under the button
    if isinstance(last, ImportSummary) and last.kb == kb:
        _show_summary(last)
    if not clicked:
        return
    bar = slot.progress(0.0, text="开始导入…")
    total = len(uploads)

    def wrap(paths: list[Path]) -> Iterable[Path]:
        for i, p in enumerate(paths):
            bar.progress(i / max(total, 1), text=f"正在处理 {p.name}（{i + 1}/{total}）")
            yield p

    outcome = handle_uploads(ws, kb, [(u.name, u.getvalue()) for u in uploads], wrap=wrap)
    if embeds_in_background(outcome):
        # A large import: vectors are computed in the background with a live count on
        # every page; meanwhile the finder and keyword answers already see the new text.
        bar.progress(1.0, text="文件处理完成")
        state.start_embedding(ws, kb)
    else:
        bar.progress(1.0, text="文件处理完成，正在更新索引（计算新条款的向量）…")
        state.searcher_for(ws, kb)
    st.session_state[LAST_IMPORT_KEY] = _summarise(ws, kb, outcome)
    imported = st.session_state[LAST_IMPORT_KEY].docs
    if imported:  # the outline preview below opens on the first imported document
        st.session_state[OUTLINE_DOC_KEY] = imported[0][0]
        st.session_state[OUTLINE_OPEN_KEY] = True
    # A fresh uploader key, drawn by a rerun: files chosen next land in the uploader that
    # is on screen (drawing it again in this run would leave a stale one visible).
    st.session_state[UPLOADER_GEN] = gen + 1
    st.rerun()


def _documents_section(searcher: Searcher, kb: str) -> None:
    docs = searcher.documents()
    st.subheader(f"文档（{len(docs)}）")
    st.dataframe(
        [
            {
                "标题": marks.marked_title(d.title, d),
                "标准编号": d.standard_code or "",
                "条款数": d.clause_count,
                "字数": d.char_count,
                "文件": Path(d.source).name,
            }
            for d in docs
        ],
        hide_index=True,
    )
    if not docs:
        return
    _outline_section(searcher, docs)
    with st.expander("删除文档"):
        labels = {d.doc_id: marks.doc_label(d) for d in docs}
        doc_id = st.selectbox(
            "要删除的文档", list(labels), format_func=labels.__getitem__, key="kb_del_doc"
        )
        sure = st.checkbox("确认删除", key="kb_del_sure")
        if st.button("删除", disabled=not sure, key="kb_del_btn") and doc_id:
            if delete_document(searcher, doc_id, state.uploads_dir(state.workspace(), kb)):
                st.session_state[NOTICE_KEY] = (
                    "success",
                    inert_markdown(f"已删除：{labels[doc_id]}"),
                )
            st.rerun()


ANOMALY_LABELS = {
    "gap": "编号跳跃",
    "order": "编号倒序",
    "parent": "层级不符",
    "duplicate": "编号重复",
    "empty": "空条款",
    "title": "可疑标题",
}


def _outline_section(searcher: Searcher, docs: list[DocumentInfo]) -> None:
    """The clause tree of one document with anomalies flagged (same as ``python -m ingest
    --outline``).  Shown as data tables: document text is never rendered as Markdown/HTML."""
    # Opened right after an import, on the first imported document: a preview of how it
    # was cut into clauses, before anyone asks about it.
    with st.expander(
        "条款结构与异常", expanded=bool(st.session_state.pop(OUTLINE_OPEN_KEY, False))
    ):
        labels = {d.doc_id: marks.doc_label(d) for d in docs}
        if st.session_state.get(OUTLINE_DOC_KEY) not in labels:
            st.session_state.pop(OUTLINE_DOC_KEY, None)
        doc_id = st.selectbox(
            "文档", list(labels), format_func=labels.__getitem__, key=OUTLINE_DOC_KEY
        )
        if not doc_id:
            return
        st.markdown(
            f'<a href="{render.escape(href(state.current_kb(), doc_id))}" target="_blank">'
            "在文档视图中打开（可点击的目录、上下文、原文件）↗</a>",
            unsafe_allow_html=True,
        )
        result = outline(searcher.clauses_of(doc_id))
        flagged = result.flagged()
        if result.anomalies:
            st.warning(f"发现 {len(result.anomalies)} 处可能的切分问题，见下表“异常”列。")
        else:
            st.success("未发现异常。")
        st.dataframe(
            [
                {
                    "条款": ("\u3000" * n.depth) + n.label,
                    "类型": n.kind,
                    "字数": n.chars,
                    "页": n.page,
                    "异常": "；".join(
                        f"{ANOMALY_LABELS.get(str(a.kind), str(a.kind))}：{a.message}"
                        for a in flagged.get(n.seq, [])
                    ),
                }
                for n in result.nodes
            ],
            hide_index=True,
            key="kb_outline_table",
        )


def _stats_section(searcher: Searcher) -> None:
    """What the KB holds; the index's technical figures (for whoever maintains the install)
    are one line, out of a drafter's way."""
    s = searcher.stats()
    c = st.columns(2)
    c[0].metric("文档", s.get("documents", 0))
    c[1].metric("条款", s.get("clauses", 0))
    st.caption(
        inert_markdown(
            f"索引：{_human_bytes(s.get('index_bytes'))} · 向量模型 {s.get('model', '—')}"
            f"（{s.get('dim', '—')} 维，{s.get('faiss_index', '—')}）"
        )
    )


def render_kb_page(kb: str) -> None:
    """The 知识库 page."""
    ws = state.workspace()
    st.header(f"知识库：{state.kb_label(kb)}")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        getattr(st, notice[0])(notice[1])
    searcher = state.searcher_for(ws, kb)
    if searcher is not None:
        _stats_section(searcher)
    _upload_section(ws, kb)
    searcher = state.searcher_for(ws, kb)
    if searcher is not None:
        _documents_section(searcher, kb)
    else:
        st.info("这个知识库还没有文件。")
    st.divider()
    st.subheader("新建知识库")
    st.text_input("名称（字母、数字、汉字、- 和 _）", key=NEW_KB_KEY)
    st.button("创建", on_click=_on_create, args=(ws,), key="kb_create")

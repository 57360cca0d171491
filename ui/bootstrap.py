"""First run: fill the default knowledge base with the bundled samples and index them.

A fresh checkout should answer questions the moment ``streamlit run app.py`` opens, without
a separate ingest step.  This runs only while the default KB has never been written (no
manifest, generation 0): a user who later deletes every document gets an empty KB, not
the samples back.

:func:`ensure_samples` is plain Python (tests call it directly); :func:`run_bootstrap`
wraps it in ``st.status`` with a progress bar for the app and leaves the embedding (minutes
on a small CPU) to a background job, so the finder and keyword answers work at once;
:func:`render_embedding_status` shows that job's live count on every page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

import streamlit as st

from core.kb import KnowledgeBase
from ingest.pipeline import FileResult, IngestReport
from ingest.store import ClauseStore
from ingest.workspace import DEFAULT_KB, kb_path
from ui import state
from ui.safety import inert_markdown

log = logging.getLogger(__name__)

OpenIndex = Callable[[Path, str], object]


def needs_bootstrap(ws: Path, kb: str = DEFAULT_KB) -> bool:
    """True while ``kb`` has never been written to."""
    store = ClauseStore(kb_path(ws, kb))
    return not store.exists or (store.generation == 0 and not store.documents())


def sample_files(samples: Path) -> list[Path]:
    """The sample documents, without the folder READMEs that describe them (a README
    ingested as a "document" would show up in answers)."""
    return sorted(
        p
        for p in samples.rglob("*")
        if p.is_file()
        and not p.name.lower().startswith("readme")
        and not any(part.startswith(".") for part in p.relative_to(samples).parts)
    )


def _default_open_index(ws: Path, kb: str) -> object:
    return KnowledgeBase.at(ws, kb).searcher(sync=True)


def ensure_samples(
    ws: Path,
    samples: Path = state.SAMPLES_DIR,
    *,
    kb: str = DEFAULT_KB,
    on_file: Callable[[FileResult], None] | None = None,
    wrap: Callable[[list[Path]], Iterable[Path]] | None = None,
    open_index: OpenIndex | None = None,
) -> IngestReport | None:
    """Ingest ``samples`` into ``kb`` and build its index, if ``kb`` was never written.

    Returns the ingest report, or None when nothing had to be done (or there are no
    samples).  ``open_index`` builds the index (default: ``Searcher.open(sync=True)``); the
    app passes its cached opener so the searcher built here is the one it then uses.
    """
    if not needs_bootstrap(ws, kb) or not samples.is_dir():
        return None
    report = KnowledgeBase.at(ws, kb).ingest(sample_files(samples), on_file=on_file, wrap=wrap)
    log.info("bootstrap: %s", report.to_dict())
    if report.kb_documents:
        (open_index or _default_open_index)(ws, kb)
    return report


def render_embedding_status(ws: Path, kb: str) -> None:
    """While ``kb``'s index is built in the background: a live count (clauses embedded /
    total, rate, time left) that refreshes itself every second, and what already works.
    When the build ends the whole page reruns once, so the next answer uses the full index."""
    job = state.embedding_job(ws, kb)
    if job is None:
        return
    seen_key = f"embed_seen_{kb}"
    if not job.running():
        error = job.error()
        if error:
            st.warning(
                inert_markdown(
                    f"向量索引未能建立：{error}。仍可使用「条款检索」和问答（按字词查找条款）。"
                )
            )
        elif st.session_state.pop(seen_key, False):
            st.toast(
                "向量索引已建立：问答已改为综合查找（按意思 + 按字词）。",
                icon=":material/check_circle:",
            )
        return
    st.session_state[seen_key] = True

    @st.fragment(run_every=1.0)
    def live() -> None:
        if not job.running():
            st.rerun(scope="app")
        snap = job.progress.snapshot()
        text = snap.describe() if snap.total else "正在加载向量模型…"
        with st.container(border=True):
            st.progress(snap.fraction, text=f"正在建立向量索引：{text}")
            st.caption(
                "现在已经可以使用：「条款检索」，以及问答（暂时只按字词查找条款）。"
                "索引建好后自动改为综合查找，无需刷新页面。"
            )

    live()


def run_bootstrap(ws: Path) -> None:
    """First run: import the samples (a few seconds, shown in an ``st.status`` box), then
    embed them in the background — the app is usable meanwhile (no-op afterwards)."""
    if not needs_bootstrap(ws) or not state.SAMPLES_DIR.is_dir():
        return
    with st.status("首次运行：正在导入示例文件…", expanded=True) as box:
        bar = st.progress(0.0, text="读取示例文件…")

        def wrap(files: list[Path]) -> Iterable[Path]:
            for i, f in enumerate(files):
                bar.progress(i / max(len(files), 1), text=f"导入 {f.name}（{i + 1}/{len(files)}）")
                yield f
            bar.progress(1.0, text=f"已导入 {len(files)} 个文件")

        report = ensure_samples(ws, wrap=wrap, open_index=state.start_embedding)
        if report is None:
            box.update(label="无需导入", state="complete", expanded=False)
            return
        failed = [f for f in report.files if f.status in ("skipped", "failed")]
        for f in failed:
            st.write(inert_markdown(f"未导入 {Path(f.path).name}：{f.reason}"))
        box.update(
            label=f"示例知识库已就绪：{report.kb_documents} 个文件，{report.kb_clauses} 个条款",
            state="complete",
            expanded=False,
        )

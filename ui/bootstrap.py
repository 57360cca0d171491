"""First run: fill the default knowledge base with the bundled samples and index them.

A fresh checkout should answer questions the moment ``streamlit run app.py`` opens, without
a separate ingest step.  This runs only while the default KB has never been written (no
manifest, generation 0): a user who later deletes every document gets an empty KB, not
the samples back.

:func:`ensure_samples` is plain Python (tests call it directly); :func:`run_bootstrap`
wraps it in ``st.status`` with a progress bar for the app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import streamlit as st

from core.kb import KnowledgeBase
from ingest.pipeline import FileResult, IngestReport
from ingest.store import ClauseStore
from ingest.workspace import DEFAULT_KB, kb_path
from ui import state

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


def embed_in_background(ws: Path, kb: str, bar: Any, poll: float = 0.5) -> None:
    """Build ``kb``'s index in a background thread while this (the script) thread shows
    clauses done / total, rate and time left — a live count instead of a frozen bar.
    The searcher opened afterwards finds the index up to date."""
    from index.build import sync_index
    from index.progress import EmbedProgress, run_in_background

    store = ClauseStore(kb_path(ws, kb))
    progress = EmbedProgress()
    job = run_in_background(lambda: sync_index(store, state.get_embedder(), progress=progress))
    bar.progress(0.0, text="正在加载向量模型…")
    while not job.wait(poll):
        snap = progress.snapshot()
        if snap.total:
            bar.progress(snap.fraction, text=snap.describe())
    job.result()  # re-raise a failure here, in the script thread
    bar.progress(1.0, text="索引已建立")


def run_bootstrap(ws: Path) -> None:
    """Show the first-run ingest and indexing in an ``st.status`` box (no-op afterwards)."""
    if not needs_bootstrap(ws) or not state.SAMPLES_DIR.is_dir():
        return
    with st.status("首次运行：正在导入示例文件并建立索引…", expanded=True) as box:
        bar = st.progress(0.0, text="读取示例文件…")

        def wrap(files: list[Path]) -> Iterable[Path]:
            for i, f in enumerate(files):
                bar.progress(i / max(len(files), 1), text=f"导入 {f.name}（{i + 1}/{len(files)}）")
                yield f
            bar.progress(1.0, text=f"已导入 {len(files)} 个文件")

        def build(ws_: Path, kb: str) -> object:
            embed_in_background(ws_, kb, bar)
            return state.open_searcher(str(ws_), kb, state.generation(ws_, kb))

        report = ensure_samples(ws, wrap=wrap, open_index=build)
        if report is None:
            box.update(label="无需导入", state="complete", expanded=False)
            return
        failed = [f for f in report.files if f.status in ("skipped", "failed")]
        for f in failed:
            st.write(f"未导入 {Path(f.path).name}：{f.reason}")
        box.update(
            label=f"示例知识库已就绪：{report.kb_documents} 个文件，{report.kb_clauses} 个条款",
            state="complete",
            expanded=False,
        )

"""Process-wide resources (embedder, searchers, chat model) and per-session choices.

Opening a searcher loads the embedding model and the FAISS index, which takes seconds, so
searchers are cached with ``st.cache_resource`` and shared by every browser session.  The
cache key includes the clause store's *generation* (it increases on every ingest or
delete): after a change the next page run opens a fresh searcher, whose ``sync`` embeds
only what changed, and no session keeps answering from a stale index.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import streamlit as st

from core.kb import KnowledgeBase
from index.progress import Background, EmbedProgress, run_in_background
from ingest.store import ClauseStore
from ingest.workspace import DEFAULT_KB, WorkspaceError, kb_path, list_kbs, resolve_workspace

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from index.embedders import Embedder
    from index.search import Searcher
    from qa.llm_config import LLMConfig

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[1]
SAMPLES_DIR = ROOT / "samples"
KB_KEY = "kb"  # session key of the current knowledge base (the sidebar selectbox)


def workspace() -> Path:
    """The workspace directory ($STDQA_WORKSPACE or ./workspace), read on every run so a
    test can point the app elsewhere."""
    return resolve_workspace()


def uploads_dir(ws: Path, kb: str) -> Path:
    """Where uploaded files of ``kb`` are kept (they are the sources the KB refers to)."""
    return KnowledgeBase.at(ws, kb).uploads


def store_of(ws: Path, kb: str) -> ClauseStore:
    return KnowledgeBase.at(ws, kb).store


def generation(ws: Path, kb: str) -> int:
    """Current store generation (0 for a KB that was never written)."""
    return store_of(ws, kb).generation


def available_kbs(ws: Path) -> list[str]:
    """Knowledge bases with a store, plus folders created empty in this app, plus the
    default one; default first."""
    names = set(list_kbs(ws)) | {DEFAULT_KB}
    root = ws / "kbs"
    if root.is_dir():
        for p in root.iterdir():
            try:
                kb_path(ws, p.name)
            except WorkspaceError:
                continue
            if p.is_dir():
                names.add(p.name)
    return sorted(names, key=lambda n: (n != DEFAULT_KB, n))


def kb_label(kb: str) -> str:
    """How a knowledge base is named in the UI (the default one's folder name is English)."""
    return "默认知识库" if kb == DEFAULT_KB else kb


def current_kb() -> str:
    return str(st.session_state.get(KB_KEY) or DEFAULT_KB)


@st.cache_resource(show_spinner="正在加载向量模型…")
def get_embedder() -> Embedder:
    from index.embedders import make_embedder

    return make_embedder()


@st.cache_resource(show_spinner="正在加载索引…", max_entries=6)
def open_searcher(ws: str, kb: str, store_generation: int, index_gen: str = "") -> Searcher:
    """The searcher of ``kb`` brought up to date with the store (``store_generation`` and
    ``index_gen`` are only the cache key).  Raises ``KnowledgeBaseNotFound`` for an empty KB.

    The app is a writer (uploads, deletes), so it syncs explicitly here.  On a read-only
    workspace (a shared, mounted knowledge base) it cannot: it then serves the index as it
    is, like any reader, and :attr:`Searcher.stale` says whether that index lags.

    The sentence vectors (``index_gen`` changes when they land) are left to a
    background job (:func:`start_sentences`): opening never waits for them."""
    searcher = KnowledgeBase.at(ws, kb).searcher(get_embedder(), sync=True, sentences=False)
    if not searcher.sentences_complete:
        start_sentences(Path(ws), kb)
    return searcher


def index_generation(store: ClauseStore) -> str:
    """The live index generation's name ("" before the first build): part of the
    searcher's cache key, so sentence vectors added in the background are picked up."""
    from index.layout import IndexPaths

    gen = IndexPaths.for_kb(store.root).current()
    return gen.name if gen is not None else ""


_SENTENCE_JOBS: dict[tuple[str, str], Background] = {}


def start_sentences(
    ws: Path, kb: str, store: ClauseStore | None = None, embedder: Embedder | None = None
) -> Background:
    """Embed the sentence vectors of ``kb``'s index in a background thread (at most one per
    KB; see :func:`index.build.add_sentence_vectors`).  The clause index is usable
    meanwhile; the refusal gate embeds the sentences it needs until they land."""
    from index.build import add_sentence_vectors

    with _JOBS_LOCK:
        job = _SENTENCE_JOBS.get((str(ws), kb))
        if job is not None and job.running():
            return job
        kb_store = store or store_of(ws, kb)
        kb_embedder = embedder or get_embedder()

        def run() -> int:
            try:
                return add_sentence_vectors(kb_store, kb_embedder)
            except Exception:  # the index works without them: logged, never shown
                log.exception("sentence vectors of %s not built", kb)
                return 0

        job = run_in_background(run)
        _SENTENCE_JOBS[(str(ws), kb)] = job
        return job


@dataclass
class EmbedJob:
    """A background build of one knowledge base's index, shared by every session: the
    app stays usable (keyword search, BM25 answers) while it embeds, and each page shows
    its live count (clauses done / total, rate, time left)."""

    kb: str
    progress: EmbedProgress
    task: Background
    started: float = field(default_factory=time.monotonic)

    def running(self) -> bool:
        return self.task.running()

    def error(self) -> str | None:
        """The failure, as one line, once finished (None while running or on success)."""
        if self.task.running():
            return None
        try:
            self.task.result()
        except Exception as exc:
            from core.errors import user_message

            return user_message(exc)
        return None


_JOBS_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def _embed_jobs() -> dict[tuple[str, str], EmbedJob]:
    return {}


def start_embedding(ws: Path, kb: str) -> EmbedJob:
    """Bring ``kb``'s index up to date in a background thread (at most one per KB): the
    clause vectors (the job the pages show), then the sentence vectors in a second
    background job (:func:`start_sentences`), so they never delay switching to the full
    index."""
    from index.build import sync_index

    with _JOBS_LOCK:
        jobs = _embed_jobs()
        job = jobs.get((str(ws), kb))
        if job is not None and job.running():
            return job
        store = store_of(ws, kb)
        progress = EmbedProgress()
        embedder = get_embedder()

        def run() -> dict:
            result = sync_index(store, embedder, progress=progress, sentences=False)
            start_sentences(ws, kb, store, embedder)  # from this thread: no Streamlit calls
            return result

        job = EmbedJob(kb, progress, run_in_background(run))
        jobs[(str(ws), kb)] = job
        return job


def embedding_jobs() -> list[EmbedJob]:
    """Every background build started in this process (tests wait for them)."""
    return list(_embed_jobs().values())


def embedding_job(ws: Path, kb: str) -> EmbedJob | None:
    """The background build of ``kb`` (running, or finished since it was started)."""
    return _embed_jobs().get((str(ws), kb))


@st.cache_resource(show_spinner="正在准备关键词检索…", max_entries=4)
def open_keyword_searcher(ws: str, kb: str, store_generation: int) -> Searcher:
    """Keyword-only searcher over the store while its vectors are being built."""
    from index.search import Searcher

    return Searcher.open_keyword_only(Path(ws), kb, embedder=get_embedder())


def searcher_for(ws: Path, kb: str) -> Searcher | None:
    """The up-to-date searcher of ``kb``, or None when the KB has no documents yet.
    While a background build of ``kb`` runs (or after it failed) this is a keyword-only
    searcher (:attr:`Searcher.keyword_only`)."""
    from index.errors import KnowledgeBaseNotFound

    store = store_of(ws, kb)
    if not store.exists or not store.documents():
        return None
    job = embedding_job(ws, kb)
    if job is not None and (job.running() or job.error()):
        return open_keyword_searcher(str(ws), kb, store.generation)
    try:
        return open_searcher(str(ws), kb, store.generation, index_generation(store))
    except KnowledgeBaseNotFound:
        return None


@st.cache_resource(show_spinner="正在连接大模型…", max_entries=2)
def _chat_model(key: str, _config: LLMConfig) -> BaseChatModel:
    from core.assembly import chat_model

    return chat_model(_config)


def get_chat_model(config: LLMConfig) -> BaseChatModel:
    """The configured chat model, created once per configuration (a GGUF model takes
    seconds and gigabytes to load)."""
    return _chat_model(repr(config), config)

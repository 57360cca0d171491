"""One handle on one knowledge base: where it lives, its store, uploads, index and searcher.

Why: every layer used to receive a ``(workspace, kb)`` pair and validate it again —
``kb_path`` here, ``ClauseStore(kb_path(…))`` there, ``Searcher.open(ws, kb)`` elsewhere,
the app's upload folder computed a fourth way — so a name was checked in some places and
not in others, and "does it exist" meant different things per CLI.  A
:class:`KnowledgeBase` is validated once when it is made; everything that touches the
knowledge base goes through it:

* ``store`` — the clause store (written by ingest);
* ``uploads`` — where the app keeps uploaded source files;
* :meth:`ingest`, :meth:`remove` — writers of the store;
* :meth:`searcher` — a *reader* by default (never writes; reports staleness);
* :meth:`sync` — the writer that brings the index up to date with the store.

Heavy modules (faiss, the embedder) are imported only by the methods that need them, so
holding a handle costs nothing.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.store import ClauseStore
from ingest.workspace import DEFAULT_KB, kb_path, list_kbs, resolve_workspace

if TYPE_CHECKING:
    from index.embedders import Embedder
    from index.progress import Progress
    from index.search import Searcher
    from ingest.pipeline import IngestReport

log = logging.getLogger(__name__)

_READ_ONLY = (errno.EROFS, errno.EACCES, errno.EPERM)


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """A validated knowledge base ``name`` inside ``workspace`` (it need not exist yet)."""

    workspace: Path
    name: str

    @classmethod
    def at(
        cls, workspace: str | os.PathLike[str] | None = None, name: str = DEFAULT_KB
    ) -> KnowledgeBase:
        """The knowledge base ``name`` in ``workspace`` (flag, else ``$STDQA_WORKSPACE``,
        else ``./workspace``).  Raises ``WorkspaceError`` for an unusable name."""
        ws = resolve_workspace(workspace)
        kb_path(ws, name)  # validates the name once, here
        return cls(ws, name)

    # ------------------------------------------------------------------ places
    @property
    def root(self) -> Path:
        """The folder holding the clause store and the index."""
        return self.workspace / "kbs" / self.name

    @property
    def uploads(self) -> Path:
        """Where the app keeps uploaded files of this knowledge base (they are the sources
        the store refers to, so they live beside it, not in a temp folder)."""
        return self.workspace / "uploads" / self.name

    @property
    def store(self) -> ClauseStore:
        """A fresh view of the clause store (cheap: nothing is read until asked)."""
        return ClauseStore(self.root)

    @property
    def exists(self) -> bool:
        return self.store.exists

    @property
    def generation(self) -> int:
        """Store generation (0 for a knowledge base never written); increases on every
        ingest or removal, so it keys caches of searchers."""
        return self.store.generation

    def require(self) -> ClauseStore:
        """The store, or ``KnowledgeBaseNotFound`` naming the ones that exist."""
        from index.errors import KnowledgeBaseNotFound

        store = self.store
        if not store.exists:
            known = ", ".join(list_kbs(self.workspace)) or "（无）"
            raise KnowledgeBaseNotFound(
                f"知识库 {self.name!r} 不存在于 {self.workspace}（已有：{known}）；"
                f"先运行 python -m ingest PATH --kb {self.name}"
            )
        return store

    # ------------------------------------------------------------------ writers
    def ingest(self, paths: Iterable[Path], **options: Any) -> IngestReport:
        """Ingest files or folders into the store (see :func:`ingest.pipeline.ingest_paths`
        for ``force``, ``prune``, ``max_bytes``, ``on_file``, ``wrap``).  The index is not
        touched: :meth:`sync` (or the next writer's searcher) brings it up to date."""
        from ingest.pipeline import ingest_paths

        return ingest_paths(list(paths), self.store, kb=self.name, **options)

    def remove(self, doc_id: str, *, searcher: Searcher | None = None) -> bool:
        """Remove one document from the store — and from ``searcher``'s index when one is
        given (the app's case).  False if the document was not there."""
        store = searcher.store if searcher is not None else self.store
        removed = store.remove_document(doc_id)
        if removed and searcher is not None:
            searcher.sync()
        return removed

    def sync(
        self,
        embedder: Embedder | None = None,
        *,
        rebuild: bool = False,
        progress: bool | Progress = False,
    ) -> dict[str, Any]:
        """Bring the index up to date with the store (embedding only what changed)."""
        from index.embedders import make_embedder
        from index.search import sync_kb

        return sync_kb(
            self.require(), embedder or make_embedder(), rebuild=rebuild, progress=progress
        )

    # ------------------------------------------------------------------ readers
    def searcher(
        self,
        embedder: Embedder | None = None,
        *,
        sync: bool = False,
        progress: bool | Progress = False,
        sentences: bool = True,
    ) -> Searcher:
        """Open the index.  A reader (``sync=False``, the default) never writes and
        reports :attr:`Searcher.stale`.  A writer (``sync=True``: the app, eval) first
        syncs; on a read-only workspace it cannot, so it logs that and serves the index
        as it is, like a reader.  ``sentences=False``: the sync leaves the sentence vectors
        to a later background phase (the app; see :func:`index.build.sync_index`)."""
        from index.search import Searcher  # it names the missing KB like require()

        if not sync:
            return Searcher.open(self.workspace, self.name, embedder=embedder, sync=False)
        try:
            return Searcher.open(
                self.workspace,
                self.name,
                embedder=embedder,
                sync=True,
                progress=progress,
                sentences=sentences,
            )
        except OSError as exc:
            if exc.errno not in _READ_ONLY:
                raise
            log.warning("知识库 %s 只读（%s）：使用现有索引", self.root, exc)
            return Searcher.open(self.workspace, self.name, embedder=embedder, sync=False)


def warn_if_stale(searcher: Any, logger: logging.Logger | Callable[..., None]) -> bool:
    """Log the one staleness warning every reader gives; returns ``searcher.stale``."""
    stale = bool(getattr(searcher, "stale", False))
    if stale:
        warn = logger.warning if isinstance(logger, logging.Logger) else logger
        warn(
            "索引落后于知识库（有未建索引的改动），结果可能不含最新文件；"
            "请运行：python -m index build --kb %s",
            getattr(searcher, "kb", "?"),
        )
    return stale

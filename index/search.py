"""Search one knowledge base: dense, BM25, hybrid (RRF) and the exact clause route.

:class:`Searcher` is the single entry point of the later stages.  It holds the clauses of
the knowledge base in memory (the app and eval ask for neighbours and outlines a lot), the
FAISS and BM25 indexes of the live generation, and the embedder the index was built with.

Hot path of :meth:`Searcher.search` (hybrid): one query embedding, one FAISS search, one
sparse BM25 scoring, RRF over ~50 candidates, a handful of vector reads to give every
candidate its cosine score (the answerer's relevance threshold needs it).  No LangChain
objects are created here; :mod:`index.retriever` wraps this for LangChain users.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from grammar.codes import code_matches, normalize_code
from grammar.schema import Clause, DocumentInfo
from index.bm25 import BM25Index
from index.build import Progress, check_model, sync_index
from index.dense import DenseIndex, faiss_id, faiss_ids, window_key
from index.embedders import Embedder, make_embedder
from index.errors import IndexCorrupt, KnowledgeBaseNotFound
from index.exact import documents_named, parse_clause_refs, strip_document_names
from index.fusion import rrf
from index.layout import IndexPaths, read_meta
from index.tokenize import tokenize
from ingest.store import ClauseStore
from ingest.workspace import DEFAULT_KB, kb_path, list_kbs, resolve_workspace, validate_kb_name

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[str, ...] = ("hybrid", "dense", "bm25")
CANDIDATES = 50  # per retriever, before fusion


@dataclass(slots=True, frozen=True)
class SearchFilters:
    """Restrict a search to some documents and/or standard codes (codes match with or
    without year: "GB/T 1.1" matches "GB/T 1.1—2020")."""

    doc_ids: tuple[str, ...] = ()
    standard_codes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.doc_ids or self.standard_codes)


@dataclass(slots=True)
class Hit:
    """One search result.  ``score`` is the ranking score of the mode that produced it
    (cosine for dense, BM25 for bm25, RRF for hybrid); ``dense_score`` is always the
    cosine similarity when the index has the clause, so answer thresholds can use it."""

    clause: Clause
    score: float
    rank: int
    route: str
    dense_score: float | None = None
    bm25_score: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The public JSON shape of ``python -m index search --json``."""
        c = self.clause
        return {
            "rank": self.rank,
            "score": round(self.score, 6),
            "doc_id": c.doc_id,
            "doc_title": c.doc_title,
            "standard_code": c.standard_code,
            "clause_no": c.clause_no,
            "clause_title": c.clause_title,
            "heading_path": [h.label() for h in c.heading_path],
            "text": c.text,
            "source": c.source,
            "page": c.page,
            "clause_id": c.clause_id,
            "kind": str(c.kind),
            "annex_type": str(c.annex_type) if c.annex_type else None,
            "dense_score": None if self.dense_score is None else round(self.dense_score, 6),
            "bm25_score": None if self.bm25_score is None else round(self.bm25_score, 6),
            "route": self.route,
        }


@dataclass(slots=True, frozen=True)
class _Snapshot:
    dense: DenseIndex
    bm25: BM25Index
    meta: dict[str, Any]
    clauses: dict[str, Clause]
    by_fid: dict[int, Clause]
    by_doc: dict[str, list[Clause]]
    bm25_rows: list[Clause | None]
    docs: list[DocumentInfo]
    windows: dict[str, int]
    generation: int


def _read_windows(store: ClauseStore) -> dict[str, int]:
    """Clauses embedded as several windows (long ones), from the live generation."""
    gen = IndexPaths.for_kb(store.root).current()
    try:
        return json.loads((gen / "windows.json").read_text(encoding="utf-8")) if gen else {}
    except FileNotFoundError:
        return {}


class Searcher:
    """Searches one knowledge base.  Build with :meth:`open`."""

    def __init__(
        self,
        workspace: Path,
        kb: str,
        store: ClauseStore,
        embedder: Embedder,
        dense: DenseIndex,
        bm25: BM25Index,
        meta: dict[str, Any],
    ) -> None:
        self.workspace = workspace
        self.kb = kb
        self.store = store
        self.embedder = embedder
        self._snap = self._snapshot(dense, bm25, meta)

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        workspace: Path | str | None = None,
        kb: str = DEFAULT_KB,
        *,
        embedder: Embedder | None = None,
        sync: bool = True,
        progress: bool | Progress = False,
    ) -> Searcher:
        """Open the index of ``kb``; with ``sync`` (default) first bring it up to date
        with the clause store, embedding only what changed.  ``progress``: True for a
        terminal progress bar, or a ``(done, total)`` callback (the app's progress bar)."""
        ws = resolve_workspace(workspace) if not isinstance(workspace, Path) else workspace
        validate_kb_name(kb)
        store = ClauseStore(kb_path(ws, kb))
        if not store.exists:
            known = ", ".join(list_kbs(ws)) or "（无）"
            raise KnowledgeBaseNotFound(
                f"知识库 {kb!r} 不存在于 {ws}（已有：{known}）；先运行 python -m ingest PATH --kb {kb}"
            )
        embedder = embedder or make_embedder()
        if sync:
            sync_index(store, embedder, progress=progress)
        dense, bm25, meta = cls._load_index(store, embedder)
        return cls(ws, kb, store, embedder, dense, bm25, meta)

    @staticmethod
    def _load_index(
        store: ClauseStore, embedder: Embedder
    ) -> tuple[DenseIndex, BM25Index, dict[str, Any]]:
        paths = IndexPaths.for_kb(store.root)
        gen = paths.current()
        if gen is None:
            raise KnowledgeBaseNotFound(
                f"知识库 {store.root.name!r} 尚未建立索引：python -m index build --kb {store.root.name}"
            )
        try:
            meta = read_meta(gen)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(f"索引元数据损坏：{gen}（{exc}）") from exc
        check_model(meta, embedder, paths.root)
        try:
            dense = DenseIndex.load(gen / "dense.faiss", trained_on=int(meta.get("trained_on", 0)))
            bm25 = BM25Index.load(gen / "bm25")
        except (OSError, RuntimeError, ValueError) as exc:
            raise IndexCorrupt(
                f"索引文件损坏：{gen}（{exc}）；请重建：python -m index build --rebuild"
            ) from exc
        return dense, bm25, meta

    def _snapshot(self, dense: DenseIndex, bm25: BM25Index, meta: dict[str, Any]) -> _Snapshot:
        """Everything a search reads, built aside and swapped in as one object, so a
        search running in another thread (the app serves several sessions) never sees
        half of an update."""
        for attempt in range(3):
            self.store.reload()
            try:
                clauses = list(self.store.iter_clauses())
                break
            except FileNotFoundError:  # an ingest swapped files while we read: re-read
                if attempt == 2:
                    raise
        windows = _read_windows(self.store)
        by_id: dict[str, Clause] = {}
        by_fid: dict[int, Clause] = {}
        by_doc: dict[str, list[Clause]] = {}
        for c in clauses:
            by_id[c.clause_id] = c
            for w in range(windows.get(c.clause_id, 1)):
                by_fid[faiss_id(window_key(c.clause_id, w))] = c
            by_doc.setdefault(c.doc_id, []).append(c)
        for cs in by_doc.values():
            cs.sort(key=lambda c: c.seq)
        return _Snapshot(
            dense=dense,
            bm25=bm25,
            meta=meta,
            clauses=by_id,
            by_fid=by_fid,
            by_doc=by_doc,
            bm25_rows=[by_id.get(cid) for cid in bm25.clause_ids],
            docs=self.store.documents(),
            windows=windows,
            generation=self.store.generation,
        )

    @staticmethod
    def _clause_vector_ids(
        snap: _Snapshot, clause_ids: Sequence[str]
    ) -> tuple[np.ndarray, list[int]]:
        """FAISS ids of all windows of ``clause_ids`` and, per id, the clause's position."""
        keys: list[str] = []
        owner: list[int] = []
        for i, cid in enumerate(clause_ids):
            for w in range(snap.windows.get(cid, 1)):
                keys.append(window_key(cid, w))
                owner.append(i)
        return faiss_ids(keys), owner

    def sync(self, progress: bool | Progress = False) -> dict[str, Any]:
        """Re-read the store and update the index (after ingest or delete)."""
        result = sync_index(self.store, self.embedder, progress=progress)
        self._snap = self._snapshot(*self._load_index(self.store, self.embedder))
        return result

    @property
    def meta(self) -> dict[str, Any]:
        return self._snap.meta

    @property
    def generation(self) -> int:
        """Store generation this searcher reflects."""
        return self._snap.generation

    # ---------------------------------------------------------------- lookups
    def get(self, clause_id: str) -> Clause | None:
        return self._snap.clauses.get(clause_id)

    def clauses_of(self, doc_id: str) -> list[Clause]:
        return list(self._snap.by_doc.get(doc_id, []))

    def documents(self) -> list[DocumentInfo]:
        return list(self._snap.docs)

    def __len__(self) -> int:
        return len(self._snap.clauses)

    def stats(self) -> dict[str, Any]:
        gen = IndexPaths.for_kb(self.store.root).current()
        size = sum(p.stat().st_size for p in gen.rglob("*") if p.is_file()) if gen else 0
        return {
            "kb": self.kb,
            "documents": len(self._snap.docs),
            "clauses": len(self._snap.clauses),
            "model": self.meta.get("model"),
            "dim": self.meta.get("dim"),
            "faiss_index": self.meta.get("dense"),
            "index_bytes": size,
            "built_at": self.meta.get("built_at"),
        }

    # ---------------------------------------------------------------- search
    @staticmethod
    def _allowed(snap: _Snapshot, filters: SearchFilters | None) -> set[str] | None:
        """Doc ids a filtered search may return (None: no filter)."""
        if not filters:
            return None
        docs = {d.doc_id for d in snap.docs}
        if filters.doc_ids:
            docs &= set(filters.doc_ids)
        if filters.standard_codes:
            wanted = [normalize_code(raw) or raw.strip() for raw in filters.standard_codes]
            docs = {
                d.doc_id
                for d in snap.docs
                if d.doc_id in docs and any(code_matches(w, d.standard_code) for w in wanted)
            }
        return docs

    def search(
        self,
        query: str,
        k: int = 10,
        mode: str = "hybrid",
        *,
        filters: SearchFilters | None = None,
        weights: Sequence[float] = (1.0, 1.0),
        exact: bool = True,
    ) -> list[Hit]:
        """Best ``k`` clauses for ``query``.

        ``mode``: "hybrid" (RRF of dense and BM25, ``weights`` = (dense, bm25)), "dense"
        or "bm25".  ``exact``: clauses the query names ("8.6 条", "第三条") come first.
        """
        if mode not in MODES:
            raise ValueError(f"mode 应为 {'/'.join(MODES)}，而不是 {mode!r}")
        snap = self._snap  # one consistent view for the whole search
        query = query.strip()
        if not query or k <= 0 or not snap.clauses:
            return []
        allowed_docs = self._allowed(snap, filters)
        depth = max(CANDIDATES, 3 * k)
        named = documents_named(query, snap.docs) if exact else None
        topic = query
        if named:
            rest = strip_document_names(query, snap.docs)
            if len(rest) >= 4:  # "标准化法第十条" leaves nothing worth searching for
                topic = rest
        qvec: np.ndarray | None = None
        dense_hits: list[tuple[str, float]] = []
        bm25_hits: list[tuple[str, float]] = []

        if (mode in ("dense", "hybrid") and weights[0] > 0) or mode == "dense":
            qvec = self.embedder.embed_queries([topic])[0]
            allowed_ids = None
            if allowed_docs is not None:
                allowed_ids, _ = self._clause_vector_ids(
                    snap, [c.clause_id for d in allowed_docs for c in snap.by_doc.get(d, [])]
                )
            best: dict[str, float] = {}  # a long clause scores as its best window
            for fid, score in snap.dense.search(qvec, depth * 2, allowed_ids):
                c = snap.by_fid.get(fid)
                if c is not None and score > best.get(c.clause_id, -2.0):
                    best[c.clause_id] = score
            dense_hits = sorted(best.items(), key=lambda kv: -kv[1])[:depth]
        if mode == "bm25" or (mode == "hybrid" and weights[1] > 0):
            mask = None
            if allowed_docs is not None:
                mask = np.fromiter(
                    (c is not None and c.doc_id in allowed_docs for c in snap.bm25_rows),
                    dtype=bool,
                    count=len(snap.bm25_rows),
                )
            for row, score in snap.bm25.top(tokenize(topic), depth, mask):
                c = snap.bm25_rows[row]
                if c is not None:
                    bm25_hits.append((c.clause_id, score))

        if mode == "dense":
            ranked = dense_hits
        elif mode == "bm25":
            ranked = bm25_hits
        else:
            ranked = rrf([[cid for cid, _ in dense_hits], [cid for cid, _ in bm25_hits]], weights)

        exact_ids: list[str] = []
        unnamed = False
        if exact:
            exact_ids, unnamed = self._exact_matches(snap, query, allowed_docs)
            if named and mode == "hybrid" and len(named) < len(snap.docs):
                # "标准化法规定了哪些……": the document the user names is a third ranking
                # (its clauses in fused order), so they rise without hiding the rest.
                in_named = [cid for cid, _ in ranked if snap.clauses[cid].doc_id in named]
                ranked = rrf([[cid for cid, _ in ranked], in_named], (1.0, 1.0))
        order: list[tuple[str, float, str]] = []
        seen: set[str] = set()
        if exact_ids:
            top = ranked[0][1] if ranked else 1.0
            pos = {cid: i for i, (cid, _) in enumerate(ranked)}
            exact_ids.sort(key=lambda cid: pos.get(cid, len(pos)))
            if unnamed and len(exact_ids) > 1:
                exact_ids = exact_ids[:1]  # no document named: only the likeliest one
            for i, cid in enumerate(exact_ids):
                order.append((cid, top + (len(exact_ids) - i) * 1e-3, "exact"))
                seen.add(cid)
        for cid, score in ranked:
            if cid not in seen:
                order.append((cid, score, mode))
                seen.add(cid)
        order = order[:k]

        dmap = dict(dense_hits)
        bmap = dict(bm25_hits)
        missing = [cid for cid, _, _ in order if cid not in dmap]
        if missing and snap.dense.ntotal:
            if qvec is None:
                qvec = self.embedder.embed_queries([topic])[0]
            present = [cid for cid in missing if cid in snap.clauses]
            vids, owner = self._clause_vector_ids(snap, present)
            try:
                sims = snap.dense.vectors(vids) @ qvec
                for i, sim in zip(owner, sims.tolist(), strict=True):
                    if sim > dmap.get(present[i], -2.0):
                        dmap[present[i]] = sim
            except RuntimeError:  # vector missing (index older than store): leave None
                log.debug("some vectors missing for dense scores")
        return [
            Hit(
                clause=snap.clauses[cid],
                score=float(score),
                rank=i,
                route=route,
                dense_score=dmap.get(cid),
                bm25_score=bmap.get(cid),
            )
            for i, (cid, score, route) in enumerate(order, start=1)
        ]

    @staticmethod
    def _exact_matches(
        snap: _Snapshot, query: str, allowed_docs: set[str] | None
    ) -> tuple[list[str], bool]:
        """Clause ids the query names, and whether some reference named no document.

        A reference without a document ("第三条讲了什么") matches in many documents; the
        caller then promotes only the best-ranked match, so the exact route never floods
        the results with every document's "第三条"."""
        refs = parse_clause_refs(query, snap.docs)
        named: list[str] = []
        unnamed = False
        for ref in refs:
            docs = tuple(snap.by_doc) if ref.doc_ids is None else ref.doc_ids
            for d in docs:
                if allowed_docs is not None and d not in allowed_docs:
                    continue
                for c in snap.by_doc.get(d, []):
                    if c.clause_no in ref.clause_nos and c.clause_id not in named:
                        named.append(c.clause_id)
                        break
            unnamed = unnamed or ref.doc_ids is None
        return named, unnamed

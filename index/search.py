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

from grammar.copies import copies
from grammar.elements import annotate as annotate_elements
from grammar.schema import Clause, DocumentInfo
from index.adapter import adapter_for
from index.bm25 import BM25Index
from index.build import (
    Progress,
    bm25_text,
    check_model,
    clause_digest,
    read_digests,
    sync_index,
    token_file,
)
from index.dense import DenseIndex, faiss_id, window_key
from index.embed_cache import use_workspace
from index.embedders import Embedder, make_embedder
from index.errors import IndexCorrupt, KnowledgeBaseNotFound
from index.layout import IndexPaths, read_meta
from index.qdrant_sentences import RemoteSentenceVectors
from index.qdrant_store import QdrantClauseIndex, QdrantSettings, store_kind
from index.query import SearchQuery, parse_query
from index.retrievers import (
    PIPELINES,
    Context,
    Pipeline,
    QueryVectors,
    Ranking,
    pipeline_for,
)
from index.sections import children_map, is_section
from index.sentences import SentenceVectors
from index.snapshot import SearchFilters, Snapshot
from index.tokenize import tokenize
from ingest.store import ClauseStore
from ingest.workspace import DEFAULT_KB, kb_path, list_kbs, resolve_workspace, validate_kb_name

log = logging.getLogger(__name__)

__all__ = ["MODES", "Hit", "SearchFilters", "SearchQuery", "Searcher", "hits_of", "pipeline_for"]

Mode = Literal["hybrid", "dense", "bm25"]
MODES: tuple[str, ...] = ("hybrid", "dense", "bm25")


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


def _read_windows(store: ClauseStore, meta: dict[str, Any]) -> dict[str, int]:
    """Clauses embedded as several windows (long ones), from the generation the index
    was loaded from (recorded in ``meta["_dir"]``)."""
    gen = Path(meta["_dir"]) if meta.get("_dir") else IndexPaths.for_kb(store.root).current()
    if gen is None:
        return {}
    path = gen / "windows.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise IndexCorrupt(
            f"索引文件损坏：{path}（{exc}）；请重建：python -m index build --rebuild"
        ) from exc
    if not isinstance(data, dict) or not all(
        isinstance(v, int) and 0 < v < 1000 for v in data.values()
    ):
        raise IndexCorrupt(
            f"索引文件损坏：{path}（内容不对）；请重建：python -m index build --rebuild"
        )
    return data


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
        remote: QdrantClauseIndex | None = None,
    ) -> None:
        self.workspace = workspace
        self.kb = kb
        self.store = store
        self.embedder = embedder
        self._qvecs = QueryVectors()
        self.remote = remote
        self._snap = self._snapshot(dense, bm25, meta)

    # ---------------------------------------------------------------- opening
    @classmethod
    def open(
        cls,
        workspace: Path | str | None = None,
        kb: str = DEFAULT_KB,
        *,
        embedder: Embedder | None = None,
        sync: bool = False,
        progress: bool | Progress = False,
        sentences: bool = True,
    ) -> Searcher:
        """Open the index of ``kb`` as it is: a reader never writes (a read-only workspace
        can serve queries), and :attr:`stale` tells whether the store changed since the
        index was built.  A *writer* passes ``sync=True`` to first bring the index up to
        date with the clause store, embedding only what changed.  ``progress``: True for a
        terminal progress bar, or a ``(done, total)`` callback (the app's progress bar).
        ``sentences=False``: the sync leaves the sentence vectors to a later
        :func:`index.build.add_sentence_vectors` (the app runs it in the background)."""
        ws = resolve_workspace(workspace) if not isinstance(workspace, Path) else workspace
        validate_kb_name(kb)
        use_workspace(ws)  # derived model files (ONNX graph, jieba cache) live in ws
        store = ClauseStore(kb_path(ws, kb))
        if not store.exists:
            known = ", ".join(list_kbs(ws)) or "（无）"
            raise KnowledgeBaseNotFound(
                f"知识库 {kb!r} 不存在于 {ws}（已有：{known}）；先运行 python -m ingest PATH --kb {kb}"
            )
        embedder = embedder or make_embedder()
        if store_kind() == "qdrant":
            remote = QdrantClauseIndex.connect(QdrantSettings.from_env(), kb)
            if sync:
                remote.sync(store, embedder, progress=progress, sentences=sentences)
            return cls(ws, kb, store, embedder, *_remote_placeholders(store, embedder, remote))
        if sync:
            sync_index(store, embedder, progress=progress, sentences=sentences)
        dense, bm25, meta = cls._load_index(store, embedder)
        return cls(ws, kb, store, embedder, dense, bm25, meta)

    @classmethod
    def open_keyword_only(cls, workspace: Path, kb: str, *, embedder: Embedder) -> Searcher:
        """Keyword (BM25) search over the clause store as it is now, built in memory in
        seconds, for while the dense index is still being embedded (a first run or a large
        import takes minutes): the finder and BM25 answers work meanwhile.  The dense part
        is empty, so only ``mode="bm25"`` is meaningful; :attr:`keyword_only` says so.
        Nothing is written."""
        store = ClauseStore(kb_path(workspace, kb))
        if not store.exists:
            raise KnowledgeBaseNotFound(f"知识库 {kb!r} 不存在于 {workspace}")
        store.reload()
        clauses = list(store.iter_clauses())
        kids = children_map(clauses)
        bm25 = BM25Index.build(
            [c.clause_id for c in clauses],
            [tokenize(bm25_text(c, kids.get(c.clause_id))) for c in clauses],
        )
        meta: dict[str, Any] = {
            "model": embedder.name,
            "dim": embedder.dim,
            "store_generation": store.generation,
            "sources": {src: e.revision for src, e in store.sources().items()},
            "clauses": len(clauses),
            "keyword_only": True,
        }
        return cls(workspace, kb, store, embedder, DenseIndex.empty(embedder.dim), bm25, meta)

    @property
    def keyword_only(self) -> bool:
        """True for a searcher from :meth:`open_keyword_only` (no dense vectors yet)."""
        return bool(self.meta.get("keyword_only"))

    @staticmethod
    def _load_index(
        store: ClauseStore, embedder: Embedder
    ) -> tuple[DenseIndex, BM25Index, dict[str, Any]]:
        paths = IndexPaths.for_kb(store.root)
        for _ in range(3):  # a build may switch generations while we load: follow it
            gen = paths.current()
            try:
                return Searcher._load_generation(store, embedder, paths, gen)
            except IndexCorrupt:
                if paths.current() == gen:
                    raise
        return Searcher._load_generation(store, embedder, paths, paths.current())

    @staticmethod
    def _load_generation(
        store: ClauseStore, embedder: Embedder, paths: IndexPaths, gen: Path | None
    ) -> tuple[DenseIndex, BM25Index, dict[str, Any]]:
        if gen is None:
            raise KnowledgeBaseNotFound(
                f"知识库 {store.root.name!r} 尚未建立索引：python -m index build --kb {store.root.name}"
            )
        try:
            meta = read_meta(gen)
        except (OSError, ValueError) as exc:
            raise IndexCorrupt(
                f"索引元数据损坏：{gen / 'meta.json'}（{type(exc).__name__}）；"
                f"请重建：python -m index build --rebuild --kb {store.root.name}"
            ) from exc
        check_model(meta, embedder, paths.root)
        meta["_dir"] = str(gen)
        where = gen / "dense.faiss"
        try:
            dense = DenseIndex.load(where, trained_on=int(meta.get("trained_on", 0)))
            where = gen / "bm25"
            bm25 = BM25Index.load(where)
        except (OSError, RuntimeError, ValueError) as exc:
            # faiss puts a C++ stack location in its message: the first line only
            detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            detail = detail.split(": ", 1)[-1][:120] if "faiss" in detail else detail[:120]
            raise IndexCorrupt(
                f"索引文件损坏：{where}（{detail}）；"
                f"请重建：python -m index build --rebuild --kb {store.root.name}"
            ) from exc
        return dense, bm25, meta

    def _snapshot(self, dense: DenseIndex, bm25: BM25Index, meta: dict[str, Any]) -> Snapshot:
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
        windows = _read_windows(self.store, meta)
        # The engine keeps its own per-source revisions; local digests describe FAISS/BM25.
        indexed = set() if self.remote is not None else self._indexed_ids(clauses, meta)
        by_id: dict[str, Clause] = {}
        by_fid: dict[int, Clause] = {}
        by_doc: dict[str, list[Clause]] = {}
        for c in clauses:
            by_id[c.clause_id] = c
            if c.clause_id in indexed:
                for w in range(windows.get(c.clause_id, 1)):
                    by_fid[faiss_id(window_key(c.clause_id, w))] = c
            by_doc.setdefault(c.doc_id, []).append(c)
        for cs in by_doc.values():
            cs.sort(key=lambda c: c.seq)
            if not any("element" in c.extra for c in cs):
                annotate_elements(cs)  # stored before element tagging existed
        docs = self.store.documents()
        return Snapshot(
            dense=dense,
            bm25=bm25,
            meta=meta,
            clauses=by_id,
            by_fid=by_fid,
            by_doc=by_doc,
            bm25_rows=[by_id.get(cid) if cid in indexed else None for cid in bm25.clause_ids],
            docs=docs,
            windows=windows,
            generation=self.store.generation,
            children=children_map(clauses),
            indexed=None if self.remote is not None else frozenset(indexed),
            remote=self.remote,
            sentences=self._sentences(clauses, meta, indexed),
            copies=copies(docs),
        )

    def _sentences(
        self, clauses: list[Clause], meta: dict[str, Any], indexed: set[str]
    ) -> SentenceVectors | RemoteSentenceVectors | None:
        """The stored sentence vectors: the generation's files, or the engine's sentence
        collection (read through the clauses uploaded at their current revision)."""
        if self.remote is not None:
            return RemoteSentenceVectors(
                self.remote.sentences,
                clauses,
                lambda: self.remote.state(self.store).get("sentence_sources") or {},
                {s: e.revision for s, e in self.store.sources().items()},
            )
        if not meta.get("_dir"):
            return None
        return SentenceVectors.load_or_none(Path(meta["_dir"]), indexed)

    def _indexed_ids(self, clauses: list[Clause], meta: dict[str, Any]) -> set[str]:
        """Ids of the clauses the index really holds *for their current text*.

        When the index is older than the store (no sync: readers never write), a source
        re-ingested since the build holds new clauses (new content ids) and may hold
        clauses whose id survived a change the id ignores (whitespace).  Its clauses are
        trusted only where the per-clause digest recorded at build time matches; the others
        are left out of dense and BM25 results until the next build (the exact clause route
        still finds them)."""
        entries = self.store.sources()
        built: dict[str, int] = {k: int(v) for k, v in meta.get("sources", {}).items()}
        digests: dict[str, dict[str, str]] = {}
        out: set[str] = set()
        for c in clauses:
            entry = entries.get(c.source)
            rev = built.get(c.source)
            if entry is None or rev is None:
                continue
            if entry.revision == rev:
                out.add(c.clause_id)
                continue
            if c.source not in digests:
                digests[c.source] = read_digests(token_file(self.store.root, c.source, rev))
            if digests[c.source].get(c.clause_id) == clause_digest(c):
                out.add(c.clause_id)
        return out

    @property
    def sentences_complete(self) -> bool:
        """Whether every indexed clause has its sentence vectors stored (FAISS: the
        generation's meta; Qdrant: the sentence sources recorded at the store's revisions)."""
        if self.remote is not None:
            done = self.remote.state(self.store).get("sentence_sources") or {}
            want = {s: e.revision for s, e in self.store.sources().items()}
            return {s: int(v[0]) for s, v in done.items()} == want
        return bool((self.meta.get("sentences") or {}).get("complete"))

    def sentence_vectors(self, texts: Sequence[str]) -> dict[int, Any]:
        """Stored sentence vectors of ``texts`` by position (the refusal gate reads them
        instead of embedding at query time); {} when the index stores none."""
        sents = self._snap.sentences
        return sents.lookup(texts) if sents is not None else {}

    def sync(self, progress: bool | Progress = False) -> dict[str, Any]:
        """Re-read the store and update the index (after ingest or delete)."""
        if self.remote is not None:
            result = self.remote.sync(self.store, self.embedder, progress=progress)
            self._snap = self._snapshot(
                *_remote_placeholders(self.store, self.embedder, self.remote)[:3]
            )
            return result
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

    @property
    def stale(self) -> bool:
        """True when the clause store changed after the index was built (``sync`` or
        ``python -m index build`` brings it up to date)."""
        self.store.reload()
        return int(self.meta.get("store_generation", -1)) != self.store.generation

    # ---------------------------------------------------------------- lookups
    def get(self, clause_id: str) -> Clause | None:
        return self._snap.clauses.get(clause_id)

    def clauses_of(self, doc_id: str) -> list[Clause]:
        return list(self._snap.by_doc.get(doc_id, []))

    def children(self, clause_id: str) -> list[Clause]:
        """Direct children of a clause in document order (a section's content)."""
        return list(self._snap.children.get(clause_id, []))

    def is_section(self, clause: Clause) -> bool:
        """Does ``clause`` stand for its subtree (see :mod:`index.sections`)?"""
        return is_section(clause, self._snap.children.get(clause.clause_id))

    def documents(self) -> list[DocumentInfo]:
        return list(self._snap.docs)

    def __len__(self) -> int:
        return len(self._snap.clauses)

    def stats(self) -> dict[str, Any]:
        if self.remote is not None:
            return {
                "kb": self.kb,
                "documents": len(self._snap.docs),
                "clauses": len(self._snap.clauses),
                "model": self.meta.get("model"),
                "dim": self.meta.get("dim"),
                **self.remote.stats(),
            }
        gen = IndexPaths.for_kb(self.store.root).current()
        size = sum(p.stat().st_size for p in gen.rglob("*") if p.is_file()) if gen else 0
        return {
            "kb": self.kb,
            "documents": len(self._snap.docs),
            "clauses": len(self._snap.clauses),
            "model": self.meta.get("model"),
            "dim": self.meta.get("dim"),
            "faiss_index": self.meta.get("dense"),
            # {"clauses", "vectors", "complete"}; absent for an index built before them
            "sentence_vectors": self.meta.get("sentences"),
            "index_bytes": size,
            "built_at": self.meta.get("built_at"),
        }

    # ---------------------------------------------------------------- search
    def parse(self, text: str) -> SearchQuery:
        """``text`` parsed against this knowledge base's documents."""
        return parse_query(text, self._snap.docs)

    def retrieve(
        self,
        query: SearchQuery,
        k: int = 10,
        pipeline: Pipeline | str = "hybrid+exact",
        *,
        filters: SearchFilters | None = None,
        weights: Sequence[float] = (1.0, 1.0),
    ) -> list[Hit]:
        """Best ``k`` clauses for a parsed query, ranked by ``pipeline`` (a composition of
        :mod:`index.retrievers`, or the name of one in ``PIPELINES``)."""
        if isinstance(pipeline, str):
            if pipeline not in PIPELINES:
                raise ValueError(f"未知的检索流程 {pipeline!r}（可选：{'/'.join(PIPELINES)}）")
            pipeline = PIPELINES[pipeline]
        snap = self._snap  # one consistent view for the whole search
        if not query.topic.strip() or k <= 0 or not snap.clauses:
            return []
        ctx = Context(
            snap,
            self.embedder,
            query,
            k=k,
            allowed=without_set_aside(snap.allowed(filters), query, snap),
            weights=(float(weights[0]), float(weights[1])),
            query_cache=self._qvecs,
            adapter=adapter_for(self.embedder.name, self.embedder.dim),
        )
        ranked = pipeline(ctx)
        if filters is not None and filters.elements:
            # Elements are a clause property: filter the candidates (depth ≥ 3·k).
            wanted = set(filters.elements)
            ranked = [r for r in ranked if snap.clauses[r[0]].extra.get("element") in wanted]
        ranked = ranked[:k]
        return hits_of(ctx, ranked)

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
        or "bm25".  ``exact``: clauses the query names ("8.6 条", "第三条") come first and,
        in hybrid mode, the documents it names rise.
        """
        if mode not in MODES:
            raise ValueError(f"mode 应为 {'/'.join(MODES)}，而不是 {mode!r}")
        if not query.strip():
            return []
        if self.keyword_only:  # no vectors yet: keyword search, and the query is not embedded
            mode = "bm25"
        return self.retrieve(
            self.parse(query),
            k,
            pipeline_for(mode, exact=exact),
            filters=filters,
            weights=weights,
        )


def sync_kb(
    store: ClauseStore,
    embedder: Embedder,
    *,
    rebuild: bool = False,
    progress: bool | Progress = False,
) -> dict[str, Any]:
    """Bring the index of ``store`` up to date in whichever vector store is configured
    (``STDQA_VECTOR_STORE``): FAISS + bm25s files in the workspace, or Qdrant."""
    if store_kind() == "qdrant":
        remote = QdrantClauseIndex.connect(QdrantSettings.from_env(), store.root.name)
        return remote.sync(store, embedder, rebuild=rebuild, progress=progress)
    return sync_index(store, embedder, rebuild=rebuild, progress=progress)


def _remote_placeholders(
    store: ClauseStore, embedder: Embedder, remote: QdrantClauseIndex
) -> tuple[DenseIndex, BM25Index, dict[str, Any], QdrantClauseIndex]:
    """Empty local indexes (nothing reads them when the engine answers) and the engine's
    sync state as the index metadata."""
    meta = remote.state(store)
    if not meta:
        raise KnowledgeBaseNotFound(
            f"知识库 {store.root.name!r} 尚未写入 Qdrant：python -m index build --kb {store.root.name}"
        )
    check_model(meta, embedder, store.root / "index")
    return DenseIndex.empty(embedder.dim), BM25Index(None, []), meta, remote


def hits_of(ctx: Context, ranked: Ranking) -> list[Hit]:
    """Hits with both scores; a clause no dense search met gets its cosine from its
    stored vectors (the refusal gate needs it for every hit)."""
    ctx.fill_dense([cid for cid, _, _ in ranked])
    return [
        Hit(
            clause=ctx.snap.clauses[cid],
            score=float(score),
            rank=i,
            route=route,
            dense_score=ctx.dense_scores.get(cid),
            bm25_score=ctx.bm25_scores.get(cid),
        )
        for i, (cid, score, route) in enumerate(ranked, start=1)
    ]


def without_set_aside(
    allowed: set[str] | None, query: SearchQuery, snap: Snapshot
) -> set[str] | None:
    """The documents a search may return once the editions the question does not mean
    (``query.set_aside``) are left out of ``allowed`` (None: every document).

    Left out rather than ranked lower: GB/T 28181—2016 and —2022 share most of their
    wording, so a lowered edition still fills the candidates the reranker reads (and the
    newer edition's 前言 names every term of both); searching without it lets the asked
    edition's own clauses fill them.  A filter that would leave nothing keeps them."""
    if not query.set_aside:
        return allowed
    docs = {d.doc_id for d in snap.docs} if allowed is None else set(allowed)
    kept = docs - set(query.set_aside)
    return kept if kept else allowed

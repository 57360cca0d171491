"""The clause index on Qdrant: the same retrieval as FAISS + bm25s, in a distributed engine.

FAISS and bm25s files in the workspace are the embedded default.  A national library
(10M+ clauses, many users) outgrows one machine; then the vectors live in Qdrant, a server
or a sharded, replicated cluster.  ``QdrantClient(path=…)`` / ``(":memory:")`` (local mode)
speaks the same API, so everything here is tested offline.

Layout — one collection for the whole workspace (``STDQA_QDRANT_COLLECTION``, default
``stdqa``), one point per clause:

* ``dense``: a *multivector* of the clause's embedded windows with the MAX_SIM comparator,
  so a long clause scores as its best window exactly as in the FAISS index, and fusion
  never counts one clause twice;
* ``bm25``: a sparse vector of BM25 term-frequency parts over our own jieba tokens
  (:mod:`index.sparse`); the engine adds the idf (``Modifier.IDF``) at query time, scoped
  to the knowledge base with an idf corpus filter, so the scores equal bm25s's;
* payload: ``kb`` (keyword index, ``is_tenant``: Qdrant co-locates each knowledge base's
  points), ``doc_id``, ``standard_code``, ``clause_no``, ``clause_id``, ``element``,
  ``source`` and ``revision`` (the source file's store revision, for deletes).

Per-knowledge-base isolation is a payload filter on every request (tenant index), not a
collection per KB: thousands of small collections cost a cluster far more than one large
one.  Hybrid search is one request: a dense and a sparse prefetch fused by RRF (k =
:data:`index.fusion.HYBRID_K0` + 1, which equals our own :func:`index.fusion.rrf` with
k0 = HYBRID_K0 and 1-based ranks).

What syncing needs to remember (which source revisions are in the engine, the average
clause length the tf parts were computed with, the embedding model) is kept next to the
clause store in ``<kb>/index/qdrant-<collection>.json``, written atomically after the engine accepted
the points; a sync that dies half-way is simply redone (upserts are idempotent, and
orphaned points of a source are deleted by filter before its new points go in).
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from grammar.schema import Clause
from index.build import bm25_text, passage_windows
from index.embed_cache import EmbeddingCache, cache_path, embed_with_cache
from index.embedders import Embedder
from index.errors import IndexModelMismatch
from index.fusion import HYBRID_K0
from index.qdrant_points import KbCollection, point_id
from index.qdrant_sentences import QdrantSentences
from index.sections import children_map
from index.sentences import FORMAT as SENTENCE_FORMAT
from index.sparse import SparseTerms, document_terms, query_terms
from index.tokenize import tokenize
from ingest.atomic import dir_lock, write_json_atomic
from ingest.store import ClauseStore, SourceEntry

log = logging.getLogger(__name__)

ENV_STORE = "STDQA_VECTOR_STORE"
ENV_URL = "STDQA_QDRANT_URL"
ENV_API_KEY = "STDQA_QDRANT_API_KEY"
ENV_PATH = "STDQA_QDRANT_PATH"
ENV_COLLECTION = "STDQA_QDRANT_COLLECTION"
ENV_SHARDS = "STDQA_QDRANT_SHARDS"
ENV_REPLICAS = "STDQA_QDRANT_REPLICAS"
ENV_QUANTIZE = "STDQA_QDRANT_QUANTIZE"

DENSE = "dense"
SPARSE = "bm25"
RRF_K = HYBRID_K0 + 1  # Qdrant ranks from 0, our rrf from 1
UPSERT_BATCH = 128
AVGDL_DRIFT = 0.10  # re-weight stored tf parts when the average length moved this much
EMPTY_TOKEN = "∅"  # as index.bm25: a clause with no tokens still counts in the corpus

Progress = Callable[[int, int], None]


class QdrantUnavailable(RuntimeError):
    """qdrant-client is missing or the server cannot be reached (one-line message)."""


@dataclass(slots=True, frozen=True)
class QdrantSettings:
    """Where the engine is.  ``url`` (server or cluster, with ``api_key``) wins over
    ``path`` (embedded local mode, one process at a time); neither means in-memory."""

    url: str | None = None
    api_key: str | None = None
    path: str | None = None
    collection: str = "stdqa"
    timeout: float = 30.0
    shards: int | None = None  # cluster only: shard_number of a new collection
    replicas: int | None = None  # cluster only: replication_factor of a new collection
    quantize: bool = False  # scalar int8 quantisation of dense vectors (≈ 4× less RAM)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> QdrantSettings:
        e = os.environ if env is None else env
        quant = (e.get(ENV_QUANTIZE) or "").strip().lower()
        if quant not in ("", "none", "int8"):
            raise ValueError(f"{ENV_QUANTIZE} 应为 int8 或 none，而不是 {quant!r}")
        return cls(
            url=e.get(ENV_URL) or None,
            api_key=e.get(ENV_API_KEY) or None,
            path=e.get(ENV_PATH) or None,
            collection=e.get(ENV_COLLECTION) or "stdqa",
            shards=_positive(e, ENV_SHARDS),
            replicas=_positive(e, ENV_REPLICAS),
            quantize=quant == "int8",
        )

    def describe(self) -> str:
        if self.url:
            return f"qdrant {self.url} / {self.collection}"
        return f"qdrant local {self.path or ':memory:'} / {self.collection}"


def _positive(env: Mapping[str, str], name: str) -> int | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} 应为正整数，而不是 {raw!r}")
    return int(raw)


def store_kind(env: Mapping[str, str] | None = None) -> str:
    """``faiss`` (default) or ``qdrant``, from ``STDQA_VECTOR_STORE``."""
    kind = ((os.environ if env is None else env).get(ENV_STORE) or "faiss").strip().lower()
    if kind not in ("faiss", "qdrant"):
        raise ValueError(f"{ENV_STORE} 应为 faiss 或 qdrant，而不是 {kind!r}")
    return kind


_CLIENTS: dict[QdrantSettings, Any] = {}
_CLIENTS_LOCK = threading.Lock()


class SerializedClient:
    """A local-mode client whose calls run one at a time.

    Local mode (``path=`` / ``":memory:"``) keeps collections in plain dicts and arrays
    without locking, and the app runs the sentence-vector job in a background thread
    while questions are answered: a search could read a collection half-way through an
    upsert.  Holding one lock per client for each call makes every call whole.  A server
    or cluster (``url``) handles concurrency itself and is not wrapped."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._client, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return call


def open_client(settings: QdrantSettings) -> Any:
    """One client per setting in this process (local mode locks its directory, so a
    second client on the same path would fail)."""
    with _CLIENTS_LOCK:
        return _open_client(settings)


def _open_client(settings: QdrantSettings) -> Any:
    if settings in _CLIENTS:
        return _CLIENTS[settings]
    try:
        from qdrant_client import QdrantClient
    except ImportError as exc:  # pragma: no cover - it is in requirements.txt
        raise QdrantUnavailable("未安装 qdrant-client：pip install qdrant-client") from exc
    try:
        if settings.url:
            client = QdrantClient(
                url=settings.url, api_key=settings.api_key, timeout=int(settings.timeout)
            )
        elif settings.path:
            client = SerializedClient(QdrantClient(path=settings.path))
        else:
            client = SerializedClient(QdrantClient(":memory:"))
    except Exception as exc:  # the client raises many kinds; the user needs one line
        raise QdrantUnavailable(f"无法连接 Qdrant（{settings.describe()}）：{exc}") from exc
    _CLIENTS[settings] = client
    return client


class QdrantClauseIndex(KbCollection):
    """Dense, BM25 and hybrid search over one knowledge base's clauses in Qdrant."""

    def __init__(
        self, client: Any, collection: str, kb: str, settings: QdrantSettings | None = None
    ) -> None:
        super().__init__(client, collection, kb)
        self.settings = settings or QdrantSettings(collection=collection)
        self.sentences = QdrantSentences(client, collection, kb)

    @classmethod
    def connect(cls, settings: QdrantSettings, kb: str) -> QdrantClauseIndex:
        """The index of ``kb`` in the engine ``settings`` name."""
        return cls(open_client(settings), settings.collection, kb, settings)

    # ---------------------------------------------------------------- collection
    def ensure_collection(self, dim: int) -> None:
        """Create the collection and its payload indexes if missing; refuse a collection
        whose dense vectors have another size (built with another model)."""
        m = self._m
        if self.client.collection_exists(self.collection):
            info = self.client.get_collection(self.collection)
            vectors = info.config.params.vectors
            size = vectors[DENSE].size if isinstance(vectors, dict) else None
            if size != dim:
                raise IndexModelMismatch(
                    f"Qdrant 集合 {self.collection!r} 的向量维数为 {size}，当前嵌入模型为 {dim} 维；"
                    f"请换一个集合名（{ENV_COLLECTION}）或重建"
                )
            return
        self.client.create_collection(
            self.collection,
            vectors_config={
                DENSE: m.VectorParams(
                    size=dim,
                    distance=m.Distance.COSINE,
                    multivector_config=m.MultiVectorConfig(
                        comparator=m.MultiVectorComparator.MAX_SIM
                    ),
                )
            },
            sparse_vectors_config={SPARSE: m.SparseVectorParams(modifier=m.Modifier.IDF)},
            shard_number=self.settings.shards,
            replication_factor=self.settings.replicas,
            quantization_config=(
                m.ScalarQuantization(
                    scalar=m.ScalarQuantizationConfig(type=m.ScalarType.INT8, always_ram=True)
                )
                if self.settings.quantize
                else None
            ),
        )
        tenant = m.KeywordIndexParams(type=m.KeywordIndexType.KEYWORD, is_tenant=True)
        with warnings.catch_warnings():
            # Local mode has no payload indexes and says so; a server uses them.
            warnings.simplefilter("ignore", UserWarning)
            self.client.create_payload_index(self.collection, "kb", field_schema=tenant)
            for name in ("doc_id", "standard_code", "clause_no", "source", "element"):
                self.client.create_payload_index(
                    self.collection, name, field_schema=m.PayloadSchemaType.KEYWORD
                )
            self.client.create_payload_index(
                self.collection, "revision", field_schema=m.PayloadSchemaType.INTEGER
            )

    # ---------------------------------------------------------------- filters
    def _kb_params(self) -> Any:
        """Idf over this knowledge base only, as if it had its own collection."""
        m = self._m
        return m.SearchParams(idf=m.IdfCorpusParams(corpus=self._filter()))

    # ---------------------------------------------------------------- search
    @staticmethod
    def _pairs(points: Sequence[Any]) -> list[tuple[str, float]]:
        return [(p.payload["clause_id"], float(p.score)) for p in points]

    def dense(
        self, qvec: np.ndarray, limit: int, doc_ids: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """Best clauses by cosine of their best window."""
        res = self.client.query_points(
            self.collection,
            query=[np.asarray(qvec, dtype=np.float32).tolist()],
            using=DENSE,
            query_filter=self._filter(doc_ids),
            limit=limit,
            with_payload=["clause_id"],
        )
        return self._pairs(res.points)

    def sparse(
        self, tokens: Sequence[str], limit: int, doc_ids: Iterable[str] | None = None
    ) -> list[tuple[str, float]]:
        """Best clauses by BM25 (scores equal bm25s's over the same tokens)."""
        q = query_terms(tokens)
        if not q:
            return []
        res = self.client.query_points(
            self.collection,
            query=self._m.SparseVector(indices=q.indices, values=q.values),
            using=SPARSE,
            query_filter=self._filter(doc_ids),
            search_params=self._kb_params(),
            limit=limit,
            with_payload=["clause_id"],
        )
        return [(cid, s) for cid, s in self._pairs(res.points) if s > 1e-6]

    def sparse_scores(self, tokens: Sequence[str], clause_ids: Sequence[str]) -> dict[str, float]:
        """BM25 scores of the given clauses only (an id-filtered sparse query)."""
        q = query_terms(tokens)
        if not q or not clause_ids:
            return {}
        m = self._m
        res = self.client.query_points(
            self.collection,
            query=m.SparseVector(indices=q.indices, values=q.values),
            using=SPARSE,
            query_filter=self._filter(
                extra=[m.HasIdCondition(has_id=[point_id(self.kb, c) for c in clause_ids])]
            ),
            search_params=self._kb_params(),
            limit=len(clause_ids),
            with_payload=["clause_id"],
        )
        return {cid: s for cid, s in self._pairs(res.points) if s > 1e-6}

    def hybrid(
        self,
        qvec: np.ndarray,
        tokens: Sequence[str],
        limit: int,
        doc_ids: Iterable[str] | None = None,
        weights: Sequence[float] = (1.0, 1.0),
        depth: int | None = None,
    ) -> list[tuple[str, float]]:
        """Dense and BM25 candidates fused by RRF, in one request."""
        m = self._m
        depth = depth or limit
        flt = self._filter(doc_ids)
        prefetch = [
            m.Prefetch(
                query=[np.asarray(qvec, dtype=np.float32).tolist()],
                using=DENSE,
                filter=flt,
                limit=depth,
            )
        ]
        q = query_terms(tokens)
        w = [float(weights[0])]
        if q:
            prefetch.append(
                m.Prefetch(
                    query=m.SparseVector(indices=q.indices, values=q.values),
                    using=SPARSE,
                    filter=flt,
                    params=self._kb_params(),
                    limit=depth,
                )
            )
            w.append(float(weights[1]))
        res = self.client.query_points(
            self.collection,
            prefetch=prefetch,
            query=m.RrfQuery(rrf=m.Rrf(k=RRF_K, weights=w)),
            query_filter=flt,
            limit=limit,
            with_payload=["clause_id"],
        )
        return self._pairs(res.points)

    def lookup(self, doc_ids: Iterable[str] | None, clause_nos: Iterable[str]) -> list[str]:
        """The exact clause route: clause ids with these numbers (payload-filtered scroll)."""
        m = self._m
        cond = m.FieldCondition(key="clause_no", match=m.MatchAny(any=list(clause_nos)))
        found: list[str] = []
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.collection,
                scroll_filter=self._filter(doc_ids, extra=[cond]),
                limit=256,
                offset=offset,
                with_payload=["clause_id"],
            )
            found += [p.payload["clause_id"] for p in points]
            if offset is None:
                return found

    def best_window_scores(self, clause_ids: Sequence[str], qvec: np.ndarray) -> dict[str, float]:
        """Cosine of the best window of each clause (for candidates that came from BM25)."""
        if not clause_ids:
            return {}
        points = self.client.retrieve(
            self.collection,
            ids=[point_id(self.kb, cid) for cid in clause_ids],
            with_payload=["clause_id"],
            with_vectors=[DENSE],
        )
        q = np.asarray(qvec, dtype=np.float32)
        out: dict[str, float] = {}
        for p in points:
            mat = np.asarray(p.vector[DENSE], dtype=np.float32)
            out[p.payload["clause_id"]] = float((mat @ q).max())
        return out

    # ---------------------------------------------------------------- sync
    def sync(
        self,
        store: ClauseStore,
        embedder: Embedder,
        *,
        rebuild: bool = False,
        progress: bool | Progress = False,
        sentences: bool = True,
    ) -> dict[str, Any]:
        """Bring the engine up to date with ``store``: delete points of removed or changed
        sources, embed and upsert new revisions, then the same for the sentence vectors
        (:mod:`index.qdrant_sentences`; ``sentences=False`` leaves them for a later sync,
        as the app's first run does).  Returns ``{"added", "removed", "seconds",
        "changed", "sentences"}`` like :func:`index.build.sync_index`."""
        started = time.perf_counter()
        store.migrate_clause_ids()  # positional ids of an older store → content ids
        state_path = self.state_path(store)
        state_path.parent.mkdir(parents=True, exist_ok=True)
        with dir_lock(state_path.parent):
            store.reload()
            self.ensure_collection(embedder.dim)
            state = {} if rebuild else _read_state(state_path)
            if state and (state.get("model") != embedder.name or state.get("dim") != embedder.dim):
                raise IndexModelMismatch(
                    f"Qdrant 中知识库 {self.kb!r} 由嵌入模型 {state.get('model')} 构建，"
                    f"当前模型为 {embedder.name}；请重建：python -m index build --rebuild"
                )
            if state and self.count() != sum(n for n, _ in state.get("lengths", {}).values()):
                # Another engine, or points lost: what the state says is not there.
                log.warning("Qdrant holds other points than recorded; re-uploading %s", self.kb)
                state = {}
            if rebuild or not state:
                self._delete(self._filter())
            have: dict[str, int] = {k: int(v) for k, v in state.get("sources", {}).items()}
            lengths: dict[str, list[int]] = dict(state.get("lengths", {}))
            want: dict[str, SourceEntry] = store.sources()
            stale = [s for s, rev in have.items() if s not in want or want[s].revision != rev]
            fresh = [s for s, e in want.items() if have.get(s) != e.revision]
            sent_have = dict(state.get("sentence_sources") or {}) if state else {}
            sentences_done = not sentences or {s: int(v[0]) for s, v in sent_have.items()} == {
                s: e.revision for s, e in want.items()
            }
            if not stale and not fresh and state and sentences_done:
                return {
                    "added": 0,
                    "removed": 0,
                    "seconds": time.perf_counter() - started,
                    "changed": False,
                    "sentences": 0,
                }

            m = self._m
            removed = 0
            for s in stale:
                removed += sum(lengths.pop(s, [0, 0])[:1])
                self._delete(self._of_source(s))
            # Points of sources the state never recorded (a sync that died) go too.
            self._delete(
                self._filter(
                    must_not=[
                        m.FieldCondition(key="source", match=m.MatchAny(any=list(want) or [""]))
                    ]
                )
            )
            work = [(want[s], store.read_source_clauses(want[s])) for s in fresh]
            tokens = {e.source: _tokens(cs) for e, cs in work}
            for e, _ in work:
                toks = tokens[e.source]
                lengths[e.source] = [len(toks), sum(len(t) for t in toks)]
            n = sum(v[0] for v in lengths.values())
            avgdl = sum(v[1] for v in lengths.values()) / n if n else 1.0
            old_avgdl = float(state.get("avgdl") or avgdl)
            if fresh and abs(avgdl - old_avgdl) > AVGDL_DRIFT * old_avgdl:
                # tf parts of unchanged sources were computed with another average
                # length: recompute them (tokenising is cheap; nothing is re-embedded).
                self._reweight(store, [want[s] for s in want if s not in fresh], avgdl)
            else:
                avgdl = old_avgdl if state else avgdl
            added = self._upsert(store, work, tokens, embedder, avgdl, progress)
            record = {
                "collection": self.collection,
                "model": embedder.name,
                "dim": embedder.dim,
                "avgdl": avgdl,
                "sources": {s: e.revision for s, e in want.items()},
                "lengths": lengths,
                "store_generation": store.generation,
                "sentence_sources": {s: r for s, r in sent_have.items() if s in want},
            }
            write_json_atomic(state_path, record)
            n_sent = 0
            if sentences:
                # The clause points are recorded first: a sentence sync that dies leaves a
                # usable index (the gate then embeds at query time), redone next time.
                record["sentence_sources"], n_sent = self.sentences.sync(
                    store, embedder, want, record["sentence_sources"], progress
                )
                record["sentence_format"] = SENTENCE_FORMAT
                write_json_atomic(state_path, record)
        seconds = time.perf_counter() - started
        log.info("qdrant synced: +%d −%d clauses in %.1f s", added, removed, seconds)
        return {
            "added": added,
            "removed": removed,
            "seconds": seconds,
            "changed": True,
            "sentences": n_sent,
        }

    def state_path(self, store: ClauseStore) -> Path:
        return store.root / "index" / f"qdrant-{self.collection}.json"

    def state(self, store: ClauseStore) -> dict[str, Any]:
        """What the last sync recorded (model, dim, sources …); {} before the first."""
        return _read_state(self.state_path(store))

    def _payload(self, c: Clause, entry: SourceEntry) -> dict[str, Any]:
        return {
            "kb": self.kb,
            "doc_id": c.doc_id,
            "standard_code": c.standard_code,
            "clause_no": c.clause_no,
            "clause_id": c.clause_id,
            "element": c.extra.get("element"),
            "kind": str(c.kind),
            "source": entry.source,
            "revision": entry.revision,
        }

    def _upsert(
        self,
        store: ClauseStore,
        work: Sequence[tuple[SourceEntry, list[Clause]]],
        tokens: Mapping[str, list[list[str]]],
        embedder: Embedder,
        avgdl: float,
        progress: bool | Progress,
    ) -> int:
        m = self._m
        total = sum(len(cs) for _, cs in work)
        from tqdm import tqdm  # lazily: ~60 ms that a searcher never needs

        bar = tqdm(
            total=total, desc="嵌入条款", unit="条", disable=progress is not True, leave=False
        )
        cache = EmbeddingCache(cache_path(store.root.parent.parent), embedder.name, embedder.dim)
        done = 0
        try:
            for entry, clauses in work:
                toks = tokens[entry.source]
                kids = children_map(clauses)
                for i in range(0, len(clauses), UPSERT_BATCH):
                    batch = clauses[i : i + UPSERT_BATCH]
                    per_clause = [passage_windows(c, kids.get(c.clause_id)) for c in batch]
                    flat = [t for w in per_clause for t in w]
                    vecs = embed_with_cache(cache, flat, embedder.embed_passages)
                    points = []
                    pos = 0
                    for j, (c, wins) in enumerate(zip(batch, per_clause, strict=True)):
                        mat = vecs[pos : pos + len(wins)]
                        pos += len(wins)
                        sp: SparseTerms = document_terms(toks[i + j], avgdl)
                        points.append(
                            m.PointStruct(
                                id=point_id(self.kb, c.clause_id),
                                vector={
                                    DENSE: mat.tolist(),
                                    SPARSE: m.SparseVector(indices=sp.indices, values=sp.values),
                                },
                                payload=self._payload(c, entry),
                            )
                        )
                    self.client.upsert(self.collection, points=points, wait=True)
                    done += len(batch)
                    bar.update(len(batch))
                    if callable(progress):
                        progress(done, total)
        finally:
            cache.close()
            bar.close()
        return total

    def _reweight(self, store: ClauseStore, entries: Sequence[SourceEntry], avgdl: float) -> None:
        m = self._m
        for entry in entries:
            clauses = store.read_source_clauses(entry)
            toks = _tokens(clauses)
            for i in range(0, len(clauses), UPSERT_BATCH):
                batch = clauses[i : i + UPSERT_BATCH]
                updates = []
                for j, c in enumerate(batch):
                    sp = document_terms(toks[i + j], avgdl)
                    updates.append(
                        m.PointVectors(
                            id=point_id(self.kb, c.clause_id),
                            vector={SPARSE: m.SparseVector(indices=sp.indices, values=sp.values)},
                        )
                    )
                self.client.update_vectors(self.collection, points=updates, wait=True)

    def stats(self) -> dict[str, Any]:
        info = self.client.get_collection(self.collection)
        return {
            "store": "qdrant",
            "collection": self.collection,
            "points_in_kb": self.count(),
            "points_in_collection": int(info.points_count or 0),
            "status": str(info.status),
        }


def _tokens(clauses: Sequence[Clause]) -> list[list[str]]:
    """BM25 tokens of one source's clauses, exactly as the FAISS backend indexes them (a
    section also by its children's titles)."""
    kids = children_map(clauses)
    return [tokenize(bm25_text(c, kids.get(c.clause_id))) or [EMPTY_TOKEN] for c in clauses]


def _read_state(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("Qdrant sync state unreadable (%s); re-uploading the knowledge base", exc)
        return {}

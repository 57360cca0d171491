"""Sentence vectors on Qdrant: the same inputs for the refusal gate and the reranker as
with FAISS.

The FAISS backend stores every clause's sentence vectors with the index generation
(:mod:`index.sentences`); the gate and the reranker read them by sentence text.  Without
them on Qdrant, both embedded the sentences at query time — loading the passage model in
the answering process — and, once FAISS stored float16 (format 2), read slightly other
numbers than FAISS did.  So Qdrant stores them too.

Layout: a **second collection** ``<collection>_sentences`` beside the clause collection,
one point per clause with the same point id (:func:`index.qdrant_points.point_id`), holding
its stored sentences (:func:`index.sentences.stored_sentences`) as one *multivector*
``sent`` compared with MAX_SIM — a clause scores as its best sentence, which is what the
sentence retriever computes from FAISS.  Why a second collection and not a second named
vector on the clause points: a different granularity with its own life cycle (built after
the clauses, possibly much later, by a writer) and an engine that cannot add a named
vector to an existing collection (before 1.19, and not in local mode) — a clause
collection written before this keeps working, and the sentences are added beside it.
A clause without sentences still gets a point (no vector), so the count of points checks
what was uploaded.

Values: the vectors are stored as :func:`index.sentences.as_stored` rounds them (float16
values; ``datatype=FLOAT16`` lets a server keep them in half the memory) and compared by
DOT (they are unit vectors; COSINE would re-normalise the rounded values): a reader gets
exactly the numbers the FAISS generation holds.

What was uploaded is recorded in the clause index's sync state (``sentence_sources``:
source → revision), so a sync uploads only new or changed sources and deletes the points
of removed ones, like the clause sync.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from index.build import embed_sentences
from index.embed_cache import EmbeddingCache, cache_path
from index.embedders import Embedder
from index.qdrant_points import KbCollection, point_id
from index.sentences import as_stored, stored_sentences
from ingest.store import ClauseStore, SourceEntry

log = logging.getLogger(__name__)

SENT = "sent"
SUFFIX = "_sentences"
UPSERT_BATCH = 128

Progress = Callable[[int, int], None]


def sentence_collection(collection: str) -> str:
    """Name of the sentence collection beside clause collection ``collection``."""
    return collection + SUFFIX


class QdrantSentences(KbCollection):
    """The sentence vectors of one knowledge base in the engine."""

    def __init__(self, client: Any, collection: str, kb: str) -> None:
        super().__init__(client, sentence_collection(collection), kb)

    def ensure_collection(self, dim: int) -> None:
        m = self._m
        if self.client.collection_exists(self.collection):
            return
        self.client.create_collection(
            self.collection,
            vectors_config={
                SENT: m.VectorParams(
                    size=dim,
                    distance=m.Distance.DOT,
                    datatype=m.Datatype.FLOAT16,
                    multivector_config=m.MultiVectorConfig(
                        comparator=m.MultiVectorComparator.MAX_SIM
                    ),
                )
            },
        )
        tenant = m.KeywordIndexParams(type=m.KeywordIndexType.KEYWORD, is_tenant=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # local mode has no payload indexes
            self.client.create_payload_index(self.collection, "kb", field_schema=tenant)
            self.client.create_payload_index(
                self.collection, "source", field_schema=m.PayloadSchemaType.KEYWORD
            )

    # ---------------------------------------------------------------- sync
    def sync(
        self,
        store: ClauseStore,
        embedder: Embedder,
        sources: Mapping[str, SourceEntry],
        have: Mapping[str, Sequence[int]],
        progress: bool | Progress = False,
    ) -> tuple[dict[str, list[int]], int]:
        """Bring the sentence points in line with ``sources`` (the sources whose clause
        points are in the engine).  ``have``: what the last sync recorded, source →
        ``[revision, points]``, checked against the engine's count.  Returns the new
        record and the number of sentence vectors uploaded."""
        m = self._m
        self.ensure_collection(embedder.dim)
        have = {s: [int(v[0]), int(v[1])] for s, v in have.items()}
        if have and self.count() != sum(n for _, n in have.values()):
            log.warning("Qdrant holds other sentence points than recorded; re-uploading")
            have = {}
        if not have:
            self._delete(self._filter())
        stale = [s for s, v in have.items() if s not in sources or sources[s].revision != v[0]]
        fresh = [s for s, e in sources.items() if s not in have or have[s][0] != e.revision]
        for s in stale:
            del have[s]
            self._delete(self._of_source(s))
        if not fresh:
            return have, 0
        started = time.perf_counter()
        work = [(sources[s], store.read_source_clauses(sources[s])) for s in fresh]
        per = {e.source: [stored_sentences(c) for c in cs] for e, cs in work}
        texts = list(dict.fromkeys(t for ss in per.values() for s in ss for t in s))
        vectors = self._embed(store, embedder, texts, progress)
        added = 0
        for entry, clauses in work:
            points = []
            for c, ss in zip(clauses, per[entry.source], strict=True):
                vec = {SENT: [vectors[t].tolist() for t in ss]} if ss else {}
                points.append(
                    m.PointStruct(
                        id=point_id(self.kb, c.clause_id),
                        vector=vec,
                        payload={
                            "kb": self.kb,
                            "clause_id": c.clause_id,
                            "source": entry.source,
                            "revision": entry.revision,
                        },
                    )
                )
                added += len(ss)
            for i in range(0, len(points), UPSERT_BATCH):
                self.client.upsert(self.collection, points=points[i : i + UPSERT_BATCH], wait=True)
            have[entry.source] = [entry.revision, len(points)]
        log.info(
            "qdrant sentence vectors: +%d (%d distinct texts) in %.1f s",
            added,
            len(texts),
            time.perf_counter() - started,
        )
        return have, added

    def _embed(
        self,
        store: ClauseStore,
        embedder: Embedder,
        texts: Sequence[str],
        progress: bool | Progress,
    ) -> dict[str, np.ndarray]:
        """Stored values (float16-rounded) of the distinct ``texts``, through the cache."""
        out: dict[str, np.ndarray] = {}
        path = cache_path(store.root.parent.parent)
        with EmbeddingCache(path, embedder.name, embedder.dim) as cache:
            embed_sentences(cache, embedder, texts, out, progress=progress)
        return {t: as_stored(v) for t, v in out.items()}

    # ---------------------------------------------------------------- read
    def vectors(self, wanted: Mapping[str, Iterable[int]]) -> dict[tuple[str, int], np.ndarray]:
        """The stored vectors of clause id → sentence positions (absent when the engine
        lacks the clause or the position)."""
        if not wanted:
            return {}
        points = self.client.retrieve(
            self.collection,
            ids=[point_id(self.kb, cid) for cid in wanted],
            with_payload=["clause_id"],
            with_vectors=[SENT],
        )
        out: dict[tuple[str, int], np.ndarray] = {}
        for p in points:
            cid = p.payload["clause_id"]
            mat = (p.vector or {}).get(SENT) if isinstance(p.vector, dict) else None
            if not mat:
                continue
            rows = np.asarray(mat, dtype=np.float32)
            for j in wanted.get(cid, ()):
                if 0 <= j < len(rows):
                    out[(cid, j)] = rows[j]
        return out


class RemoteSentenceVectors:
    """The sentence vectors of a Qdrant-backed searcher, read like
    :class:`index.sentences.SentenceVectors` (``lookup`` by text).

    A text is looked up through a clause that stores it: only clauses whose source is
    uploaded at the revision the store holds now count (their stored sentences are the
    ones computed from the current text).  ``uploaded`` reads what the last sync
    recorded; the text map is rebuilt when that changes (a background sync landed)."""

    def __init__(
        self,
        sentences: QdrantSentences,
        clauses: Iterable[Any],
        uploaded: Callable[[], Mapping[str, Sequence[int]]],
        revisions: Mapping[str, int],
    ) -> None:
        self.sentences = sentences
        self._clauses = list(clauses)
        self._uploaded = uploaded
        self._revisions = dict(revisions)
        self._where: tuple[dict[str, int], dict[str, tuple[str, int]]] = ({}, {})

    def _where_of(self) -> dict[str, tuple[str, int]]:
        try:
            at = {s: int(v[0]) for s, v in self._uploaded().items()}
        except (OSError, ValueError, TypeError, IndexError):
            at = {}
        built, where = self._where  # one read: another thread may replace it
        if at == built:
            return where
        where = {}
        for c in self._clauses:
            if at.get(c.source) is None or at[c.source] != self._revisions.get(c.source):
                continue
            for j, text in enumerate(stored_sentences(c)):
                where.setdefault(text, (c.clause_id, j))
        self._where = (at, where)
        return where

    def lookup(self, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """Stored vectors of ``texts`` by position (texts never stored are absent)."""
        where = self._where_of()
        asked = {i: where[t] for i, t in enumerate(texts) if t in where}
        wanted: dict[str, set[int]] = {}
        for cid, j in asked.values():
            wanted.setdefault(cid, set()).add(j)
        got = self.sentences.vectors(wanted)
        return {i: got[key] for i, key in asked.items() if key in got}

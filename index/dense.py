"""Dense retrieval: clause vectors in FAISS, exact for small corpora, IVF above a threshold.

Why these index types:

* ``IndexIDMap2(IndexFlatIP)`` below :data:`IVF_THRESHOLD` clauses: exact inner product
  (vectors are normalised, so cosine), brute force is fastest at this size.
* ``IndexIVFFlat`` (inner product) above it: approximate, and — unlike HNSW — it supports
  ``remove_ids``, which incremental re-ingestion needs.  ``nlist ≈ 4·√n`` cells,
  ``nprobe`` scanning about 1/8 of them keeps recall near exact at a fraction of the cost.
  A hashtable direct map lets us read vectors back (to score BM25-only candidates and to
  retrain when the corpus has grown well past the size it was trained on).

``half=True`` stores each component as float16 (FAISS ``QT_fp16`` scalar quantiser, flat or
IVF): half the disk and memory for vectors read back by id (the sentence vectors of
:mod:`index.sentences`, ~6 per clause); fp16 keeps 11 significant bits, so a cosine moves by
~1e-4 at most, and it needs no training.  Clause vectors stay float32.

Clause ids are strings; FAISS wants int64, so each id is hashed to 63 bits
(:func:`faiss_id`).  A collision among 10^6 clauses has probability ~10^-7.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Sequence
from pathlib import Path

import faiss
import numpy as np

from core.config import DEFAULT_IVF_THRESHOLD

log = logging.getLogger(__name__)

IVF_THRESHOLD = DEFAULT_IVF_THRESHOLD  # default; $STDQA_IVF_THRESHOLD via core.config
RETRAIN_GROWTH = 4.0  # retrain IVF centroids when the corpus is this many times larger
EXACT_FILTER_LIMIT = 20000  # filtered searches over fewer ids are scored exactly


def faiss_id(clause_id: str) -> int:
    """Stable positive int64 for a clause id."""
    return int.from_bytes(hashlib.blake2b(clause_id.encode(), digest_size=8).digest(), "big") >> 1


def faiss_ids(clause_ids: Sequence[str]) -> np.ndarray:
    return np.fromiter((faiss_id(c) for c in clause_ids), dtype=np.int64, count=len(clause_ids))


def window_key(clause_id: str, window: int) -> str:
    """Key of a clause's ``window``-th embedded passage; window 0 is the clause itself."""
    return clause_id if window == 0 else f"{clause_id}#{window}"


def vector_ids(clause_ids: Sequence[str], windows: Sequence[int]) -> np.ndarray:
    """FAISS ids of every window of every clause, in order."""
    keys = [window_key(c, w) for c, n in zip(clause_ids, windows, strict=True) for w in range(n)]
    return faiss_ids(keys)


class DenseIndex:
    """A FAISS index of unit vectors keyed by :func:`faiss_id`."""

    def __init__(self, index: faiss.Index, trained_on: int = 0) -> None:
        self.index = index
        self.trained_on = trained_on
        if self.kind == "ivf":
            self._ivf().set_direct_map_type(faiss.DirectMap.Hashtable)
            self._ivf().nprobe = nprobe_for(self._ivf().nlist)

    # ---------------------------------------------------------------- construction
    @classmethod
    def empty(cls, dim: int, half: bool = False) -> DenseIndex:
        if half:
            fp16 = faiss.ScalarQuantizer.QT_fp16
            return cls(
                faiss.IndexIDMap2(faiss.IndexScalarQuantizer(dim, fp16, faiss.METRIC_INNER_PRODUCT))
            )
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def build(
        cls,
        dim: int,
        ids: np.ndarray,
        vectors: np.ndarray,
        ivf_threshold: int = IVF_THRESHOLD,
        half: bool = False,
    ) -> DenseIndex:
        """Index of the kind suited to ``len(ids)`` vectors (float16 components: ``half``)."""
        if len(ids) < ivf_threshold:
            idx = cls.empty(dim, half)
            idx.add(ids, vectors)
            return idx
        nlist = min(nlist_for(len(ids)), max(1, len(ids) // 39))  # FAISS wants ≥ 39 per cell
        quantizer = faiss.IndexFlatIP(dim)
        if half:  # codes of the vectors themselves (no residual): read back exactly as fp16
            ivf = faiss.IndexIVFScalarQuantizer(
                quantizer,
                dim,
                nlist,
                faiss.ScalarQuantizer.QT_fp16,
                faiss.METRIC_INNER_PRODUCT,
                False,
            )
        else:
            ivf = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        rng = np.random.default_rng(0)
        sample = (
            vectors
            if len(vectors) <= nlist * 64
            else vectors[rng.choice(len(vectors), nlist * 64, replace=False)]
        )
        ivf.train(np.ascontiguousarray(sample, dtype=np.float32))
        ivf.own_fields = True
        quantizer.this.disown()
        out = cls(ivf, trained_on=len(ids))
        out.add(ids, vectors)
        log.info("built IVF index: %d vectors, nlist=%d, nprobe=%d", len(ids), nlist, ivf.nprobe)
        return out

    @property
    def kind(self) -> str:
        return "ivf" if isinstance(self._unwrap(), faiss.IndexIVF) else "flat"

    @property
    def half(self) -> bool:
        """Whether the components are stored as float16."""
        inner = self._unwrap()
        if isinstance(inner, faiss.IndexIDMap):
            inner = faiss.downcast_index(inner.index)
        sq = getattr(inner, "sq", None)
        return sq is not None and sq.qtype == faiss.ScalarQuantizer.QT_fp16

    def _unwrap(self) -> faiss.Index:
        return faiss.downcast_index(self.index)

    def _ivf(self) -> faiss.IndexIVF:
        return faiss.extract_index_ivf(self.index)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    def describe(self) -> str:
        if self.kind == "ivf":
            ivf = self._ivf()
            name = "IVFSQfp16" if self.half else "IVFFlat"
            return f"{name}(IP, nlist={ivf.nlist}, nprobe={ivf.nprobe})"
        return "SQfp16(IP)" if self.half else "FlatIP"

    # ---------------------------------------------------------------- updates
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids) == 0:
            return
        v = np.ascontiguousarray(vectors, dtype=np.float32)
        if v.shape != (len(ids), self.dim):
            raise ValueError(f"vectors shape {v.shape} != ({len(ids)}, {self.dim})")
        self.index.add_with_ids(v, np.ascontiguousarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> int:
        if len(ids) == 0:
            return 0
        arr = np.ascontiguousarray(ids, dtype=np.int64)
        # IVF's hashtable direct map only accepts an IDSelectorArray.
        sel = (
            faiss.IDSelectorArray(len(arr), faiss.swig_ptr(arr))
            if self.kind == "ivf"
            else faiss.IDSelectorBatch(arr)
        )
        return int(self.index.remove_ids(sel))

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Stored vectors of ``ids`` (all must be present)."""
        if len(ids) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self.index.reconstruct_batch(np.ascontiguousarray(ids, dtype=np.int64))

    def rebalanced(
        self, all_ids: np.ndarray, ivf_threshold: int = IVF_THRESHOLD, half: bool | None = None
    ) -> DenseIndex:
        """This index, or a rebuilt one when the size crossed the IVF threshold (either
        way), outgrew its IVF training, or is to change its component type (``half``;
        None keeps it)."""
        half = self.half if half is None else half
        n = len(all_ids)
        want_ivf = n >= ivf_threshold
        stale = self.kind == "ivf" and n > RETRAIN_GROWTH * max(self.trained_on, 1)
        if want_ivf == (self.kind == "ivf") and not stale and half == self.half:
            return self
        log.info(
            "rebuilding dense index for %d vectors (%s → %s)",
            n,
            self.describe(),
            ("ivf" if want_ivf else "flat") + (" float16" if half else " float32"),
        )
        return DenseIndex.build(self.dim, all_ids, self.vectors(all_ids), ivf_threshold, half)

    # ---------------------------------------------------------------- search
    def search(
        self, query: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Top ``k`` ``(faiss_id, cosine)`` for one query vector; ``allowed`` restricts the
        candidates to those ids (document / code filters)."""
        if self.ntotal == 0 or k <= 0:
            return []
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed is not None:
            if len(allowed) == 0:
                return []
            if len(allowed) <= EXACT_FILTER_LIMIT:
                vecs = self.vectors(allowed)
                sims = vecs @ q[0]
                kk = min(k, len(sims))
                top = np.argpartition(-sims, kk - 1)[:kk]
                top = top[np.argsort(-sims[top], kind="stable")]
                return [(int(allowed[i]), float(sims[i])) for i in top]
            sel = faiss.IDSelectorBatch(np.ascontiguousarray(allowed, dtype=np.int64))
            if self.kind == "ivf":
                params = faiss.SearchParametersIVF(sel=sel, nprobe=self._ivf().nprobe)
            else:
                params = faiss.SearchParameters(sel=sel)
            scores, ids = self.index.search(q, min(k, self.ntotal), params=params)
        else:
            scores, ids = self.index.search(q, min(k, self.ntotal))
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    # ---------------------------------------------------------------- persistence
    def save(self, path: Path) -> None:
        faiss.write_index(self.index, str(path))

    @classmethod
    def load(cls, path: Path, trained_on: int = 0) -> DenseIndex:
        return cls(faiss.read_index(str(path)), trained_on=trained_on)


def nlist_for(n: int) -> int:
    return int(min(4096, max(16, 4 * math.sqrt(n))))


def nprobe_for(nlist: int) -> int:
    return int(min(nlist, max(16, nlist // 8)))

"""Everything one search reads, as one immutable object.

:class:`index.search.Searcher` builds a :class:`Snapshot` aside and swaps it in whole, so
a search running in another thread (the app serves several sessions) never sees half of an
update; the retrievers in :mod:`index.retrievers` read only from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from grammar.codes import code_matches, normalize_code
from grammar.schema import Clause, DocumentInfo
from index.bm25 import BM25Index
from index.dense import DenseIndex, faiss_ids, window_key

if TYPE_CHECKING:
    from index.qdrant_sentences import RemoteSentenceVectors
    from index.qdrant_store import QdrantClauseIndex
    from index.sentences import SentenceVectors


@dataclass(slots=True, frozen=True)
class SearchFilters:
    """Restrict a search to some documents, standard codes (codes match with or without
    year: "GB/T 1.1" matches "GB/T 1.1—2020") and/or elements."""

    doc_ids: tuple[str, ...] = ()
    standard_codes: tuple[str, ...] = ()
    # GB/T 1.1—2020 elements (grammar.elements.Element values, e.g. "范围"): only clauses
    # tagged with one of them.
    elements: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.doc_ids or self.standard_codes or self.elements)


@dataclass(slots=True, frozen=True)
class Snapshot:
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
    children: dict[str, list[Clause]]  # direct children per clause id, document order
    # clause ids whose vectors/tokens were computed from their current text (None: all)
    indexed: frozenset[str] | None = None
    # Set when the vectors live in Qdrant (STDQA_VECTOR_STORE=qdrant): the retrievers then
    # ask the engine instead of ``dense``/``bm25`` (which stay empty).
    remote: QdrantClauseIndex | None = None
    # Sentence vectors of the generation (index.sentences), or of the engine's sentence
    # collection on Qdrant (index.qdrant_sentences: read by text only, never searched);
    # None for an older build or one whose sentence phase has not run.
    sentences: SentenceVectors | RemoteSentenceVectors | None = None
    # Document id → every document holding the same edition (grammar.copies.copies), for
    # the documents held more than once; computed once per snapshot, read by every search
    # (index.retrievers.distinct).
    copies: dict[str, frozenset[str]] = field(default_factory=dict)

    def vector_ids(self, clause_ids: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        """FAISS ids of all windows of ``clause_ids`` and, per id, the clause's position."""
        keys: list[str] = []
        owner: list[int] = []
        for i, cid in enumerate(clause_ids):
            for w in range(self.windows.get(cid, 1)):
                keys.append(window_key(cid, w))
                owner.append(i)
        return faiss_ids(keys), owner

    def allowed(self, filters: SearchFilters | None) -> set[str] | None:
        """Doc ids a filtered search may return (None: no filter)."""
        if not filters:
            return None
        docs = {d.doc_id for d in self.docs}
        if filters.doc_ids:
            docs &= set(filters.doc_ids)
        if filters.standard_codes:
            wanted = [normalize_code(raw) or raw.strip() for raw in filters.standard_codes]
            docs = {
                d.doc_id
                for d in self.docs
                if d.doc_id in docs and any(code_matches(w, d.standard_code) for w in wanted)
            }
        return docs

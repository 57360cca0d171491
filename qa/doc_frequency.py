"""In how many clauses of *one document* each character bigram occurs.

The knowledge base's word counts (:class:`qa.gate_inputs.BigramFrequency`) tell a rare
word from a common one across all documents, but the reranker's hardest choice is between
clauses of one document: a word that nearly every clause of that document holds (its
subject, "养老护理员", "卷材地板", "农村信用社") is rare in the base and yet tells none of
its clauses apart.  :class:`DocumentFrequency` counts a document's clauses lazily, the
first time one of its clauses is a candidate, and keeps the counts until the knowledge
base changes generation.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

from qa.gate_inputs import bigram_counts

DocCounts = tuple[Counter[str], int]  # qa.gate_inputs.bigram_counts of one document


class DocumentFrequency:
    """Per-document bigram counts of one searcher, counted on first use per document."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._docs: dict[str, DocCounts] = {}

    def for_searcher(self, searcher: Any) -> Callable[[str], DocCounts] | None:
        """A lookup ``doc_id → (counts, clauses)`` for ``searcher``'s current generation,
        or None when the searcher cannot list a document's clauses (a test double)."""
        clauses_of = getattr(searcher, "clauses_of", None)
        if not callable(clauses_of):
            return None
        key = (id(searcher), int(getattr(searcher, "generation", 0) or 0))

        def lookup(doc_id: str) -> DocCounts:
            with self._lock:
                if key != self._key:
                    self._key, self._docs = key, {}
                hit = self._docs.get(doc_id)
            if hit is not None:
                return hit
            try:
                counts = bigram_counts(clauses_of(doc_id))
            except Exception:  # a document removed meanwhile: no counts, no weight
                counts = (Counter(), 0)
            with self._lock:
                if key == self._key:
                    self._docs[doc_id] = counts
            return counts

        return lookup

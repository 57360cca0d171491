"""What *one document* says, counted or read once: its bigram counts, its text.

The knowledge base's word counts (:class:`qa.gate_inputs.BigramFrequency`) tell a rare
word from a common one across all documents, but the reranker's hardest choice is between
clauses of one document: a word that nearly every clause of that document holds (its
subject, "养老护理员", "卷材地板", "农村信用社") is rare in the base and yet tells none of
its clauses apart.  :class:`DocumentFrequency` counts a document's clauses lazily, the
first time one of its clauses is a candidate, and keeps the counts until the knowledge
base changes generation.

The refusal gate asks a document a plainer question: does it use a term the question
names ("TLS", "IP66") anywhere?  :class:`DocumentText` keeps each document's text the
same way (:func:`qa.gate.term_in_documents`).  Both are a :class:`PerDocument` cache.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from qa.gate_inputs import bigram_counts, clause_text

log = logging.getLogger(__name__)

DocCounts = tuple[Counter[str], int]  # qa.gate_inputs.bigram_counts of one document

T = TypeVar("T")


class PerDocument(Generic[T]):
    """One value per document of a searcher, computed from the document's clauses on first
    use and kept until the knowledge base changes generation."""

    def __init__(self, compute: Callable[[Iterable[Any]], T], empty: Callable[[], T]) -> None:
        self._compute = compute
        self._empty = empty  # the value of a document that cannot be read (removed meanwhile)
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self._docs: dict[str, T] = {}

    def for_searcher(self, searcher: Any) -> Callable[[str], T] | None:
        """A lookup ``doc_id → value`` for ``searcher``'s current generation, or None when
        the searcher cannot list a document's clauses (a test double)."""
        clauses_of = getattr(searcher, "clauses_of", None)
        if not callable(clauses_of):
            return None
        key = (id(searcher), int(getattr(searcher, "generation", 0) or 0))

        def lookup(doc_id: str) -> T:
            with self._lock:
                if key != self._key:
                    self._key, self._docs = key, {}
                hit = self._docs.get(doc_id)
            if hit is not None:
                return hit
            try:
                value = self._compute(clauses_of(doc_id))
            except Exception as exc:  # a document removed meanwhile, a store being swapped
                # Nothing known about it this time; not kept, so the next question asks again
                # (a passing failure must not blank a document until the next generation).
                log.warning("document %s unreadable for the gate and reranker: %s", doc_id, exc)
                return self._empty()
            with self._lock:
                if key == self._key:
                    self._docs[doc_id] = value
            return value

        return lookup


class DocumentFrequency(PerDocument[DocCounts]):
    """Per-document bigram counts of one searcher (:func:`qa.gate_inputs.bigram_counts`)."""

    def __init__(self) -> None:
        super().__init__(bigram_counts, lambda: (Counter(), 0))


def document_text(clauses: Iterable[Any]) -> str:
    """A document's words as the gate compares them: every clause's
    :func:`qa.gate_inputs.clause_text`, without whitespace (PDF layout spaces split
    "T L S" as often as they split Chinese)."""
    return "".join("".join(clause_text(c).split()) for c in clauses)


class DocumentText(PerDocument[str]):
    """Per-document text of one searcher (:func:`document_text`)."""

    def __init__(self) -> None:
        super().__init__(document_text, str)

"""What every Qdrant collection of ours shares: point ids and the per-knowledge-base view.

Both the clause collection (:mod:`index.qdrant_store`) and the sentence collection beside it
(:mod:`index.qdrant_sentences`) hold the points of many knowledge bases, told apart by the
``kb`` payload, under the same point id per clause.  So both filter, delete and count
within one knowledge base the same way, and that lives here once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

_NS = uuid.UUID("6f1c3c0e-8a57-4a61-9d55-2d3f6c1b9e10")


def point_id(kb: str, clause_id: str) -> str:
    """Stable point id of a clause in a knowledge base (UUID, as Qdrant wants)."""
    return str(uuid.uuid5(_NS, f"{kb}\x00{clause_id}"))


class KbCollection:
    """One knowledge base's points in one collection."""

    def __init__(self, client: Any, collection: str, kb: str) -> None:
        from qdrant_client import models

        self._m = models
        self.client = client
        self.collection = collection
        self.kb = kb

    def _filter(
        self,
        doc_ids: Iterable[str] | None = None,
        extra: Sequence[Any] = (),
        must_not: Sequence[Any] = (),
    ) -> Any:
        """Points of this knowledge base (of ``doc_ids`` when given) matching ``extra``."""
        m = self._m
        must: list[Any] = [m.FieldCondition(key="kb", match=m.MatchValue(value=self.kb))]
        if doc_ids is not None:
            must.append(m.FieldCondition(key="doc_id", match=m.MatchAny(any=list(doc_ids))))
        must += list(extra)
        return m.Filter(must=must, must_not=list(must_not) or None)

    def _of_source(self, source: str) -> Any:
        """Points of this knowledge base that came from ``source``."""
        m = self._m
        return self._filter(
            extra=[m.FieldCondition(key="source", match=m.MatchValue(value=source))]
        )

    def _delete(self, flt: Any) -> None:
        self.client.delete(self.collection, points_selector=self._m.FilterSelector(filter=flt))

    def count(self) -> int:
        """Points of this knowledge base in the collection."""
        return int(self.client.count(self.collection, count_filter=self._filter()).count)

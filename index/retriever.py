"""LangChain face of the searcher: a ``BaseRetriever`` returning ``Document`` objects.

For composing our index into LangChain chains (``retriever | prompt | llm``) or other
tools that expect a retriever.  Our own qa/ and app call :class:`index.search.Searcher`
directly, so the hot path creates no ``Document`` objects.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.search import Hit, Searcher, SearchFilters


def hit_to_document(hit: Hit) -> Document:
    """A LangChain Document whose metadata is the public hit JSON (minus the text)."""
    meta = hit.to_json()
    text = meta.pop("text")
    return Document(page_content=text, metadata=meta, id=hit.clause.clause_id)


class ClauseRetriever(BaseRetriever):
    """Retrieve clauses of one knowledge base.

    Example::

        retriever = ClauseRetriever(searcher=Searcher.open(kb="default"), k=5)
        docs = retriever.invoke("范围一章怎么写？")
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: Searcher
    k: int = 10
    mode: str = "hybrid"
    weights: tuple[float, float] = (1.0, 1.0)
    filters: SearchFilters | None = None
    exact: bool = True

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        hits = self.searcher.search(
            query,
            k=kwargs.get("k", self.k),
            mode=kwargs.get("mode", self.mode),
            filters=kwargs.get("filters", self.filters),
            weights=kwargs.get("weights", self.weights),
            exact=kwargs.get("exact", self.exact),
        )
        return [hit_to_document(h) for h in hits]

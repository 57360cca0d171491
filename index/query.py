"""What a retrieval pipeline reads from a question, parsed once.

The question names documents ("GB/T 1.1—2020 的 8.6 条", "标准化法规定了……"), clauses
("8.6 条"), and a topic.  Each retriever needs a different view: dense and BM25 search the
topic without the document names (a title repeated in every passage of a document drowns
the topic), the exact route needs the clause references and the documents they belong to,
the document boost needs the named documents.  :class:`SearchQuery` holds all of them so
no stage parses the text again; :func:`parse_query` builds it from plain text (the
``python -m index search`` CLI) and ``qa.plan`` builds it with more knowledge (follow-ups,
the drafting element asked about).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from grammar.schema import DocumentInfo
from index.exact import ClauseRef, documents_named, parse_clause_refs, strip_document_names

MIN_TOPIC = 4  # "标准化法第十条" leaves nothing worth searching for once the name is gone


@dataclass(slots=True, frozen=True)
class SearchQuery:
    """One question as the retrievers see it.

    ``text``: the question (a follow-up already merged with what it refers to);
    ``topic``: what dense and BM25 search for (document names removed, expansions added);
    ``named``: ids of the documents named by code or title (None: none named; empty: a
    named document that is not in the knowledge base);
    ``refs``: clause references with the documents they may be in;
    ``focus``: words a governing heading carries (the drafting element asked about), for
    the reranker.
    """

    text: str
    topic: str
    named: tuple[str, ...] | None = None
    refs: tuple[ClauseRef, ...] = ()
    focus: tuple[str, ...] = field(default_factory=tuple)


def parse_query(
    text: str,
    documents: Iterable[DocumentInfo],
    *,
    expand: Iterable[str] = (),
    focus: Iterable[str] = (),
) -> SearchQuery:
    """Parse ``text`` against the documents of a knowledge base.

    ``expand``: words appended to the searched topic (an element's vocabulary);
    ``focus``: see :class:`SearchQuery`.
    """
    docs = list(documents)
    text = text.strip()
    named = documents_named(text, docs)
    topic = text
    if named:
        rest = strip_document_names(text, docs)
        if len(rest) >= MIN_TOPIC:
            topic = rest
    extra = " ".join(dict.fromkeys(w for w in expand if w))
    if extra:
        topic = f"{topic} {extra}"
    return SearchQuery(
        text=text,
        topic=topic,
        named=None if named is None else tuple(named),
        refs=tuple(parse_clause_refs(text, docs)),
        focus=tuple(dict.fromkeys(focus)),
    )

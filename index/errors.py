"""Errors of the index layer.  Callers catch :class:`SearchIndexError` to show one line."""

from __future__ import annotations

from core.errors import UserError


class SearchIndexError(UserError, RuntimeError):
    """Base class: the index cannot be opened, built or searched."""


class IndexModelMismatch(SearchIndexError):
    """The index on disk was built with another embedding model (or dimension).

    Mixing vectors of two models gives meaningless scores, so this is an error, never a
    silent fallback.  The message says how to rebuild.
    """


class KnowledgeBaseNotFound(SearchIndexError):
    """The knowledge base does not exist or holds no clauses yet."""


class IndexCorrupt(SearchIndexError):
    """Index files are unreadable; rebuilding from the clause store fixes it."""

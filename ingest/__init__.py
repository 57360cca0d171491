"""Ingestion: files of standards and guidance texts → numbered clauses in a knowledge base.

Stages, each its own module: ``readers`` (file → lines), ``clean`` (drop site boilerplate
and decoration), ``split`` (collections → documents), ``metadata`` (title, standard code),
``segment`` (lines → clauses, using the numbering grammar in ``numbering``), ``chunk``
(over-long clauses → parts), ``store`` (atomic clause store).  ``pipeline`` runs them per
file; ``cli`` is ``python -m ingest``.
"""

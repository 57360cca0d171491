"""The Streamlit app's pages and helpers, one module per job.

``state`` (cached searcher and settings), ``bootstrap`` (first-run sample index), ``chat``
(questions and cited answers), ``finder`` (clause search), ``docview`` (one document:
outline, clause in context, cross-reference links, original file; its rules in ``docnav``), ``kb``
(uploads and documents), ``settings`` (answer and search options), ``render`` (escaped HTML
for clause text), ``safety`` (upload file names), ``export`` (answers as Markdown).
``app.py`` only wires them together.
"""

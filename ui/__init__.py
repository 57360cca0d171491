"""The Streamlit app's pages and helpers, one module per job.

``state`` (cached searcher and settings), ``bootstrap`` (first-run sample index), ``chat``
(questions and cited answers), ``finder`` (clause search and document outline), ``kb``
(uploads and documents), ``settings`` (answer and search options), ``render`` (escaped HTML
for clause text), ``safety`` (upload file names), ``export`` (answers as Markdown).
``app.py`` only wires them together.
"""

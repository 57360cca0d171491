"""Index and retrieval: clause embeddings in FAISS, jieba BM25, fusion and exact lookup.

Reads the clause store written by :mod:`ingest`; :class:`index.search.Searcher` is the one
entry point the later stages (qa, app, eval) use.
"""

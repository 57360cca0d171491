"""Answering: retrieve clauses, decide whether to answer, answer with citations, verify.

``answer`` holds the pipeline (:class:`qa.answer.Answerer`); ``extractive`` the answerer that
needs no model; ``llm`` and ``prompting`` the LLM route; ``citations`` the citation format and
its verification; ``elements`` recognises which drafting element a question is about;
``relevance`` decides when nothing relevant was found.
"""

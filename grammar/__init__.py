"""The standards grammar, shared by every layer (ingest → index → qa → eval/check).

What a clause is (``schema``), how standards number their clauses (``numbering``), what a
standard code looks like (``codes``) and what may be a title (``titles``).  Nothing here reads
files or touches the workspace: it is pure text knowledge, so index, qa, eval and the checker
can use it without pulling in ingestion.
"""

"""Split over-long clauses into parts that an embedder can read whole.

A clause is the unit of citation, but some are long: a whole unstructured web article
lands in one preamble clause, a big table in one annex clause.  Embedding models read about
512 tokens (~450 Chinese characters for e5), so the tail of a long clause would be
invisible to dense search.  Long clauses are cut at line (else sentence) boundaries into
parts that keep the clause's number, title and heading path; ``extra["part"]`` /
``extra["parts"]`` say which part it is, so a citation still names the clause.
"""

from __future__ import annotations

import re
from dataclasses import replace

from grammar.schema import Clause
from ingest.clause_ids import assign_clause_ids

MAX_CHARS = 900
TARGET_CHARS = 450
_SENTENCE = re.compile(r"(?<=[。；;！？!?])")


def _pieces(text: str, target: int) -> list[str]:
    units: list[str] = []
    for line in text.split("\n"):
        if len(line) <= target:
            units.append(line)
        else:
            units.extend(s for s in _SENTENCE.split(line) if s)
    out: list[str] = []
    buf = ""
    for unit in units:
        if buf and len(buf) + len(unit) + 1 > target:
            out.append(buf)
            buf = unit
        else:
            buf = f"{buf}\n{unit}" if buf else unit
    if buf:
        out.append(buf)
    # Hard cut for a single unit without any boundary (rare: a table row of 2,000 chars).
    final: list[str] = []
    for piece in out:
        while len(piece) > MAX_CHARS:
            final.append(piece[:target])
            piece = piece[target:]
        final.append(piece)
    return final


def split_long_clauses(
    clauses: list[Clause], doc_text: str, max_chars: int = MAX_CHARS, target: int = TARGET_CHARS
) -> list[Clause]:
    """Return ``clauses`` with every clause longer than ``max_chars`` cut into parts;
    ``seq`` is renumbered so it stays dense and in document order; ids are content ids
    (:mod:`ingest.clause_ids`)."""
    out: list[Clause] = []
    for clause in clauses:
        if len(clause.text) <= max_chars:
            out.append(clause)
            continue
        pieces = _pieces(clause.text, target)
        cursor = clause.start
        for k, piece in enumerate(pieces, 1):
            found = doc_text.find(piece[:20], cursor, clause.end + 1)
            start = clause.start if k == 1 else (found if found >= 0 else cursor)
            end = min(clause.end, start + len(piece))
            cursor = max(cursor, end)
            extra = {**clause.extra, "part": k, "parts": len(pieces)}
            out.append(replace(clause, text=piece, start=start, end=end, extra=extra))
    for seq, clause in enumerate(out):
        clause.seq = seq
    assign_clause_ids(out)  # each part gets the id of its own text
    return out

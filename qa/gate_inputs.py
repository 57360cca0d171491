"""What the refusal gate needs beyond the hits: sentence similarities and word rarity.

Two facts about a question and its top clauses that the clause-level cosine and plain word
overlap miss:

* **Which sentence matches.**  A clause is embedded as one passage (title, heading path,
  the start of its body); a lay question ("护理员隔多久得帮他翻一次身？") matches one
  *sentence* of it ("协助卧床服务对象翻身的间隔时间不宜超过2 h") far better than the
  whole.  :class:`SentenceScorer` gives each sentence of the top clauses (and of a
  section's children; segmentation in :mod:`index.sentences`) its cosine to the question,
  reading the sentence vectors stored with the index and embedding (through the shared
  embedding cache) only those an older index lacks.
* **Which words are rare in this knowledge base.**  A lay question's chatty words ("我爸",
  "瘫在床上") occur nowhere in the documents and say nothing either way; a near miss
  ("健康证有效期") uses the documents' own vocabulary.  :class:`BigramFrequency` counts, once
  per knowledge-base generation, in how many clauses each character bigram occurs, so the
  gate weighs the question's words by rarity (IDF) and ignores the ones the base never uses.

Both degrade to nothing (the gate's features fall back to the clause cosine and plain
coverage) when the searcher cannot give them — a test double, a keyword-only index.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from grammar.numbering import halfwidth
from index.sentences import clause_sentences

log = logging.getLogger(__name__)

SENTENCE_HITS = 3  # the gate reads the sentences of the top three usable hits

# Stored sentence vectors by position in the asked texts (index.sentences.SentenceVectors).
Lookup = Callable[[Sequence[str]], dict[int, np.ndarray]]


class SentenceScorer:
    """Cosine of a question to each sentence of its top clauses, with the embedder the
    knowledge base was indexed with.

    The sentence vectors are read from the index generation when it stores them
    (:mod:`index.sentences`, embedded at index time: no passage model is loaded at query
    time); a sentence it lacks (an older index, a clause changed since the build) is
    embedded through the shared embedding cache, which gives the same vector."""

    def __init__(
        self, embedder: Any, cache_file: Path | None, stored: Lookup | None = None
    ) -> None:
        self.embedder = embedder
        self.cache_file = cache_file
        self.stored = stored
        # The question's vector, kept for the next call: an answer scores the same
        # question twice (the reranker's candidates, then the gate's top three).
        self._question: tuple[str, np.ndarray] | None = None

    @classmethod
    def for_searcher(cls, searcher: Any) -> SentenceScorer | None:
        """The scorer for ``searcher``'s embedder, or None without one."""
        embedder = getattr(searcher, "embedder", None)
        if embedder is None or not hasattr(embedder, "embed_passages"):
            return None
        cache_file = None
        workspace = getattr(searcher, "workspace", None)
        if workspace is not None and getattr(embedder, "name", None):
            from index.embed_cache import cache_path

            cache_file = cache_path(Path(workspace))
        stored = getattr(searcher, "sentence_vectors", None)
        return cls(embedder, cache_file, stored if callable(stored) else None)

    def _query(self, question: str) -> np.ndarray:
        last = self._question  # one read: another thread may replace it meanwhile
        if last is not None and last[0] == question:
            return last[1]
        q = np.asarray(self.embedder.embed_queries([question]), dtype=np.float32)[0]
        self._question = (question, q)
        return q

    def _passages(self, texts: list[str]) -> np.ndarray:
        """Vectors of ``texts``: stored ones read, the others embedded (cached)."""
        found = self.stored(texts) if self.stored is not None else {}
        missing = [i for i in range(len(texts)) if i not in found]
        if not found:
            return self._embed(texts)
        out = np.empty((len(texts), len(next(iter(found.values())))), dtype=np.float32)
        for i, v in found.items():
            out[i] = v
        if missing:
            out[missing] = self._embed([texts[i] for i in missing])
        return out

    def _embed(self, texts: list[str]) -> np.ndarray:
        from index.embed_cache import EmbeddingCache, embed_with_cache

        if self.cache_file is None:
            return np.asarray(self.embedder.embed_passages(texts), dtype=np.float32)
        # One short-lived connection per call: the app answers from several threads.
        with EmbeddingCache(self.cache_file, self.embedder.name, self.embedder.dim) as cache:
            return embed_with_cache(cache, texts, self.embedder.embed_passages)

    def score(
        self,
        question: str,
        hits: Sequence[Any],
        children: Sequence[Sequence[Any]],
        depth: int = SENTENCE_HITS,
    ) -> list[list[tuple[str, float]]] | None:
        """Per top hit (the first ``depth``), its sentences with their cosine to
        ``question``; None on failure (the gate then reads the clause cosine alone, the
        reranker its sentence-free features)."""
        per = [
            clause_sentences(h.clause, kids)
            for h, kids in zip(hits[:depth], children[:depth], strict=False)
        ]
        flat = [s for ss in per for s in ss]
        if not flat:
            return None
        try:
            q = self._query(question)
            vecs = self._passages(flat)
        except Exception as exc:  # a gate input is never worth failing an answer for
            log.warning("sentence similarities unavailable: %s", exc)
            return None
        sims = (vecs @ q).tolist()
        out: list[list[tuple[str, float]]] = []
        i = 0
        for ss in per:
            out.append(list(zip(ss, sims[i : i + len(ss)], strict=True)))
            i += len(ss)
        return out

    def text_scores(self, question: str, texts: Sequence[str]) -> list[float] | None:
        """Cosine of ``question`` to each of ``texts`` embedded as passages (stored or
        cached vectors first); None on failure, as :meth:`score`."""
        if not texts:
            return None
        try:
            q = self._query(question)
            vecs = self._passages(list(texts))
        except Exception as exc:  # a reranker input is never worth failing an answer for
            log.warning("heading similarities unavailable: %s", exc)
            return None
        return [float(v) for v in vecs @ q]


def clause_text(clause: Any) -> str:
    """What a clause's words are counted on: document title, heading titles, clause title
    and text, half-width and lower-case."""
    titles = " ".join(h.title for h in getattr(clause, "heading_path", ()) or ())
    parts = [clause.doc_title or "", titles, clause.clause_title or "", clause.text or ""]
    return halfwidth(" ".join(parts)).lower()


def bigram_counts(clauses: Iterable[Any]) -> tuple[Counter[str], int]:
    """In how many of ``clauses`` each character bigram of :func:`clause_text` occurs (a
    clause counts a bigram once), and how many clauses there are."""
    df: Counter[str] = Counter()
    n = 0
    for c in clauses:
        t = clause_text(c)
        df.update({t[i : i + 2] for i in range(len(t) - 1)})
        n += 1
    return df, n


class BigramFrequency:
    """In how many clauses of a knowledge base each character bigram occurs (the same
    bigrams :func:`qa.relevance.content_grams` takes from a question), recounted when the
    knowledge base changes generation."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: tuple[int, int] | None = None
        self.df: Counter[str] = Counter()
        self.n = 0

    def count(self, clauses: Sequence[Any]) -> None:
        """Count ``clauses`` afresh."""
        self.df, self.n = bigram_counts(clauses)

    def for_searcher(self, searcher: Any) -> BigramFrequency | None:
        """Counts for ``searcher``'s current generation (counted on first use), or None
        when it cannot list its clauses."""
        docs = getattr(searcher, "documents", None)
        clauses_of = getattr(searcher, "clauses_of", None)
        if not callable(docs) or not callable(clauses_of):
            return None
        key = (id(searcher), int(getattr(searcher, "generation", 0) or 0))
        with self._lock:
            if key != self._key:
                try:
                    clauses = [c for d in docs() for c in clauses_of(d.doc_id)]
                except Exception as exc:  # a test double, a store being swapped
                    log.warning("word frequencies unavailable: %s", exc)
                    return None
                self.count(clauses)
                self._key = key
        return self if self.n else None

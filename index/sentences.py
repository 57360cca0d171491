"""Sentences of a clause, and their vectors stored with the index generation.

A clause is embedded as one passage (title, heading path, the start of its body), and a
long clause dilutes that vector: a lay question ("护理员隔多久得帮他翻一次身？") matches
one *sentence* of it ("协助卧床服务对象翻身的间隔时间不宜超过2 h") far better than the
whole.  Two readers want sentence vectors:

* the refusal gate (:mod:`qa.gate_inputs`), which scores the question against the
  sentences of its top clauses (``sent_best``);
* the sentence retriever (:func:`index.retrievers.sentence`), a clause scoring as its
  best-matching sentence.

Both must see the *same* sentences, so the segmentation lives here, once:
:func:`clause_sentences` is what the gate scores for a hit (its body, and for a section
the bodies of its first children prefixed with their headings); :func:`stored_sentences`
is what the index embeds per clause so that every sentence :func:`clause_sentences` can
ask for is stored (a clause's own body sentences, the same prefixed with its heading as
when it is a child, its title when it has no body).

The vectors are built at index time (:func:`index.build.sync_index`, after the clause
vectors) and kept in the generation directory as ``sentences.faiss`` (a
:class:`index.dense.DenseIndex` keyed by :func:`sentence_key`) and ``sentences.json``
(clause id → its stored sentences, in key order).  A generation without them (built
before this existed, or whose sentence phase has not run yet) simply has none: the gate
then embeds at query time as before and the sentence retriever returns nothing.

**Storage format.**  Format 2 (:data:`FORMAT`) stores the components as float16 (FAISS
``QT_fp16``, see :class:`index.dense.DenseIndex`): sentence vectors are ~6 per clause, so in
float32 they were three quarters of a generation (46,066 vectors, 71 MB of 96 MB on the
real standards).  float16 keeps 11 significant bits — a cosine moves by
at most 6e-5 on the real standards — and needs no training; int8 with a per-vector scale
moved it by up to 1.5e-3 (25×) for another halving.
Format 1 (float32, sessions before) still loads as it is; the next sentence phase of a
writer (:func:`index.build.add_sentence_vectors`) rewrites it as format 2, with a log line,
from the vectors it holds (nothing is re-embedded or lost).  The format is recorded in
``meta.json`` and is also visible in the FAISS file itself, which is what loading trusts.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.dense import DenseIndex, faiss_id, faiss_ids
from index.errors import IndexCorrupt

log = logging.getLogger(__name__)

MAX_SENTENCES = 12  # per clause or child: the answer is near the start of long clauses
MAX_CHILDREN = 8  # of a section
SENTENCE_CHARS = 200  # within the e5 window; a longer "sentence" is a table row or a list
MIN_SENTENCE_CHARS = 4  # "a)" or "注：" alone says nothing

_SENTENCE = re.compile(r"(?<=[。；！？!?;])|\n")

VECTORS_FILE = "sentences.faiss"
TEXTS_FILE = "sentences.json"
FORMAT = 2  # 1: float32 components; 2: float16
# Sentence vectors are read by id (the gate, the reranker); only the ablation retriever
# searches them.  An IVF index costs k-means training on every rebuild — 20 s of a 25 s
# sentence phase for 46,066 vectors — to speed up a search the default pipeline never
# runs, so they stay exact (flat) far beyond the clause index's IVF threshold.
IVF_THRESHOLD = 2_000_000


def sentences(text: str) -> list[str]:
    """Sentences and lines of a clause body, in order, without empty pieces."""
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def body_sentences(text: str) -> list[str]:
    """The first :data:`MAX_SENTENCES` sentences of ``text``, each cut to
    :data:`SENTENCE_CHARS`, without the ones too short to say anything."""
    out = [s[:SENTENCE_CHARS] for s in sentences(text)][:MAX_SENTENCES]
    return [s for s in out if len(s.strip()) >= MIN_SENTENCE_CHARS]


def _as_child(clause: Any) -> str:
    return f"{getattr(clause, 'heading', '')} {clause.text or ''}".strip()


def clause_sentences(clause: Any, children: Sequence[Any] = ()) -> list[str]:
    """The sentences of a clause body and of its first children (a section), capped.
    A child's body is read after its heading ("6.1 准备 助浴前应测量血压；"), so a
    section's sentences say which part they come from."""
    out = body_sentences(clause.text or "")
    for kid in list(children)[:MAX_CHILDREN]:
        out += body_sentences(_as_child(kid))
    if not out:  # an empty heading: its title is all it says
        title = getattr(clause, "clause_title", "") or ""
        out = [title] if title else []
    return out


def stored_sentences(clause: Any) -> list[str]:
    """What the index embeds for ``clause``: every sentence :func:`clause_sentences` may
    ask for on its behalf — as a hit (its body, or its title when the body is empty) and
    as a section's child (its body after its heading) — without repeats."""
    own = body_sentences(clause.text or "")
    if not own and getattr(clause, "clause_title", ""):
        own = [clause.clause_title]
    return list(dict.fromkeys(own + body_sentences(_as_child(clause))))


def sentence_key(clause_id: str, j: int) -> str:
    """Key of a clause's ``j``-th stored sentence (apart from the clause's window keys)."""
    return f"{clause_id}\x1fs{j}"


def sentence_ids(clause_ids: Sequence[str], counts: Sequence[int]) -> np.ndarray:
    """FAISS ids of every stored sentence of every clause, in order."""
    keys = [sentence_key(c, j) for c, n in zip(clause_ids, counts, strict=True) for j in range(n)]
    return faiss_ids(keys)


@dataclass(slots=True)
class SentenceVectors:
    """The sentence vectors of one generation: a FAISS index and each clause's sentences.

    ``owner`` maps a vector's FAISS id to its clause (only clauses the index holds for
    their current text, see :meth:`index.search.Searcher._indexed_ids`); ``by_text``
    maps a sentence to one vector id, so the gate reads a stored vector by its text.
    """

    index: DenseIndex
    texts: dict[str, list[str]]
    owner: dict[int, str] = field(default_factory=dict)
    by_text: dict[str, int] = field(default_factory=dict)

    @classmethod
    def empty(cls, dim: int) -> SentenceVectors:
        """No sentences yet, in the current storage format."""
        return cls(DenseIndex.empty(dim, half=True), {})

    @property
    def format(self) -> int:
        """Storage format of the loaded vectors (1: float32, 2: float16)."""
        return FORMAT if self.index.half else 1

    @property
    def dtype(self) -> str:
        return "float16" if self.index.half else "float32"

    @classmethod
    def load(cls, gen: Path, indexed: Iterable[str] | None = None) -> SentenceVectors | None:
        """The generation's sentence vectors, or None when it has none (an older build,
        or one whose sentence phase has not run)."""
        vec_file, text_file = gen / VECTORS_FILE, gen / TEXTS_FILE
        if not vec_file.exists() or not text_file.exists():
            return None
        try:
            texts = json.loads(text_file.read_text(encoding="utf-8"))
            if not isinstance(texts, dict) or not all(
                isinstance(v, list) and all(isinstance(t, str) for t in v) for v in texts.values()
            ):
                raise ValueError("not a clause → sentences map")
            index = DenseIndex.load(vec_file)
        except (OSError, RuntimeError, ValueError) as exc:
            detail = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
            raise IndexCorrupt(
                f"句子向量文件损坏：{gen}（{detail}）；请重建：python -m index build --rebuild"
            ) from exc
        if index.ntotal != sum(len(v) for v in texts.values()):
            raise IndexCorrupt(
                f"句子向量数 {index.ntotal} 与句子数不一致：{gen}；请重建：python -m index build --rebuild"
            )
        keep = set(texts) if indexed is None else set(indexed)
        out = cls(index, texts)
        for cid, ss in texts.items():
            if cid not in keep:
                continue
            for j, text in enumerate(ss):
                fid = faiss_id(sentence_key(cid, j))
                out.owner[fid] = cid
                out.by_text.setdefault(text, fid)
        return out

    @classmethod
    def load_or_none(
        cls, gen: Path, indexed: Iterable[str] | None = None
    ) -> SentenceVectors | None:
        """:meth:`load`, with damaged files only a warning: everything works without
        sentence vectors (the refusal gate embeds at query time, no sentence retrieval,
        and the next build embeds them again from the cache)."""
        try:
            return cls.load(gen, indexed)
        except IndexCorrupt as exc:
            log.warning("%s", exc)
            return None

    def save(self, gen: Path) -> None:
        from ingest.atomic import write_text_atomic

        self.index.save(gen / VECTORS_FILE)
        write_text_atomic(gen / TEXTS_FILE, json.dumps(self.texts, ensure_ascii=False))

    def lookup(self, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """Stored vectors of ``texts`` by position (texts never stored are absent)."""
        found = [(i, self.by_text[t]) for i, t in enumerate(texts) if t in self.by_text]
        if not found:
            return {}
        vecs = self.index.vectors(np.fromiter((f for _, f in found), dtype=np.int64))
        return {i: vecs[k] for k, (i, _) in enumerate(found)}

    def best_per_clause(
        self, query: np.ndarray, depth: int, allowed: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """Clauses by the cosine of their best sentence to ``query``, best first (at most
        ``depth``); ``allowed``: only these clause ids."""
        allowed_ids = None
        if allowed is not None:
            cids = [c for c in allowed if c in self.texts]
            allowed_ids = sentence_ids(cids, [len(self.texts[c]) for c in cids])
        best: dict[str, float] = {}
        for fid, score in self.index.search(query, depth * 4, allowed_ids):
            cid = self.owner.get(fid)
            if cid is not None and score > best.get(cid, -2.0):
                best[cid] = score
        return sorted(best.items(), key=lambda kv: -kv[1])[:depth]


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """``vectors`` as format :data:`FORMAT` stores them (float16 values, held as float32):
    what another backend must store to give the gate and the reranker the same inputs."""
    return np.asarray(vectors, dtype=np.float32).astype(np.float16).astype(np.float32)

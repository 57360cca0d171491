"""Retrievers and ranking stages as plain functions, composed into search pipelines.

A *retriever* turns a :class:`Context` (snapshot, embedder, parsed query) into a ranking
``[(clause_id, score, route)]``, best first; a *stage* turns a ranking into another one.
A pipeline is a retriever followed by stages (:func:`compose`); the ablations of the
evaluation are just other compositions (:data:`PIPELINES`):

========================  =============================================================
``dense``                 FAISS cosine over every embedded window (a clause scores as
                          its best window)
``bm25``                  jieba/bm25s over heading path and body
``hybrid``                reciprocal rank fusion of the two (:func:`index.fusion.rrf`,
                          k0 = :data:`index.fusion.HYBRID_K0`)
``hybrid+exact``          hybrid, fused with hybrid run inside the documents the
                          question names or points at (:func:`scoped`), the drafting element asked of a
                          pointed-at document leads (:func:`element_first`), then the
                          clauses it names come first (:func:`exact_first`) — the default
``hybrid+sentence``       dense, BM25 and :func:`sentence` (a clause scores as its best
                          stored sentence) fused, then the same stages — measured, not
                          the default
``hybrid+feedback``       ``hybrid+exact`` with pseudo-relevance feedback (:func:`feedback`:
                          the query vector moved toward the first hits, searched inside
                          their documents) for questions whose words the knowledge base
                          lacks — measured, not the default
========================  =============================================================

Every pipeline ends with :func:`distinct`: a clause held in two copies of one standard
(a PDF and its transcription, :mod:`grammar.copies`) is one hit, at the better rank.

The context remembers every clause's dense and BM25 score met on the way, so the final
hits carry both (the refusal gate and the reranker read them).
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from grammar.copies import same_clause
from grammar.schema import Clause
from index.adapter import QueryAdapter
from index.bm25 import BM25Index
from index.embedders import Embedder
from index.feedback import SHARE, TERMS, feedback_weights
from index.fusion import HYBRID_K0, K0, rrf
from index.query import SearchQuery
from index.sections import descendants, element_sections
from index.snapshot import Snapshot
from index.tokenize import tokenize

log = logging.getLogger(__name__)

CANDIDATES = 50  # per retriever, before fusion
Scored = tuple[str, float, str]  # clause id, score, route
Ranking = list[Scored]
Retriever = Callable[["Context"], Ranking]
Stage = Callable[["Context", Ranking], Ranking]
Pipeline = Callable[["Context"], Ranking]


class QueryVectors:
    """A small LRU of query embeddings: the evaluation asks each question under several
    pipelines, the app re-runs a question after a settings change, and one query
    embedding costs more than the rest of a search."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> np.ndarray | None:
        with self._lock:
            vec = self._data.get(text)
            if vec is not None:
                self._data.move_to_end(text)
            return vec

    def put(self, text: str, vec: np.ndarray) -> None:
        with self._lock:
            self._data[text] = vec
            self._data.move_to_end(text)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


@dataclass(slots=True)
class Context:
    """One search in progress: what it reads and what the retrievers learnt."""

    snap: Snapshot
    embedder: Embedder
    query: SearchQuery
    k: int = 10
    allowed: set[str] | None = None  # doc ids a filtered search may return
    weights: tuple[float, float] = (1.0, 1.0)  # (dense, bm25) in fusion
    dense_scores: dict[str, float] = field(default_factory=dict)
    bm25_scores: dict[str, float] = field(default_factory=dict)
    query_cache: QueryVectors | None = None
    # The linear query adapter of the embedder (index.adapter), applied where the query
    # vector is made; None: the embedder's own vector.
    adapter: QueryAdapter | None = None
    _qvec: np.ndarray | None = None

    @property
    def depth(self) -> int:
        return max(CANDIDATES, 3 * self.k)

    def qvec(self) -> np.ndarray:
        """The query embedding (computed once per search), through the query adapter when
        there is one — every route that reads a query vector reads this one."""
        if self._qvec is None:
            topic = self.query.topic
            cached = self.query_cache.get(topic) if self.query_cache is not None else None
            if cached is None:
                cached = self.embedder.embed_queries([topic])[0]
                if self.adapter is not None:
                    cached = self.adapter.apply(cached)
                if self.query_cache is not None:
                    self.query_cache.put(topic, cached)
            self._qvec = cached
        return self._qvec

    def fill_dense(self, clause_ids: list[str]) -> None:
        """Cosine scores for clauses no dense search returned (a BM25-only or exact hit),
        read from their stored vectors."""
        snap = self.snap
        missing = [
            c
            for c in clause_ids
            if c not in self.dense_scores
            and c in snap.clauses
            and (snap.indexed is None or c in snap.indexed)
        ]
        if missing and snap.remote is not None:
            self.dense_scores.update(snap.remote.best_window_scores(missing, self.qvec()))
            return
        if not missing or not snap.dense.ntotal:
            return
        vids, owner = snap.vector_ids(missing)
        try:
            sims = snap.dense.vectors(vids) @ self.qvec()
        except RuntimeError:  # vector missing (index older than store): leave None
            log.debug("some vectors missing for dense scores")
            return
        for i, sim in zip(owner, sims.tolist(), strict=True):
            if sim > self.dense_scores.get(missing[i], -2.0):
                self.dense_scores[missing[i]] = sim


# ------------------------------------------------------------------ retrievers
def dense(ctx: Context) -> Ranking:
    """Nearest clauses by cosine of the query embedding (best window per clause)."""
    snap = ctx.snap
    if snap.remote is not None:
        ranked = snap.remote.dense(ctx.qvec(), ctx.depth, ctx.allowed)
        ctx.dense_scores.update(ranked)
        return [(cid, s, "dense") for cid, s in ranked]
    ranked = _nearest_clauses(snap, ctx.qvec(), ctx.depth, ctx.allowed)
    ctx.dense_scores.update(ranked)
    return [(cid, s, "dense") for cid, s in ranked]


def _nearest_clauses(
    snap: Snapshot, qvec: np.ndarray, depth: int, docs: set[str] | None
) -> list[tuple[str, float]]:
    """The ``depth`` clauses nearest ``qvec`` in the local FAISS index, each by its best
    window, only inside ``docs`` when given."""
    allowed_ids = None
    if docs is not None:
        allowed_ids, _ = snap.vector_ids(
            [c.clause_id for d in docs for c in snap.by_doc.get(d, [])]
        )
    best: dict[str, float] = {}
    for fid, score in snap.dense.search(qvec, depth * 2, allowed_ids):
        c = snap.by_fid.get(fid)
        if c is not None and score > best.get(c.clause_id, -2.0):
            best[c.clause_id] = score
    return sorted(best.items(), key=lambda kv: -kv[1])[:depth]


def _rows_in(snap: Snapshot, docs: set[str]) -> np.ndarray:
    """Per BM25 row, whether its clause belongs to one of ``docs`` (a search's mask)."""
    return np.fromiter(
        (c is not None and c.doc_id in docs for c in snap.bm25_rows),
        dtype=bool,
        count=len(snap.bm25_rows),
    )


def bm25(ctx: Context) -> Ranking:
    """Best clauses by BM25 over the tokenised topic."""
    snap = ctx.snap
    if snap.remote is not None:
        ranked = snap.remote.sparse(tokenize(ctx.query.topic), ctx.depth, ctx.allowed)
        ctx.bm25_scores.update(ranked)
        return [(cid, s, "bm25") for cid, s in ranked]
    mask = None if ctx.allowed is None else _rows_in(snap, ctx.allowed)
    out: Ranking = []
    for row, score in snap.bm25.top(tokenize(ctx.query.topic), ctx.depth, mask):
        c = snap.bm25_rows[row]
        if c is not None:
            out.append((c.clause_id, score, "bm25"))
            ctx.bm25_scores[c.clause_id] = score
    return out


def sentence(ctx: Context) -> Ranking:
    """Clauses by the cosine of their best-matching sentence (:mod:`index.sentences`): a
    lay question matches one sentence of a long clause better than the clause's single
    vector.  Nothing when the generation stores no (complete) sentence vectors, or on
    Qdrant, which does not store them."""
    snap = ctx.snap
    sents = snap.sentences
    if sents is None or snap.remote is not None:
        return []
    if not (snap.meta.get("sentences") or {}).get("complete"):
        return []  # a partial set would favour the clauses that have sentences
    allowed = None
    if ctx.allowed is not None:
        allowed = [c.clause_id for d in ctx.allowed for c in snap.by_doc.get(d, [])]
    ranked = sents.best_per_clause(ctx.qvec(), ctx.depth, allowed)
    return [(cid, s, "sentence") for cid, s in ranked]


def fused(*retrievers: Retriever, route: str = "hybrid", k0: int = HYBRID_K0) -> Retriever:
    """A retriever fusing others by RRF, weighted by ``ctx.weights`` (one per retriever;
    a retriever whose weight is 0 is not run at all), with the rank constant ``k0``
    (:data:`index.fusion.HYBRID_K0`: a clause one retriever ranks near the top is not
    buried under clauses both rank mid-list)."""

    def run(ctx: Context) -> Ranking:
        weights = list(ctx.weights) + [1.0] * (len(retrievers) - len(ctx.weights))
        lists = [
            [cid for cid, _, _ in r(ctx)] if w > 0 else []
            for r, w in zip(retrievers, weights, strict=False)
        ]
        return [(cid, s, route) for cid, s in rrf(lists, weights[: len(lists)], k0=k0)]

    return run


_local_hybrid: Retriever = fused(dense, bm25)


def hybrid(ctx: Context) -> Ranking:
    """Dense and BM25 fused by RRF.  On Qdrant, one request does both retrievals and the
    fusion in the engine (same k, same weights, same ranking as :func:`fused`); the BM25
    scores are then read by a second request, the BM25 retrieval alone, so the hits carry
    the BM25 score exactly where they do on FAISS (a clause found only by dense search has
    none: the reranker and the gate read that)."""
    remote = ctx.snap.remote
    if remote is None or min(ctx.weights) <= 0:
        return _local_hybrid(ctx)
    tokens = tokenize(ctx.query.topic)
    ranked = remote.hybrid(
        ctx.qvec(), tokens, ctx.depth, ctx.allowed, weights=ctx.weights, depth=ctx.depth
    )
    ctx.bm25_scores.update(remote.sparse(tokens, ctx.depth, ctx.allowed))
    return [(cid, s, "hybrid") for cid, s in ranked]


# ------------------------------------------------------------------ stages
MAX_SCOPED = 3  # documents a question may point at and still get a search of their own


def _pointed(ctx: Context) -> tuple[str, ...]:
    """The documents the question names or points at, when they are a few of the
    knowledge base (within the search's filter)."""
    wanted = tuple(d for d in ctx.query.preferred if ctx.allowed is None or d in ctx.allowed)
    if not wanted or len(wanted) > MAX_SCOPED or len(wanted) >= len(ctx.snap.docs):
        return ()
    return wanted


def scoped(retriever: Retriever) -> Stage:
    """A stage: ``retriever`` run again inside the documents the question names or points
    at, fused with the ranking so far.

    "GB/T 28181—2022 的前言……", "定级指南的术语条目……": the whole-base search ranks a sibling
    standard's near-identical clause above the named document's own, and lifting the
    named document's clauses within that ranking can only lift what it returned.  Searching the
    named documents alone finds their best clauses however the others score; fused (RRF)
    with the whole-base ranking, they fill the top while clauses of other documents keep
    their place behind them (a question comparing documents still sees both)."""

    def run(ctx: Context, ranked: Ranking) -> Ranking:
        wanted = _pointed(ctx)
        if not wanted:
            return ranked
        ctx.qvec()  # computed once, shared with the inner search
        inner = replace(ctx, allowed=set(wanted))
        inside = [cid for cid, _, _ in retriever(inner)]
        route = {cid: r for cid, _, r in ranked}
        ids = [cid for cid, _, _ in ranked]
        return [(cid, s, route.get(cid, "scoped")) for cid, s in rrf([ids, inside], (1.0, 1.0))]

    return run


FEEDBACK_HITS = 3  # first-pass hits whose words and documents the feedback search reads


def _feedback_lexical(
    ctx: Context, rows: list[int], docs: set[str], terms: int, share: float
) -> list[str]:
    """BM25 inside ``docs`` with the question's words plus the feedback clauses'
    distinctive ones (:func:`index.feedback.feedback_weights`)."""
    snap = ctx.snap
    mask = _rows_in(snap, docs)
    own = snap.bm25.columns(tokenize(ctx.query.topic))
    weights = feedback_weights(snap.bm25, rows, own, mask, terms=terms, share=share)
    best = BM25Index.best(snap.bm25.weighted_scores(weights), ctx.depth, mask)
    return [c.clause_id for r, _ in best if (c := snap.bm25_rows[r]) is not None]


def _feedback_vector(ctx: Context, top: list[str], docs: set[str], beta: float) -> list[str]:
    """Dense search inside ``docs`` with the query vector moved toward the feedback
    clauses' centroid (Rocchio): q + beta · mean of their vectors (a clause's windows
    averaged first)."""
    snap = ctx.snap
    vids, owner = snap.vector_ids(top)
    try:
        vecs = snap.dense.vectors(vids)
    except RuntimeError:  # vector missing (index older than store)
        return []
    per = np.zeros((len(top), vecs.shape[1]), dtype=np.float32)
    np.add.at(per, np.asarray(owner), vecs)
    per /= np.maximum(np.linalg.norm(per, axis=1, keepdims=True), 1e-9)
    q = ctx.qvec() + beta * per.mean(axis=0)
    q = (q / max(float(np.linalg.norm(q)), 1e-9)).astype(np.float32)
    return [cid for cid, _ in _nearest_clauses(snap, q, ctx.depth, docs)]


def feedback(
    *,
    hits: int = FEEDBACK_HITS,
    lexical: bool = True,
    vector: bool = False,
    terms: int = TERMS,
    share: float = SHARE,
    beta: float = 0.5,
    k0: int = K0,
    min_gap: float = 0.0,
) -> Stage:
    """A stage: pseudo-relevance feedback (:mod:`index.feedback`) from the ranking's first
    ``hits`` clauses, searched inside their documents and fused (RRF, ``k0``) with the
    ranking so far.

    ``lexical``: BM25 with the question's words plus the feedback clauses' distinctive
    words — the words a lay question lacks.  ``vector``: dense search with the query
    vector moved toward the feedback clauses (Rocchio, ``beta``).  Inside the documents
    the first hits point at, the borrowed words choose among one document's clauses; the
    rest of the knowledge base keeps its place behind them, as for :func:`scoped`.
    ``min_gap``: run only when at least that share of the question's BM25 words is held
    by no clause of the knowledge base (lay wording: 0.57 of a sample lay question's
    words on average, 0.09–0.15 of the other types'); a question in the standards' own
    words needs no borrowed ones, and feedback on it only adds drift.
    Nothing happens on Qdrant (no stored term weights to borrow from) or when a filter
    leaves no document.

    Measured on the dev splits, not the default (docs/evaluation-history.md "Lay questions, session 10"):
    with the reranker it moved pooled R@1 by at most ±3 questions of 657 and did not
    carry over to the test splits."""

    def run(ctx: Context, ranked: Ranking) -> Ranking:
        snap = ctx.snap
        if snap.remote is not None or not ranked:
            return ranked
        top = [cid for cid, _, _ in ranked[:hits] if cid in snap.clauses]
        docs = {snap.clauses[cid].doc_id for cid in top}
        if ctx.allowed is not None:
            docs &= ctx.allowed
        if not docs:
            return ranked
        if min_gap > 0:
            tokens = set(tokenize(ctx.query.topic))
            held = set(snap.bm25.columns(list(tokens)))
            if not tokens or 1 - len(held) / len(tokens) < min_gap:
                return ranked
        lists = [[cid for cid, _, _ in ranked]]
        if lexical:
            rows = [r for cid in top if (r := snap.bm25.row(cid)) is not None]
            lists.append(_feedback_lexical(ctx, rows, docs, terms, share))
        if vector and snap.dense.ntotal:
            lists.append(_feedback_vector(ctx, top, docs, beta))
        route = {cid: r for cid, _, r in ranked}
        return [(cid, s, route.get(cid, "feedback")) for cid, s in rrf(lists, k0=k0)]

    return run


_NUMBERED = re.compile(r"[A-Za-z0-9]")


def element_first(ctx: Context, ranked: Ranking) -> Ranking:
    """The drafting element asked of a named document leads: "GB/T 28181—2022 的前言……",
    "测评过程指南的范围一章……" → that document's 前言 / 范围 section, then the rest of the
    section's clauses in the current order, then everything else.

    Like the exact route, this answers a question that points at a part of a document;
    the element is read from the plan (``query.focus``: the element's names) and the
    section found by its heading (:func:`index.sections.element_sections`).  Of the
    section, the clause the search ranks best leads ("……里“有效投诉”是怎么定义的" → the
    entry 3.3 of 术语和定义, not the chapter).  A question that names a clause ("附录A",
    "8.6 条") is the exact route's; a question pointing at no document is left alone (the
    rules *about* 范围 in a drafting guide should win "范围一章怎么写", not every
    standard's own 范围)."""
    wanted = _pointed(ctx)
    if not wanted or not ctx.query.focus or ctx.query.refs:
        return ranked
    snap = ctx.snap
    asked = [n for n in ctx.query.focus if n in ctx.query.text]
    # A name that carries a number ("附录A", "注1", "表1") is one instance of an element a
    # document holds several of, given as an example of the vocabulary: "SL 651 的条文说明
    # 放在哪个附录里？" asks which annex, and leading with 附录A (the one the alias
    # happens to spell) answered every such question with the first annex.
    names = tuple(n for n in ctx.query.focus if not _NUMBERED.search(n))
    pos = {cid: i for i, (cid, _, _) in enumerate(ranked)}
    titles = {d.doc_id: d.title for d in snap.docs}
    sections: list[list[str]] = []  # per document: the section and its subtree
    for d in wanted:
        # "社区居家养老服务规范里……" points at the document by its title; the title's
        # 服务规范 is not the element asked.
        if any(n in titles.get(d, "") for n in asked):
            continue
        found = element_sections(snap.by_doc.get(d, []), names, snap.children)
        # A document's own element is a chapter ("1 范围", "3 术语和定义") or unnumbered
        # ("前言", "附录A").  A heading deeper down ("8.5 范围", "5.4.2 悬置段") is a
        # drafting guide's rules about the element: there the question may mean either,
        # and the ranking decides.
        if any("." in c.clause_no for c in found):
            continue
        found.sort(key=lambda c: (pos.get(c.clause_id, len(pos)), c.seq))
        for head in found[:1]:
            members = [head.clause_id]
            members += [c.clause_id for c in descendants(snap.children, head.clause_id)]
            sections.append(members)
    if not sections:
        return ranked
    leads = [min(m, key=lambda cid: pos.get(cid, len(pos))) for m in sections]
    leads.sort(key=lambda cid: pos.get(cid, len(pos)))
    top = ranked[0][1] if ranked else 1.0
    lead = [(cid, top + (len(leads) - i) * 1e-3, "exact") for i, cid in enumerate(leads)]
    inside = {cid for m in sections for cid in m}
    members = [item for item in ranked if item[0] in inside and item[0] not in leads]
    rest = [item for item in ranked if item[0] not in inside]
    return lead + members + rest


def exact_matches(ctx: Context) -> tuple[list[str], bool]:
    """Clause ids the query names, and whether some reference named no document.

    A reference without a document ("第三条讲了什么") matches in many documents; the
    caller then promotes only the best-ranked match, so the exact route never floods the
    results with every document's "第三条"."""
    snap = ctx.snap
    named: list[str] = []
    unnamed = False
    if snap.remote is not None:
        return _remote_exact_matches(ctx)
    hinted = _pointed(ctx) if ctx.query.named is None else ()
    for ref in ctx.query.refs:
        # "沈阳评审专家信用标准的附录A": no code, but a title pointed at — that document's
        # annex, not the best-ranked annex A of any document.
        docs = (hinted or tuple(snap.by_doc)) if ref.doc_ids is None else ref.doc_ids
        for d in docs:
            if ctx.allowed is not None and d not in ctx.allowed:
                continue
            same = [c for c in snap.by_doc.get(d, []) if c.clause_no in ref.clause_nos]
            # A 目次 line or a lost body leaves an empty heading with the same number: the
            # clause with text (or the section with children) is the one meant.
            full = [c for c in same if c.text.strip() or snap.children.get(c.clause_id)]
            for c in (full or same)[:1]:
                if c.clause_id not in named:
                    named.append(c.clause_id)
        unnamed = unnamed or (ref.doc_ids is None and not hinted)
    return named, unnamed


def _remote_exact_matches(ctx: Context) -> tuple[list[str], bool]:
    """:func:`exact_matches` as payload-filtered scrolls (doc_id + clause_no) on Qdrant:
    the first clause of each document carrying a named number."""
    snap = ctx.snap
    assert snap.remote is not None
    named: list[str] = []
    unnamed = False
    hinted = _pointed(ctx) if ctx.query.named is None else ()
    for ref in ctx.query.refs:
        docs = (list(hinted) or None) if ref.doc_ids is None else list(ref.doc_ids)
        if ctx.allowed is not None:
            docs = [d for d in (docs if docs is not None else ctx.allowed) if d in ctx.allowed]
        first: dict[str, Clause] = {}
        for cid in snap.remote.lookup(docs, list(ref.clause_nos)):
            c = snap.clauses.get(cid)
            if c is not None and (c.doc_id not in first or c.seq < first[c.doc_id].seq):
                first[c.doc_id] = c
        order = list(snap.by_doc) if docs is None else docs
        for d in order:
            c = first.get(d)
            if c is not None and c.clause_id not in named:
                named.append(c.clause_id)
        unnamed = unnamed or (ref.doc_ids is None and not hinted)
    return named, unnamed


def exact_first(ctx: Context, ranked: Ranking) -> Ranking:
    """Clauses the question names ("8.6 条", "第三条") lead, in the current order."""
    ids, unnamed = exact_matches(ctx)
    if not ids:
        return ranked
    top = ranked[0][1] if ranked else 1.0
    pos = {cid: i for i, (cid, _, _) in enumerate(ranked)}
    ids.sort(key=lambda cid: pos.get(cid, len(pos)))
    if unnamed and len(ids) > 1:
        ids = ids[:1]  # no document named: only the likeliest one
    lead = [(cid, top + (len(ids) - i) * 1e-3, "exact") for i, cid in enumerate(ids)]
    chosen = set(ids)
    return lead + [item for item in ranked if item[0] not in chosen]


def distinct(ctx: Context, ranked: Ranking) -> Ranking:
    """One hit per clause: a clause also held in a copy of its standard (same edition, same
    number, near-identical text — :func:`grammar.copies.same_clause`) keeps only its
    best-ranked hit.

    A knowledge base holding a standard as a PDF and as a Markdown transcription would
    otherwise show "GB/T 28181—2016 6.1.1" twice, spend two of the k slots and two
    citations on it.  The stage runs on the whole candidate list, before the cut to k, so
    the freed slots go to the next clauses.  Windows of a long clause are separate hits
    unless they hold the same stretch of text."""
    groups = ctx.snap.copies
    if not groups:
        return ranked
    clauses = ctx.snap.clauses
    kept: Ranking = []
    seen: dict[tuple[frozenset[str], str], list[Clause]] = {}
    for item in ranked:
        c = clauses.get(item[0])
        if c is None or c.doc_id not in groups:
            kept.append(item)
            continue
        earlier = seen.setdefault((groups[c.doc_id], c.clause_no), [])
        if any(same_clause(e, c, groups) for e in earlier):
            continue
        earlier.append(c)
        kept.append(item)
    return kept


def compose(retriever: Retriever, *stages: Stage) -> Pipeline:
    """A pipeline: ``retriever`` then each stage in turn."""

    def run(ctx: Context) -> Ranking:
        ranked = retriever(ctx)
        for stage in stages:
            ranked = stage(ctx, ranked)
        return ranked

    return run


def pipeline_for(mode: str, *, exact: bool) -> Pipeline:
    """The composition behind ``Searcher.search(mode=…, exact=…)``."""
    base = {"dense": dense, "bm25": bm25, "hybrid": hybrid}[mode]
    if not exact:
        return compose(base, distinct)
    return compose(base, scoped(base), element_first, exact_first, distinct)


_with_sentences: Retriever = fused(dense, bm25, sentence)

PIPELINES: dict[str, Pipeline] = {
    "dense": compose(dense, distinct),
    "bm25": compose(bm25, distinct),
    "hybrid": compose(hybrid, distinct),
    "hybrid+exact": compose(hybrid, scoped(hybrid), element_first, exact_first, distinct),
    # Measured, not the default (docs/evaluation-history.md "Sentence vectors"): RRF of dense, BM25 and the
    # best-sentence retriever, then the same stages.
    "hybrid+sentence": compose(
        _with_sentences, scoped(_with_sentences), element_first, exact_first, distinct
    ),
    # Measured, not the default (docs/evaluation-history.md "Lay questions, session 10"): Rocchio feedback
    # inside the first hits' documents, for questions with a lexical gap.
    "hybrid+feedback": compose(
        hybrid,
        scoped(hybrid),
        feedback(lexical=False, vector=True, min_gap=0.3),
        element_first,
        exact_first,
        distinct,
    ),
}

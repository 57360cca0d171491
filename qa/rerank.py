"""Rerank retrieved clauses with what the domain tells us — no model download needed.

Hybrid retrieval ranks by two scores that both miss things a drafter takes for granted:
the clause *titled* with the element asked about governs it; an empty heading or a
reference list is not an answer; a clause both retrievers agree on is likelier than one
only BM25 found.  :class:`LinearReranker` scores each candidate with such features
(:data:`FEATURES`) combined by a logistic regression trained on the question sets with
leave-one-set-out cross-validation (``python -m eval.train_rerank``); its weights live in
``qa/rerank.json`` (a few hundred bytes).

A user with a cross-encoder (``STDQA_RERANKER=BAAI/bge-reranker-base`` or a local path)
gets :class:`CrossEncoderReranker` instead; sentence-transformers is then required.
A user with a Chinese bi-encoder on disk (``STDQA_ZH_SCORER``, :mod:`qa.zh_scorer`) gets
:class:`ZhLinearReranker`: the same linear model with that model's rank of each candidate
as one more feature (weights ``qa/rerank_zh.json``).

Clauses reached by the exact route ("8.6 条") keep their place at the top: the user named
them — except a heading that stands for its subtree ("附录E", "第7章"), named to say where
to look, when the ranking's best other clause lies under it (:func:`yielding`).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np

from grammar.families.annex import asks_annex_status
from grammar.numbering import halfwidth
from grammar.schema import AnnexType, Clause, ClauseKind
from index.sections import is_empty, is_section, lies_under
from index.sentences import clause_sentences
from qa.elements import governs, is_instance
from qa.gate import NEAR_SENTENCE, asked_attribute, idf_coverage, topic_grams
from qa.plan import QueryPlan
from qa.quantities import asked_type, asked_units, states_unit
from qa.relevance import content_grams, coverage
from qa.slots import asked_slot, asks_action
from qa.usable import unusable

log = logging.getLogger(__name__)

WEIGHTS_FILE = Path(__file__).with_name("rerank.json")
# The linear model fitted with the optional second scorer's feature (qa.zh_scorer).
ZH_WEIGHTS_FILE = Path(__file__).with_name("rerank_zh.json")
ENV = "STDQA_RERANKER"
DEPTH = 20  # candidates the reranker sees

FEATURES: tuple[str, ...] = (
    "inv_rank",  # 1 / fused rank
    "fused_rel",  # fused score / best fused score
    "dense_rel",  # cosine minus the best cosine among candidates
    "bm25_rel",  # BM25 / best BM25 (0 when BM25 did not find it)
    "bm25_found",  # BM25 found it (with dense: both retrievers agree)
    "cover",  # share of the question's content bigrams in heading path + text
    "title_cover",  # ... in the heading path and title alone
    "focus_title",  # the asked element names the clause's title (1) or its parent (0.5)
    "governs",  # the clause governs the asked element (qa.elements.governs)
    "instance",  # the clause *is* that element of some standard (an example)
    "section",  # a heading standing for its children
    "unusable",  # reference list, 目次, cover, empty heading
    "named_doc",  # in a document the question names (or points at by title / number)
    "term",  # a terminology entry
    "info_annex",  # in an informative annex (资料性: examples, 条文说明) — one that quotes
    #                or illustrates a body clause; a normative annex binds like the body
    "length",  # log length of the text
    "own_cover_rel",  # wording coverage of the clause's own heading path + text (no
    #                   document title: the same for every clause of a document) minus
    #                   the best candidate's
    "asked_attr",  # the asked attribute ("有效期是多久" → 有效期) in the title or text
    # --- which clause *says* it (RerankInputs; each falls back when an input is missing)
    "sent_rel",  # best sentence's cosine to the question minus the best candidate's
    "sent_near",  # holds a sentence within NEAR_SENTENCE of the best sentence of all
    "type_stated",  # the kind of value asked (period, sum, quantity…) stated in its
    #                 best-matching sentences (0 when no value is asked)
    "idf_rel",  # topic words weighted by rarity in the knowledge base, in its own heading
    #             path + text, minus the best candidate's
    "sent_idf",  # the same weighted coverage of its single best sentence (lexical)
    "path_idf",  # ... of its heading path and title alone (no document title)
    "unit_stated",  # the question asks a count in a unit ("抽几卷", "多少转") and the text
    #                 states a number in that unit ("抽取三卷", "≥ 1500 转")
    # --- choosing among one document's clauses (session 9)
    "doc_idf",  # topic words weighted by rarity *within the clause's own document*, in its
    #             heading path + text: the words every clause of a document shares (its
    #             subject) tell its clauses apart poorly (qa.doc_frequency)
    "lay_dense",  # dense_rel × the question's lexical gap (1 − the best candidate's
    #               cover): when no candidate holds the question's words (lay wording),
    #               what the clause means weighs more than what it shares
    # --- does the clause fill what is asked, or restate its topic (session 10)
    "slot_any",  # the question asks a slot (qa.slots.asked_slot: a value, a body, a
    #              standard, a grade) and a sentence of the clause fills it
    "slot_cover",  # best topic coverage (weighted within its document) of its headings
    #                plus one sentence that fills the slot
    "slot_near",  # best cosine of a slot-filling sentence minus the best sentence of all
    #               candidates (-0.1 when none fills it; 0 for all when no slot is asked)
    "action_stated",  # the question asks what to do / what happens (怎么办, 如何处理,
    #                   会怎样…) and one of its best-matching sentences states a duty
    #                   or permission (应, 不得, 宜, 可以…)
    "title_echo",  # share of the clause text's bigrams found in its document's title:
    #                a clause that restates the subject (title block, purpose, scope,
    #                the subject's own term entry) answers no particular question
    # --- what the clause is about, apart from what it says (session 16)
    "path_dense",  # cosine of the question to the clause's heading path and title alone
    #                (heading_text) minus the best candidate's; 0 for all without it
)

# Feature groups for the ablation (``python -m eval.train_rerank --without-group``).
GROUPS: dict[str, tuple[str, ...]] = {
    "retrieval": ("inv_rank", "fused_rel", "dense_rel", "bm25_rel", "bm25_found"),
    "wording": ("cover", "title_cover", "own_cover_rel", "asked_attr"),
    "element": ("focus_title", "governs", "instance"),
    "kind": ("section", "unusable", "named_doc", "term", "info_annex", "length"),
    "sentence": ("sent_rel", "sent_near"),
    "value_type": ("type_stated", "unit_stated"),
    "rarity": ("idf_rel", "sent_idf", "path_idf"),
    "document": ("doc_idf",),
    "lay": ("lay_dense",),
    "slot": ("slot_any", "slot_cover", "slot_near", "action_stated"),
    "echo": ("title_echo",),
    "heading": ("path_dense",),
}
T = TypeVar("T")
TYPE_SENTENCES = 2  # a candidate's best-matching sentences read for the value asked


@dataclass(slots=True)
class RerankInputs:
    """What the features read beyond the hits; built by :func:`rerank_inputs`.

    ``topic``: the question's content bigrams without the names of the documents it
    names (a title is in every clause of its document and tells none apart).
    ``sentence_sims``: per hit, its sentences with their cosine to the question
    (:class:`qa.gate_inputs.SentenceScorer`); None without an embedder, an empty row for a
    hit without sentences (both: that hit reads its clause cosine instead).
    ``df``/``n``: in how many of the knowledge base's ``n`` clauses each bigram occurs
    (:class:`qa.gate_inputs.BigramFrequency`); ``n == 0``: unweighted coverage instead.
    ``doc_counts``: per candidate, the same counts over its own document's clauses
    (:class:`qa.doc_frequency.DocumentFrequency`); None: ``doc_idf`` reads the base's.
    ``sentence_sims`` and ``doc_counts`` of another length than the hits are a caller's
    bug too (:func:`check_per_hit` raises ValueError; they fell back per hit silently).
    ``path_sims``: per hit, the question's cosine to its :func:`heading_text`; None:
    ``path_dense`` is 0 for every hit (a list of another length than the hits is a
    caller's bug: :func:`features` raises ValueError).
    """

    topic: frozenset[str] = frozenset()
    sentence_sims: Sequence[Sequence[tuple[str, float]]] | None = None
    df: Mapping[str, int] = field(default_factory=dict)
    n: int = 0
    doc_counts: Sequence[tuple[Mapping[str, int], int]] | None = None
    path_sims: Sequence[float] | None = None

    def for_hits(self, keep: Sequence[int]) -> RerankInputs:
        """The same inputs for the hits at ``keep`` only: every per-hit field follows its
        hits, so a subset of candidates (the exact-route hits left out) is scored with
        its own values.  One place for it, because a per-hit field missed here silently
        zeroes its feature (``path_dense`` was, whenever an exact-route hit was present)."""

        def pick(values: Sequence[T] | None) -> list[T] | None:
            return None if values is None else [values[i] for i in keep]

        return replace(
            self,
            sentence_sims=pick(self.sentence_sims),
            doc_counts=pick(self.doc_counts),
            path_sims=pick(self.path_sims),
        )


def check_per_hit(inputs: RerankInputs, hits: int) -> None:
    """Raise ValueError unless each per-hit list of ``inputs`` read by the sentence and
    slot features (``sentence_sims``, ``doc_counts``) holds one entry per hit.  A list of
    another length is a caller's bug (the inputs of other hits, or of a subset not taken
    with :meth:`RerankInputs.for_hits`); reading ``i < len(...)`` gave the missing hits
    the fallback value and hid it.  None (no embedder, no counts) and an empty row (a hit
    without sentences) stay the documented fallbacks."""
    for name, values in (
        ("sentence_sims", inputs.sentence_sims),
        ("doc_counts", inputs.doc_counts),
    ):
        if values is not None and len(values) != hits:
            raise ValueError(f"{name} has {len(values)} values for {hits} hits")


class HitLike(Protocol):
    clause: Clause
    score: float
    dense_score: float | None
    route: str


def _title_text(c: Clause) -> str:
    return " ".join([*(h.title for h in c.heading_path), c.clause_title])


def own_path(c: Clause) -> list[str]:
    """The clause's heading titles and its own title, without the document title (which
    every clause of a document shares, so it cannot tell two of them apart)."""
    return [*(h.title for h in c.heading_path), c.clause_title]


def own_text(c: Clause, kids: Sequence[Clause] = ()) -> str:
    """What a clause's own wording is measured on (``own_cover_rel``, ``idf_rel``,
    ``doc_idf``): its :func:`own_path`, its text and its children's headings — no document
    title, which every candidate of a document shares."""
    return " ".join([*own_path(c), c.text] + [k.heading for k in kids])


def heading_text(c: Clause) -> str:
    """What a clause is *about*, embedded apart from what it says: its heading path and
    title (:func:`own_path`), or its document title when it has none.  A clause is
    embedded as one passage, so its cosine mixes the two; a lay question describes a
    situation in other words than the clause's, and its nearest sibling often *says*
    something closer while the gold's headings name the activity the situation is
    about (and the other way round) — the model weighs the two signals separately."""
    return " ".join(own_path(c)).strip() or c.doc_title


_SPACE = re.compile(r"\s+")


def flat(text: str) -> str:
    """``text`` without whitespace, for comparing wording: PDF and OCR text puts spaces
    between Chinese characters ("型 式 检 验"), which would hide every bigram it holds."""
    return _SPACE.sub("", text)


def _cover(grams: set[str], text: str) -> float:
    """:func:`qa.relevance.coverage` of the whitespace-free text."""
    return coverage(grams, flat(text))


def _weighted(topic: frozenset[str], text: str, inputs: RerankInputs) -> float:
    """Rarity-weighted coverage of the topic (plain coverage without word counts), on the
    whitespace-free text."""
    if inputs.n:
        return idf_coverage(set(topic), flat(text), inputs.df, inputs.n)
    return coverage(set(topic), flat(text))


def sentence_features(
    plan: QueryPlan,
    hits: Sequence[HitLike],
    children: Sequence[Sequence[Clause]],
    inputs: RerankInputs,
) -> list[list[float]]:
    """Per hit: sent_rel, sent_near, type_stated, idf_rel, sent_idf, path_idf, doc_idf.

    Why sentences: siblings in one document share their heading path and most of their
    wording, and a clause is embedded as one passage; the one that *says* what is asked
    holds the single sentence closest to the question, the value kind asked ("多久" → a
    period) in that sentence, and the question's rare words.  Without sentence cosines
    the clause cosine stands in, and the lexically best sentence is read for the value."""
    check_per_hit(inputs, len(hits))
    topic = inputs.topic or plan.grams
    sims = inputs.sentence_sims
    kind = asked_type(plan.question)
    best_s: list[float | None] = []
    near_texts: list[list[str]] = []
    lex_best: list[float] = []
    for i, h in enumerate(hits):
        kids = children[i] if i < len(children) else ()
        per = list(sims[i]) if sims is not None and sims[i] else []
        if per:
            ranked = sorted(per, key=lambda st: -st[1])
            best_s.append(ranked[0][1])
            near_texts.append([t for t, _ in ranked[:TYPE_SENTENCES]])
            sents = [t for t, _ in per]
        else:
            best_s.append(h.dense_score)
            sents = clause_sentences(h.clause, kids)
            by_words = sorted(sents, key=lambda t: -_weighted(topic, t, inputs))
            near_texts.append(by_words[:TYPE_SENTENCES])
        lex_best.append(max((_weighted(topic, t, inputs) for t in sents), default=0.0))
    known = [b for b in best_s if b is not None]
    top_s = max(known, default=0.0)
    texts = [
        own_text(h.clause, children[i] if i < len(children) else ()) for i, h in enumerate(hits)
    ]
    own = [_weighted(topic, t, inputs) for t in texts]
    best_own = max(own, default=0.0)
    counts = inputs.doc_counts
    in_doc = [
        idf_coverage(set(topic), flat(t), *counts[i]) if counts is not None else own[i]
        for i, t in enumerate(texts)
    ]
    rows = []
    for i, h in enumerate(hits):
        b = best_s[i]
        stated = 0.0
        if kind is not None:
            stated = float(any(kind[1].search(halfwidth(flat(t))) for t in near_texts[i]))
        rows.append(
            [
                (b - top_s) if b is not None else -0.1,
                1.0 if b is not None and b >= top_s - NEAR_SENTENCE else 0.0,
                stated,
                own[i] - best_own,
                lex_best[i],
                _weighted(topic, " ".join(own_path(h.clause)), inputs),
                in_doc[i],
            ]
        )
    return rows


# A question asking what to do (:func:`qa.slots.asks_action`) is answered by a duty,
# prohibition, recommendation or permission (GB/T 1.1's 应/不应/宜/可, and the wording of
# regulations and guides: 须, 不得, 禁止, 要).
STATES_ACTION = re.compile(r"应|须|不得|宜|禁止|严禁|不应|可以|要")


def _sentences_of(
    hits: Sequence[HitLike], children: Sequence[Sequence[Clause]], inputs: RerankInputs
) -> list[list[tuple[str, float]]]:
    """Per hit, its sentences with their cosine to the question (without sentence
    cosines: its sentences, each with the clause cosine).  ``inputs`` checked by the
    caller (:func:`check_per_hit`)."""
    sims = inputs.sentence_sims
    out = []
    for i, h in enumerate(hits):
        per = list(sims[i]) if sims is not None and sims[i] else []
        if not per:
            kids = children[i] if i < len(children) else ()
            per = [(t, h.dense_score or 0.0) for t in clause_sentences(h.clause, kids)]
        out.append(per)
    return out


def slot_features(
    plan: QueryPlan,
    hits: Sequence[HitLike],
    children: Sequence[Sequence[Clause]],
    inputs: RerankInputs,
) -> list[list[float]]:
    """Per hit: slot_any, slot_cover, slot_near, action_stated, title_echo.

    Why: most near misses lose to another clause of the *same* document — the subject's
    term entry, the purpose or scope clause, a general clause — which matches the
    question's topic as broadly as the answer does, or more.  What tells the answer apart
    is that it *fills what is asked*: a sentence stating a value, a body, a standard or a
    grade of the asked kind (:func:`qa.slots.asked_slot`) together with the topic, or, for
    "what to do" questions, a duty or permission.  A clause whose words are mostly its
    document's title restates the subject and answers no particular question."""
    check_per_hit(inputs, len(hits))
    topic = set(inputs.topic or plan.grams)
    slot = asked_slot(plan.question)
    action = asks_action(plan.question)
    per = _sentences_of(hits, children, inputs)
    top = max((c for ss in per for _, c in ss), default=0.0)
    counts = inputs.doc_counts
    rows = []
    for i, h in enumerate(hits):
        c = h.clause
        any_fill = cover = 0.0
        near = 0.0
        if slot is not None:
            near = -0.1
            heads = " ".join(own_path(c))
            fill = [(t, cos) for t, cos in per[i] if slot.fills(t)]
            if fill:
                any_fill = 1.0
                near = max(cos for _, cos in fill) - top
                for t, _ in fill:
                    text = flat(f"{heads} {t}")
                    if counts is not None:
                        cover = max(cover, idf_coverage(topic, text, *counts[i]))
                    else:
                        cover = max(cover, coverage(topic, text))
        best = [t for t, _ in sorted(per[i], key=lambda tc: -tc[1])[:TYPE_SENTENCES]]
        acts = 1.0 if action and any(STATES_ACTION.search(t) for t in best) else 0.0
        grams = content_grams(flat(c.text))
        title = content_grams(c.doc_title)
        echo = len(grams & title) / len(grams) if grams else 1.0
        rows.append([any_fill, cover, near, acts, echo])
    return rows


def rerank_inputs(
    plan: QueryPlan,
    hits: Sequence[HitLike],
    children: Sequence[Sequence[Clause]],
    *,
    sentences: Any | None = None,
    frequency: Any | None = None,
    documents: Sequence[Any] = (),
    doc_frequency: Callable[[str], tuple[Mapping[str, int], int]] | None = None,
) -> RerankInputs:
    """The :class:`RerankInputs` of a candidate list: the topic without named documents'
    titles, each candidate's sentence cosines (``sentences``: a
    :class:`qa.gate_inputs.SentenceScorer`), the knowledge base's word counts
    (``frequency``: a :class:`qa.gate_inputs.BigramFrequency` for this searcher) and each
    candidate's document's (``doc_frequency``: from
    :meth:`qa.doc_frequency.DocumentFrequency.for_searcher`)."""
    topic = frozenset(topic_grams(plan.question, documents, plan.search.preferred) or plan.grams)
    sims = None
    if sentences is not None and any(h.dense_score is not None for h in hits):
        sims = sentences.score(plan.question, hits, children, depth=len(hits))
    df: Mapping[str, int] = {}
    n = 0
    if frequency is not None and getattr(frequency, "n", 0):
        df, n = frequency.df, frequency.n
    doc_counts = None
    if doc_frequency is not None:
        doc_counts = [doc_frequency(h.clause.doc_id) for h in hits]
    paths = None
    if sims is not None and hasattr(sentences, "text_scores"):
        paths = sentences.text_scores(plan.question, [heading_text(h.clause) for h in hits])
    return RerankInputs(
        topic=topic, sentence_sims=sims, df=df, n=n, doc_counts=doc_counts, path_sims=paths
    )


def features(
    plan: QueryPlan,
    hits: Sequence[HitLike],
    children: Sequence[Sequence[Clause]],
    inputs: RerankInputs | None = None,
) -> np.ndarray:
    """One row of :data:`FEATURES` per hit (``inputs``: see :class:`RerankInputs`;
    without them the sentence and rarity features read the clause cosine and plain
    coverage)."""
    extra = sentence_features(plan, hits, children, inputs or RerankInputs())
    slots = slot_features(plan, hits, children, inputs or RerankInputs())
    grams = set(plan.grams)
    top = max((h.score for h in hits), default=1.0) or 1.0
    dense = [h.dense_score for h in hits if h.dense_score is not None]
    best_dense = max(dense, default=0.0)
    bm = [getattr(h, "bm25_score", None) or 0.0 for h in hits]
    best_bm = max(bm, default=0.0) or 1.0
    focus = plan.search.focus
    named = set(plan.search.preferred)
    asked = asked_attribute(plan.question)
    units = asked_units(plan.question, by_attribute=False, counting=True)
    own = [
        _cover(grams, own_text(h.clause, children[i] if i < len(children) else ()))
        for i, h in enumerate(hits)
    ]
    best_own = max(own, default=0.0)
    hays = [
        " ".join(
            [h.clause.doc_title, *h.clause.path_labels(), h.clause.text]
            + [k.heading for k in (children[i] if i < len(children) else ())]
        )
        for i, h in enumerate(hits)
    ]
    # The question's lexical gap: how little of its wording the best candidate holds.
    lay_gap = 1.0 - max((_cover(grams, t) for t in hays), default=0.0)
    paths = inputs.path_sims if inputs is not None else None
    if paths is None:
        path_dense = [0.0] * len(hits)
    elif len(paths) != len(hits):
        # Zeroing the feature here hid a caller's bug once (session 17, RerankInputs.for_hits).
        raise ValueError(f"path_sims has {len(paths)} values for {len(hits)} hits")
    else:
        best_path = max(paths, default=0.0)
        path_dense = [p - best_path for p in paths]
    rows = []
    for i, h in enumerate(hits):
        c = h.clause
        kids = children[i] if i < len(children) else ()
        hay = hays[i]
        own_title = re.sub(r"\s", "", c.clause_title)
        parent = re.sub(r"\s", "", c.heading_path[-1].title) if c.heading_path else ""
        focus_title = 0.0
        if focus and any(f in own_title for f in focus):
            focus_title = 1.0
        elif focus and any(f in parent for f in focus):
            focus_title = 0.5
        el = plan.element
        rows.append(
            [
                1.0 / (i + 1),
                h.score / top,
                (h.dense_score - best_dense) if h.dense_score is not None else -0.1,
                bm[i] / best_bm,
                1.0 if getattr(h, "bm25_score", None) is not None else 0.0,
                _cover(grams, hay),
                _cover(grams, _title_text(c)),
                focus_title,
                1.0 if el is not None and governs(c, el) else 0.0,
                1.0 if el is not None and is_instance(c, el) else 0.0,
                1.0 if kids else 0.0,
                1.0 if unusable(c, el, section=bool(kids)) else 0.0,
                1.0 if c.doc_id in named else 0.0,
                1.0 if c.kind == ClauseKind.TERM else 0.0,
                1.0 if c.annex_type == AnnexType.INFORMATIVE else 0.0,
                math.log1p(len(c.text)) / 8.0,
                own[i] - best_own,
                _cover(asked, f"{_title_text(c)} {c.text}") if asked else 0.0,
                *extra[i][:6],
                1.0 if units and states_unit(units, c.text) else 0.0,
                extra[i][6],
                lay_gap * ((h.dense_score - best_dense) if h.dense_score is not None else -0.1),
                *slots[i],
                path_dense[i],
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(len(hits), len(FEATURES))


def feature_rows(
    plan: QueryPlan,
    hits: Sequence[HitLike],
    children: Sequence[Sequence[Clause]],
    inputs: RerankInputs | None = None,
    scorer: Any = None,
) -> np.ndarray:
    """The linear model's input rows, one per hit: :data:`FEATURES`, followed by the
    optional second scorer's rank column (:mod:`qa.zh_scorer`) when ``scorer`` is given.
    The trainer (:func:`eval.train_rerank.collect`) and the reranker build their rows
    here, so what is fitted is what is scored."""
    x = features(plan, hits, children, inputs)
    if scorer is None:
        return x
    return np.column_stack([x, scorer.column(plan.text, [h.clause for h in hits], children)])


@dataclass(slots=True, frozen=True)
class LinearReranker:
    """Logistic-regression scores over standardised :data:`FEATURES` (and the second
    scorer's column when ``scorer`` is set, see :class:`ZhLinearReranker`)."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    name: str = "linear"
    needs_inputs: bool = True  # reads RerankInputs (sentence cosines, word counts)
    scorer: Any = None  # qa.zh_scorer.ZhScorer: one more column (ZhLinearReranker)

    @classmethod
    def load(
        cls, path: Path = WEIGHTS_FILE, features: tuple[str, ...] = FEATURES
    ) -> LinearReranker | None:
        """The stored model, or None when missing or made for other features."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if tuple(data.get("features", ())) != features:
            log.warning("%s was trained on other features; reranking off", path)
            return None
        return cls(
            tuple(data["weights"]),
            float(data["bias"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
        )

    def scores(self, x: np.ndarray) -> np.ndarray:
        z = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return z @ np.asarray(self.weights) + self.bias

    def order(
        self,
        plan: QueryPlan,
        hits: Sequence[HitLike],
        children: Sequence[Sequence[Clause]],
        inputs: RerankInputs | None = None,
    ) -> list[int]:
        return self.scored_order(plan, hits, children, inputs)[0]

    def scored_order(
        self,
        plan: QueryPlan,
        hits: Sequence[HitLike],
        children: Sequence[Sequence[Clause]],
        inputs: RerankInputs | None = None,
    ) -> tuple[list[int], np.ndarray]:
        """:meth:`order`, with each hit's score (by its position in ``hits``)."""
        s = self.scores(feature_rows(plan, hits, children, inputs, self.scorer))
        return sorted(range(len(hits)), key=lambda i: (-s[i], i)), s


@dataclass(frozen=True)
class ZhLinearReranker(LinearReranker):
    """The linear model over :data:`FEATURES` plus the second scorer's rank feature
    (:mod:`qa.zh_scorer`), weights from ``qa/rerank_zh.json``.  A subclass, so
    :func:`rerank` still reports its scores to the refusal gate."""

    name: str = "linear+zh"

    @classmethod
    def with_scorer(cls, scorer: Any, path: Path | None = None) -> LinearReranker | None:
        """The model with ``scorer`` attached (weights from ``path``, by default
        ``qa/rerank_zh.json``); None when the weights are missing or were fitted on other
        features."""
        from qa.zh_scorer import FEATURE

        base = LinearReranker.load(path or ZH_WEIGHTS_FILE, (*FEATURES, FEATURE))
        if base is None:
            return None
        return cls(base.weights, base.bias, base.mean, base.scale, scorer=scorer)


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder the user named (``STDQA_RERANKER``)."""

    def __init__(self, model: str) -> None:
        try:
            from sentence_transformers import CrossEncoder
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError(
                f"{ENV}={model} 需要 sentence-transformers：pip install sentence-transformers"
            ) from exc
        from index.embedders import hub_offline, load_failure

        offline = hub_offline()  # weights from disk only: no hub at run time
        try:
            self._model: Any = CrossEncoder(model, local_files_only=offline)
        except Exception as exc:
            raise RuntimeError(
                f"无法加载重排模型 {model!r}：{load_failure(model, offline, exc)}；"
                f"请给出本地模型目录，或不设置 {ENV}"
            ) from exc
        self.name = model
        self.needs_inputs = False

    def order(
        self,
        plan: QueryPlan,
        hits: Sequence[HitLike],
        children: Sequence[Sequence[Clause]],
        inputs: RerankInputs | None = None,
    ) -> list[int]:
        pairs = []
        for i, h in enumerate(hits):
            c = h.clause
            kids = children[i] if i < len(children) else ()
            text = c.text or "；".join(k.heading for k in kids)
            pairs.append((plan.text, f"{' > '.join(c.path_labels())}\n{text}"[:512]))
        s = np.asarray(self._model.predict(pairs), dtype=np.float64).reshape(-1)
        return sorted(range(len(hits)), key=lambda i: (-s[i], i))


class Reranker(Protocol):
    name: str

    def order(
        self,
        plan: QueryPlan,
        hits: Sequence[HitLike],
        children: Sequence[Sequence[Clause]],
        inputs: RerankInputs | None = None,
    ) -> list[int]: ...


def default_reranker() -> Reranker | None:
    """The user's cross-encoder when ``STDQA_RERANKER`` names one; else the linear model
    with the second scorer's feature when ``STDQA_ZH_SCORER`` names a model and
    ``qa/rerank_zh.json`` fits the features; else the stored linear model (None when it
    is missing)."""
    name = os.environ.get(ENV, "").strip()
    if name:
        return CrossEncoderReranker(name)
    from qa.zh_scorer import configured

    scorer = configured()
    if scorer is not None:
        model = ZhLinearReranker.with_scorer(scorer)
        if model is not None:
            return model
        log.warning("%s does not fit the features; the second scorer is off", ZH_WEIGHTS_FILE)
    return LinearReranker.load()


def yielding(
    plan: QueryPlan, hits: Sequence[HitLike], children: Sequence[Sequence[Clause]]
) -> dict[int, frozenset[int]]:
    """Exact-route hits that may give up the top to a clause under them, each with the
    indices of its descendants among ``hits``; deepest headings first.

    "SL 651—2014 附录E 中，风向按几个方位编码？" names 附录E to say *where* to look: the
    annex heading has no text of its own (it stands for its subtree, index.sections) and
    answers nothing the question asks; the clause under it that says it (E.1.2.5) does.
    Pinned first, the heading outranked that clause in every such question (session 18:
    19 of 23 dev questions whose first hit was an empty heading; the other four asked the
    annex's status).  A heading that has text of its own keeps its pin (the named clause
    "6.6.1" *is* the answer), and so does an annex heading when the question asks whether
    it is normative or informative: only the heading states that
    (:func:`grammar.families.annex.asks_annex_status`)."""
    if asks_annex_status(plan.question):
        return {}
    out: dict[int, frozenset[int]] = {}
    for i, h in enumerate(hits):
        c = h.clause
        kids = children[i] if i < len(children) else ()
        if h.route != "exact" or not (c.is_section or is_section(c, kids) or is_empty(c)):
            continue
        below = frozenset(j for j, o in enumerate(hits) if j != i and lies_under(o.clause, c))
        if below:
            out[i] = below
    return dict(sorted(out.items(), key=lambda kv: -len(hits[kv[0]].clause.heading_path)))


@dataclass(frozen=True, slots=True)
class Settled:
    """The final order of the hits (:func:`settle`) and how many of its first places are
    exact-route hits that keep the top: the user named them, and whatever promotes
    clauses later (:func:`qa.parts.promote`) must leave them there."""

    order: list[int]
    pinned: int


def settle(
    exact: Sequence[int], ranked: Sequence[int], yields: Mapping[int, frozenset[int]]
) -> Settled:
    """The final order: exact-route hits (``exact``, in their order) first, then
    ``ranked`` — except that a heading of ``yields`` (:func:`yielding`, deepest first)
    whose descendant is among the pinned hits or is the best of ``ranked`` follows its
    first such descendant instead of leading.  When the ranking's best clause lies
    elsewhere, the heading keeps its pin: the user named it, and nothing under it is
    judged a better answer.

    Every heading of ``yields`` must be one of ``exact`` (:func:`yielding` only returns
    exact-route hits) and ``ranked`` must hold none of them: a ValueError says a caller
    mixed the two lists up, which would otherwise place a hit twice or drop it.

    ``pinned`` counts the first places of the order held by exact-route hits: the pinned
    ones and a heading that follows a pinned clause under it (it still stands above every
    ranked hit)."""
    if not yields.keys() <= set(exact) or not set(exact).isdisjoint(ranked):
        raise ValueError("settle: a yielding heading is not an exact-route hit, or is ranked")
    head = [i for i in exact if i not in yields]
    moved: list[int] = []
    for s, below in yields.items():
        if any(j in below for j in [*head, *ranked[:1]]):
            moved.append(s)
        else:
            head = [i for i in exact if i in head or i == s]
    order = head + list(ranked)
    pinned = len(head)
    for s in reversed(moved):  # shallowest first: a deeper heading then lands nearer
        at = next(k for k, j in enumerate(order) if j in yields[s])
        order.insert(at + 1, s)
        if at < pinned:  # it follows a pinned clause: still above every ranked hit
            pinned += 1
    return Settled(order, pinned)


def rerank(
    reranker: Reranker,
    plan: QueryPlan,
    hits: Sequence[HitLike],
    children: Sequence[Sequence[Clause]],
    inputs: RerankInputs | None = None,
    scores_out: list[float] | None = None,
    pinned_out: list[int] | None = None,
) -> list[int]:
    """New order of ``hits`` (indices): exact-route hits first as they were, then the rest
    as the reranker orders them (a named heading may follow a clause under it:
    :func:`settle`).  ``scores_out`` (when given) receives, in the new order,
    each hit's score from the linear model (NaN for exact-route hits, and for every hit
    when the reranker gives no comparable score, e.g. a cross-encoder).  ``pinned_out``
    (when given) receives the hits (indices) that keep the top, in order
    (:attr:`Settled.pinned`): what a later promotion must not pass."""
    exact = [i for i, h in enumerate(hits) if h.route == "exact"]
    rest = [i for i in range(len(hits)) if hits[i].route != "exact"]
    yields = yielding(plan, hits, children)
    scored: dict[int, float] = {}
    if len(rest) < 2:
        settled = settle(exact, rest, yields)
    else:
        # Per-hit inputs follow the hits they describe (the exact-route hits left out).
        sub_inputs = None if inputs is None else inputs.for_hits(rest)
        sub_hits = [hits[i] for i in rest]
        sub_children = [children[i] for i in rest]
        if isinstance(reranker, LinearReranker):
            sub, s = reranker.scored_order(plan, sub_hits, sub_children, sub_inputs)
            scored = {rest[j]: float(s[j]) for j in range(len(rest))}
        else:
            sub = reranker.order(plan, sub_hits, sub_children, sub_inputs)
        settled = settle(exact, [rest[j] for j in sub], yields)
    order = settled.order
    if scores_out is not None:
        scores_out.extend(scored.get(i, math.nan) for i in order)
    if pinned_out is not None:
        pinned_out.extend(order[: settled.pinned])
    return order


def near_best(scores: Sequence[float], i: int, margin: float) -> bool:
    """Is hit ``i``'s reranker score within ``margin`` of the best score?  True when
    the scores are unknown (no linear reranker, an exact-route hit): nothing to judge by."""
    if i >= len(scores) or math.isnan(scores[i]):
        return True
    known = [v for v in scores if not math.isnan(v)]
    return scores[i] >= max(known) - margin


def renumber(hits: Sequence[Any], order: Sequence[int]) -> list[Any]:
    """``hits`` in ``order`` with ranks 1..n (index.search.Hit is a dataclass)."""
    out = []
    for rank, i in enumerate(order, start=1):
        h = hits[i]
        try:
            out.append(replace(h, rank=rank))
        except TypeError:  # not a dataclass (a test double): keep it as it is
            out.append(h)
    return out

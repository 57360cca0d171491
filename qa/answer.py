"""Retrieve, decide whether to answer, answer (extractively or with an LLM), verify.

One pipeline for the CLI, the app and the evaluation, so that what eval measures is what
users get.  The steps:

1. **Query.**  A follow-up ("那它的格式呢？") borrows the previous question's words; a
   question about a drafting element ("范围一章怎么写？") is expanded with that element's
   vocabulary so the clauses that govern it are retrieved.
2. **Retrieve** with the hybrid searcher (exact clause route included).
3. **Refuse** when the best clause is not about the question (dense score *and* wording
   overlap below the calibrated policy): "知识库中未找到相关条款".
4. **Answer** from the evidence: quoted extractively, or written by an LLM told to cite.
5. **Verify** every citation against the clauses retrieved for this question; invalid
   ones are removed from the text and reported.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

from grammar.schema import Clause
from index.retrievers import pipeline_for
from index.sections import is_section, lies_under
from qa.citations import Citation, verify_citations
from qa.doc_frequency import DocumentFrequency, DocumentText
from qa.elements import Element, governs, illustrates
from qa.extractive import Evidence, compose_answer
from qa.gate import ItemOf, gate_features, item_of, topic_grams
from qa.gate_inputs import BigramFrequency, SentenceScorer
from qa.parts import part_leads, promote, reorder
from qa.plan import QueryPlan, make_plan, merge_follow_up
from qa.quantities import asks_list_count
from qa.relevance import RelevancePolicy, absent_documents, coverage, held_grams
from qa.rerank import (
    DEPTH,
    HitLike,
    Reranker,
    default_reranker,
    near_best,
    renumber,
    rerank,
    rerank_inputs,
)
from qa.support import DROPPED, REFUSAL, Statement, SupportReport, check_answer
from qa.usable import unusable

if TYPE_CHECKING:  # langchain_core costs ~0.3 s to import: only the LLM route needs it
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

__all__ = ["REFUSAL", "AnswerResult", "Answerer", "retrieval_query"]
# Which retrieved clause leads the answer: the one among the first LEAD_POOL hits sharing
# most of the question's wording, minus LEAD_HANDICAP per rank (tuned on the eval sets).
LEAD_POOL = 5
# Heads an LLM-mode answer whose model reply had no statement the clauses support, so the
# clauses are quoted instead (the reader must know no model wrote this).
FALLBACK_NOTE = "（模型的回答未通过条款核对，以下为相关条款原文。）"
LEAD_HANDICAP = 0.05
Mode = Literal["extractive", "llm"]


class SearcherLike(Protocol):
    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", **kwargs: Any
    ) -> Sequence[HitLike]: ...


@dataclass(slots=True)
class AnswerResult:
    """Everything about one answered question; ``to_json`` is the public contract of
    ``python -m qa --json``."""

    question: str
    answer: str
    citations: list[Citation]
    refused: bool
    mode: Mode
    invalid_citations: list[str] = field(default_factory=list)
    element: str | None = None
    query: str = ""
    retrieved: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    relevance: float | None = None  # refusal gate score of the best of the top three hits
    absent_documents: list[str] = field(default_factory=list)  # why refused, if so
    # What the refusal gate saw (qa.gate.GATE_FEATURES); eval stores it to calibrate.
    gate_features: dict[str, float | None] | None = None
    # LLM mode: the verdict on each statement of the model's raw answer (qa/support.py),
    # and how the prompt was fitted to the context window.
    support: SupportReport | None = None
    prompt_budget: dict[str, object] = field(default_factory=dict)
    # LLM mode: the model's reply before checking and the ids of the clauses it was shown,
    # so eval can re-score stored replies with newer checking code (``--llm-replay``).
    raw_answer: str | None = None
    shown_ids: list[str] = field(default_factory=list)
    prompt_sha1: str | None = None
    # LLM mode: "extractive" when no statement of the model's reply survived the check and
    # the clauses were quoted instead (see Answerer.llm_fallback).
    fallback: str | None = None

    def to_json(self, *, include_retrieved: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "question": self.question,
            "answer": self.answer,
            "citations": [c.to_json() for c in self.citations],
            "refused": self.refused,
            "mode": self.mode,
            "invalid_citations": self.invalid_citations,
            "element": self.element,
            "query": self.query,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "relevance": None if self.relevance is None else round(self.relevance, 5),
            "absent_documents": self.absent_documents,
            "error": None,
        }
        if self.support is not None:
            out["statements"] = [s.to_json() for s in self.support.statements]
            out["dropped_statements"] = [s.to_json() for s in self.support.dropped]
            out["prompt_budget"] = self.prompt_budget
        if self.raw_answer is not None:
            out["raw_answer"] = self.raw_answer
        if self.mode == "llm":
            out["fallback"] = self.fallback
        if include_retrieved:
            out["retrieved"] = [c.to_json() for c in self.retrieved]
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AnswerResult:
        """Inverse of :meth:`to_json`, for a saved conversation: what the answer showed
        (text, cards, removed citations and statements) comes back; the statements'
        clause objects do not (their labels are kept as text in ``to_json``)."""
        support = None
        if "statements" in d:
            statements = [
                Statement(
                    text=str(s.get("text", "")),
                    status=str(s.get("status", "unsupported")),
                    cited=list(s.get("cited_by_model") or []),
                    overlap=float(s.get("overlap") or 0.0),
                    reasons=list(s.get("reasons") or []),
                )
                for s in d.get("statements") or []
                if isinstance(s, dict)
            ]
            support = SupportReport(
                text=str(d.get("answer", "")),
                refused=bool(d.get("refused", False)),
                statements=statements,
                citations=[],
                invalid=list(d.get("invalid_citations") or []),
            )
        relevance = d.get("relevance")
        return cls(
            question=str(d.get("question", "")),
            answer=str(d.get("answer", "")),
            citations=[
                Citation.from_json(c) for c in d.get("citations") or [] if isinstance(c, dict)
            ],
            refused=bool(d.get("refused", False)),
            mode="llm" if d.get("mode") == "llm" else "extractive",
            invalid_citations=[str(x) for x in d.get("invalid_citations") or []],
            element=d.get("element") or None,
            query=str(d.get("query") or ""),
            timings_ms=dict(d.get("timings_ms") or {}),
            relevance=float(relevance) if isinstance(relevance, (int, float)) else None,
            absent_documents=[str(x) for x in d.get("absent_documents") or []],
            support=support,
            prompt_budget=dict(d.get("prompt_budget") or {}),
            raw_answer=d.get("raw_answer") if isinstance(d.get("raw_answer"), str) else None,
            fallback=d.get("fallback") if isinstance(d.get("fallback"), str) else None,
        )


def retrieval_query(question: str, history: Sequence[tuple[str, str]]) -> str:
    """The text to search with (kept for callers of the old name; see
    :func:`qa.plan.merge_follow_up`)."""
    return merge_follow_up(question, history)


@dataclass(slots=True)
class _Plan:
    """The query plan plus what retrieval returned for it."""

    plan: QueryPlan
    hits: list[HitLike]
    covers: list[float]
    children: list[list[Clause]] = field(default_factory=list)
    reranked: bool = False
    scores: list[float] = field(default_factory=list)  # reranker score per hit (NaN: none)
    leads: list[str] = field(default_factory=list)  # each part's best clause (qa.parts)
    relevance: float | None = None  # the refusal gate's score (best of the top three)
    absent: list[str] = field(default_factory=list)  # named documents not in the KB
    gate_features: dict[str, float | None] | None = None  # qa.gate features of the usable hits

    @property
    def query(self) -> str:
        return self.plan.search.topic

    @property
    def element(self) -> Element | None:
        return self.plan.element

    @property
    def how_to(self) -> bool:
        return self.plan.how_to


class Answerer:
    """Answer drafting questions from one knowledge base."""

    def __init__(
        self,
        searcher: SearcherLike,
        *,
        mode: Mode = "extractive",
        chat_model: BaseChatModel | None = None,
        k: int = 10,
        max_evidence: int = 4,
        search_mode: str = "hybrid",
        weights: tuple[float, float] = (1.0, 1.0),
        policy: RelevancePolicy | None = None,
        reranker: Reranker | str | None = "auto",
        llm_fallback: bool = True,
    ) -> None:
        if mode == "llm" and chat_model is None:
            raise ValueError("LLM mode needs a chat model (qa.llm.make_chat_model)")
        self.searcher = searcher
        self.mode: Mode = mode
        self.chat_model = chat_model
        self.k = k
        self.max_evidence = max_evidence
        self.llm_fallback = llm_fallback
        self.search_mode = search_mode
        self.weights = weights
        if policy is None:
            embedder = getattr(searcher, "embedder", None)
            policy = RelevancePolicy.for_model(embedder.name) if embedder else RelevancePolicy()
        self.policy = policy
        # "auto": the user's cross-encoder (STDQA_RERANKER) or the stored linear model.
        self.reranker: Reranker | None = (
            default_reranker() if reranker == "auto" else reranker  # type: ignore[assignment]
        )
        # What the refusal gate reads beyond the hits (qa.gate_inputs).
        self._sentences = SentenceScorer.for_searcher(searcher)
        self._frequency = BigramFrequency()
        self._doc_text = DocumentText()

    # ------------------------------------------------------------ retrieval
    def _plan(
        self, question: str, history: Sequence[tuple[str, str]], filters: Any | None
    ) -> _Plan:
        plan = make_plan(question, history, self._documents())
        scores: list[float] = []
        leads: list[str] = []
        hits, children = retrieve(
            self.searcher,
            plan,
            self.k,
            pipeline_for(self.search_mode, exact=True),
            self.reranker,
            filters=filters,
            weights=self.weights,
            mode=self.search_mode,
            sentences=self._sentences,
            frequency=self._frequency,
            scores_out=scores,
            leads_out=leads,
        )
        covers = [
            coverage(set(plan.grams), _haystack(h.clause, kids))
            for h, kids in zip(hits, children, strict=True)
        ]
        return _Plan(
            plan,
            hits,
            covers,
            children,
            reranked=self.reranker is not None,
            scores=scores,
            leads=leads,
        )

    def _evidence(self, plan: _Plan, question: str) -> list[Evidence]:
        """The clauses to answer from, the lead first; empty means refuse."""
        element = plan.element
        # Reference lists, 目次, cover matter and empty headings are never evidence for a
        # content question; they do not count for the refusal gate either.
        keep = [
            i
            for i, h in enumerate(plan.hits)
            if unusable(h.clause, element, section=bool(plan.children[i])) is None
        ]
        if not keep:
            return []
        hits = [plan.hits[i] for i in keep]
        scores = [plan.scores[i] for i in keep] if len(plan.scores) == len(plan.hits) else []
        covers = [plan.covers[i] for i in keep]
        kids = [plan.children[i] for i in keep]
        governing = [element is not None and governs(h.clause, element) for h in hits]
        preferred = plan.plan.search.preferred
        topic = topic_grams(plan.plan.question, self._documents(), preferred) or set(
            plan.plan.grams
        )
        # A named document the knowledge base lacks is a refusal whatever the gate says;
        # checked first, so the gate's records (eval, calibration) never depend on it.
        top_text = " ".join(h.clause.text + h.clause.doc_title for h in hits[:3])
        nos = [h.clause.clause_no for h in hits[:3]]
        if missing := absent_documents(
            question, self._documents(), top_text, nos, named=plan.plan.named
        ):
            log.info("question names documents not in the knowledge base: %s", missing)
            plan.absent = missing
        sims = (
            self._sentences.score(plan.plan.question, hits, kids)
            if self._sentences is not None and any(h.dense_score is not None for h in hits[:3])
            else None
        )
        feats = gate_features(
            plan.plan.question,
            topic,
            hits,
            kids,
            governing,
            preferred,
            self._documents(),
            sentence_sims=sims,
            frequency=self._frequency.for_searcher(self.searcher),
            element=plan.plan.element,
            document_text=self._doc_text.for_searcher(self.searcher),
            lists=list_items(self.searcher, plan.plan.question, hits[:3]),
        )
        plan.gate_features = feats
        if plan.absent:
            return []
        exact_top = any(h.route == "exact" for h in hits[:3])
        model = self.policy.fitted_gate()
        # Keyword-only retrieval (the dense index still building) has no cosine: the
        # fitted gate needs one, the rules judge by wording alone.
        dense_known = any(h.dense_score is not None for h in hits[:3])
        if model is not None and feats is not None and dense_known:
            # The fitted gate: P(answerable) from what the top clauses contain.
            plan.relevance = 1.0 if exact_top else model.probability(feats)
            top_ok = exact_top or plan.relevance >= model.threshold
        else:
            gates = [
                1.0 if h.route == "exact" else self.policy.gate(h.dense_score, cov, gov)
                for h, cov, gov in zip(hits[:3], covers[:3], governing[:3], strict=False)
            ]
            plan.relevance = max((g for g in gates if g is not None), default=None)
            top_ok = any(
                # A clause that governs the element asked about ("范围一章怎么写？" → the
                # guide's clause on writing 范围) is on topic even when the wording differs.
                self.policy.accepts(h.dense_score, cov, exact=h.route == "exact", governing=gov)
                for h, cov, gov in zip(hits[:3], covers[:3], governing[:3], strict=False)
            )
        if not top_ok:
            return []
        best_dense = max((h.dense_score or 0.0) for h in hits[:3])
        lead = lead_index(hits, covers, reranked=plan.reranked)
        order = [lead, *(i for i in range(len(hits)) if i != lead)]
        # "范围一章怎么写？" asks about the whole element: every clause governing it helps.
        # "没有术语时术语和定义一章写什么？" asks one thing about it: cite what matches.
        general = plan.plan.general
        lead_cov = covers[lead]
        named_clause = any(r.doc_ids for r in plan.plan.search.refs)
        # The lead is the clause named, or a clause under the heading named (lead_index).
        yielded = yielded_headings(hits, lead)
        led_by_name = hits[lead].route == "exact" or bool(yielded)
        chosen: list[Evidence] = []
        inside: set[str] = set()  # clauses already shown as a chosen section's children
        grams = set(plan.plan.grams)
        said: set[str] = set()  # question wording the chosen clauses already cover
        for i in order:
            h, cov, gov = hits[i], covers[i], governing[i]
            if h.clause.clause_id in inside or i in yielded:
                continue
            example = element is not None and illustrates(h.clause, element, gov, preferred)
            # A section (whose coverage counts all its children) joins only as the lead,
            # named, or when the whole element is asked about — never as a side remark.
            side = not kids[i] and self.policy.also_cite(h.dense_score, best_dense, cov, lead_cov)
            # "标准化法第二条讲了什么": the clause named is the answer; a side remark from
            # another clause only dilutes it.
            # A reference without a document ("第2章怎么写") may mean any document's: keep them.
            side = side and not (led_by_name and named_clause)
            # A side clause must answer a part of the question the clauses already chosen
            # leave open ("执行率和及时率分别…" → one clause each); a sibling repeating the
            # lead's wording only dilutes the answer.  An example of the element asked
            # about ("示例——1 范围") illustrates rather than repeats.
            side = side and (example or adds_wording(grams, h.clause, kids[i], said))
            # ... and the reranker must find it nearly as likely an answer as the best
            # clause: holding one more question word is cheap for a loosely related
            # clause (another standard's 第2章, a sibling's 注), and every side citation
            # that does not answer halves the answer's precision.
            # An example of the element asked about illustrates the governing clauses;
            # it is not judged as an answer.
            side = side and (example or near_best(scores, i, SIDE_MARGIN))
            # A clause governing the element asked about as a whole joins too — unless the
            # reranker puts it as far below as a side citation may not be ("注里面可以写要求
            # 吗" is asked as a whole but answered by one of 注's clauses).
            general_ok = gov and general and near_best(scores, i, SIDE_MARGIN)
            # A question of several parts is answered part by part: each part's best
            # clause (qa.parts) is cited when the reranker finds it nearly as likely an
            # answer as the best clause, though it repeats the lead's wording ("执行率和
            # 及时率分别…": both clauses say "…率应不低于").
            part = h.clause.clause_id in plan.leads and near_best(scores, i, SIDE_MARGIN)
            if not chosen or h.route == "exact" or general_ok or side or part:
                shown = kids[i]
                if shown and not general and h.route != "exact":
                    shown = focused_children(shown, set(plan.plan.grams))
                ev = Evidence(
                    h.clause, h.score, cov, governing=gov, example=example, children=shown
                )
                ev.lead = not chosen
                ev.part = part
                chosen.append(ev)
                inside |= {k.clause_id for k in kids[i]}
                said |= said_grams(grams, h.clause, shown)
        chosen = [e for e in chosen if e.lead or e.clause.clause_id not in inside]
        if element is not None:
            # The lead, governing clauses, then the rest, then examples; stable in groups.
            chosen.sort(key=lambda e: (not e.lead, not e.governing, e.example))
        return chosen[: self.max_evidence]

    def _documents(self) -> list[Any]:
        docs = getattr(self.searcher, "documents", None)
        return list(docs()) if callable(docs) else []

    # ------------------------------------------------------------ answering
    def answer(
        self, question: str, history: Sequence[tuple[str, str]] = (), filters: Any | None = None
    ) -> AnswerResult:
        """Answer in one go (the CLI and eval use this)."""
        result: AnswerResult | None = None
        for item in self.stream(question, history, filters):
            if isinstance(item, AnswerResult):
                result = item
        assert result is not None
        return result

    def stream(
        self, question: str, history: Sequence[tuple[str, str]] = (), filters: Any | None = None
    ) -> Iterator[str | AnswerResult]:
        """Yield answer text as it is produced, then the final :class:`AnswerResult`.

        In LLM mode the streamed text is the raw model output; the final result carries
        the verified text (invalid citations removed), which is what should be kept.
        """
        if not question.strip():
            raise ValueError("问题不能为空")
        t0 = time.perf_counter()
        plan = self._plan(question, history, filters)
        t1 = time.perf_counter()
        evidence = self._evidence(plan, question)
        retrieved = [Citation.from_clause(h.clause, h.score) for h in plan.hits]
        base = AnswerResult(
            question=question,
            answer=REFUSAL,
            citations=[],
            refused=True,
            mode=self.mode,
            element=plan.element.name if plan.element else None,
            query=plan.query,
            retrieved=retrieved,
            relevance=plan.relevance,
            absent_documents=plan.absent,
            gate_features=plan.gate_features,
        )
        if not evidence:
            base.timings_ms = {"retrieve": (t1 - t0) * 1000, "total": (t1 - t0) * 1000}
            yield REFUSAL
            yield base
            return

        if self.mode == "extractive":
            text = self._extractive_answer(question, plan, evidence, base)
            yield text
        else:
            yield from self._llm_answer(
                question,
                history,
                self._llm_context(plan, evidence),
                base,
                named_clauses(plan),
                # What the extractive answer would cite: the model's own citations beyond
                # these must earn their place (qa.support, rule 7).
                focus=frozenset(c.clause_id for e in evidence for c in (e.children or [e.clause])),
            )
            if base.refused and self.llm_fallback and base.support is not None:
                # The gate found evidence but no statement of the model's reply survived
                # the check: show what the extractive answerer would, marked as such,
                # rather than nothing (the dropped statements stay in ``support``).
                text = self._extractive_answer(question, plan, evidence, base)
                base.answer = f"{FALLBACK_NOTE}\n{base.answer}"
                base.fallback = "extractive"
                yield f"\n\n{FALLBACK_NOTE}\n{text}"
        t2 = time.perf_counter()
        base.timings_ms = {
            "retrieve": (t1 - t0) * 1000,
            "answer": (t2 - t1) * 1000,
            "total": (t2 - t0) * 1000,
        }
        yield base

    def _extractive_answer(
        self, question: str, plan: _Plan, evidence: list[Evidence], base: AnswerResult
    ) -> str:
        """Fill ``base`` with the extractive answer (clauses quoted, citations verified);
        returns the composed text as streamed."""
        text = compose_answer(question, evidence, plan.element, plan.how_to)
        # A section's children are evidence through it: they may be cited.
        pool = [h.clause for h in plan.hits] + [k for kids in plan.children for k in kids]
        checked = verify_citations(text, pool, quoted_escapes=True)
        scores = {h.clause.clause_id: h.score for h in plan.hits}
        if checked.invalid:
            log.warning("removed %d invalid citation(s): %s", len(checked.invalid), checked.invalid)
        cited = checked.valid or [e.clause for e in evidence]
        base.answer = checked.text
        base.refused = False
        base.citations = [Citation.from_clause(c, scores.get(c.clause_id, 0.0)) for c in cited]
        base.invalid_citations = checked.invalid
        return text

    def _llm_context(self, plan: _Plan, evidence: list[Evidence]) -> list[Evidence]:
        """What the model is shown: the evidence the extractive answer would quote (lead
        first), then the next usable hits in rank order, up to ``max_evidence``.

        Why: the extractive evidence is chosen for *precision* — often the lead clause
        alone — because every clause it picks is quoted.  A model writes only what the
        question asks and each statement is attributed to the clause that supports it
        (:mod:`qa.support`), so the cost of an extra clause is a few hundred prompt tokens,
        while a model shown one clause of a two-part question ("怎么标示？放在什么位置？")
        answers the other part from nothing, and is then refused.  The context window
        still bounds it (:func:`qa.prompting.build_answer_messages` trims)."""
        out = list(evidence)
        have = {e.clause.clause_id for e in out} | {k.clause_id for e in out for k in e.children}
        for i, h in enumerate(plan.hits):
            if len(out) >= self.max_evidence:
                break
            kids = plan.children[i]
            if h.clause.clause_id in have or unusable(h.clause, plan.element, section=bool(kids)):
                continue
            out.append(Evidence(h.clause, h.score, plan.covers[i], children=kids))
            have |= {h.clause.clause_id} | {k.clause_id for k in kids}
        return out

    def _llm_answer(
        self,
        question: str,
        history: Sequence[tuple[str, str]],
        evidence: Sequence[Evidence],
        result: AnswerResult,
        named: frozenset[str] = frozenset(),
        focus: frozenset[str] = frozenset(),
    ) -> Iterator[str]:
        """Stream the model's raw text, then fill ``result`` with the checked answer:
        statements attributed to the clauses shown, drifts and unsupported ones dropped
        (see :mod:`qa.support`).  Model failures raise :class:`qa.llm.LLMError`."""
        assert self.chat_model is not None
        from qa.llm import context_window, guarded_stream, token_counter
        from qa.prompting import build_answer_messages, prompt_sha1

        n_ctx, max_tokens = context_window(self.chat_model)
        plan = build_answer_messages(
            question,
            history,
            # A section is shown to the model as its children (it has no text of its own).
            [c for e in evidence for c in (e.children or [e.clause])],
            n_ctx=n_ctx,
            max_tokens=max_tokens,
            count=token_counter(self.chat_model),
        )
        pieces: list[str] = []
        timeout = getattr(self.chat_model, "request_timeout", None) or getattr(
            self.chat_model, "timeout", None
        )
        # A reply longer than max_tokens could be (~4 characters per token at most) means
        # the endpoint ignored the limit.
        stream = guarded_stream(self.chat_model, plan.messages, timeout, max_chars=max_tokens * 4)
        for chunk in stream:
            pieces.append(chunk)
            yield chunk
        raw = "".join(pieces).strip()
        result.raw_answer = raw
        result.shown_ids = [c.clause_id for c in plan.shown]
        result.prompt_sha1 = prompt_sha1(plan.messages)
        report = check_answer(
            raw,
            plan.shown,
            question,
            named=[c for c in plan.shown if c.clause_id in named],
            focus=[c for c in plan.shown if c.clause_id in focus],
        )
        scores = {e.clause.clause_id: e.score for e in evidence}
        for e in evidence:
            for child in e.children or []:
                scores.setdefault(child.clause_id, e.score)
        counts = report.counts()
        if report.invalid:
            log.warning("removed %d invalid citation(s): %s", len(report.invalid), report.invalid)
        if report.dropped:
            log.warning(
                "dropped LLM statements: %s", {k: counts[k] for k in counts if k in DROPPED}
            )
        result.answer = report.text
        result.refused = report.refused
        result.citations = [
            Citation.from_clause(c, scores.get(c.clause_id, 0.0)) for c in report.citations
        ]
        result.invalid_citations = report.invalid
        result.support = report
        result.prompt_budget = plan.budget


def lead_index(hits: Sequence[HitLike], covers: Sequence[float], *, reranked: bool) -> int:
    """Which usable hit leads the answer.

    Reranked hits: the first.  The reranker already weighs the question's wording, the
    best-matching sentence and the value asked against the retrievers' scores, with
    weights fitted across the question sets; a second, hand-tuned choice on top of it
    (wording overlap alone) overrode it for the worse as often as for the better, and the
    answer then led with a clause the ranking itself put second.
    Without a reranker the top hits are often near-ties; the one sharing most of the
    question's wording ("岗前培训" vs "继续培训") leads, with a small handicap per rank
    that keeps the ranking when wording is level.  A clause the question names (exact
    route) leads either way — unless it is a heading the ranking put below a clause under
    it (:func:`qa.rerank.settle`): "SL 651—2014 附录E 中，风向按几个方位编码？" names
    附录E to say where to look, and E.1.2.5, ranked above it, says it.  Leading with the
    heading answered with the annex's title and none of what was asked (18 dev questions
    whose first hit was the gold, session 20)."""
    if not hits:
        return 0
    if reranked:
        named = next((i for i, h in enumerate(hits) if h.route == "exact"), None)
        if named is None:
            return 0
        return next(
            (i for i in range(named) if lies_under(hits[i].clause, hits[named].clause)), named
        )
    return max(
        range(min(LEAD_POOL, len(hits))),
        key=lambda i: (hits[i].route == "exact", covers[i] - LEAD_HANDICAP * i, -i),
    )


def yielded_headings(hits: Sequence[HitLike], lead: int) -> frozenset[int]:
    """Named headings (exact route) whose subtree holds the lead: they said where to look,
    the lead says what was asked.  Cited too, the heading added only its other children
    (or, empty, its title) to the answer, ahead of the lead in document order."""
    return frozenset(
        i
        for i, h in enumerate(hits)
        if i != lead and h.route == "exact" and lies_under(hits[lead].clause, h.clause)
    )


def named_clauses(plan: _Plan) -> frozenset[str]:
    """Ids of the clauses the question names in a named document ("标准化法第十八条",
    "T/XX 003 的 6.6.1 条"), found by the exact route, with their children: the answer to
    such a question is that clause, as in the extractive answer (no side remarks)."""
    if not any(r.doc_ids for r in plan.plan.search.refs):
        return frozenset()
    out: set[str] = set()
    for h, kids in zip(plan.hits, plan.children, strict=False):
        if h.route == "exact":
            out |= {h.clause.clause_id} | {k.clause_id for k in kids}
    return frozenset(out)


# Word counts for callers of :func:`retrieve` without their own (eval's retrieval runs).
_FREQUENCY = BigramFrequency()
# Per-document word counts for the reranker (counted per document on first use).
_DOC_FREQUENCY = DocumentFrequency()

# A side citation's reranker score must be within this of the best hit's (log-odds of the
# listwise model: the side clause at least e^-2.5 ≈ 1/12 as likely the answer).  Chosen on
# the dev questions of the three sets: side citations further below were answers in none
# of them (another standard's chapter, a sibling's note).
SIDE_MARGIN = 2.5

# A side citation must bring at least this many of the question's content bigrams that no
# clause chosen before it holds (tuned on the dev questions of sample, web-guides, standards).
SIDE_NEW_GRAMS = 1


def said_grams(grams: set[str], clause: Clause, children: Sequence[Clause] = ()) -> set[str]:
    """The question's content bigrams that a clause (heading path, text, children shown)
    holds."""
    return held_grams(grams, _haystack(clause, children))


def adds_wording(
    grams: set[str], clause: Clause, children: Sequence[Clause], said: set[str]
) -> bool:
    """Does ``clause`` hold at least :data:`SIDE_NEW_GRAMS` question bigrams the clauses
    already chosen do not?  Why: a side citation is useful when it answers another part of
    the question; one repeating the lead's wording is a near duplicate that lowers the
    answer's precision (the web-guides and standards analyses found such siblings in most
    multi-citation answers to single-part questions)."""
    return len(said_grams(grams, clause, children) - said) >= SIDE_NEW_GRAMS


# A section answering a specific question shows the children that carry the question's
# wording: those within this share of the best child's coverage.
FOCUS_SHARE = 0.75


def focused_children(children: Sequence[Clause], grams: set[str]) -> list[Clause]:
    """The children of a section that answer a specific question ("助餐食品留样留多少克"
    wins through 5.3 食品安全 but is answered by 5.3.4 alone), in document order; all of
    them when no child carries the question's wording."""
    covers = [coverage(grams, f"{k.heading} {k.text}") for k in children]
    best = max(covers, default=0.0)
    if best <= 0.0:
        return list(children)
    return [k for k, c in zip(children, covers, strict=True) if c >= FOCUS_SHARE * best]


def list_items(searcher: Any, question: str, hits: Sequence[HitLike]) -> list[ItemOf | None]:
    """Per hit, the list it is an item of (:func:`qa.gate.item_of`), read by the refusal
    gate when the question counts a list's items ("一共列了几步"); empty for any other
    question, or a searcher that cannot list a document's clauses and children."""
    clauses_of = getattr(searcher, "clauses_of", None)
    children = getattr(searcher, "children", None)
    if not asks_list_count(question) or not callable(clauses_of) or not callable(children):
        return []
    return [item_of(h.clause, clauses_of(h.clause.doc_id), children) for h in hits]


def section_children(searcher: Any, clause: Clause) -> list[Clause]:
    """A section's children (empty for a leaf, or a searcher that does not know)."""
    children = getattr(searcher, "children", None)
    kids = list(children(clause.clause_id)) if callable(children) else []
    return kids if is_section(clause, kids) else []


def retrieve(
    searcher: Any,
    plan: QueryPlan,
    k: int,
    pipeline: Any,
    reranker: Reranker | None = None,
    *,
    scores_out: list[float] | None = None,
    filters: Any | None = None,
    weights: tuple[float, float] = (1.0, 1.0),
    mode: str = "hybrid",
    sentences: SentenceScorer | None = None,
    frequency: BigramFrequency | None = None,
    leads_out: list[str] | None = None,
) -> tuple[list[HitLike], list[list[Clause]]]:
    """Hits for a plan (and each hit's children when it is a section): the pipeline's
    ranking, reranked over ``DEPTH`` candidates when a reranker is given (``scores_out``
    then receives the reranker's score of each hit returned, see :func:`qa.rerank.rerank`).  The linear
    reranker also reads each candidate's sentence cosines (``sentences``, else a scorer
    for ``searcher``'s embedder) and the knowledge base's word counts (``frequency``, else
    counts shared by every caller without their own).  A question of several parts
    (``plan.parts``) is reranked part by part too, and each part's best clause moves
    ahead (:mod:`qa.parts`; ``leads_out`` receives their ids)."""
    depth = max(k, DEPTH) if reranker is not None else k
    fetch = getattr(searcher, "retrieve", None)
    if callable(fetch):
        hits = list(fetch(plan.search, depth, pipeline, filters=filters, weights=weights))
    else:  # a searcher that only takes text (LangChain-style wrappers, tests)
        hits = list(
            searcher.search(
                plan.search.text + _expansion(plan),
                k=depth,
                mode=mode,
                filters=filters,
                weights=weights,
            )
        )
    children = [section_children(searcher, h.clause) for h in hits]
    if reranker is not None and len(hits) > 1:
        inputs = None
        if getattr(reranker, "needs_inputs", False):
            docs = getattr(searcher, "documents", None)
            inputs = rerank_inputs(
                plan,
                hits,
                children,
                sentences=sentences
                if sentences is not None
                else SentenceScorer.for_searcher(searcher),
                frequency=(frequency or _FREQUENCY).for_searcher(searcher),
                documents=list(docs()) if callable(docs) else (),
                doc_frequency=_DOC_FREQUENCY.for_searcher(searcher),
            )
        scores: list[float] = []
        kept: list[int] = []
        order = rerank(reranker, plan, hits, children, inputs, scores, kept)
        # The exact-route hits that kept the top (a named heading may have given it up
        # to a clause under it, qa.rerank.settle): part leads are promoted below them.
        pinned = {hits[i].clause.clause_id for i in kept}
        hits = renumber(hits, order)
        children = [children[i] for i in order]
        if plan.parts:

            def best_of(part: QueryPlan) -> list[str]:
                found, _ = retrieve(
                    searcher,
                    part,
                    1,
                    pipeline,
                    reranker,
                    filters=filters,
                    weights=weights,
                    mode=mode,
                    sentences=sentences,
                    frequency=frequency,
                )
                return [h.clause.clause_id for h in found]

            leads = part_leads(plan, best_of)
            order, up = promote(
                hits,
                scores,
                leads,
                lambda h: h.clause.clause_id,
                lambda h: h.clause.clause_id in pinned,
            )
            up_ids = [hits[i].clause.clause_id for i in up]
            hits = renumber(hits, order)
            children = reorder(children, order)
            scores = reorder(scores, order)
            if leads_out is not None:
                top = {h.clause.clause_id for h in hits[:k]}
                leads_out.extend(c for c in up_ids if c in top)
        if scores_out is not None:
            scores_out.extend(scores[:k])
    return hits[:k], children[:k]


def _expansion(plan: QueryPlan) -> str:
    """The element vocabulary appended to the searched text (for text-only searchers)."""
    if plan.element is None:
        return ""
    return " " + " ".join(dict.fromkeys((plan.element.name, *plan.element.expand)))


def _haystack(clause: Clause, children: Sequence[Clause] = ()) -> str:
    """What wording overlap is measured on: document, heading path, text (a section's
    children's headings and text too)."""
    parts = [clause.doc_title, *clause.path_labels(), clause.text]
    parts += [f"{k.heading} {k.text}" for k in children]
    return " ".join(parts)

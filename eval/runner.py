"""Run one question set against one knowledge base and keep every per-question outcome.

Retrieval is measured for each ablation mode of the searcher (bm25, dense, hybrid, hybrid
with the exact clause-number route) and for the naive chunking baseline; answering is
measured with the same :class:`qa.answer.Answerer` the app uses, so the numbers describe
what users get.  Nothing is aggregated here (that is :mod:`eval.summary`); per-question
records are kept so the report can list exactly which questions failed and why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from tqdm import tqdm

from eval import metrics as M
from eval.gold import GoldResolution, resolve_set
from eval.naive import NaiveIndex
from eval.questions import Question, QuestionSet
from grammar.schema import Clause
from index.retrievers import PIPELINES
from ingest.store import ClauseStore
from qa.answer import retrieve
from qa.plan import make_plan
from qa.rerank import default_reranker

if TYPE_CHECKING:
    from eval.judge import Judge, JudgeOutcome

log = logging.getLogger(__name__)

# Pipelines of index.retrievers.PIPELINES, and the default one reranked (qa.rerank).
RERANK = "hybrid+exact+rerank"
MODES = ("bm25", "dense", "hybrid", "hybrid+exact", RERANK)
NAIVE = "naive"
# The same naive results read at clause granularity: each chunk's clauses in document
# order, one rank position per clause — what a reader of k citations would get.
NAIVE_CLAUSE = "naive@clause"
K = 10


class SearcherLike(Protocol):
    store: ClauseStore

    def search(
        self, query: str, k: int = 10, mode: str = "hybrid", **kwargs: Any
    ) -> Sequence[Any]: ...


class AnswererLike(Protocol):
    def answer(
        self, question: str, history: Sequence[tuple[str, str]] = (), filters: Any = None
    ) -> Any: ...


def clause_label(c: Clause | None, cid: str) -> str:
    """ "GB/T 1.1—2020 5.2" / "中华人民共和国标准化法 第十条" for reports."""
    if c is None:
        return cid
    return f"{c.standard_code or c.doc_title} {c.clause_no}".strip()


@dataclass(slots=True)
class RetrievalOutcome:
    ranked: list[list[str]]  # per rank: clause ids (one for the searcher, several for a chunk)
    first_hit: int | None
    mrr: float
    ndcg: float
    ms: float
    top: list[str] = field(default_factory=list)  # labels of the top 5, for the report

    def to_json(self) -> dict[str, Any]:
        return {
            "first_hit": self.first_hit,
            "mrr@10": round(self.mrr, 4),
            "ndcg@10": round(self.ndcg, 4),
            "ms": round(self.ms, 1),
            "top": self.top,
        }


@dataclass(slots=True)
class AnswerOutcome:
    text: str
    refused: bool
    cited: list[str]
    cited_labels: list[str]
    invalid: list[str]
    validity: float | None
    precision: float | None
    recall: float | None
    key_facts: float | None
    ms: float
    judge: JudgeOutcome | None = None  # only with --judge, for answered questions
    first: float | None = None  # the first citation holds the answer (answered, scored)
    relevance: float | None = None  # the refusal gate's score (calibration curve)
    absent: bool = False  # refused because a named document is absent
    gate_features: dict[str, float | None] | None = None  # what the refusal gate saw (qa.gate)
    # Rule-based support check (qa/support.py, no LLM): share of the answer's statements
    # supported by the clauses shown (LLM: the model's raw answer, before drifts are
    # removed), and how many statements drifted.
    rule_faithfulness: float | None = None
    statement_counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None  # the model call failed for this question
    # LLM mode: the model's unchecked reply and the clauses it was shown, so the run can be
    # re-scored offline with newer checking code (``python -m eval --llm-replay``).
    raw: str | None = None
    shown: list[str] = field(default_factory=list)
    prompt_sha1: str | None = None
    fallback: str | None = None  # LLM mode: the clauses were quoted instead (qa.answer)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "answer": self.text,
            "refused": self.refused,
            "cited": self.cited_labels,
            "invalid_citations": self.invalid,
            "citation_validity": self.validity,
            "citation_precision": self.precision,
            "citation_recall": self.recall,
            "first_citation": self.first,
            "relevance": self.relevance,
            "absent_documents": self.absent,
            "gate_features": self.gate_features,
            "key_fact_coverage": self.key_facts,
            "ms": round(self.ms, 1),
            "rule_faithfulness": None
            if self.rule_faithfulness is None
            else round(self.rule_faithfulness, 4),
            "statements": self.statement_counts,
        }
        if self.error is not None:
            out["error"] = self.error
        if self.raw is not None:
            out["raw_answer"] = self.raw
            out["shown"] = self.shown
            out["prompt_sha1"] = self.prompt_sha1
            out["fallback"] = self.fallback
        if self.judge is not None:
            out["judge"] = self.judge.to_json()
        return out


@dataclass(slots=True)
class QuestionResult:
    question: Question
    gold: dict[str, int]
    gold_labels: list[str]
    unresolved: list[str]
    retrieval: dict[str, RetrievalOutcome] = field(default_factory=dict)
    answer: AnswerOutcome | None = None

    @property
    def scored(self) -> bool:
        """Retrieval is scored for answerable questions with gold.  Gold whose evidence no
        clause of the knowledge base holds (the segmenter lost or mangled that text) counts
        as a miss, not as a question left out: the user asking it gets no answer either."""
        return self.question.answerable and bool(self.gold or self.unresolved)

    def to_json(self) -> dict[str, Any]:
        q = self.question
        return {
            "id": q.id,
            "type": q.type,
            "split": q.split,
            "question": q.question,
            "gold": self.gold_labels,
            "unresolved_gold": self.unresolved,
            "retrieval": {m: r.to_json() for m, r in self.retrieval.items()},
            "answer": self.answer.to_json() if self.answer else None,
        }


@dataclass(slots=True)
class SetRun:
    qset: QuestionSet
    results: list[QuestionResult]
    resolution: GoldResolution
    modes: list[str]
    config: dict[str, Any] = field(default_factory=dict)
    judged: bool = False  # the LLM judge ran (summary then carries its metrics)


def _outcome(
    ranked: list[list[str]],
    gold: dict[str, int],
    ms: float,
    labels: dict[str, str],
    aliases: dict[str, str] | None = None,
) -> RetrievalOutcome:
    scored = M.canonical(ranked, aliases or {})
    return RetrievalOutcome(
        ranked=ranked,
        first_hit=M.first_hit_rank(scored[:K], gold) if gold else None,
        mrr=M.mrr_at_k(scored, gold, K) if gold else 0.0,
        ndcg=M.ndcg_at_k(scored, gold, K) if gold else 0.0,
        ms=ms,
        top=[" + ".join(labels.get(c, c) for c in item) or "(无条款)" for item in ranked[:5]],
    )


def _search(searcher: SearcherLike, question: str, mode: str) -> tuple[list[list[str]], float]:
    """Rank with the pipeline ``mode`` (a composition of :mod:`index.retrievers`) over the
    same query plan the answerer builds, so retrieval is measured as users get it."""
    t0 = time.perf_counter()
    if callable(getattr(searcher, "retrieve", None)):
        docs = searcher.documents() if hasattr(searcher, "documents") else []
        plan = make_plan(question, (), docs)
        if mode == RERANK:
            hits, _ = retrieve(searcher, plan, K, PIPELINES["hybrid+exact"], _reranker())
        else:
            hits, _ = retrieve(searcher, plan, K, PIPELINES[mode])
    elif mode in ("hybrid+exact", RERANK):
        hits = searcher.search(question, k=K, mode="hybrid", exact=True)
    else:
        hits = searcher.search(question, k=K, mode=mode, exact=False)
    ms = (time.perf_counter() - t0) * 1000
    return [[h.clause.clause_id] for h in hits], ms


_RERANKER: list[Any] = []


def _reranker() -> Any:
    """The reranker the answerer uses by default (loaded once)."""
    if not _RERANKER:
        _RERANKER.append(default_reranker())
    return _RERANKER[0]


def _answer(
    answerer: AnswererLike,
    q: Question,
    gold: dict[str, int],
    judge: Judge | None = None,
    clauses: dict[str, Clause] | None = None,
    aliases: dict[str, str] | None = None,
) -> AnswerOutcome:
    from qa.llm import LLMError
    from qa.support import check_answer

    t0 = time.perf_counter()
    try:
        res = answerer.answer(q.question)
    except LLMError as exc:
        # One failed model call (timeout, HTTP error, prompt too long) costs one question,
        # never the run; it counts as not answered.
        ms = (time.perf_counter() - t0) * 1000
        log.warning("question %s: LLM failed: %s", q.id, exc)
        return AnswerOutcome(
            text="",
            refused=True,
            cited=[],
            cited_labels=[],
            invalid=[],
            validity=None,
            precision=None,
            recall=None,
            key_facts=0.0 if q.answerable and (q.key_facts or q.key_facts_fp) else None,
            ms=ms,
            error=str(exc),
        )
    ms = (time.perf_counter() - t0) * 1000
    cited = list(dict.fromkeys(c.clause_id for c in res.citations))
    # A citation of the gold clause's copy counts as the gold clause (eval.gold).
    as_gold = list(dict.fromkeys(ids[0] for ids in M.canonical(cited, aliases or {})))
    scored = q.answerable and bool(gold) and not res.refused
    report = getattr(res, "support", None)
    if report is None and not res.refused and clauses is not None:
        report = check_answer(res.answer, [clauses[c] for c in cited if c in clauses])
    return AnswerOutcome(
        text=res.answer,
        refused=bool(res.refused),
        cited=cited,
        cited_labels=[c.label for c in res.citations],
        invalid=list(res.invalid_citations),
        validity=M.citation_validity(len(res.citations), len(res.invalid_citations)),
        precision=M.citation_precision(as_gold, gold) if scored else None,
        recall=M.citation_recall(as_gold, gold) if scored else None,
        first=M.first_citation_hit(as_gold, gold) if scored else None,
        relevance=getattr(res, "relevance", None),
        absent=bool(getattr(res, "absent_documents", None)),
        gate_features=getattr(res, "gate_features", None),
        key_facts=M.key_fact_coverage(res.answer, q.key_facts, q.key_facts_fp)
        if q.answerable
        else None,
        ms=ms,
        judge=judge.judge(q.question, res.answer, res.citations)
        if judge is not None and not res.refused
        else None,
        rule_faithfulness=report.faithfulness if report is not None else None,
        statement_counts=report.counts() if report is not None else {},
        raw=getattr(res, "raw_answer", None),
        shown=list(getattr(res, "shown_ids", None) or []),
        prompt_sha1=getattr(res, "prompt_sha1", None),
        fallback=getattr(res, "fallback", None),
    )


def _warm_up(searcher: SearcherLike, modes: Sequence[str], naive: NaiveIndex | None) -> None:
    """One untimed query per route, so lazy loading (tokenizer dictionaries, model weights)
    does not land in the latency of the first question."""
    for mode in modes:
        _search(searcher, "标准的范围", mode)
    if naive is not None:
        naive.search("标准的范围", 1)


def run_set(
    qset: QuestionSet,
    searcher: SearcherLike,
    *,
    answerer: AnswererLike | None = None,
    naive: NaiveIndex | None = None,
    modes: Sequence[str] = MODES,
    progress: bool = False,
    config: dict[str, Any] | None = None,
    judge: Judge | None = None,
    copy_gold: bool = True,
) -> SetRun:
    """Evaluate ``qset``: gold resolution, every retrieval mode, the baseline, the answerer
    (and, with ``judge``, the LLM judge on every answered question).  ``copy_gold``: a
    gold clause's counterpart in a copy of its standard counts as gold (:mod:`eval.gold`);
    off, only the clause the entry resolved to counts (the metric before copies)."""
    store = searcher.store
    resolution = resolve_set(qset, store)
    clauses = {c.clause_id: c for c in store.iter_clauses()}
    labels = {cid: clause_label(c, cid) for cid, c in clauses.items()}
    all_modes = [*modes, *([NAIVE, NAIVE_CLAUSE] if naive is not None else [])]
    _warm_up(searcher, modes, naive)
    results: list[QuestionResult] = []
    bar = tqdm(resolution.questions, desc=f"eval {qset.meta.name}", unit="q", disable=not progress)
    for rq in bar:
        q = rq.question
        gold = rq.grades
        aliases = rq.aliases if copy_gold else {}
        r = QuestionResult(
            question=q,
            gold=gold,
            gold_labels=[f"{labels.get(c, c)}（{g}）" for c, g in gold.items()],
            unresolved=[f"{g.gold.describe()}: {g.problem}" for g in rq.unresolved],
        )
        for mode in modes:
            ranked, ms = _search(searcher, q.question, mode)
            r.retrieval[mode] = _outcome(ranked, gold, ms, labels, aliases)
        if naive is not None:
            t0 = time.perf_counter()
            chunks = naive.search(q.question, K)
            ms = (time.perf_counter() - t0) * 1000
            r.retrieval[NAIVE] = _outcome(
                [list(c.clause_ids) for c in chunks], gold, ms, labels, aliases
            )
            flat = list(dict.fromkeys(cid for c in chunks for cid in c.clause_ids))
            r.retrieval[NAIVE_CLAUSE] = _outcome(
                [[cid] for cid in flat[:K]], gold, ms, labels, aliases
            )
        if answerer is not None:
            r.answer = _answer(answerer, q, gold, judge, clauses, aliases)
        results.append(r)
    return SetRun(
        qset, results, resolution, all_modes, dict(config or {}), judged=judge is not None
    )

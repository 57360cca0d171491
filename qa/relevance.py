"""Is a retrieved clause actually about the question?  And which of its sentences are?

Dense retrieval always returns *something*; a food-additive question over a corpus of
service standards still gets a top hit with a respectable cosine.  Refusing needs a second,
independent signal: how much of the question's own wording the clause contains.  Chinese
has no spaces, so wording is compared as character bigrams (robust to jieba's segmentation
choices and to the space-riddled text of scraped slides).

Thresholds are calibrated on the evaluation set (answerable vs unanswerable questions, see
eval/ and README); they live in :class:`RelevancePolicy` so a different embedder can carry
its own.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grammar.codes import code_base, find_codes
from grammar.numbering import halfwidth, normalize_clause_no
from grammar.refs import clause_numbers
from index.exact import code_named

log = logging.getLogger(__name__)

# Words that carry the question's form, not its topic (public: the gate strips them too,
# to find the attribute a question asks about).
FILLER = re.compile(
    r"请问|请|一下|怎么样|怎么|怎样|如何|什么|哪些|哪个|哪里|多少|是否|能否|可以|可不可以|有没有|"
    r"是不是|需要|应该|应当|吗|呢|吧|啊|呀|的话|关于|对于|有关|相关|规定|要求|说明|具体|"
    r"里面|其中|一般|通常|我们|我|你|他们|这个|那个|这些|那些|它|其|该|本|条款|内容|问题|说了|讲了|写了|"
    r"这一章|那一章|一章|这章|这一节|一节|章节|写法|怎么写|编写|起草|撰写|书写"
)
CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")  # a run of Chinese characters
_LATIN = re.compile(r"[A-Za-z]+(?:/[A-Za-z]+)?|\d+(?:\.\d+)*")


def content_grams(text: str) -> set[str]:
    """Character bigrams of the Chinese words, plus Latin words and numbers, minus filler."""
    t = FILLER.sub(" ", halfwidth(text))
    grams: set[str] = set()
    singles: set[str] = set()
    for run in CJK_RUN.findall(t):
        if len(run) == 1:
            singles.add(run)  # leftovers such as "列" in "怎么列": only if nothing else
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams.update(m.lower() for m in _LATIN.findall(t))
    return grams or singles


_SPACE = re.compile(r"\s+")


def flat(text: str) -> str:
    """``text`` without whitespace, for comparing wording: PDF and OCR text puts spaces
    between Chinese characters ("定 时 发 送 心 跳"), which would hide every bigram it holds
    (the reranker compares the same way, :func:`qa.rerank.flat`)."""
    return _SPACE.sub("", text)


def held_grams(query_grams: set[str], text: str) -> set[str]:
    """The question's content bigrams that occur in ``text`` (compared half-width and
    lower-cased, as :func:`content_grams` makes them)."""
    hay = halfwidth(text).lower()
    return {g for g in query_grams if g in hay}


def coverage(query_grams: set[str], text: str) -> float:
    """Share of the question's content bigrams that occur in ``text`` (0..1)."""
    if not query_grams:
        return 0.0
    return len(held_grams(query_grams, text)) / len(query_grams)


CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(slots=True, frozen=True)
class RelevancePolicy:
    """When is retrieval good enough to answer from, and which clauses to cite?

    Cosine similarities live on a model-specific scale (multilingual-e5 puts almost every
    Chinese pair above 0.8), so thresholds are calibrated per embedding model on the
    evaluation sets and stored in ``qa/calibration.json``; see README "Evaluation".

    ``min_dense``: the best of the top three hits must reach this cosine.
    ``min_dense_governing``: a lower bar for a hit that names the element the question is
    about, or for wording that matches well (``strong_coverage``); ``min_dense_moderate``
    for wording that matches half the question (``moderate_coverage``).
    ``evidence_margin``: after the best hit, further clauses are cited only when their cosine
    is within this margin of the best (and their wording overlaps the question), so an
    answer cites what answers it, not everything retrieved.
    ``min_coverage``: share of the question's content bigrams a further clause must contain,
    and at least ``relative_coverage`` times what the leading clause contains.
    ``dense_calibrated``: False for an unknown model; then only wording overlap, exact
    clause references and governing clauses are trusted.
    """

    min_dense: float = 0.895
    min_dense_governing: float = 0.88
    min_dense_moderate: float = 0.885
    moderate_coverage: float = 0.5
    min_coverage: float = 0.34
    strong_coverage: float = 0.70
    evidence_margin: float = 0.006
    relative_coverage: float = 0.8
    dense_calibrated: bool = True
    # One relevance score (:meth:`gate`) against one threshold, chosen by leave-one-set-out
    # cross-validation (``python -m eval.calibrate``); None: the rules above.
    min_gate: float | None = None
    gate_cover: float = 0.02
    gate_governing: float = 0.015
    # The fitted gate (qa.gate.GateModel as JSON): P(answerable) from what the top clauses
    # contain, fitted with leave-one-set-out CV (``python -m eval.calibrate``).  When set
    # it decides instead of the rules above.
    gate_model: dict[str, Any] | None = None

    def fitted_gate(self) -> Any:
        """The fitted :class:`qa.gate.GateModel` (None: the rules decide)."""
        if not self.dense_calibrated or not self.gate_model:
            return None
        from qa.gate import GateModel  # qa.gate builds on this module

        return GateModel.from_json(self.gate_model)

    @classmethod
    def for_model(cls, model: str | None, path: Path = CALIBRATION_FILE) -> RelevancePolicy:
        """The calibrated policy of an embedding model (uncalibrated fallback otherwise)."""
        try:
            table = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            table = {}
        entry = table.get(model or "")
        if entry is None:
            if model:
                log.warning(
                    "no relevance calibration for embedder %s; using wording overlap only", model
                )
            return cls(dense_calibrated=False)
        fields = {k: v for k, v in entry.items() if k in cls.__dataclass_fields__}
        return cls(**fields)

    def gate(self, dense: float | None, cover: float, governing: bool = False) -> float | None:
        """How relevant a hit is, on the cosine scale: its cosine plus a bonus for the
        question's wording it contains and for governing the element asked about (a
        paraphrased question shares few words; a clause that names the element is on
        topic anyway).  None without a calibrated cosine."""
        if not self.dense_calibrated or dense is None:
            return None
        return dense + self.gate_cover * cover + (self.gate_governing if governing else 0.0)

    def accepts(
        self, dense: float | None, cover: float, exact: bool = False, governing: bool = False
    ) -> bool:
        """May we answer from a hit with this cosine and wording coverage?"""
        if exact:
            return True
        if self.min_gate is not None and self.dense_calibrated and dense is not None:
            g = self.gate(dense, cover, governing)
            return g is not None and g >= self.min_gate
        if not self.dense_calibrated or dense is None:
            return cover >= self.strong_coverage or (governing and cover >= self.min_coverage)
        if governing or cover >= self.strong_coverage:
            return dense >= self.min_dense_governing
        if cover >= self.moderate_coverage:
            return dense >= self.min_dense_moderate
        return dense >= self.min_dense

    def also_cite(
        self, dense: float | None, best_dense: float, cover: float, lead_cover: float
    ) -> bool:
        """Cite a further clause besides the leading one?  Only when it is about as close
        to the question as the best hit and shares about as much of its wording."""
        if cover < max(self.min_coverage, self.relative_coverage * lead_cover):
            return False
        if not self.dense_calibrated or dense is None:
            return cover >= self.strong_coverage
        return dense >= best_dense - self.evidence_margin


_LOCAL = re.compile(r"([\u4e00-\u9fff]{2,3}(?:省|市|自治区))[\u4e00-\u9fff]*?(条例|办法|规定)$")
_TITLE_REF = re.compile(
    r"《([^《》]{2,40})》|([\u4e00-\u9fff]{2,6}(?:省|市|自治区)[\u4e00-\u9fff]{0,12}?(?:条例|办法|规定))"
)


def absent_documents(
    question: str,
    documents: Sequence[Any],
    context: str,
    clause_nos: Sequence[str] = (),
    *,
    named: Sequence[str] | None = None,
) -> list[str]:
    """Documents the question names (a standard code, 《title》, "北京市标准化条例") that
    are neither in the knowledge base nor mentioned by the retrieved clauses.

    ``clause_nos``: numbers of the retrieved clauses; a question asking for a clause
    ("GB/T 1.1—2020 的 8.6 条") of a document only *mentioned* in the knowledge base is
    refused unless such a clause was retrieved (a web copy of that standard's text).

    ``named``: documents the query plan found named by code or title.  A document is
    present when any document matches either: "GB/T 1.1—2020《标准化工作导则》" is answered
    from the document of that title even when its code was never stored.

    Such a question asks about a document we do not have; answering from a similar one
    (上海 instead of 北京, another standard's clause 5.1) would mislead, so we refuse.
    """
    titles = [re.sub(r"\s", "", getattr(d, "title", "")) for d in documents]
    ctx = re.sub(r"\s", "", halfwidth(context))
    asked = clause_numbers(question)  # codes are skipped: "1.1" of "GB/T 1.1" is no clause
    found = asked & {normalize_clause_no(n) for n in clause_nos}
    # Asking for a clause number that none of the retrieved clauses carries.
    asks_clause = bool(asked) and not found
    missing: list[str] = []
    for m in find_codes(question):
        if named or any(code_named(m.code, d) for d in documents):
            continue
        # Mentioned by a retrieved clause: the KB talks *about* it (how to cite it…) —
        # unless the question wants one of its clauses ("GB/T 1.1—2020 的 8.6 条").
        # A retrieved clause with the very number asked for (a copy of that standard's
        # text, printed without its code) is taken as the document asked about.
        if asks_clause or (not found and re.sub(r"\s", "", code_base(m.code)) not in ctx):
            missing.append(m.code)
    for m in _TITLE_REF.finditer(question):
        name = re.sub(r"\s", "", m.group(1) or m.group(2))
        short = name.removeprefix("中华人民共和国")
        # the match may include words before the place name ("我想知道上海市…条例",
        # "标准化法和山东省条例"): a local regulation is present when a title has the same
        # place ("山东省") and the same kind ("条例").
        if any(short in t or (len(t) >= 4 and t in short) for t in titles) or short in ctx:
            continue
        if m.group(2) and (local := _LOCAL.search(short)):
            end, kind = local.end(1), local.group(2)
            marker = 3 if short[:end].endswith("自治区") else 1
            places = {short[max(0, end - marker - n) : end] for n in (2, 3)}  # 山东省, 黑龙江省
            if any(p in t and t.endswith(kind) for p in places for t in titles):
                continue
        missing.append(name)
    return missing

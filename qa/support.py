"""Attribution and support check for LLM answers: which clause supports which statement.

A model's answer is not trusted as a whole, and not rejected as a whole either.  It is
split into **statements** (one per sentence or list item; a citation marker belongs to the
sentence it follows), and each statement is aligned with the clauses that were *shown to
the model* for this question:

* **overlap** — the share of the statement's content (character bigrams of its Chinese
  words, plus Latin words and numbers) found in the clause text or its heading;
* **quantities** — every number with a unit and every date in the statement
  (:mod:`grammar.quantities`) must occur in the clause with the same amount, and a stated
  bound must not point the other way ("不少于" vs "不超过");
* **modality** — every 能愿动词 in the statement (:mod:`grammar.modality`) must be the one
  the clause puts before the same predicate ("宜写明" is not "应写明"; "一般包括" is not
  "应包括").

The rule, per statement (see README "LLM answers"):

1. A citation the model wrote — a bracketed marker, or a prose reference such as
   "依据 GB/T 99999—2099 第3.2条" / "《…》9.9条" that is not quoted from a shown clause —
   is *valid* only if it names a clause shown to it (not merely retrieved); invalid ones
   are removed and reported, and the claim they carried stays only if a shown clause
   supports it (rules 2–4).
2. The statement is **supported** by a clause when overlap ≥ ``SUPPORT_MIN`` and the
   quantities and modal verbs agree.  A valid cited clause that supports it keeps its
   citation; otherwise the shown clause that supports it best is attached instead
   (``attributed`` when the model cited nothing, ``reattributed`` when it cited a wrong or
   unshown clause).
3. A statement that matches a clause (overlap ≥ ``ALIGN_MIN``) but changes a number or a
   modal verb is a **drift** (``number_drift`` / ``modality_drift``): removed from the
   answer and reported with the reason — except a modal verb that only changed strength
   (宜 → 应, "表述为" → "应表述为"; never a change of polarity such as 不应 → 可): it is
   put back as the clause has it, and the statement is kept if it is then supported
   (``modality_corrected``, reported with the reason; not counted as faithful).
4. Any other statement with content is **unsupported**: removed and reported.  Short
   connective text ("具体如下：") and lead-ins that match no clause are kept uncounted.
5. The answer is **refused** (text exactly "知识库中未找到相关条款。") when no statement is
   supported; otherwise the model's own refusal sentence, if any, is removed.  So an
   answer never carries both answer text and the refusal phrase.

With the answerer's ranking (``focus``: the clauses the extractive answerer would cite,
lead first; the other shown clauses are context added in rank order), two more rules keep
an answer to what was asked — a small model tends to restate every clause it is shown:

6. **Rank decides between supporters**: when several shown clauses support a statement
   about equally well (overlap within ``RANK_MARGIN`` of the best), it is attributed to the
   highest-ranked of them, even over the one the model cited.
7. **Side statements must answer something**: a statement supported only by a context
   clause (not in ``focus``) is kept only when it says — in words its clause has — part of
   the question's wording (:func:`qa.relevance.content_grams`) that the clauses already
   cited do not cover;
   otherwise it is ``off_question`` (removed, not counted against faithfulness).  When no
   statement rests on a ``focus`` clause, the highest-ranked clause that supports one
   takes the lead's place.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from grammar.modality import modal_before, modals
from grammar.numbering import halfwidth
from grammar.quantities import quantities, same_quantity
from grammar.schema import Clause
from qa.citations import (
    ParsedCitation,
    cite,
    parse_citations,
    parse_prose_references,
    quoted_in,
    resolve,
)
from qa.relevance import CJK_RUN, content_grams, held_grams

REFUSAL = "知识库中未找到相关条款。"
SUPPORT_MIN = 0.5
ALIGN_MIN = 0.3
MIN_CONTENT_GRAMS = 3
# Supporters whose overlap is this close to the best one's are equally good: rank decides.
RANK_MARGIN = 0.1

SUPPORTED = ("supported", "attributed", "reattributed", "modality_corrected")
# Supported as the model wrote them (the faithfulness share): a corrected statement is kept
# in the answer, but the model did not write it faithfully.
FAITHFUL = ("supported", "attributed", "reattributed")
DROPPED = ("modality_drift", "number_drift", "unsupported", "duplicate", "off_question")

_LATIN = re.compile(r"[A-Za-z]{2,}|\d+(?:\.\d+)*")
_ENDERS = "。！？；!?;"
_LIST_MARKER = re.compile(
    r"^\s*(?:[-*•·]\s+|\d{1,2}[.、)）]\s*(?!\d)|[（(]\d{1,2}[)）]\s*|[a-z][)）]\s*|#+\s*)"
)
_MARKUP = re.compile(r"\*\*|__|`")
_UNCLOSED = re.compile(r"[〔【\[][^〔〕【】\[\]]*$")
_REFUSAL_RE = re.compile(r"(?:知识库中)?未(?:能)?找到(?:相关|有关)?(?:的)?条款")
# Words that frame an answer rather than claim anything.
_FRAMING = re.compile(
    r"根据|依据|按照|上述|以上|以下|如下|下列|条款|规定|相关|内容|要求|具体|包括|方面|问题|回答|总结|综上"
)


def grams(text: str) -> set[str]:
    """Content of a statement for alignment: CJK character bigrams, Latin words, numbers."""
    t = halfwidth(text)
    out: set[str] = set()
    for run in CJK_RUN.findall(t):
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    out.update(m.lower() for m in _LATIN.findall(t))
    return out


def overlap(statement_grams: set[str], text: str) -> float:
    if not statement_grams:
        return 0.0
    hay = halfwidth(text).lower()
    return sum(1 for g in statement_grams if g in hay) / len(statement_grams)


@dataclass(slots=True)
class Statement:
    """One statement of an answer and the verdict on it."""

    text: str  # the claim, citation markers and list marker removed
    prefix: str = ""  # list marker as written ("1. ")
    end: str = ""  # closing punctuation as written
    line: int = 0
    cited: list[str] = field(default_factory=list)  # markers the model wrote
    status: str = "unsupported"
    clause: Clause | None = None
    overlap: float = 0.0
    reasons: list[str] = field(default_factory=list)
    lead_in: bool = False

    @property
    def supported(self) -> bool:
        return self.status in SUPPORTED

    @property
    def counted(self) -> bool:
        """Counts for the faithfulness share (claims, not framing, refusals or repeats)."""
        return self.status not in ("connective", "refusal", "duplicate", "off_question")

    def to_json(self) -> dict[str, object]:
        return {
            "text": self.text,
            "status": self.status,
            "citation": cite(self.clause) if self.clause is not None else None,
            "cited_by_model": self.cited,
            "overlap": round(self.overlap, 3),
            "reasons": self.reasons,
        }


@dataclass(slots=True)
class SupportReport:
    """The checked answer and the verdict on each statement of the model's answer."""

    text: str
    refused: bool
    statements: list[Statement]
    citations: list[Clause]
    invalid: list[str]

    @property
    def dropped(self) -> list[Statement]:
        return [s for s in self.statements if s.status in DROPPED]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.statements:
            out[s.status] = out.get(s.status, 0) + 1
        return out

    @property
    def faithfulness(self) -> float | None:
        """Supported share of the counted statements (None when there are none)."""
        counted = [s for s in self.statements if s.counted]
        return sum(s.status in FAITHFUL for s in counted) / len(counted) if counted else None


# ------------------------------------------------------------------ splitting
def line_citations(line: str, shown: Sequence[Clause] = ()) -> list[ParsedCitation]:
    """The citations of one line: bracketed markers, and prose references ("依据 GB/T …
    第3.2条") unless the reference is quoted from a shown clause's own text."""
    marked = parse_citations(line)
    prose = parse_prose_references(line, skip=[(c.start, c.end) for c in marked])
    prose = [p for p in prose if not quoted_in(p, shown)]
    return sorted(marked + prose, key=lambda c: c.start)


def split_statements(
    answer: str, shown: Sequence[Clause] = ()
) -> list[tuple[Statement, list[ParsedCitation]]]:
    """Statements in order, each with the citations that belong to it (see
    :func:`line_citations`; ``shown`` tells quoted references from citations).

    A sentence ends at 。！？； (or the end of a line); citation markers directly after the
    end ("…对象。〔…〕") still belong to it.
    """
    out: list[tuple[Statement, list[ParsedCitation]]] = []
    for lineno, raw_line in enumerate(answer.splitlines()):
        line = raw_line.rstrip()
        if not line.strip():
            continue
        cites = line_citations(line, shown)
        spans = [(c.start, c.end) for c in cites]
        pieces: list[tuple[int, int]] = []
        start, i = 0, 0
        while i < len(line):
            inside = next((e for s, e in spans if s <= i < e), None)
            if inside is not None:
                i = inside
                continue
            if line[i] in _ENDERS:
                end = i + 1
                while True:
                    j = end
                    while j < len(line) and line[j] in " \t":
                        j += 1
                    nxt = next((e for s, e in spans if s == j), None)
                    if nxt is None:
                        break
                    end = nxt
                pieces.append((start, end))
                start = i = end
                continue
            i += 1
        if start < len(line):
            pieces.append((start, len(line)))
        for k, (s, e) in enumerate(pieces):
            own = [c for c in cites if s <= c.start < e]
            seg = line[s:e]
            text = seg
            for c in sorted(own, key=lambda c: c.start, reverse=True):
                text = text[: c.start - s] + text[c.end - s :]
            prefix = ""
            if k == 0:
                m = _LIST_MARKER.match(text)
                if m:
                    prefix, text = text[: m.end()], text[m.end() :]
            # A citation cut off by the end of the reply (a stopped generation) is dropped.
            text = _UNCLOSED.sub("", _MARKUP.sub("", text)).strip()
            end = ""
            while text and text[-1] in _ENDERS + "：:，,":
                end = text[-1] + end
                text = text[:-1].rstrip()
            st = Statement(
                text=text, prefix=prefix, end=end, line=lineno, cited=[c.raw for c in own]
            )
            st.lead_in = end.endswith(("：", ":"))
            out.append((st, own))
    return out


# ------------------------------------------------------------------ checking
def _predicate(text: str, end: int) -> str:
    """The first two CJK characters after a modal verb: what it governs."""
    run = CJK_RUN.match(text, end)
    if run is None:
        m = CJK_RUN.search(text, end, end + 4)
        run = m
    return run.group(0)[:2] if run and len(run.group(0)) >= 2 else ""


def _best_sentence(claim_grams: set[str], text: str) -> str:
    parts = [p for p in re.split(r"(?<=[。；;！？!?])|\n", text) if p.strip()]
    return max(parts, key=lambda p: overlap(claim_grams, p), default=text)


def modality_drift(claim: str, clause_text: str) -> list[str]:
    """Reasons the statement's modal verbs disagree with the clause ([] when they agree).

    For each modal verb of the statement, the clause is searched for the predicate it
    governs; the modal the clause puts before that predicate must be the same.  When the
    predicate does not occur in the clause, the best-matching sentence of the clause is
    compared instead (only if it has modal verbs of its own).
    """
    reasons: list[str] = []
    text = halfwidth(clause_text)
    claim_grams = grams(claim)
    for m in modals(claim):
        pred = _predicate(claim, m.end)
        governing: set[str | None] = set()
        if pred:
            i = text.find(pred)
            while i != -1:
                governing.add(modal_before(text, i))
                i = text.find(pred, i + 1)
        if governing:
            if m.canonical not in governing:
                found = "、".join(sorted(g or "（无能愿动词）" for g in governing))
                reasons.append(f"能愿动词不符：陈述为“{m.text}{pred}”，条款为“{found}”")
            continue
        sentence_modals = {x.canonical for x in modals(_best_sentence(claim_grams, text))}
        if sentence_modals and m.canonical not in sentence_modals:
            reasons.append(
                f"能愿动词不符：陈述为“{m.text}”，条款为“{'、'.join(sorted(sentence_modals))}”"
            )
    return reasons


def _negated(canonical: str | None) -> bool:
    return canonical is not None and canonical.startswith("不")


def correct_modality(claim: str, clause_text: str) -> str | None:
    """``claim`` with each drifted modal verb put back as the clause has it before the same
    predicate ("应表述为" → "表述为" where the clause says "表述为"; "应写明" → "宜写明"), or
    None when a drift cannot be corrected safely: the predicate is governed differently
    in different places of the clause, or the correction would flip polarity (a statement
    that "可" do what the clause says "不应" do claims the opposite, and is dropped)."""
    text = halfwidth(clause_text)
    out = claim
    for m in sorted(modals(claim), key=lambda x: x.start, reverse=True):
        pred = _predicate(claim, m.end)
        if not pred:
            continue
        governing: set[str | None] = set()
        i = text.find(pred)
        while i != -1:
            governing.add(modal_before(text, i))
            i = text.find(pred, i + 1)
        if not governing or m.canonical in governing:
            continue
        if len(governing) != 1:
            return None
        (want,) = governing
        if _negated(want) != _negated(m.canonical):
            return None
        out = out[: m.start] + (want or "") + out[m.end :]
    return out if out != claim else None


def number_drift(claim: str, clause_text: str) -> list[str]:
    """Reasons the statement's quantities or dates are not the clause's ([] when they are)."""
    have = quantities(clause_text)
    reasons = []
    for q in quantities(claim):
        if not same_quantity(q, have):
            shown = "、".join(dict.fromkeys(h.text for h in have if h.family == q.family))
            reasons.append(f"数值不符：陈述为“{q.text}”，条款为“{shown or '无此数值'}”")
    return reasons


def _haystack(clause: Clause) -> str:
    """What a statement may echo besides the clause text: the document's title and code
    ("根据《…规范》，…") and the headings above the clause."""
    return " ".join(
        (clause.doc_title, clause.standard_code or "", *clause.path_labels(), clause.text)
    )


@dataclass(slots=True)
class _Verdict:
    clause: Clause
    overlap: float
    reasons: list[str]
    kind: str  # "supported" | "modality_drift" | "number_drift" | "weak"


def judge_statement(claim: str, clause: Clause, asked: set[str] | None = None) -> _Verdict:
    """How well ``clause`` supports ``claim``.

    ``asked`` — the question's content (:func:`grams`): words a statement merely echoes
    from the question ("是的，两部法规对复审周期的规定一致" to "…的规定一致吗？") share
    wording with the clause the question was retrieved by, without saying anything the
    clause says.  So what the statement adds beyond the question must itself reach
    ``SUPPORT_MIN`` in the clause (a statement with nothing beyond the question has no
    support; its quantities are checked as always)."""
    hay = _haystack(clause)
    claim_grams = grams(claim)
    ov = overlap(claim_grams, hay)
    nums = number_drift(claim, clause.text + " " + clause.clause_title)
    mods = modality_drift(claim, clause.text)
    if ov >= ALIGN_MIN and nums:
        return _Verdict(clause, ov, nums + mods, "number_drift")
    if ov >= ALIGN_MIN and mods:
        return _Verdict(clause, ov, mods, "modality_drift")
    if (
        ov >= SUPPORT_MIN
        and not nums
        and not mods
        and _adds_support(claim, claim_grams, hay, asked)
    ):
        return _Verdict(clause, ov, [], "supported")
    return _Verdict(clause, ov, [], "weak")


def _adds_support(claim: str, claim_grams: set[str], hay: str, asked: set[str] | None) -> bool:
    """What ``claim`` adds beyond the question is in the clause (always true without a
    question).  Its quantities were already matched by amount (20% = 百分之二十), so their
    digits are not looked up as text; a claim that adds only such quantities is supported
    by them."""
    if asked is None:
        return True
    added = claim_grams - asked
    if quantities(claim):
        added = {g for g in added if not g[0].isdigit()}
        if not added:
            return True
    return bool(added) and overlap(added, hay) >= SUPPORT_MIN


def _is_connective(st: Statement, title_grams: set[str]) -> bool:
    """Framing without a claim of its own: "根据《…规范》的规定，具体如下"."""
    g = grams(_FRAMING.sub(" ", st.text)) - title_grams
    return len(g) < MIN_CONTENT_GRAMS and not quantities(st.text)


def check_answer(
    answer: str,
    shown: Sequence[Clause],
    question: str | None = None,
    named: Sequence[Clause] = (),
    focus: Sequence[Clause] | None = None,
) -> SupportReport:
    """Split ``answer`` into statements, attribute each to a shown clause, drop drifts and
    unsupported statements, and rebuild the answer text with one citation per statement.
    With ``question``, what a statement only echoes from it does not count as support
    (see :func:`judge_statement`).  ``named``: the shown clauses the question names
    ("标准化法第十八条怎么规定"); statements only another clause supports answer something
    else and are removed (``off_question``).  ``focus``: ``shown`` is in rank order and
    these are the clauses the extractive answerer would cite; rules 6 and 7 of the module
    docstring apply (without it every supporter is equal and every shown clause may be
    cited)."""
    shown = list(shown)
    ranked = focus is not None
    asked = grams(question) if question else None
    invalid: list[str] = []
    statements: list[Statement] = []
    seen_claims: set[str] = set()
    title_grams: set[str] = set()
    for c in shown:
        title_grams |= grams(f"{c.doc_title} {c.standard_code or ''} {c.clause_title}")
    for st, cites in split_statements(answer, shown):
        statements.append(st)
        valid = []
        for c in cites:
            clause = resolve(c, shown)
            if clause is None:
                invalid.append(c.raw)
            elif clause not in valid:
                valid.append(clause)
        if not st.text:
            st.status = "connective"
            continue
        if _REFUSAL_RE.search(st.text):
            st.status = "refusal"
            continue
        key = re.sub(r"\W", "", st.text)
        if key in seen_claims:
            st.status = "duplicate"
            continue
        seen_claims.add(key)
        if _is_connective(st, title_grams):
            st.status = "connective"
            continue
        cited = [judge_statement(st.text, c, asked) for c in valid]
        others = [judge_statement(st.text, c, asked) for c in shown if c not in valid]
        if ranked:
            lead = _first_ranked([*cited, *others], shown)
            if lead is not None:
                _settle(st, lead, "supported" if lead.clause in valid else _moved(st))
                continue
        best_cited = max(cited, key=lambda v: v.overlap, default=None)
        if best_cited is not None and best_cited.kind == "supported":
            _settle(st, best_cited, "supported")
            continue
        support = [v for v in others if v.kind == "supported"]
        if support:
            best = max(support, key=lambda v: v.overlap)
            # A statement whose citation was wrong (or removed) keeps its claim only with
            # the clause that does support it.
            _settle(st, best, "reattributed" if st.cited else "attributed")
            continue
        # No clause supports it: the closest drift explains why, else it is unsupported.
        drifts = [v for v in cited + others if v.kind.endswith("_drift")]
        if drifts:
            best = max(drifts, key=lambda v: (v in cited, v.overlap))
            if best.kind == "modality_drift" and _corrected(st, best, asked):
                continue
            _settle(st, best, best.kind)
            continue
        best_any = max(cited + others, key=lambda v: v.overlap, default=None)
        st.overlap = best_any.overlap if best_any else 0.0
        if st.lead_in:
            st.status = "connective"
        else:
            st.status = "unsupported"
            # Shares enough wording with a clause, but only what the question said.
            echo = asked is not None and st.overlap >= SUPPORT_MIN
            st.reasons = [
                "陈述只复述了问题，其余内容在条款中没有依据" if echo else "未找到支持该陈述的条款"
            ]
    if named:
        _confine(statements, list(named), asked)
    if ranked and question:
        _focus(statements, shown, list(focus or ()), content_grams(question))
    return _assemble(statements, invalid)


def _moved(st: Statement) -> str:
    return "reattributed" if st.cited else "attributed"


def _first_ranked(verdicts: Sequence[_Verdict], shown: Sequence[Clause]) -> _Verdict | None:
    """The highest-ranked supporter among those about as good as the best (rule 6)."""
    support = [v for v in verdicts if v.kind == "supported"]
    if not support:
        return None
    best = max(v.overlap for v in support)
    close = [v for v in support if v.overlap >= best - RANK_MARGIN]
    return min(close, key=lambda v: shown.index(v.clause))


def _focus(
    statements: list[Statement], shown: list[Clause], focus: list[Clause], topic: set[str]
) -> None:
    """Rule 7: drop statements that rest only on a context clause adding nothing the
    question asks beyond what the clauses already cited cover.

    Why: the model is shown more clauses than the extractive answer quotes, so that a
    two-part question ("怎么标示？放在什么位置？") can be answered where the lead covers
    one part; a small model, though, restates every clause it sees.  A side clause earns
    its citation by a statement that covers question wording the cited ones lack."""
    kept = [s for s in statements if s.supported and s.clause is not None]
    if not kept:
        return
    anchors = [s.clause for s in kept if s.clause in focus]
    if not anchors:
        anchors = [min((s.clause for s in kept), key=shown.index)]  # type: ignore[arg-type]
    cited: list[Clause] = []
    for a in anchors:
        if a not in cited:
            cited.append(a)

    def covered(clauses: Sequence[Clause]) -> set[str]:
        return set().union(*(held_grams(topic, _haystack(c)) for c in clauses))

    have = covered(cited)
    for st in sorted(kept, key=lambda s: shown.index(s.clause)):  # type: ignore[arg-type]
        c = st.clause
        assert c is not None
        if c in cited:
            continue
        # The statement itself must say it: a list entry copied from a side clause that
        # happens to mention the question's words elsewhere answers nothing asked.
        said = grams(st.text)
        new = {g for g in covered([c]) - have if g in said}
        if new:
            cited.append(c)
            have |= new
            continue
        st.reasons = [
            f"该陈述出自{c.clause_no}，问题问到的内容已由"
            f"{'、'.join(dict.fromkeys(a.clause_no for a in cited))}回答"
        ]
        st.status = "off_question"
        st.clause = None


def _confine(statements: list[Statement], named: list[Clause], asked: set[str] | None) -> None:
    """Keep the statements a named clause supports (re-cited to it); the others, true as
    they may be, come from clauses the question did not ask about."""
    for st in statements:
        if not st.supported or st.clause is None or st.clause in named:
            continue
        here = [judge_statement(st.text, c, asked) for c in named]
        best = max(
            (v for v in here if v.kind == "supported"), key=lambda v: v.overlap, default=None
        )
        if best is not None:
            _settle(st, best, "reattributed")
            continue
        st.reasons = [
            f"问题问的是{'、'.join(c.clause_no for c in named)}，该陈述出自{st.clause.clause_no}"
        ]
        st.status = "off_question"
        st.clause = None


def _corrected(st: Statement, drift: _Verdict, asked: set[str] | None = None) -> bool:
    """Put a strength-only modal drift back as the clause has it; True when the corrected
    statement is then supported by that clause (it is kept, with the reason)."""
    fixed = correct_modality(st.text, drift.clause.text)
    if fixed is None:
        return False
    verdict = judge_statement(fixed, drift.clause, asked)
    if verdict.kind != "supported":
        return False
    st.text = fixed
    _settle(st, verdict, "modality_corrected")
    st.reasons = [f"已按条款更正{r.removeprefix('能愿动词不符')}" for r in drift.reasons]
    return True


def _settle(st: Statement, verdict: _Verdict, status: str) -> None:
    st.status = status
    st.clause = verdict.clause
    st.overlap = verdict.overlap
    st.reasons = verdict.reasons


def _render(st: Statement) -> str:
    body = st.text
    if st.supported and st.clause is not None:
        body += cite(st.clause)
    return f"{st.prefix}{body}{st.end}"


def _assemble(statements: list[Statement], invalid: list[str]) -> SupportReport:
    supported = [s for s in statements if s.supported]
    if not supported:
        return SupportReport(REFUSAL, True, statements, [], invalid)
    lines: dict[int, list[str]] = {}
    kept = [s for s in statements if s.supported or s.status == "connective"]
    # A connective or lead-in is worth keeping only if a supported statement follows it.
    last_supported = max(i for i, s in enumerate(kept) if s.supported)
    for i, s in enumerate(kept):
        if s.status == "connective" and i > last_supported:
            continue
        if s.text or s.prefix:
            lines.setdefault(s.line, []).append(_render(s))
    text = "\n".join("".join(parts) for _, parts in sorted(lines.items())).strip()
    clauses: list[Clause] = []
    for s in supported:
        if s.clause is not None and s.clause not in clauses:
            clauses.append(s.clause)
    return SupportReport(text, False, statements, clauses, invalid)

"""Resolve gold entries of a question set to clause ids of one built knowledge base.

Gold is written against documents, not against a particular build: ``clause_id``s change
whenever a file is re-ingested and clause numbers change whenever segmentation improves.
So a gold entry is resolved fresh for every run:

1. candidate documents: those whose standard code or title matches ``doc`` (dashes, spaces
   and full-width forms normalised; a code without its year matches any year), or whose
   source file basename equals ``source``;
2. within them, the clause whose heading + text contains the evidence (plaintext or
   fingerprint, :func:`eval.fingerprint.contains`); if several do, the one whose number
   matches ``clause_no``, else the first in document order;
3. evidence straddling a clause boundary (a new heading was recognised inside it) is found
   in the document text and assigned to the clause where it starts;
4. only a gold entry *without* evidence falls back to ``clause_no``; evidence that is not
   found leaves the entry unresolved (a shifted clause number would silently point at the
   wrong clause), and unresolved entries are reported, never dropped quietly.

**Copies of one standard.**  A knowledge base may hold one edition twice (a PDF and its
Markdown transcription: same standard code and year, :func:`grammar.copies.copies`).  An
entry resolved to a clause of one copy also yields, in every other copy, the clause that
holds the same evidence (found the same way: clause text, preferring the same number,
else the clause where the evidence starts; an entry without evidence takes the copy's
:func:`grammar.copies.same_clause`).  These are its ``equivalents``: retrieval and
citations score a hit on one of them as a hit on the entry, with the same grade
(:attr:`ResolvedQuestion.aliases`, used by :mod:`eval.runner`).  Retrieval shows such a
clause only once (:func:`index.retrievers.distinct`), so the answer to "GB/T 28181—2016
6.1.1" is not a miss because the gold was found in the other file.  Evidence a copy does
not hold (OCR damage) gives no equivalent there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from eval.fingerprint import contains, fingerprint, normalize
from eval.metrics import targets
from eval.questions import Gold, Question, QuestionSet
from grammar.codes import code_base, normalize_code
from grammar.copies import copies, same_clause
from grammar.schema import Clause, DocumentInfo
from ingest.store import ClauseStore
from qa.citations import normalize_clause_no

log = logging.getLogger(__name__)

_DASHES = re.compile(r"[-—–－―‐‑‒ー]+")


def doc_key(text: str) -> str:
    """Comparable form of a document reference: NFKC, no spaces, one dash kind, no 《》."""
    return _DASHES.sub("-", normalize(text)).strip("《》<>\"'“”").lower()


def doc_matches(ref: str, info: DocumentInfo) -> bool:
    """Does the gold ``doc`` reference name this document (by code or by title)?"""
    key = doc_key(ref)
    if not key:
        return False
    names = [info.title]
    if info.standard_code:
        names += [info.standard_code, code_base(info.standard_code)]
    if any(doc_key(n) == key for n in names):
        return True
    # Gold cites the year, the document printed none: "GB/T 1.1—2020" vs "GB/T 1.1".
    code = normalize_code(ref)
    return bool(
        code
        and info.standard_code
        and "—" not in info.standard_code
        and code_base(code) == info.standard_code
    )


@dataclass(slots=True)
class ResolvedGold:
    gold: Gold
    clause_id: str | None = None
    clause_no: str | None = None
    method: str | None = None  # "evidence" | "evidence-span" | "clause_no"
    problem: str = ""
    # The same clause in other copies of the standard (same evidence): counts as this gold.
    equivalents: list[str] = field(default_factory=list)

    @property
    def resolved(self) -> bool:
        return self.clause_id is not None


@dataclass(slots=True)
class ResolvedQuestion:
    question: Question
    golds: list[ResolvedGold] = field(default_factory=list)

    @property
    def grades(self) -> dict[str, int]:
        """clause_id → grade (the higher one when two entries resolve to one clause)."""
        out: dict[str, int] = {}
        for g in self.golds:
            if g.clause_id is not None:
                out[g.clause_id] = max(out.get(g.clause_id, 0), g.gold.grade)
        return out

    @property
    def aliases(self) -> dict[str, str]:
        """Clause id of a copy → the gold clause it stands for (module docstring).  A clause
        that is gold in its own right is never an alias."""
        grades = self.grades
        out: dict[str, str] = {}
        for g in self.golds:
            if g.clause_id is None:
                continue
            for cid in g.equivalents:
                if cid not in grades and cid not in out:
                    out[cid] = g.clause_id
        return out

    @property
    def hit_targets(self) -> set[str]:
        """The clauses that count as a hit (:func:`eval.metrics.targets`) and their copies:
        the pipeline shows one copy of a clause held in two files of one standard
        (:func:`index.retrievers.distinct`), so the twin of a gold clause is that gold too —
        what the trainers label positive, as the runner scores a ranking."""
        want = targets(self.grades)
        return want | {cid for cid, gold in self.aliases.items() if gold in want}

    @property
    def unresolved(self) -> list[ResolvedGold]:
        return [g for g in self.golds if not g.resolved]


class _KB:
    """What resolution needs from a clause store, loaded once."""

    def __init__(self, store: ClauseStore) -> None:
        self.store = store
        self.docs = store.documents()
        self.clauses: dict[str, list[Clause]] = {}
        for c in store.iter_clauses():
            self.clauses.setdefault(c.doc_id, []).append(c)
        for cs in self.clauses.values():
            cs.sort(key=lambda c: c.seq)
        self._texts: dict[str, str] = {}
        self.copies = copies(self.docs)
        self.by_clause = {c.clause_id: c for cs in self.clauses.values() for c in cs}

    def text(self, doc_id: str) -> str:
        if doc_id not in self._texts:
            self._texts[doc_id] = self.store.doc_text(doc_id)
        return self._texts[doc_id]

    def candidates(self, gold: Gold) -> list[DocumentInfo]:
        if gold.source:
            return [d for d in self.docs if Path(d.source).name == gold.source]
        return [d for d in self.docs if doc_matches(gold.doc or "", d)]


def _haystack(c: Clause) -> str:
    return f"{c.heading}\n{c.text}"


def _same_no(c: Clause, clause_no: str | None) -> bool:
    return bool(clause_no) and normalize_clause_no(c.clause_no) == normalize_clause_no(
        clause_no or ""
    )


def _normalized_with_offsets(text: str) -> tuple[str, list[int]]:
    """``normalize(text)`` character by character, with each output char's offset in ``text``.

    Normalising per character equals normalising the whole for NFKC except for rare
    composition across characters, which does not occur in the Chinese/ASCII text here.
    """
    chars: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        for n in normalize(ch):
            chars.append(n)
            offsets.append(i)
    return "".join(chars), offsets


def _locate(text: str, gold: Gold) -> int | None:
    """Offset in ``text`` where the evidence starts, or None."""
    norm, offsets = _normalized_with_offsets(text)
    if gold.evidence:
        pos = norm.find(normalize(gold.evidence))
        return offsets[pos] if pos >= 0 else None
    if gold.evidence_fp:
        n, want = int(gold.evidence_fp["len"]), gold.evidence_fp["sha1"]
        for i in range(len(norm) - n + 1):
            if fingerprint(norm[i : i + n])["sha1"] == want:
                return offsets[i]
    return None


def resolve_gold(gold: Gold, kb: _KB) -> ResolvedGold:
    """Resolve one gold entry (see module docstring for the order of attempts), with its
    equivalents in copies of the standard."""
    out = _resolve(gold, kb)
    if out.clause_id is not None:
        out.equivalents = _equivalents(gold, out, kb)
    return out


def _equivalents(gold: Gold, found: ResolvedGold, kb: _KB) -> list[str]:
    """The clause holding ``gold``'s evidence in every other copy of the document
    ``found`` is in (module docstring)."""
    home = kb.by_clause.get(str(found.clause_id))
    if home is None:
        return []
    out: list[str] = []
    for other in sorted(kb.copies.get(home.doc_id, frozenset()) - {home.doc_id}):
        clauses = kb.clauses.get(other, [])
        if gold.evidence or gold.evidence_fp:
            match = _evidence_match(clauses, gold, home.clause_no)[0] or _owner(kb, other, gold)
        else:
            match = next((c for c in clauses if same_clause(home, c, kb.copies)), None)
        if match is not None:
            out.append(match.clause_id)
    return out


def _evidence_match(
    clauses: list[Clause], gold: Gold, clause_no: str | None
) -> tuple[Clause | None, int]:
    """The clause whose heading and text hold ``gold``'s evidence — the one numbered
    ``clause_no`` when several do, else the first — and how many do."""
    hits = [c for c in clauses if contains(_haystack(c), gold.evidence, gold.evidence_fp)]
    if not hits:
        return None, 0
    return next((c for c in hits if _same_no(c, clause_no)), hits[0]), len(hits)


def _owner(kb: _KB, doc_id: str, gold: Gold) -> Clause | None:
    """The clause of ``doc_id`` where ``gold``'s evidence starts in the document text."""
    pos = _locate(kb.text(doc_id), gold)
    if pos is None:
        return None
    return next((c for c in kb.clauses.get(doc_id, []) if c.start <= pos < c.end), None)


def _resolve(gold: Gold, kb: _KB) -> ResolvedGold:
    out = ResolvedGold(gold)
    docs = kb.candidates(gold)
    if not docs:
        out.problem = f"no document matches {gold.doc or gold.source!r}"
        return out
    clauses = [c for d in docs for c in kb.clauses.get(d.doc_id, [])]
    has_evidence = bool(gold.evidence or gold.evidence_fp)
    if has_evidence:
        best, held = _evidence_match(clauses, gold, gold.clause_no)
        if best is not None:
            if held > 1 and not _same_no(best, gold.clause_no):
                log.debug(
                    "evidence of %s found in %d clauses; took the first", gold.describe(), held
                )
            out.clause_id, out.clause_no, out.method = best.clause_id, best.clause_no, "evidence"
            return out
        for d in docs:
            owner = _owner(kb, d.doc_id, gold)
            if owner is not None:
                out.clause_id, out.clause_no, out.method = (
                    owner.clause_id,
                    owner.clause_no,
                    "evidence-span",
                )
                return out
        out.problem = f"evidence not found in {len(docs)} candidate document(s)"
        return out
    by_no = [c for c in clauses if _same_no(c, gold.clause_no)]
    if by_no:
        out.clause_id, out.clause_no, out.method = (
            by_no[0].clause_id,
            by_no[0].clause_no,
            "clause_no",
        )
        return out
    out.problem = f"no clause numbered {gold.clause_no!r}"
    return out


@dataclass(slots=True)
class GoldResolution:
    questions: list[ResolvedQuestion]

    @property
    def unresolved(self) -> list[tuple[str, ResolvedGold]]:
        return [(rq.question.id, g) for rq in self.questions for g in rq.unresolved]

    @property
    def total(self) -> int:
        return sum(len(rq.golds) for rq in self.questions)

    @property
    def with_copies(self) -> int:
        """Gold entries that gained an equivalent clause in a copy of their standard."""
        return sum(1 for rq in self.questions for g in rq.golds if g.equivalents)

    def to_json(self) -> dict[str, object]:
        return {
            "gold_total": self.total,
            "gold_unresolved": len(self.unresolved),
            "gold_with_copies": self.with_copies,
            "unresolved": [
                {"id": qid, "gold": g.gold.describe(), "problem": g.problem}
                for qid, g in self.unresolved
            ],
        }


def resolve_questions(questions: Iterable[Question], store: ClauseStore) -> GoldResolution:
    """Resolve the gold of every question against ``store``; logs a warning per failure."""
    kb = _KB(store)
    out = [ResolvedQuestion(q, [resolve_gold(g, kb) for g in q.gold]) for q in questions]
    res = GoldResolution(out)
    for qid, g in res.unresolved:
        log.warning("unresolved gold in %s: %s (%s)", qid, g.gold.describe(), g.problem)
    return res


def resolve_set(qset: QuestionSet, store: ClauseStore) -> GoldResolution:
    return resolve_questions(qset.questions, store)

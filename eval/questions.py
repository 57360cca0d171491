"""Question sets: load and validate the JSONL files that define an evaluation.

A set is hand-written and grows over time, so a typo must fail loudly with the file and
line number instead of silently dropping a question (which would move every metric).

Format (one JSON object per line)::

    {"_meta": {"name", "version", "corpus": [paths relative to the repo root], "description"}}
    {"id", "type", "question", "split"?, "gold": [{"doc" | "source", "clause_no", "grade",
      "evidence" | "evidence_fp"}], "key_facts": [...], "key_facts_fp": [...]}

``split`` (optional, e.g. ``"dev"`` / ``"test"``) marks which questions may be tuned on and
which are held out; a set that splits says how in ``_meta.split_rule`` (split by document,
so no document is seen on both sides).  Reports give every metric per split as well.

``doc`` names a document by standard code or title (redistributable sets); ``source`` by the
basename of its file (sets over corpora that must not be copied, whose evidence is then a
fingerprint, see :mod:`eval.fingerprint`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

QUESTION_TYPES = ("drafting", "lookup", "numeric", "lay", "multi", "unanswerable")
REPO_ROOT = Path(__file__).resolve().parents[1]


class QuestionSetError(ValueError):
    """A question set file cannot be used; the message names file and line."""


@dataclass(slots=True, frozen=True)
class Gold:
    """One clause that answers a question (grade 2: the answer; grade 1: useful context)."""

    doc: str | None
    source: str | None
    clause_no: str | None
    grade: int
    evidence: str | None = None
    evidence_fp: dict[str, Any] | None = None

    def describe(self) -> str:
        """Short human form for warnings and reports."""
        where = self.doc or self.source or "?"
        return f"{where} {self.clause_no or ''}".strip()


@dataclass(slots=True)
class Question:
    id: str
    type: str
    question: str
    gold: list[Gold] = field(default_factory=list)
    key_facts: list[str] = field(default_factory=list)
    key_facts_fp: list[dict[str, Any]] = field(default_factory=list)
    line: int = 0
    split: str | None = None

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


@dataclass(slots=True)
class SetMeta:
    name: str
    version: str
    corpus: list[str]
    description: str = ""
    held_out: bool = False  # every question is test, scored only until a session converts it


@dataclass(slots=True)
class QuestionSet:
    meta: SetMeta
    questions: list[Question]
    path: Path | None = None

    def corpus_paths(self, root: Path = REPO_ROOT) -> list[Path]:
        """Corpus paths resolved against the repository root (absolute ones kept)."""
        return [
            (root / p).resolve() if not Path(p).is_absolute() else Path(p) for p in self.meta.corpus
        ]

    def missing_corpus(self, root: Path = REPO_ROOT) -> list[Path]:
        return [p for p in self.corpus_paths(root) if not p.exists()]


def _fail(path: Path | str, line: int, msg: str) -> QuestionSetError:
    return QuestionSetError(f"{path}:{line}: {msg}")


def _str(d: dict[str, Any], key: str, where: str, *, required: bool = True) -> str | None:
    v = d.get(key)
    if v is None or v == "":
        if required:
            raise ValueError(f"{where}：缺少字段 {key!r}")
        return None
    if not isinstance(v, str):
        raise ValueError(f"{where}：字段 {key!r} 应为字符串，实为 {type(v).__name__}")
    return v


def _fp(v: Any, where: str) -> dict[str, Any]:
    if not (
        isinstance(v, dict)
        and isinstance(v.get("sha1"), str)
        and isinstance(v.get("len"), int)
        and v["len"] > 0
    ):
        raise ValueError(f"{where}：fingerprint 应为 {{'sha1': str, 'len': int > 0}}，实为 {v!r}")
    return {"sha1": v["sha1"], "len": v["len"]}


def _gold(raw: Any, where: str) -> Gold:
    if not isinstance(raw, dict):
        raise ValueError(f"{where}：gold 条目应为对象")
    doc = _str(raw, "doc", where, required=False)
    source = _str(raw, "source", where, required=False)
    if not doc and not source:
        raise ValueError(f"{where}：gold 条目需要 'doc' 或 'source'")
    clause_no = raw.get("clause_no")
    clause_no = str(clause_no) if clause_no not in (None, "") else None
    grade = raw.get("grade", 2)
    if grade not in (1, 2) or isinstance(grade, bool):
        raise ValueError(f"{where}：grade 应为 2 或 1，实为 {grade!r}")
    evidence = _str(raw, "evidence", where, required=False)
    fp = _fp(raw["evidence_fp"], where) if raw.get("evidence_fp") is not None else None
    if not evidence and fp is None and not clause_no:
        raise ValueError(f"{where}：gold 条目需要 'evidence'、'evidence_fp' 或 'clause_no'")
    return Gold(doc, source, clause_no, int(grade), evidence, fp)


def _question(d: dict[str, Any], where: str, line: int) -> Question:
    qid = d.get("id")
    if qid in (None, ""):
        raise ValueError(f"{where}：缺少字段 'id'")
    qtype = _str(d, "type", where)
    if qtype not in QUESTION_TYPES:
        raise ValueError(f"{where}：未知题型 {qtype!r}（应为 {', '.join(QUESTION_TYPES)} 之一）")
    text = _str(d, "question", where)
    gold_raw = d.get("gold") or []
    if not isinstance(gold_raw, list):
        raise ValueError(f"{where}：'gold' 应为列表")
    gold = [_gold(g, f"{where} gold[{i}]") for i, g in enumerate(gold_raw)]
    if qtype == "unanswerable" and gold:
        raise ValueError(f"{where}：无答案题（unanswerable）不能有 gold 条款")
    if qtype != "unanswerable" and not gold:
        raise ValueError(f"{where}：有答案的题至少需要一个 gold 条款")
    facts = d.get("key_facts") or []
    if not isinstance(facts, list) or not all(isinstance(f, str) and f.strip() for f in facts):
        raise ValueError(f"{where}：'key_facts' 应为非空字符串的列表")
    facts_fp_raw = d.get("key_facts_fp") or []
    if not isinstance(facts_fp_raw, list):
        raise ValueError(f"{where}：'key_facts_fp' 应为列表")
    facts_fp = [_fp(f, f"{where} key_facts_fp[{i}]") for i, f in enumerate(facts_fp_raw)]
    split = _str(d, "split", where, required=False)
    return Question(str(qid), qtype, text or "", gold, list(facts), facts_fp, line, split)


def _meta(d: Any, path: Path) -> SetMeta:
    if not isinstance(d, dict):
        raise _fail(path, 1, "'_meta' 应为对象")
    name = d.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(path, 1, "_meta：缺少字段 'name'")
    corpus = d.get("corpus")
    if isinstance(corpus, str):
        corpus = [corpus]
    if not isinstance(corpus, list) or not corpus or not all(isinstance(c, str) for c in corpus):
        raise _fail(path, 1, "_meta：'corpus' 应为非空的路径列表")
    return SetMeta(
        name.strip(),
        str(d.get("version", "")),
        list(corpus),
        str(d.get("description", "")),
        d.get("held_out") is True,
    )


def parse_question_set(lines: list[str], path: Path | str = "<string>") -> QuestionSet:
    """Parse the lines of a set; raises :class:`QuestionSetError` naming the bad line."""
    path = Path(path)
    meta: SetMeta | None = None
    questions: list[Question] = []
    seen: dict[str, int] = {}
    for no, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            d = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise _fail(path, no, f"不是合法的 JSON（第 {exc.colno} 列：{exc.msg}）") from exc
        if not isinstance(d, dict):
            raise _fail(path, no, "每一行应为一个 JSON 对象")
        if "_meta" in d:
            if meta is not None or questions:
                raise _fail(path, no, "'_meta' 只能出现在第一行，且只出现一次")
            meta = _meta(d["_meta"], path)
            continue
        if meta is None:
            raise _fail(path, no, '第一行应为 {"_meta": {...}}')
        try:
            q = _question(d, f"question {d.get('id', '?')!r}", no)
        except ValueError as exc:
            raise _fail(path, no, str(exc)) from exc
        if q.id in seen:
            raise _fail(path, no, f"题目 id {q.id!r} 重复（首次出现在第 {seen[q.id]} 行）")
        seen[q.id] = no
        questions.append(q)
    if meta is None:
        raise _fail(path, 1, "题集为空（没有 _meta 行）")
    if not questions:
        raise _fail(path, 1, "question set has no questions")
    return QuestionSet(meta, questions, path)


def load_question_set(path: Path | str) -> QuestionSet:
    """Load and validate one JSONL question set."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuestionSetError(f"{p}：无法读取（{exc.strerror or exc}）") from exc
    return parse_question_set(text.splitlines(), p)

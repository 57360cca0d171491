"""Gold resolution against a real (tiny) clause store, and question-set validation.

The important property: gold survives re-segmentation.  The same standard is ingested in
two versions whose clause numbers differ (a clause inserted before the gold one); the gold
entry written against version A ("2.2") must resolve to the clause that now carries the
evidence ("2.3"), not to whatever is numbered 2.2 now.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.fingerprint import fingerprint
from eval.gold import doc_key, resolve_questions
from eval.questions import Gold, Question, QuestionSetError, load_question_set, parse_question_set
from ingest.pipeline import ingest_paths
from ingest.store import ClauseStore

HEAD = """T/XX 001—2025
社区助餐服务规范

1 范围
本文件规定了社区助餐服务的服务内容和服务要求。

2 服务要求
"""
STAFF = "2.1 人员要求\n从业人员应持有有效健康证明，每年体检一次。\n"
SITE = "2.1 场所要求\n就餐场所应通风良好，设置无障碍通道。\n"
FOOD = "{no} 食品安全\n每餐次的食品成品应留样，留样量不少于125克，冷藏保存48小时以上。\n"
NAME = "T_XX_001-2025_社区助餐服务规范.txt"


def build(tmp: Path, text: str, name: str = NAME) -> ClauseStore:
    src = tmp / "corpus"
    src.mkdir(parents=True, exist_ok=True)
    (src / name).write_text(text, encoding="utf-8")
    store = ClauseStore(tmp / "kb")
    report = ingest_paths([src], store, kb="t")
    assert report.ok
    return store


def v1(tmp: Path) -> ClauseStore:
    return build(tmp / "v1", HEAD + STAFF + FOOD.format(no="2.2"))


def v2(tmp: Path) -> ClauseStore:
    # 场所要求 inserted: 人员要求 becomes 2.2, 食品安全 becomes 2.3
    return build(tmp / "v2", HEAD + SITE + STAFF.replace("2.1", "2.2") + FOOD.format(no="2.3"))


def resolve_one(store: ClauseStore, gold: Gold):
    res = resolve_questions([Question("q", "lookup", "留样多少克？", [gold])], store)
    return res, res.questions[0].golds[0]


def clause_no(store: ClauseStore, cid: str | None) -> str:
    return next(c.clause_no for c in store.iter_clauses() if c.clause_id == cid)


EVIDENCE = "留样量不少于125克"


@pytest.mark.parametrize(
    "ref", ["T/XX 001—2025", "T/XX 001-2025", "t/xx001–2025", "T/XX 001", "社区助餐服务规范"]
)
def test_doc_reference_forms(tmp_path: Path, ref: str) -> None:
    _, g = resolve_one(v1(tmp_path), Gold(ref, None, "2.2", 2, EVIDENCE))
    assert g.resolved and g.method == "evidence" and g.clause_no == "2.2"


def test_survives_resegmentation(tmp_path: Path) -> None:
    gold = Gold("T/XX 001—2025", None, "2.2", 2, EVIDENCE)
    s1, s2 = v1(tmp_path), v2(tmp_path)
    _, g1 = resolve_one(s1, gold)
    _, g2 = resolve_one(s2, gold)
    assert clause_no(s1, g1.clause_id) == "2.2"
    assert clause_no(s2, g2.clause_id) == "2.3"  # followed the evidence, not the number
    # the same with a fingerprint instead of plaintext, and by source basename
    fp_gold = Gold(None, NAME, "2.2", 2, None, dict(fingerprint("留样量不少于 125 克")))
    _, g3 = resolve_one(s2, fp_gold)
    assert g3.clause_id == g2.clause_id


def test_clause_no_fallback_only_without_evidence(tmp_path: Path) -> None:
    s2 = v2(tmp_path)
    _, g = resolve_one(s2, Gold("T/XX 001—2025", None, "2.2", 1))
    assert g.method == "clause_no" and clause_no(s2, g.clause_id) == "2.2"
    # evidence given but absent: unresolved, not silently matched by number
    res, g = resolve_one(s2, Gold("T/XX 001—2025", None, "2.2", 2, "留样量不少于200克"))
    assert not g.resolved and "evidence not found" in g.problem
    assert res.to_json()["gold_unresolved"] == 1


def test_unknown_document_is_reported(tmp_path: Path) -> None:
    res, g = resolve_one(v1(tmp_path), Gold("GB/T 9999—2020", None, "2.2", 2, EVIDENCE))
    assert not g.resolved and "no document" in g.problem
    assert res.unresolved[0][0] == "q"


def test_evidence_across_a_clause_boundary(tmp_path: Path) -> None:
    s1 = v1(tmp_path)
    _, g = resolve_one(s1, Gold("T/XX 001—2025", None, None, 2, "每年体检一次。2.2 食品安全"))
    assert g.method == "evidence-span" and clause_no(s1, g.clause_id) == "2.1"


def test_grades_keep_the_higher_grade(tmp_path: Path) -> None:
    s1 = v1(tmp_path)
    q = Question(
        "q",
        "lookup",
        "?",
        [
            Gold("T/XX 001", None, "2.2", 1, EVIDENCE),
            Gold("T/XX 001", None, None, 2, "冷藏保存48小时"),
        ],
    )
    (rq,) = resolve_questions([q], s1).questions
    assert list(rq.grades.values()) == [2]


def _with_copies(tmp: Path) -> ClauseStore:
    """The standard as a file, as a noisy transcription of it (same code and year), and
    as another edition (2024) with the same evidence."""
    src = tmp / "corpus"
    src.mkdir(parents=True)
    text = HEAD + STAFF + FOOD.format(no="2.2")
    (src / NAME).write_text(text, encoding="utf-8")
    noisy = text.replace("，", ", ").replace("125克", "125 克").replace("。", "。 ")
    (src / "T_XX_001-2025_转录本.txt").write_text(noisy, encoding="utf-8")
    older = text.replace("T/XX 001—2025", "T/XX 001—2024")
    (src / "T_XX_001-2024_社区助餐服务规范.txt").write_text(older, encoding="utf-8")
    store = ClauseStore(tmp / "kb")
    assert ingest_paths([src], store, kb="t").ok
    return store


def test_gold_in_one_copy_counts_in_the_other(tmp_path: Path) -> None:
    from eval import metrics as M

    store = _with_copies(tmp_path)
    by_id = {c.clause_id: c for c in store.iter_clauses()}
    res, g = resolve_one(store, Gold(None, NAME, "2.2", 2, EVIDENCE))
    assert g.resolved and len(g.equivalents) == 1
    twin = by_id[g.equivalents[0]]
    home = by_id[str(g.clause_id)]
    assert twin.doc_id != home.doc_id and twin.clause_no == "2.2"
    assert twin.standard_code == "T/XX 001—2025"  # not the 2024 edition
    assert res.to_json()["gold_with_copies"] == 1
    (rq,) = res.questions
    assert rq.aliases == {twin.clause_id: home.clause_id}
    # A ranking that leads with the copy's clause: a hit at rank 1 with the copy counted,
    # a miss without (the metric before copies).
    other = next(
        c.clause_id for c in by_id.values() if c.doc_id == twin.doc_id and c.clause_no == "1"
    )
    ranked = [[twin.clause_id], [other]]
    assert M.first_hit_rank(M.canonical(ranked, rq.aliases), rq.grades) == 1
    assert M.first_hit_rank(ranked, rq.grades) is None
    cited = [ids[0] for ids in M.canonical([twin.clause_id], rq.aliases)]
    assert M.first_citation_hit(cited, rq.grades) == 1.0
    assert M.citation_precision(cited, rq.grades) == 1.0


def test_a_fingerprint_and_a_gold_without_evidence_find_the_copy(tmp_path: Path) -> None:
    store = _with_copies(tmp_path)
    fp = Gold("T/XX 001—2025", None, "2.2", 2, None, dict(fingerprint("留样量不少于125克")))
    _, g = resolve_one(store, fp)
    assert len(g.equivalents) == 1
    _, g = resolve_one(store, Gold(None, NAME, "2.1", 1))  # by number: the same clause
    assert g.method == "clause_no" and len(g.equivalents) == 1


def test_no_equivalent_without_a_copy(tmp_path: Path) -> None:
    res, g = resolve_one(v1(tmp_path), Gold("T/XX 001—2025", None, "2.2", 2, EVIDENCE))
    assert g.resolved and g.equivalents == [] and res.questions[0].aliases == {}
    assert res.to_json()["gold_with_copies"] == 0


def test_doc_key() -> None:
    assert doc_key("《GB/T 1.1－2020》") == doc_key("gb/t1.1—2020")


# ------------------------------------------------------------------ question sets
META = {"_meta": {"name": "t", "version": "1", "corpus": ["samples"], "description": ""}}
Q = {
    "id": "q1",
    "type": "lookup",
    "question": "?",
    "gold": [{"doc": "D", "clause_no": "1", "grade": 2, "evidence": "e"}],
}


def lines(*objs: object) -> list[str]:
    return [json.dumps(o, ensure_ascii=False) for o in objs]


def test_load_valid_set(tmp_path: Path) -> None:
    p = tmp_path / "questions_t.jsonl"
    unans = {"id": "q2", "type": "unanswerable", "question": "?", "key_facts": []}
    p.write_text("\n".join(lines(META, Q, unans)) + "\n\n", encoding="utf-8")
    s = load_question_set(p)
    assert s.meta.name == "t" and [q.id for q in s.questions] == ["q1", "q2"]
    assert s.questions[0].gold[0].grade == 2 and not s.questions[1].answerable
    assert s.corpus_paths()[0].name == "samples"


@pytest.mark.parametrize(
    ("objs", "line", "msg"),
    [
        ((META, {**Q, "type": "trivia"}), 2, "未知题型 'trivia'"),
        ((META, {k: v for k, v in Q.items() if k != "question"}), 2, "缺少字段 'question'"),
        ((Q,), 1, "第一行"),
        ((META, Q, Q), 3, "题目 id 'q1' 重复（首次出现在第 2 行）"),
        ((META, {**Q, "gold": [{"doc": "D", "grade": 3, "evidence": "e"}]}), 2, "grade 应为"),
        ((META, {**Q, "gold": [{"clause_no": "1", "evidence": "e"}]}), 2, "'doc' 或 'source'"),
        ((META, {**Q, "gold": [{"doc": "D", "evidence_fp": {"sha1": "ab"}}]}), 2, "fingerprint"),
        ((META, {**Q, "gold": []}), 2, "至少需要一个 gold"),
        ((META, {**Q, "type": "unanswerable"}), 2, "不能有 gold"),
        (({"_meta": {"name": "t"}}, Q), 1, "corpus"),
    ],
)
def test_invalid_sets_name_the_line(objs: tuple, line: int, msg: str) -> None:
    with pytest.raises(QuestionSetError) as exc:
        parse_question_set(lines(*objs), "set.jsonl")
    assert f"set.jsonl:{line}:" in str(exc.value) and msg in str(exc.value)


def test_bad_json_line_number() -> None:
    with pytest.raises(QuestionSetError, match=r"set.jsonl:2: 不是合法的 JSON"):
        parse_question_set([*lines(META), '{"id": "q1",'], "set.jsonl")

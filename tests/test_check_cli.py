"""``python -m check``: JSON contract, exit status, rule selection, knowledge-base links."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from check.cli import main
from check.synthetic import clean_draft
from ingest.pipeline import ingest_paths
from ingest.store import ClauseStore
from ingest.workspace import kb_path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "samples" / "standards" / "T_BZQC_002-2025_服务标准编写指南.txt"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def defective(tmp_path: Path) -> Path:
    p = tmp_path / "草案.md"
    p.write_text(
        clean_draft().replace("服务机构应具有固定", "服务机构必须具有固定"), encoding="utf-8"
    )
    return p


def test_json_contract(capsys: pytest.CaptureFixture[str], defective: Path) -> None:
    code, out, _ = run(capsys, str(defective), "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"document", "findings", "summary"} and data["document"] == "草案.md"
    f = next(f for f in data["findings"] if f["rule"] == "wording.must")
    assert f["severity"] == "error" and f["basis"] == "GB/T 1.1—2020，附录C"
    assert (
        set(f["location"]) == {"clause_no", "line", "page"}
        and f["location"]["clause_no"] == "5.1.1"
    )
    assert f["message"] and f["suggestion"] and "basis_clause_id" not in f
    assert data["summary"]["error"] >= 1 and data["summary"]["by_rule"]["wording.must"] >= 1


def test_exit_zero_on_clean_and_text_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    p = tmp_path / "clean.txt"
    p.write_text(clean_draft(), encoding="utf-8")
    code, out, _ = run(capsys, str(p))
    assert code == 0 and "0 个错误" in out


@pytest.mark.parametrize(
    "content,reason",
    [(b"", "\u7a7a"), (b"\x00\x01\x02\xff" * 50, "")],
)
def test_unreadable_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes, reason: str
) -> None:
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    code, out, err = run(capsys, str(p))
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("错误：")


def test_missing_file_and_unknown_rule(capsys: pytest.CaptureFixture[str], defective: Path) -> None:
    assert run(capsys, "/no/such/draft.docx")[0] == 2
    code, _, err = run(capsys, str(defective), "--rules", "nonsense")
    assert code == 2 and "未知规则" in err


def test_rules_selection(capsys: pytest.CaptureFixture[str], defective: Path) -> None:
    code, out, _ = run(capsys, str(defective), "--json", "--rules", "structure")
    assert code == 0
    assert not [f for f in json.loads(out)["findings"] if f["rule"] == "wording.must"]


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--list-rules", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) >= 40
    assert {"id", "severity", "basis", "basis_verified", "guide"} <= set(rows[0])


def test_basis_clause_id_from_kb(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, defective: Path
) -> None:
    ws = tmp_path / "ws"
    store = ClauseStore(kb_path(ws, "guide"))
    ingest_paths([GUIDE], store, kb="guide")
    code, out, _ = run(capsys, str(defective), "--json", "--kb", "guide", "--workspace", str(ws))
    assert code == 0
    f = next(f for f in json.loads(out)["findings"] if f["rule"] == "wording.must")
    clause = next(c for c in store.iter_clauses() if c.clause_id == f["basis_clause_id"])
    assert clause.clause_no == "8.1.3" and "必须" in clause.text
    assert run(capsys, str(defective), "--kb", "nope", "--workspace", str(ws))[0] == 2


def test_module_entry_point(defective: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "check", str(defective), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["findings"]

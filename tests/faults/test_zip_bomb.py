"""A .docx zip bomb is refused before anything large is inflated (issue 14, High)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

from tests.faults.conftest import run_cli, write_docx_bomb

PEAK_RSS_LIMIT_MB = 300

# Peak RSS of the probe process itself: VmHWM of /proc/self/status (getrusage's ru_maxrss
# would include the forking pytest process's RSS, inherited across exec).
_PROBE = """
import json, sys
from pathlib import Path
from ingest.readers import read_document, UnreadableFile
try:
    read_document(Path(sys.argv[1]))
    outcome = "read"
except UnreadableFile as exc:
    outcome = str(exc)
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print(json.dumps({"outcome": outcome, "peak_mb": int(status) / 1024}))
"""


def _probe(path: Path) -> dict[str, object]:
    proc = run_cli("-c", _PROBE, str(path))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_one_gib_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    bomb = write_docx_bomb(tmp_path / "bomb.docx", 1 << 30)
    assert bomb.stat().st_size < 2 << 20  # ~1 MB on disk
    result = _probe(bomb)
    assert "压缩炸弹" in str(result["outcome"])
    assert float(result["peak_mb"]) < PEAK_RSS_LIMIT_MB  # type: ignore[arg-type]


def test_bomb_with_a_lying_directory_is_bounded(tmp_path: Path) -> None:
    """The directory claims 1 MiB, the stream inflates to 1 GiB: zipfile stops at the
    declared size and the CRC check fails; memory stays bounded."""
    bomb = write_docx_bomb(tmp_path / "liar.docx", 1 << 30)
    data = bytearray(bomb.read_bytes())
    name = b"word/document.xml"
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        pos = data.find(sig)
        while pos != -1:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                data[pos + size_at : pos + size_at + 4] = struct.pack("<I", 1 << 20)
            pos = data.find(sig, pos + 4)
    bomb.write_bytes(bytes(data))
    result = _probe(bomb)
    assert result["outcome"] != "read"
    assert float(result["peak_mb"]) < PEAK_RSS_LIMIT_MB  # type: ignore[arg-type]


def test_ingest_cli_reports_the_bomb_in_one_line(tmp_path: Path) -> None:
    bomb = write_docx_bomb(tmp_path / "bomb.docx", 256 << 20)
    proc = run_cli("-m", "ingest", str(bomb), "--workspace", str(tmp_path / "ws"), "--json", "-q")
    assert proc.returncode == 1  # files given, none ingested
    assert "Traceback" not in proc.stderr
    row = json.loads(proc.stdout)["results"][0]
    assert row["status"] == "skipped" and "压缩炸弹" in row["reason"]


def test_a_small_honest_docx_still_reads(tmp_path: Path) -> None:
    from ingest.readers import read_document

    doc = read_document(write_docx_bomb(tmp_path / "ok.docx", 2 << 20))
    assert doc.fmt == "docx" and doc.lines


_APP_PROBE = """
import json, sys
from pathlib import Path
from ui.kb import handle_uploads
bomb = Path(sys.argv[1]).read_bytes()
outcome = handle_uploads(Path(sys.argv[2]), "up", [("炸弹.docx", bomb)])
row = outcome.results[0]
left = sorted(p.name for p in (Path(sys.argv[2]) / "uploads" / "up").glob("*.docx"))
status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
print(json.dumps({"status": str(row.status), "reason": row.reason, "left": left,
                  "peak_mb": int(status) / 1024}))
"""


def test_app_upload_of_a_bomb_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    """The Streamlit server ingests uploads in its own process: the same bound holds there,
    and the rejected upload does not stay on disk."""
    bomb = write_docx_bomb(tmp_path / "bomb.docx", 1 << 30)
    proc = run_cli("-c", _APP_PROBE, str(bomb), str(tmp_path / "ws"))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["status"] == "skipped" and "压缩炸弹" in result["reason"]
    assert result["left"] == []
    assert result["peak_mb"] < PEAK_RSS_LIMIT_MB


def test_every_member_is_inflated_in_bounded_chunks(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Defence in depth behind the directory check: inflating a member stops at the
    member bound even when the directory was let through (here: a lowered bound)."""
    import zipfile

    import pytest

    import ingest.readers.docx as docx_reader
    from ingest.readers import UnreadableFile

    path = write_docx_bomb(tmp_path / "ok.docx", 4 << 20)
    monkeypatch.setattr(docx_reader, "MAX_MEMBER_BYTES", 2 << 20)
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("word/document.xml")
        with pytest.raises(UnreadableFile, match="压缩炸弹"):
            docx_reader._check_stream(zf, info)

"""A read-only workspace serves queries; a full disk gives one-line errors and loses
nothing.  Both need to mount a small tmpfs (root in a container that allows it); the
tests are skipped elsewhere."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from index.search import Searcher
from ingest.cli import main as ingest_main
from ingest.store import ClauseStore
from qa.cli import main as qa_main


def _mount(where: Path, size: str) -> bool:
    where.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", f"stdqa-{uuid.uuid4().hex[:6]}", str(where)],
        capture_output=True,
    )
    return proc.returncode == 0


@pytest.fixture()
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "mnt"
    if shutil.which("mount") is None or not _mount(where, "2m"):
        pytest.skip("cannot mount a tmpfs here (needs root and a permissive container)")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def _fill(path: Path) -> None:
    """Fill the file system holding ``path`` to the last byte."""
    with open(path, "ab", buffering=0) as fh:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    fh.write(b"\0" * size)
            except OSError:
                continue


def test_read_only_workspace_serves_queries(kb, tmpfs: Path, hashed, capsys) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = kb
    ro_ws = tmpfs / "ws"
    shutil.copytree(ws, ro_ws)
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    s = Searcher.open(ro_ws, embedder=hashed)
    assert s.search("服务人员健康证明", k=1)[0].clause.clause_no == "4.1"
    assert not s.stale
    assert qa_main(["服务人员有什么要求", "--workspace", str(ro_ws), "--json"]) == 0
    capsys.readouterr()
    # a writer on a read-only workspace: one line, exit 2
    assert ingest_main([str(ro_ws), "--workspace", str(ro_ws), "--kb", "new", "-q"]) in (1, 2)
    assert "Traceback" not in capsys.readouterr().err


def test_full_disk_during_ingest_and_build(kb, tmpfs: Path, hashed, capsys) -> None:  # type: ignore[no-untyped-def]
    from index.build import sync_index

    ws, _, src = kb
    full_ws = tmpfs / "ws"
    shutil.copytree(ws, full_ws)
    store = ClauseStore(full_ws / "kbs" / "default")
    before = {s: e.sha256 for s, e in store.sources().items()}
    # fill the disk, leaving a few KB
    filler = tmpfs / "filler"
    _fill(filler)
    big = src / "大文件.txt"
    big.write_text(
        "T/TEST 009—2099\n大规范\n1 范围\n"
        + "".join(f"1.{i} 条款内容{i}。\n" for i in range(3000)),
        encoding="utf-8",
    )
    code = ingest_main([str(src), "--workspace", str(full_ws), "--json", "-q"])
    out, err = capsys.readouterr()
    assert code in (0, 1) and "Traceback" not in err
    assert any("空间不足" in r["reason"] for r in json.loads(out)["results"])
    # nothing stored was lost: every earlier source is intact
    fresh = ClauseStore(full_ws / "kbs" / "default")
    for source, sha in before.items():
        entry = fresh.entry(source)
        assert entry is not None and entry.sha256 == sha and fresh.verify(entry) is None
    # an index build on the full disk: a one-line error naming the cause
    from index.cli import main as index_main

    filler.unlink()
    assert ingest_main([str(src), "--workspace", str(full_ws), "-q"]) == 0
    _fill(filler)
    capsys.readouterr()
    assert index_main(["build", "--workspace", str(full_ws)]) == 2
    err = capsys.readouterr().err
    assert "空间不足" in err and "Traceback" not in err
    # the previous index still serves
    assert Searcher.open(full_ws, embedder=hashed).search("服务人员", k=1)
    del sync_index

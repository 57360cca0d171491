"""kill -9 at random points of ingest and index build; readers during writers.

The random kill points come from a seeded generator (the seed is printed on failure), so a
failing run can be replayed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from index.build import sync_index
from index.search import Searcher
from ingest.pipeline import ingest_paths
from ingest.store import JOURNAL, ClauseStore
from ingest.workspace import kb_path
from tests.faults.conftest import GOOD_TEXT, ROOT

SEED = int(os.environ.get("STDQA_FAULT_SEED", str(int(time.time()) % 10_000)))


def _many_files(folder: Path, n: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        body = GOOD_TEXT.replace("99001", f"{99100 + i}").replace("测试服务", f"测试{i}号服务")
        (folder / f"doc{i:03d}.txt").write_text(body + f"4.3 编号 {i} 的专用条款。\n", "utf-8")


def _spawn(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def _wait_for(predicate, timeout: float = 60.0) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _assert_store_sound(root: Path) -> ClauseStore:
    store = ClauseStore(root)
    for entry in store.sources().values():
        assert store.verify(entry) is None, entry.source
    return store


def test_kill_9_during_ingest_never_corrupts_the_store(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    src = tmp_path / "src"
    _many_files(src, 40)
    ws = tmp_path / "ws"
    root = kb_path(ws, "default")
    journal = root / JOURNAL

    def grew(since: int) -> bool:
        return journal.exists() and journal.stat().st_size > since

    for attempt in range(3):
        start = journal.stat().st_size if journal.exists() else 0
        proc = _spawn("-m", "ingest", str(src), "--workspace", str(ws), "--force", "-q")
        # wait until it is committing, then kill at a random moment
        started = _wait_for(lambda start=start: grew(start))
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert started or proc.returncode is not None, f"seed {SEED}, attempt {attempt}"
        _assert_store_sound(root)
    store = ClauseStore(root)
    report = ingest_paths([src], store, kb="default")
    assert report.ok and len(_assert_store_sound(root).sources()) == 40, f"seed {SEED}"


_BUILD = """
import sys, time
from tests.conftest import HashEmbedder
from index.build import sync_index
from ingest.store import ClauseStore

class Slow(HashEmbedder):
    def embed_passages(self, texts):
        time.sleep(0.05)
        return super().embed_passages(texts)

sync_index(ClauseStore(__import__("pathlib").Path(sys.argv[1])), Slow(), rebuild=True)
"""


def test_kill_9_during_index_build_keeps_the_previous_index(tmp_path: Path, hashed) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(SEED)
    src = tmp_path / "src"
    _many_files(src, 12)
    ws = tmp_path / "ws"
    root = kb_path(ws, "default")
    store = ClauseStore(root)
    assert ingest_paths([src], store, kb="default").ok
    sync_index(store, hashed)
    before = [h.clause.clause_id for h in Searcher.open(ws, embedder=hashed).search("专用条款")]
    for attempt in range(2):
        proc = _spawn("-c", _BUILD, str(root))
        time.sleep(rng.uniform(0.5, 4.0))  # start-up, embedding or publishing
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        s = Searcher.open(ws, embedder=hashed)  # the last complete generation
        assert [h.clause.clause_id for h in s.search("专用条款")] == before, f"seed {SEED}"
        del attempt
    result = sync_index(ClauseStore(root), hashed)
    assert result["damaged"] == []
    assert Searcher.open(ws, embedder=hashed).search("编号 7 的专用条款", k=1)


def test_search_during_ingest_force_never_crashes(tmp_path: Path, hashed) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: `index search` while `ingest --force` rewrites every source (10 of
    12 searches crashed with FileNotFoundError).  The writer runs as another process."""
    src = tmp_path / "src"
    _many_files(src, 30)
    ws = tmp_path / "ws"
    root = kb_path(ws, "default")
    store = ClauseStore(root)
    assert ingest_paths([src], store, kb="default").ok
    sync_index(store, hashed)
    writer = _spawn("-m", "ingest", str(src), "--workspace", str(ws), "--force", "-q")
    errors: list[BaseException] = []
    searches = 0
    try:
        while writer.poll() is None or searches < 12:
            try:
                s = Searcher.open(ws, embedder=hashed)
                hits = s.search("专用条款", k=5)
                for h in hits:  # every hit is a clause of the snapshot it came from
                    assert s.get(h.clause.clause_id) is h.clause
                searches += 1
            except BaseException as exc:
                errors.append(exc)
                break
            if searches >= 40:
                break
    finally:
        writer.wait(timeout=120)
    assert not errors, errors
    assert searches >= 12


def test_two_writers_at_once_leave_a_consistent_store(tmp_path: Path) -> None:
    src_a, src_b = tmp_path / "a", tmp_path / "b"
    _many_files(src_a, 15)
    _many_files(src_b, 15)
    for p in src_b.iterdir():  # different content than a/
        p.write_text(p.read_text("utf-8") + "4.4 第二批条款。\n", "utf-8")
    ws = tmp_path / "ws"
    procs = [
        _spawn("-m", "ingest", str(folder), "--workspace", str(ws), "-q")
        for folder in (src_a, src_b)
    ]
    for p in procs:
        assert p.wait(timeout=180) == 0
    store = _assert_store_sound(kb_path(ws, "default"))
    assert len(store.sources()) == 30


def test_concurrent_readers_in_threads_during_sync(kb, hashed) -> None:  # type: ignore[no-untyped-def]
    ws, store, src = kb
    s = Searcher.open(ws, embedder=hashed)
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                s.search("服务人员", k=3)
                Searcher.open(ws, embedder=hashed).search("衣物", k=3)
            except BaseException as exc:
                errors.append(exc)
                return

    threads = [threading.Thread(target=read) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(3):
            f = src / "测试服务规范.txt"
            f.write_text(f.read_text("utf-8") + f"4.{i + 5} 追加条款{i}。\n", "utf-8")
            ingest_paths([src], store, kb="default")
            s.sync()
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors, errors

"""Embedding progress: counts, rate and ETA readable from another thread."""

from __future__ import annotations

import pytest

from index import progress as prog


def test_rate_and_eta_from_reported_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([100.0, 110.0, 120.0, 130.0, 140.0])
    monkeypatch.setattr(prog.time, "monotonic", lambda: next(clock))
    p = prog.EmbedProgress()
    p(0, 1000)  # t=100: total known, nothing done: no rate yet
    assert p.snapshot().rate is None  # t=110
    p(100, 1000)  # t=120: first batch done, the rate is measured from here
    p(300, 1000)  # t=130: 200 clauses in 10 s
    snap = p.snapshot()  # t=140
    assert (snap.done, snap.total) == (300, 1000)
    assert snap.rate == pytest.approx(20.0)
    assert snap.eta == pytest.approx(35.0)
    assert snap.fraction == pytest.approx(0.3)
    assert snap.describe() == "嵌入条款 300/1000 · 20.0 条/秒 · 剩余约 35 秒"


def test_background_job_result_and_error() -> None:
    ok = prog.run_in_background(lambda: 42)
    assert ok.result() == 42
    assert ok.wait(0) and not ok.running()

    def boom() -> None:
        raise ValueError("索引失败")

    with pytest.raises(ValueError, match="索引失败"):
        prog.run_in_background(boom).result()


def test_sync_index_reports_progress(tmp_path, hash_embedder) -> None:  # type: ignore[no-untyped-def]
    from index.build import sync_index
    from ingest.pipeline import ingest_paths
    from ingest.store import ClauseStore
    from tests.conftest import SAMPLES

    store = ClauseStore(tmp_path / "kbs" / "default")
    ingest_paths([SAMPLES / "standards"], store, kb="default")
    p = prog.EmbedProgress()
    sync_index(store, hash_embedder, progress=p)
    snap = p.snapshot()
    assert snap.total > 0 and snap.done == snap.total

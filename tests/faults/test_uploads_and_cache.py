"""App uploads (collisions, corrupt re-uploads, limits) and a damaged embedding cache."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from index.embed_cache import EmbeddingCache, embed_with_cache, text_key
from ingest.pipeline import FileStatus
from ingest.readers import DEFAULT_MAX_BYTES
from tests.faults.conftest import GOOD_TEXT, OTHER_TEXT
from ui.kb import handle_uploads


def _visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_names_that_sanitise_alike_stay_two_documents(tmp_path: Path) -> None:
    handle_uploads(tmp_path, "up", [("a:b.txt", GOOD_TEXT.encode())])
    handle_uploads(tmp_path, "up", [("a_b.txt", OTHER_TEXT.encode())])
    folder = tmp_path / "uploads" / "up"
    assert _visible(folder) == ["a_b-1.txt", "a_b.txt"]
    from ingest.store import ClauseStore
    from ingest.workspace import kb_path

    titles = {d.title for d in ClauseStore(kb_path(tmp_path, "up")).documents()}
    assert titles == {"测试服务规范", "洗衣服务规范"}


def test_corrupt_reupload_keeps_the_good_original(tmp_path: Path) -> None:
    handle_uploads(tmp_path, "up", [("规范.txt", GOOD_TEXT.encode())])
    target = tmp_path / "uploads" / "up" / "规范.txt"
    outcome = handle_uploads(tmp_path, "up", [("规范.txt", b"\x00\x01\x02" * 10)])
    assert outcome.report.files[0].status in (FileStatus.SKIPPED, FileStatus.FAILED)
    assert target.read_text(encoding="utf-8") == GOOD_TEXT
    assert _visible(target.parent) == ["规范.txt"]


def test_rejected_uploads_are_removed_and_limits_match_ingest(tmp_path: Path) -> None:
    big = b"x" * (DEFAULT_MAX_BYTES + 1)
    outcome = handle_uploads(
        tmp_path,
        "up",
        [("坏.pdf", b"%PDF-1.4 broken"), ("大.txt", big), ("好.txt", GOOD_TEXT.encode())],
    )
    statuses = {Path(r.path).name: r.status for r in outcome.results}
    assert statuses["大.txt"] is FileStatus.SKIPPED and statuses["好.txt"] is FileStatus.INGESTED
    assert _visible(tmp_path / "uploads" / "up") == ["好.txt"]
    config = (Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text()
    assert f"maxUploadSize = {DEFAULT_MAX_BYTES // 2**20}" in config


def _unit(n: int, dim: int) -> np.ndarray:
    v = np.random.default_rng(0).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("bad", ["short", "nan", "garbage", "wrong_dim"])
def test_bad_cache_entries_are_misses(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "cache.sqlite"
    dim = 8
    with EmbeddingCache(path, "m", dim) as cache:
        cache.put_many(["a"], _unit(1, dim))
    blob = {
        "short": b"\x00" * 12,
        "nan": np.full(dim, np.nan, dtype=np.float32).tobytes(),
        "garbage": b"not a vector at all, not even close....",
        "wrong_dim": _unit(1, dim).tobytes(),
    }[bad]
    db = sqlite3.connect(path)
    db.execute(
        "UPDATE vec SET data = ?, dim = ? WHERE key = ?",
        (blob, 9 if bad == "wrong_dim" else dim, text_key("m", "a")),
    )
    db.commit()
    db.close()
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        return _unit(len(texts), dim)

    with EmbeddingCache(path, "m", dim) as cache:
        out = embed_with_cache(cache, ["a"], embed)
    assert calls == [["a"]] and np.all(np.isfinite(out))


def test_garbage_cache_file_is_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "cache.sqlite"
    path.write_bytes(b"this is not an sqlite database" * 100)
    with EmbeddingCache(path, "m", 4) as cache:
        out = embed_with_cache(cache, ["a"], lambda t: _unit(len(t), 4))
    assert out.shape == (1, 4) and (tmp_path / "cache.sqlite.corrupt").exists()


def test_a_model_returning_nan_is_an_error_not_silence(tmp_path: Path) -> None:
    with (
        EmbeddingCache(tmp_path / "c.sqlite", "m", 4) as cache,
        pytest.raises(ValueError, match="NaN"),
    ):
        embed_with_cache(cache, ["a"], lambda t: np.full((len(t), 4), np.nan, np.float32))

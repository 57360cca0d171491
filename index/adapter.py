"""A linear query adapter: the dense embedder's query vector, mapped toward the corpus.

The embedder is frozen and the passages stay as they were embedded; only the query
vector changes, ``q' = normalize(W q)``, with ``W = I + U Vᵀ`` (low rank) fitted on the
tuning sets' dev questions by ``python -m eval.train_adapter`` (docs/evaluation-history.md "Query adapter").
The map belongs to one embedder: the file stores the embedder's name and dimension, and
an adapter fitted for another model is refused (one log line) rather than applied to a
space it was not fitted in.

Where it is read: :meth:`index.retrievers.Context.qvec`, the one place a search makes its
query vector (dense, scoped, sentence and feedback routes, and the dense scores the
reranker and the gate read).  ``$STDQA_QUERY_ADAPTER``: a path to another adapter file,
or ``off`` (also ``0``/``none``) to search with the embedder's own vector.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

ADAPTER_FILE = Path(__file__).with_name("query_adapter.npz")
ENV_ADAPTER = "STDQA_QUERY_ADAPTER"
_OFF = {"off", "0", "none", "no", "false"}


@dataclass(slots=True, frozen=True)
class QueryAdapter:
    """``q' = normalize(q + V Uᵀ (q − c))``: identity plus a rank-``r`` correction
    (``u``, ``v``: ``dim × r``) applied around the point ``center`` (``c``; None: the
    origin — the mean training question, so the map moves each question by what sets it
    apart rather than adding one shift to all), for the embedder named ``model``."""

    model: str
    dim: int
    u: np.ndarray
    v: np.ndarray
    center: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.u.shape != self.v.shape or self.u.ndim != 2 or self.u.shape[0] != self.dim:
            raise ValueError(
                f"adapter factors {self.u.shape}/{self.v.shape} do not fit dimension {self.dim}"
            )
        if self.center is not None and self.center.shape != (self.dim,):
            raise ValueError(f"adapter centre {self.center.shape} is not ({self.dim},)")

    @property
    def rank(self) -> int:
        return int(self.u.shape[1])

    def matrix(self) -> np.ndarray:
        """``W = I + V Uᵀ`` (``dim × dim``): the adapted vector is ``q + (W − I)(q − c)``."""
        return np.eye(self.dim, dtype=np.float32) + self.v @ self.u.T

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        """Adapted unit vectors of one query (1-D) or of several (rows)."""
        q = np.asarray(vectors, dtype=np.float32)
        shifted = q if self.center is None else q - self.center
        out = q + (shifted @ self.u) @ self.v.T
        norms = np.linalg.norm(out, axis=-1, keepdims=True)
        return (out / np.maximum(norms, 1e-9)).astype(np.float32)

    def save(self, path: Path, **record: object) -> None:
        """Write the factors (float32) with the embedder's name and dimension; ``record``
        (fold figures, settings) is stored as JSON text beside them."""
        import json

        np.savez_compressed(
            path,
            model=np.asarray(self.model),
            dim=np.asarray(self.dim),
            u=self.u.astype(np.float32),
            v=self.v.astype(np.float32),
            center=np.zeros(self.dim, np.float32) if self.center is None else self.center,
            record=np.asarray(json.dumps(record, ensure_ascii=False)),
        )

    @classmethod
    def read(cls, path: Path) -> QueryAdapter:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                model=str(data["model"]),
                dim=int(data["dim"]),
                u=np.asarray(data["u"], dtype=np.float32),
                v=np.asarray(data["v"], dtype=np.float32),
                center=(
                    np.asarray(data["center"], dtype=np.float32) if "center" in data.files else None
                ),
            )


def adapter_path() -> Path | None:
    """The adapter file in use: ``$STDQA_QUERY_ADAPTER`` (None when it says off), else
    :data:`ADAPTER_FILE`."""
    env = os.environ.get(ENV_ADAPTER, "").strip()
    if env.lower() in _OFF and env:
        return None
    return Path(env) if env else ADAPTER_FILE


_LOADED: dict[tuple[str, str, int], QueryAdapter | None] = {}


def adapter_for(model: str, dim: int, path: Path | None = None) -> QueryAdapter | None:
    """The adapter fitted for embedder ``model`` (``dim`` dimensions), read once per
    process; None — the embedder's own query vector — when there is no adapter file, it
    is switched off, or it was fitted for another embedder."""
    path = adapter_path() if path is None else path
    if path is None:
        return None
    key = (str(path), model, dim)
    if key in _LOADED:
        return _LOADED[key]
    found: QueryAdapter | None = None
    if not path.is_file() and path != ADAPTER_FILE:
        # The shipped file is optional (absent: no adapter); a file the user named is not.
        log.warning("查询适配器 %s 不存在：不用适配器检索（%s）", path, ENV_ADAPTER)
    elif path.is_file():
        try:
            found = QueryAdapter.read(path)
        except (OSError, ValueError, KeyError) as exc:
            log.warning("查询适配器 %s 无法读取（%s）：不用适配器检索", path, exc)
        if found is not None and (found.model != model or found.dim != dim):
            log.warning(
                "查询适配器 %s 是为 %s（%d 维）拟合的，不是 %s（%d 维）：不使用",
                path,
                found.model,
                found.dim,
                model,
                dim,
            )
            found = None
    _LOADED[key] = found
    return found

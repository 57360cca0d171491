"""Start-up work kept off the extractive path: no langchain import, jieba cached per workspace."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_qa_cli_does_not_import_langchain_or_onnxruntime() -> None:
    code = (
        "import sys, qa.cli, index.search, index.embedders; "
        "print(sorted(m for m in ('langchain_core', 'onnxruntime', 'onnx') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_jieba_dictionary_cached_in_the_model_cache(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from index.tokenize import Tokenizer

    monkeypatch.setenv("STDQA_MODEL_CACHE", str(tmp_path))
    assert "服务" in Tokenizer().tokenize("服务人员应持证上岗")
    assert list(tmp_path.glob("jieba*.cache"))
